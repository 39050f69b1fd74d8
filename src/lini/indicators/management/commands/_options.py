"""What the indicator commands (``indicators``, ``rank``, ``report``, and ``dhis2 export``) read
the same way: the ``--user`` whose regions apply, a ``--level`` at or below the region's, and the
``--region`` and ``--period`` of a monthly report."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError

from lini.accounts import scope
from lini.accounts.models import User
from lini.accounts.roles import Action
from lini.indicators.report import report_period, report_region_check
from lini.indicators.selectors import LEVELS, Period
from lini.regions.models import Region
from lini.regions.selectors import region_get


def report_region_and_period(code: str, month: str) -> tuple[Region, Period]:
    """The region (``--region``) and month (``--period``, YYYY-MM) of a monthly report, or a
    CommandError naming the option."""
    region = region_get(code=code)
    if region is None:
        raise CommandError(f"--region: no region has the code {code!r}")
    try:
        report_region_check(region)
    except ValueError as exc:
        raise CommandError(f"--region: {exc}") from exc
    try:
        period = report_period(month)
    except ValueError as exc:
        raise CommandError(f"--period: {exc}") from exc
    return region, period


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
