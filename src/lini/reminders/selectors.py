"""Reads of the reminders: consents current on a day, a family's consents, the outbox cut to what
an administrator may see (:mod:`lini.accounts.scope`)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet

from lini.accounts import scope
from lini.accounts.roles import Action, Role
from lini.regions.models import Region
from lini.regions.selectors import subtree_q
from lini.register.models import Couple, Family
from lini.reminders.models import Reminder, ReminderConsent

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from lini.accounts.models import User

# Who may read the outbox: regency/city officers and above, each for their own regions.
OUTBOX_ROLES = frozenset({Role.REGENCY_OFFICER, Role.PROVINCE_OFFICER, Role.NATIONAL_ADMIN})


def consents_current_on(day: dt.date) -> QuerySet[ReminderConsent]:
    """Consents given on or before ``day``, not withdrawn by then, of couples not ended by then."""
    return ReminderConsent.objects.filter(
        Q(given_on__lte=day),
        Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day),
        Q(couple__ended_on__isnull=True) | Q(couple__ended_on__gt=day),
    )


def consent_current(*, couple_id: int, day: dt.date) -> ReminderConsent | None:
    """The couple's consent current on ``day`` (at most one), or None."""
    return consents_current_on(day).filter(couple_id=couple_id).order_by("-given_on", "-pk").first()


def couples_of_family(family: Family) -> list[Couple]:
    """The family's couples that are not ended (those a consent can be recorded for)."""
    return list(
        Couple.objects.filter(family=family, ended_on__isnull=True)
        .select_related("wife", "husband")
        .order_by("pk")
    )


def consents_of_family(family: Family) -> QuerySet[ReminderConsent]:
    return ReminderConsent.objects.filter(couple__family=family).select_related(
        "couple__wife", "recorded_by", "withdrawn_by"
    )


def common_region(codes: list[str]) -> str:
    """The code of the smallest region holding all ``codes`` ("" when they share none)."""
    if not codes:
        return ""
    common = codes[0].split(".")
    for code in codes[1:]:
        parts = code.split(".")
        size = 0
        while size < min(len(common), len(parts)) and common[size] == parts[size]:
            size += 1
        common = common[:size]
    return ".".join(common)


def worker_region(user: User) -> Region | None:
    """The region a worker's list covers: their assigned region, or the smallest one holding all
    of them (None for a national administrator or regions in several provinces)."""
    code = common_region(sorted(user.assignments.values_list("region__code", flat=True)))
    return Region.objects.filter(code=code).first() if code else None


def may_see_outbox(user: User | AnonymousUser | None) -> bool:
    return bool(scope.role_allows(user, Action.VIEW) and getattr(user, "role", "") in OUTBOX_ROLES)


def outbox_visible_to(user: User | AnonymousUser | None) -> QuerySet[Reminder]:
    """The outbox rows of the user's regions (every row for a national administrator; none for
    roles below regency officers)."""
    if not may_see_outbox(user):
        return Reminder.objects.none()
    return scope.restrict(Reminder.objects.all(), user, Action.VIEW, field="region__code")


def may_see_numbers(user: User | AnonymousUser | None, region: Region | None) -> bool:
    """Whether the outbox shows the user a row's phone number whole (else masked): the right to
    see identities in the row's region (national administrators for rows without a region)."""
    if region is None:
        return scope.role_allows(user, Action.VIEW_IDENTITY) and scope.user_scope(user).national
    return scope.can(user, Action.VIEW_IDENTITY, region)


def outbox_of_region(reminders: QuerySet[Reminder], region: Region) -> QuerySet[Reminder]:
    """The rows of ``region`` and the regions below it."""
    return reminders.filter(subtree_q([region.code], field="region__code"))


def outbox_counts(reminders: QuerySet[Reminder]) -> dict[str, int]:
    """Rows by status."""
    rows = reminders.order_by().values_list("status").annotate(n=Count("pk"))
    return dict(rows)  # type: ignore[arg-type]
