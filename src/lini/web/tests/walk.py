"""The permission walk's shared pieces: the world of objects it walks with, and the cases.

Each app that has pages adds its URL names in ``lini/<app>/tests/walk.py``: ``CASES`` (URL name
-> :class:`Case`), ``prepare(world)`` to create its Tangerang objects in ``world.extra`` and
``snapshot()`` (the state an out-of-scope request must not change)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from lini.accounts.models import User
from lini.exchange.models import DataJob
from lini.regions.models import Region
from lini.register.models import Family

APPS_WITH_WALKS = (
    "accounts", "workforce", "kampung", "poktan", "kb", "monthly", "indicators", "campaigns",
    "dhis2", "odk", "visits", "reminders",
)  # fmt: skip


@dataclass
class World:
    cadre: User  # Desa Singamerta, Kab. Serang
    serang_officer: User  # manages accounts, but only in Kab. Serang
    tangerang_officer: User  # in scope for everything below
    tangerang_cadre: User
    tangerang_dusun: Region
    family: Family  # a family of Kuta Jaya, Kab. Tangerang, with a couple
    job: DataJob  # a checked import of the Tangerang officer
    extra: dict[str, Any] = field(default_factory=dict)  # the apps' own objects (walk.prepare)

    def out_of_scope(self, name: str) -> User:
        return getattr(self, name)


def _always(world: World) -> bool:
    return True


@dataclass(frozen=True)
class Case:
    """How to call a URL with Tangerang's objects; ``denied``: every out-of-scope user gets 403 or
    404 (else it is a page of the user's own, which must show nothing of Tangerang);
    ``effect``: what the in-scope officer's request must have done."""

    kwargs: Callable[[World], dict[str, object]] = lambda w: {}
    method: str = "get"
    data: dict[str, str] | Callable[[World], dict[str, str]] = field(default_factory=dict)
    query: str = ""
    denied: bool = True
    effect: Callable[[World], bool] = _always


def app_walks() -> list[ModuleType]:
    found = []
    for app in APPS_WITH_WALKS:
        try:
            found.append(importlib.import_module(f"lini.{app}.tests.walk"))
        except ModuleNotFoundError as exc:
            if exc.name != f"lini.{app}.tests.walk":
                raise
    return found
