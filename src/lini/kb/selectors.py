"""Reads of KB facilities and services, always cut to what the user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.kb.choices import FacilityKind, VisitType
from lini.kb.models import Facility, Service
from lini.regions.selectors import subtree_q
from lini.register.choices import Method
from lini.register.selectors import month_end

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from lini.accounts.models import User
    from lini.regions.models import Region

    AnyUser = User | AnonymousUser | None


def facilities_visible_to(user: AnyUser) -> QuerySet[Facility]:
    """Facilities of the user's regions and of the regions above them (a village cadre sees the
    district's Puskesmas and the regency's mobile unit). Facilities hold no personal data."""
    return Facility.objects.filter(scope.navigable_q(user, field="region__code")).select_related(
        "region", "parent"
    )


def facilities_in(*, facilities: QuerySet[Facility], region: Region) -> QuerySet[Facility]:
    return facilities.filter(subtree_q([region.code], field="region__code"))


def facilities_for_service(*, user: AnyUser, village: Region) -> QuerySet[Facility]:
    """The active facilities a service in ``village`` can be given at: those the user sees in
    the village's regency."""
    regency = ".".join(village.code.split(".")[:2])
    return (
        facilities_visible_to(user)
        .filter(active=True)
        .filter(subtree_q([regency], field="region__code"))
        .order_by("kind", "name", "pk")
    )


def main_facilities_for(*, user: AnyUser, region: Region) -> QuerySet[Facility]:
    """The main facilities a network unit of ``region`` may belong to (same regency)."""
    regency = ".".join(region.code.split(".")[:2])
    return (
        facilities_visible_to(user)
        .filter(kind=FacilityKind.MAIN)
        .filter(subtree_q([regency], field="region__code"))
        .order_by("name", "pk")
    )


def services_visible_to(user: AnyUser, *, action: Action = Action.VIEW) -> QuerySet[Service]:
    return scope.restrict(
        Service.objects.all(), user, action, field="couple__family__village__code"
    )


def _month_range(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    return first, month_end(first)


def service_list(
    *,
    user: AnyUser,
    region: Region | None = None,
    month: dt.date | None = None,
    method: str = "",
    visit_type: str = "",
) -> QuerySet[Service]:
    """The user's services, of ``region`` (default: the whole scope) and ``month``, filtered by
    method and visit type, newest first."""
    services = services_visible_to(user)
    if region is not None:
        services = services.filter(subtree_q([region.code], field="couple__family__village__code"))
    if month is not None:
        services = services.filter(served_on__range=_month_range(month))
    if method:
        services = services.filter(method=method)
    if visit_type:
        services = services.filter(visit_type=visit_type)
    return services.select_related("couple__wife", "couple__family__village", "facility")


@dataclass
class ServiceCounts:
    total: int = 0
    by_method: list[tuple[str, str, int]] = field(default_factory=list)  # (code, label, n)
    by_visit_type: list[tuple[str, str, int]] = field(default_factory=list)
    postpartum: int = 0


def service_counts(*, user: AnyUser, region: Region | None, month: dt.date) -> ServiceCounts:
    """How many services of each method and visit type in ``region`` and ``month``."""
    services = service_list(user=user, region=region, month=month).order_by()
    methods = dict(services.values_list("method").annotate(n=Count("pk")))
    visits = dict(services.values_list("visit_type").annotate(n=Count("pk")))
    return ServiceCounts(
        total=sum(methods.values()),
        by_method=[(v, str(label), methods[v]) for v, label in Method.choices if v in methods],
        by_visit_type=[(v, str(label), visits[v]) for v, label in VisitType.choices if v in visits],
        postpartum=services.filter(Q(postpartum=True)).count(),
    )
