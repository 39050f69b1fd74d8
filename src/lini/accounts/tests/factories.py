"""Helpers that make accounts for tests (and only tests)."""

from __future__ import annotations

import itertools

from lini.accounts import services
from lini.accounts.models import User
from lini.accounts.roles import Role
from lini.regions.models import Region

_counter = itertools.count(1)
TEST_PASSWORD = "correct-horse-battery-staple"


def make_user(role: str = Role.CADRE, *codes: str, username: str | None = None) -> User:
    """An active account with ``role`` assigned to the regions with ``codes``."""
    regions = list(Region.objects.filter(code__in=codes))
    assert len(regions) == len(set(codes)), f"unknown region code among {codes}"
    return services.user_create(
        actor=None,
        username=username or f"{role}-{next(_counter)}",
        role=role,
        regions=regions,
        password=TEST_PASSWORD,
    )
