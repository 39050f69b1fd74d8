"""Reads of the poktan app: the groups a user may see, whether a group is active, whether a
member family fits the group's kind, and the KB status of UPPKA members."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import (
    BooleanField,
    Case,
    Count,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils.translation import gettext as _

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.poktan.models import Poktan, PoktanKind, PoktanMeeting, PoktanMember
from lini.register.choices import Presence, Relation
from lini.register.models import Couple, Member

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from lini.accounts.models import User
    from lini.register.models import Family

# The ages that make a family fit a group: (youngest, oldest) in whole years, None = no limit.
AGE_RULES: dict[str, tuple[int | None, int | None]] = {
    PoktanKind.BKB: (None, 4),  # a child under 5
    PoktanKind.BKR: (10, 24),  # an adolescent 10-24
    PoktanKind.BKL: (60, None),  # an elderly person of 60 or more
}


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` earlier (28 February for 29 February in a common year)."""
    year = day.year - years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def months_before(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def birth_range(kind: str, on: dt.date) -> tuple[dt.date | None, dt.date] | None:
    """The birth dates (earliest or None, latest) of a person who makes a family fit ``kind`` on
    ``on``; None for kinds without an age rule (UPPKA, PIK-R)."""
    rule = AGE_RULES.get(kind)
    if rule is None:
        return None
    youngest, oldest = rule
    latest = years_before(on, youngest) if youngest is not None else on
    earliest = None
    if oldest is not None:
        earliest = years_before(on, oldest + 1) + dt.timedelta(days=1)
    return earliest, latest


def birth_date_fits(kind: str, birth_date: dt.date, on: dt.date) -> bool:
    found = birth_range(kind, on)
    if found is None:
        return True
    earliest, latest = found
    return birth_date <= latest and (earliest is None or birth_date >= earliest)


def qualifying_family_ids(kind: str, family_ids: Iterable[int], on: dt.date) -> set[int] | None:
    """Which of ``family_ids`` fit ``kind`` on ``on`` (one query); None when the kind has no
    rule."""
    found = birth_range(kind, on)
    if found is None:
        return None
    earliest, latest = found
    members = Member.objects.filter(
        family_id__in=list(family_ids), presence=Presence.PRESENT, birth_date__lte=latest
    )
    if earliest is not None:
        members = members.filter(birth_date__gte=earliest)
    return set(members.values_list("family_id", flat=True).distinct())


def family_qualifies(kind: str, family: Family, on: dt.date) -> bool | None:
    """Whether ``family`` fits a group of ``kind`` on ``on``: BKB a child under 5, BKR a member
    aged 10-24, BKL a member aged 60 or more (members who live there). None: no rule (UPPKA,
    PIK-R)."""
    found = qualifying_family_ids(kind, [family.pk], on)
    return None if found is None else family.pk in found


def not_qualified_message(kind: str) -> str:
    return {
        PoktanKind.BKB: _("The family has no child under 5 (BKB is for families with under-fives)."),
        PoktanKind.BKR: _("The family has no member aged 10-24 (BKR is for families with adolescents)."),
        PoktanKind.BKL: _("The family has no member aged 60 or more (BKL is for families with elderly)."),
    }.get(kind, "")  # fmt: skip


def active_since(today: dt.date) -> dt.date:
    """The earliest meeting date that keeps a group active on ``today``."""
    return months_before(today, settings.LINI_POKTAN_ACTIVE_MONTHS)


def poktan_is_active(poktan: Poktan, today: dt.date) -> bool:
    """A group is active when it met within the last LINI_POKTAN_ACTIVE_MONTHS months."""
    return PoktanMeeting.objects.filter(
        poktan=poktan, held_on__gte=active_since(today), held_on__lte=today
    ).exists()


def poktan_visible_to(
    user: User | AnonymousUser | None, *, action: Action = Action.VIEW
) -> QuerySet[Poktan]:
    return scope.restrict(Poktan.objects.all(), user, action, field="village__code")


def with_activity(poktan: QuerySet[Poktan], today: dt.date) -> QuerySet[Poktan]:
    """``poktan`` annotated with ``last_met`` (latest meeting up to ``today``), ``member_count``
    (families currently members) and ``active`` (bool), for lists and filters."""
    last = (
        PoktanMeeting.objects.filter(poktan=OuterRef("pk"), held_on__lte=today)
        .order_by("-held_on")
        .values("held_on")[:1]
    )
    members = (
        PoktanMember.objects.filter(poktan=OuterRef("pk"), left_on__isnull=True)
        .order_by()
        .values("poktan")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return poktan.annotate(
        last_met=Subquery(last),
        member_count=Subquery(members),
    ).annotate(
        active=Case(
            When(last_met__gte=active_since(today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def filter_active(poktan: QuerySet[Poktan], *, active: bool) -> QuerySet[Poktan]:
    """Of a queryset from :func:`with_activity`, the active (or inactive) groups."""
    return poktan.filter(active=active)


def member_families_on(poktan: Poktan, on: dt.date) -> set[int]:
    """The ids of the families that were members of ``poktan`` on ``on``."""
    return set(
        PoktanMember.objects.filter(poktan=poktan)
        .filter(Q(joined_on__isnull=True) | Q(joined_on__lte=on))
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=on))
        .values_list("family_id", flat=True)
    )


def current_members(poktan: Poktan) -> QuerySet[PoktanMember]:
    """Current memberships with the family and the head's name (``head_name``)."""
    heads = Member.objects.filter(family=OuterRef("family_id"), relation=Relation.HEAD).order_by(
        "position"
    )
    return (
        PoktanMember.objects.filter(poktan=poktan, left_on__isnull=True)
        .select_related("family")
        .annotate(head_name=Subquery(heads.values("name")[:1]))
        .order_by("family__rw", "family__rt", "family__kk_number")
    )


@dataclass
class MemberKB:
    """The KB status of the couples of one UPPKA member family."""

    family_id: int
    couples: list[Couple] = field(default_factory=list)

    @property
    def using(self) -> bool:
        return any(c.status == "pakai" for c in self.couples)


def uppka_kb_status(poktan: Poktan) -> dict[int, MemberKB]:
    """For each current member family: its couples (not ended) with their current status and
    method (from the register)."""
    family_ids = list(
        PoktanMember.objects.filter(poktan=poktan, left_on__isnull=True).values_list(
            "family_id", flat=True
        )
    )
    found = {pk: MemberKB(family_id=pk) for pk in family_ids}
    couples = Couple.objects.filter(family_id__in=family_ids, ended_on__isnull=True).select_related(
        "wife"
    )
    for couple in couples.order_by("family_id", "pk"):
        found[couple.family_id].couples.append(couple)
    return found
