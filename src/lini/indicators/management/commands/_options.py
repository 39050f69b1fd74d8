"""What the indicator commands (``indicators``, ``rank``, ``report``) read the same way: the
``--user`` whose regions apply, and a ``--level`` at or below the region's."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError

from lini.accounts import scope
from lini.accounts.models import User
from lini.accounts.roles import Action
from lini.indicators.selectors import LEVELS
from lini.regions.models import Region


def viewer(username: str | None, region: Region) -> User | None:
    """The account named by ``--user`` (None: the system), which must be allowed to view
    ``region``."""
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"--user: no active account {username!r}")
    try:
        scope.require(user, Action.VIEW, region)
    except PermissionDenied as exc:
        raise CommandError(f"{user.username} may not view {region.code}") from exc
    return user


def level_under(region: Region, name: str) -> int:
    """The level named by ``--level``, which must be the region's own or one below it."""
    level = LEVELS[name]
    if level < region.level:
        raise CommandError(
            f"--level: {region.code} lies below the level {name}; "
            "choose its own level or one below it"
        )
    return level
