"""Reads of the Kampung KB profiles: what a user may see, and the figures of their villages taken
from the register, the poktan and the workforce (in a fixed number of queries for any number of
villages)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.core import clock
from lini.kampung.choices import KampungClass
from lini.kampung.classification import (
    ChecklistItem,
    Classification,
    KampungFigures,
    kampung_checklist,
    kampung_classify,
    missing_items,
)
from lini.kampung.models import KampungKB
from lini.poktan.models import Poktan, PoktanMember
from lini.regions.selectors import subtree_q
from lini.register.choices import LONG_ACTING, UNMET_NEED, KBStatus
from lini.register.models import Couple, Family
from lini.workforce.models import Counsellor

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from lini.accounts.models import User
    from lini.regions.models import Region


def kampung_visible_to(
    user: User | AnonymousUser | None, *, action: Action = Action.VIEW
) -> QuerySet[KampungKB]:
    """The profiles ``user`` may see (or change, with ``action``); None = the system: all."""
    profiles = KampungKB.objects.select_related("village")
    if user is None:
        return profiles
    return scope.restrict(profiles, user, action, field="village__code")


def kampung_in_region(
    *, user: User | AnonymousUser | None, region: Region | None
) -> QuerySet[KampungKB]:
    profiles = kampung_visible_to(user)
    if region is not None:
        profiles = profiles.filter(subtree_q([region.code], field="village__code"))
    return profiles.order_by("village__code")


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def pus_couples(*, day: dt.date) -> QuerySet[Couple]:
    """Couples that are PUS on ``day``: the wife aged LINI_PUS_MIN_AGE..MAX that day (as
    ``register.selectors.is_pus`` counts age) and the couple not ended by then."""
    oldest = _years_before(day, settings.LINI_PUS_MAX_AGE + 1)  # born after: at most MAX
    youngest = _years_before(day, settings.LINI_PUS_MIN_AGE)  # born on or before: at least MIN
    return Couple.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=day),
        wife__birth_date__gt=oldest,
        wife__birth_date__lte=youngest,
    )


def figures_for_villages(
    village_ids: Iterable[int], *, day: dt.date | None = None
) -> dict[int, KampungFigures]:
    """The figures of each village (by id), in five queries whatever the number of villages.
    KB status is the couples' current status (as the register keeps it)."""
    ids = sorted(set(village_ids))
    if not ids:
        return {}
    day = day or clock.today()
    values: dict[int, dict[str, object]] = {pk: {} for pk in ids}
    couples = (
        pus_couples(day=day)
        .filter(family__village_id__in=ids)
        .values("family__village_id")
        .annotate(
            pus=Count("pk"),
            users=Count("pk", filter=Q(status=KBStatus.USING)),
            long_acting=Count("pk", filter=Q(status=KBStatus.USING, method__in=LONG_ACTING)),
            unmet=Count("pk", filter=Q(status=KBStatus.NOT_USING, reason__in=UNMET_NEED)),
        )
    )
    for row in couples:
        values[row["family__village_id"]].update(
            pus=row["pus"], users=row["users"], long_acting_users=row["long_acting"],
            unmet_need=row["unmet"],
        )  # fmt: skip
    families = (
        Family.objects.filter(village_id__in=ids).values("village_id").annotate(n=Count("pk"))
    )
    for row in families:
        values[row["village_id"]]["families"] = row["n"]
    members = (
        PoktanMember.objects.filter(family__village_id__in=ids, left_on__isnull=True)
        .values("family__village_id")
        .annotate(n=Count("family_id", distinct=True))
    )
    for row in members:
        values[row["family__village_id"]]["poktan_families"] = row["n"]
    kinds: dict[int, set[str]] = defaultdict(set)
    for village_id, kind in (
        Poktan.objects.filter(village_id__in=ids).values_list("village_id", "kind").distinct()
    ):
        kinds[village_id].add(kind)
    assigned = (
        Counsellor.villages.through.objects.filter(region_id__in=ids, counsellor__active=True)
        .values("region_id")
        .annotate(n=Count("counsellor_id", distinct=True))
    )
    for row in assigned:
        values[row["region_id"]]["counsellors"] = row["n"]
    return {
        pk: KampungFigures(poktan_kinds=frozenset(kinds.get(pk, ())), **v)  # type: ignore[arg-type]
        for pk, v in values.items()
    }


def kampung_figures(village: Region, *, day: dt.date | None = None) -> KampungFigures:
    """The figures of one village (five small queries)."""
    return figures_for_villages([village.pk], day=day)[village.pk]


@dataclass(frozen=True)
class KampungAssessment:
    kampung: KampungKB
    figures: KampungFigures
    classification: Classification
    checklist: list[ChecklistItem]

    @property
    def missing(self) -> list[ChecklistItem]:
        return missing_items(self.checklist)

    @property
    def kampung_class(self) -> KampungClass:
        return self.classification.kampung_class


def kampung_assess(
    kampung: KampungKB, *, figures: KampungFigures | None = None, day: dt.date | None = None
) -> KampungAssessment:
    day = day or clock.today()
    figures = figures or kampung_figures(kampung.village, day=day)
    return KampungAssessment(
        kampung=kampung,
        figures=figures,
        classification=kampung_classify(kampung, figures),
        checklist=kampung_checklist(kampung, figures, today=day),
    )


def kampung_assessments(
    profiles: Iterable[KampungKB], *, day: dt.date | None = None
) -> list[KampungAssessment]:
    """Each profile assessed, sorted by the most missing checklist items first, then by code."""
    day = day or clock.today()
    profiles = list(profiles)
    figures = figures_for_villages((p.village_id for p in profiles), day=day)
    assessed = [kampung_assess(p, figures=figures[p.village_id], day=day) for p in profiles]
    assessed.sort(key=lambda a: (-len(a.missing), a.kampung.village.code))
    return assessed
