"""Reading campaigns: which a user may see, and the progress of each lokus against its targets,
computed from what is stored (services linked to the lokus, poktan formed in its village during
the campaign, its Kampung KB profile, the daily logs), never from a tally kept on the side."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet, Sum

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.campaigns.choices import (
    COUNSELLING_KEY,
    FAMILIES_KEY,
    MKJP_KEY,
    RUMAH_DATAKU_KEY,
    TARGET_KEYS,
    TARGET_VISITS,
    target_label,
)
from lini.campaigns.models import Campaign, CampaignService, DayLog, Lokus, Photo
from lini.core import clock
from lini.indicators.counts import month_add
from lini.kb.choices import VisitType
from lini.regions.models import Region, RegionLevel
from lini.register.choices import LONG_ACTING, Method

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from lini.accounts.models import User
    from lini.indicators.selectors import Value


def campaigns_visible_to(user: User | AnonymousUser | None) -> QuerySet[Campaign]:
    """Campaigns planned in the user's scope or with a lokus in it."""
    if not scope.role_allows(user, Action.VIEW):
        return Campaign.objects.none()
    own = scope.user_scope(user)
    if own.national:
        return Campaign.objects.all()
    ids = Campaign.objects.filter(own.q("region__code") | own.q("lokus__village__code")).values(
        "pk"
    )
    return Campaign.objects.filter(pk__in=ids)


def can_view_all_lokus(user: User | AnonymousUser | None, campaign: Campaign) -> bool:
    return scope.can(user, Action.VIEW, campaign.region)


def lokus_visible_to(user: User | AnonymousUser | None, campaign: Campaign) -> QuerySet[Lokus]:
    """The lokus of ``campaign`` the user may open: all of them for the planning office's
    scope, else those in the user's own scope."""
    lokus = campaign.lokus.select_related("village", "village__parent", "village__parent__parent")
    if can_view_all_lokus(user, campaign):
        return lokus
    return scope.restrict(lokus, user, Action.VIEW, field="village__code")


def lokus_of(user: User | AnonymousUser | None, pk: int) -> Lokus | None:
    lokus = (
        Lokus.objects.select_related("campaign", "campaign__region", "village")
        .filter(pk=pk)
        .first()
    )
    if lokus is None:
        return None
    if can_view_all_lokus(user, lokus.campaign) or scope.can(user, Action.VIEW, lokus.village):
        return lokus
    return None


# Progress ----------------------------------------------------------------------------------------


