"""Reads of the monthly inputs: what a user may see, and a month's overview of a region (each
village with its input's status, and the reporting coverage)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Substr

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.monthly.models import INSTITUTIONS, MonthlyInput, MonthlyStatus
from lini.regions.models import Region, RegionLevel
from lini.regions.selectors import subtree_q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from lini.accounts.models import User

SENT = (MonthlyStatus.SUBMITTED, MonthlyStatus.APPROVED)


def inputs_visible_to(
    user: User | AnonymousUser | None, *, action: Action = Action.VIEW
) -> QuerySet[MonthlyInput]:
    return scope.restrict(MonthlyInput.objects.all(), user, action, field="village__code")


def villages_visible_to(
    user: User | AnonymousUser | None, *, region: Region | None
) -> QuerySet[Region]:
    """The villages under ``region`` (everywhere when None) that ``user`` may view."""
    villages = Region.objects.filter(level=RegionLevel.VILLAGE)
    if region is not None:
        villages = villages.filter(subtree_q([region.code]))
    return scope.restrict(villages, user, Action.VIEW)


@dataclass
class Coverage:
    """Reporting coverage (Caklap): villages that sent their input (submitted or approved) of the
    villages there are."""

    villages: int = 0
    entered: int = 0  # any input, whatever its status
    sent: int = 0  # submitted or approved
    approved: int = 0
    waiting: int = 0  # submitted, not yet decided
    sent_back: int = 0

    @property
    def missing(self) -> int:
        return self.villages - self.entered

    @property
    def percent(self) -> float | None:
        return round(100 * self.sent / self.villages, 1) if self.villages else None


@dataclass
class VillageRow:
    village: Region
    monthly_input: MonthlyInput | None


@dataclass
class AreaRow:
    """One region below the overview's region (a district of a regency...), with its coverage."""

    region: Region
    coverage: Coverage


@dataclass
class InstitutionTotal:
    label: str
    exist: int
    reported: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.reported / self.exist, 1) if self.exist else None


@dataclass
class MonthOverview:
    region: Region | None
    month: dt.date
    coverage: Coverage
    villages: list[VillageRow] = field(default_factory=list)  # at district or village level
    areas: list[AreaRow] = field(default_factory=list)  # above: one row per child region
    waiting: list[MonthlyInput] = field(default_factory=list)  # submitted, to decide
    institutions: list[InstitutionTotal] = field(default_factory=list)


def _coverage(villages: int, statuses: dict[str, int]) -> Coverage:
    return Coverage(
        villages=villages,
        entered=sum(statuses.values()),
        sent=sum(statuses.get(s, 0) for s in SENT),
        approved=statuses.get(MonthlyStatus.APPROVED, 0),
        waiting=statuses.get(MonthlyStatus.SUBMITTED, 0),
        sent_back=statuses.get(MonthlyStatus.SENT_BACK, 0),
    )


def month_overview(
    *,
    user: User | AnonymousUser | None,
    region: Region | None,
    month: dt.date,
    waiting_limit: int = 100,
) -> MonthOverview:
    """The month of ``region`` (the whole country when None) as ``user`` may see it.

    At district or village level every village is listed with its input (None: missing); above,
    each child region (or province) with its coverage. The coverage counts only the villages
    the user may view."""
    villages = villages_visible_to(user, region=region)
    inputs = inputs_visible_to(user).filter(month=month)
    if region is not None:
        inputs = inputs.filter(subtree_q([region.code], field="village__code"))
    statuses = {row["status"]: row["n"] for row in inputs.values("status").annotate(n=Count("pk"))}
    overview = MonthOverview(
        region=region, month=month, coverage=_coverage(villages.count(), statuses)
    )
    sums = inputs.filter(status__in=SENT).aggregate(
        **{f"{key}_{side}": Sum(f"{key}_{side}") for key, _l in INSTITUTIONS
           for side in ("exist", "reported")}
    )  # fmt: skip
    overview.institutions = [
        InstitutionTotal(label, sums[f"{key}_exist"] or 0, sums[f"{key}_reported"] or 0)
        for key, label in INSTITUTIONS
    ]
    if region is not None and region.level >= RegionLevel.DISTRICT:
        by_village = {i.village_id: i for i in inputs}
        overview.villages = [
            VillageRow(village, by_village.get(village.pk)) for village in villages.order_by("code")
        ]
        return overview
    overview.waiting = list(
        inputs.filter(status=MonthlyStatus.SUBMITTED)
        .select_related("village")
        .order_by("village__code")[:waiting_limit]
    )
    children = (
        Region.objects.filter(parent=region) if region else Region.objects.filter(parent=None)
    )
    children = children.filter(scope.navigable_q(user)).order_by("code")
    child_list = list(children)
    if not child_list:
        return overview
    width = len(child_list[0].code)
    village_counts = dict(
        villages.annotate(prefix=Substr("code", 1, width))
        .values("prefix")
        .annotate(n=Count("pk"))
        .values_list("prefix", "n")
    )
    status_counts: dict[str, dict[str, int]] = {}
    rows = (
        inputs.annotate(prefix=Substr("village__code", 1, width))
        .values("prefix", "status")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        status_counts.setdefault(row["prefix"], {})[row["status"]] = row["n"]
    overview.areas = [
        AreaRow(
            child, _coverage(village_counts.get(child.code, 0), status_counts.get(child.code, {}))
        )
        for child in child_list
        if village_counts.get(child.code)
    ]
    return overview


def input_history(*, monthly_input: MonthlyInput, user: User | AnonymousUser | None) -> QuerySet:  # type: ignore[type-arg]
    """The audit entries of an input (its workflow), newest first."""
    from lini.audit.models import AuditEntry

    if not scope.can(user, Action.VIEW, monthly_input.village):
        return AuditEntry.objects.none()
    return AuditEntry.objects.filter(
        model=MonthlyInput._meta.label_lower, object_id=str(monthly_input.pk)
    ).order_by("-pk")


def months_of_village(
    *, village: Region, user: User | AnonymousUser | None
) -> QuerySet[MonthlyInput]:
    return inputs_visible_to(user).filter(village=village).order_by("-month")