@dataclass
class Line:
    """One target of a lokus (or of the whole campaign) and what has been achieved."""

    key: str
    label: str
    target: int
    achieved: int

    @property
    def pct(self) -> Decimal | None:
        if not self.target:
            return None
        return (Decimal(self.achieved) * 100 / Decimal(self.target)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    @property
    def met(self) -> bool:
        return self.achieved >= self.target


@dataclass
class TidyItem:
    code: str
    label: str
    done: bool


@dataclass
class LokusProgress:
    lokus: Lokus
    lines: list[Line]
    by_method: dict[str, dict[str, int]]  # method -> visit type -> services
    tidy: list[TidyItem] = field(default_factory=list)
    services: int = 0
    days_logged: int = 0
    attendance: int = 0
    photos: int = 0

    @property
    def tidy_done(self) -> int:
        return sum(1 for item in self.tidy if item.done)


@dataclass
class CampaignProgress:
    campaign: Campaign
    lokus: list[LokusProgress]
    total: list[Line]
    by_method: dict[str, dict[str, int]]

    @property
    def services(self) -> int:
        return sum(p.services for p in self.lokus)

    @property
    def tidy_planned(self) -> int:
        return sum(len(p.tidy) for p in self.lokus)

    @property
    def tidy_done(self) -> int:
        return sum(p.tidy_done for p in self.lokus)


def rumah_dataku_established(profile: Any, lokus: Lokus, campaign: Campaign) -> bool:
    """The lokus's Rumah DataKu is active, was not when the lokus was planned, and (when its
    start is recorded) started during the campaign's days."""
    if profile is None or not profile.has_rumah_dataku or lokus.baseline.get("rumah_dataku"):
        return False
    since = profile.rumah_dataku_since
    return since is None or campaign.starts_on <= since <= campaign.ends_on


def _ordered(keys: set[str]) -> list[str]:
    return [k for k in TARGET_KEYS if k in keys]


def progress(campaign: Campaign, lokus: list[Lokus] | None = None) -> CampaignProgress:
    """Target against achievement for each lokus (default: all of the campaign) and in total,
    in a fixed number of queries plus one Kampung KB assessment per lokus with tidy-up items."""
    from lini.kampung.models import KampungKB
    from lini.kampung.selectors import figures_for_villages, kampung_assess
    from lini.poktan.models import Poktan

    if lokus is None:
        lokus = list(campaign.lokus.select_related("village").order_by("village__code"))
    ids = [item.pk for item in lokus]
    villages = {item.village_id: item.pk for item in lokus}
    achieved: dict[int, dict[str, int]] = {pk: defaultdict(int) for pk in ids}
    by_method: dict[int, dict[str, dict[str, int]]] = {pk: defaultdict(dict) for pk in ids}
    services: dict[int, int] = defaultdict(int)
    for lokus_id, method, visit, n in (
        CampaignService.objects.filter(lokus_id__in=ids)
        .values_list("lokus_id", "service__method", "service__visit_type")
        .annotate(n=Count("pk"))
    ):
        services[lokus_id] += n
        by_method[lokus_id][method][visit] = by_method[lokus_id][method].get(visit, 0) + n
        if visit in TARGET_VISITS:
            achieved[lokus_id][f"svc_{method}_{visit}"] += n
            if method in LONG_ACTING:
                achieved[lokus_id][MKJP_KEY] += n
    for village_id, kind, n in (
        Poktan.objects.filter(
            village_id__in=list(villages),
            formed_on__range=(campaign.starts_on, campaign.ends_on),
        )
        .values_list("village_id", "kind")
        .annotate(n=Count("pk"))
    ):
        achieved[villages[village_id]][f"poktan_{kind}"] += n
    kampung = {k.village_id: k for k in KampungKB.objects.filter(village_id__in=list(villages))}
    logs = {
        row["lokus_id"]: row
        for row in DayLog.objects.filter(lokus_id__in=ids)
        .values("lokus_id")
        .annotate(
            families=Sum("families_visited"),
            sessions=Sum("counselling"),
            attendance=Sum("attendance"),
            days=Count("pk"),
        )
    }
    photos = dict(
        Photo.objects.filter(lokus_id__in=ids)
        .values("lokus_id")
        .annotate(n=Count("pk"))
        .values_list("lokus_id", "n")
    )
    today = clock.today()
    figures = figures_for_villages(
        [i.village_id for i in lokus if i.tidy_items and i.village_id in kampung], day=today
    )  # one set of queries for every lokus with tidy-up items
    result: list[LokusProgress] = []
    for item in lokus:
        got = achieved[item.pk]
        profile = kampung.get(item.village_id)
        if rumah_dataku_established(profile, item, campaign):
            got[RUMAH_DATAKU_KEY] = 1
        log = logs.get(item.pk, {})
        got[FAMILIES_KEY] = log.get("families") or 0
        got[COUNSELLING_KEY] = log.get("sessions") or 0
        keys = set(item.targets) | {k for k, v in got.items() if v}
        lines = [
            Line(k, target_label(k), int(item.targets.get(k, 0)), got.get(k, 0))
            for k in _ordered(keys)
        ]
        tidy: list[TidyItem] = []
        if item.tidy_items and profile is not None:
            assessed = kampung_assess(profile, figures=figures[item.village_id], day=today)
            checklist = {c.code: c for c in assessed.checklist}
            tidy = [
                TidyItem(code, str(checklist[code].label), checklist[code].done)
                for code in item.tidy_items
                if code in checklist
            ]
        result.append(
            LokusProgress(
                lokus=item, lines=lines, by_method=dict(by_method[item.pk]), tidy=tidy,
                services=services[item.pk], days_logged=log.get("days") or 0,
                attendance=log.get("attendance") or 0, photos=photos.get(item.pk, 0),
            )
        )  # fmt: skip
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    method_total: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for p in result:
        for line in p.lines:
            totals[line.key][0] += line.target
            totals[line.key][1] += line.achieved
        for method, visits in p.by_method.items():
            for visit, n in visits.items():
                method_total[method][visit] += n
    total = [Line(k, target_label(k), *totals[k]) for k in _ordered(set(totals))]
    return CampaignProgress(
        campaign=campaign, lokus=result, total=total,
        by_method={m: dict(v) for m, v in method_total.items()},
    )  # fmt: skip


def method_rows(by_method: dict[str, dict[str, int]]) -> list[tuple[str, list[int], int]]:
    """(method label, services per visit type in :class:`VisitType` order, total) for each
    method with a service, in the order of the method list."""
    rows = []
    for method, label in Method.choices:
        visits = by_method.get(method)
        if not visits:
            continue
        counts = [visits.get(v, 0) for v in VisitType.values]
        rows.append((str(label), counts, sum(counts)))
    return rows


# The campaign's effect on its regions' indicators -----------------------------------------------

EFFECT_INDICATORS = ("pus", "pa", "pa_modern", "cpr", "mcpr", "mkjp_share", "unmet_need", "pb")


@dataclass
class Effect:
    region: Region
    before: dict[str, Value]
    during: dict[str, Value]


def effect_months(campaign: Campaign) -> tuple[dt.date, dt.date]:
    """(the month before the campaign, the campaign's month: that of its last day)."""
    return month_add(campaign.starts_on.replace(day=1), -1), campaign.ends_on.replace(day=1)


def effect_regions(campaign: Campaign, lokus: list[Lokus]) -> list[Region]:
    """The regions whose figures the report compares: the campaign's covered regions, else the
    regencies of its lokus."""
    areas = list(campaign.areas.order_by("code"))
    if areas:
        return areas
    codes = sorted({".".join(item.village.code.split(".")[:2]) for item in lokus})
    return list(Region.objects.filter(code__in=codes, level=RegionLevel.REGENCY).order_by("code"))


def effect(campaign: Campaign, regions: list[Region]) -> list[Effect]:
    """Each region's key indicators for the month before the campaign and for its month."""
    from lini.indicators.models import Indicator
    from lini.indicators.selectors import indicator_values, period_parse

    indicators = list(Indicator.objects.filter(code__in=EFFECT_INDICATORS))
    indicators.sort(key=lambda i: EFFECT_INDICATORS.index(i.code))
    before, during = effect_months(campaign)
    return [
        Effect(
            region=region,
            before=indicator_values(
                region=region, period=period_parse(f"{before:%Y-%m}"), indicators=indicators
            ),
            during=indicator_values(
                region=region, period=period_parse(f"{during:%Y-%m}"), indicators=indicators
            ),
        )
        for region in regions
    ]


def campaign_services(lokus: Lokus) -> QuerySet[CampaignService]:
    return (
        CampaignService.objects.filter(lokus=lokus)
        .select_related("service", "service__couple__family", "service__couple__wife")
        .order_by("-service__served_on", "-pk")
    )


def lokus_for_recording(user: User | AnonymousUser | None) -> QuerySet[Lokus]:
    """The lokus where ``user`` is on the team (the campaigns they record in)."""
    if user is None or not user.is_authenticated:
        return Lokus.objects.none()
    return (
        Lokus.objects.filter(team_q(user, prefix="team__"))
        .select_related("campaign", "village")
        .distinct()
        .order_by("-campaign__starts_on", "village__code")
    )


def team_q(user: object, *, prefix: str = "") -> Q:
    """Team members who record as ``user``: a partner's own account, or the account linked to an
    active counsellor or cadre record."""
    return (
        Q(**{f"{prefix}user": user, f"{prefix}counsellor__isnull": True,
             f"{prefix}cadre__isnull": True})
        | Q(**{f"{prefix}counsellor__user": user, f"{prefix}counsellor__active": True})
        | Q(**{f"{prefix}cadre__user": user, f"{prefix}cadre__active": True})
    )  # fmt: skip
