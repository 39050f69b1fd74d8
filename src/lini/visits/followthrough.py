"""Follow-through of due visits: were the repeat visits and check-ups that fell due done on time,
overdue, followed by a dropout, followed up at home?

Two parts:

- **Counting** (:func:`followthrough_counts`): the counts ``due_visits``, ``due_on_time``,
  ``due_overdue``, ``due_dropout`` and ``due_visited`` of some villages for the counts' window of
  months, in five queries whatever the number of villages. :func:`lini.indicators.counts.
  village_counts` merges them with every other count, so they are rewritten with each change in
  a village and summed up the hierarchy (``RegionMonthCount``) like every other key. The exact
  definitions are in the docstring of :mod:`lini.indicators.counts`; in short, each *cycle* of a
  couple (an anchor: the start of a use of a method, or a service of it; due on anchor +
  ``interval_days``) is counted in the month it falls due.
- **Reading** (:func:`followthrough_of`): the page ``visits:followthrough``: a region's figures
  for a month, its children's and, for a village or a district, each field worker's (cadre
  accounts, counsellors with an account) over the villages of their assignment, all read from
  the stored counts (never the register), with the small-cell rule applied as on the dashboard.

What moves the counts: a KB service, a status change, a family edit (the register's own refresh);
a home visit (:func:`lini.visits.services.visit_record` refreshes its village); a change of a
rule's numbers (:func:`counts_after_rule_change`: every village with families is marked in
``PendingCounts`` and rewritten by a background task); and time alone, when a grace period ends
without a service (overdue is judged on the day the counts are computed): a nightly
``lini rebuild-aggregates`` keeps that part fresh.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django_tasks import task

from django.conf import settings
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lini.accounts import scope
from lini.accounts.roles import Action, Role
from lini.core import clock, privacy
from lini.core.privacy import Figure, Hidden
from lini.indicators.catalog import DUE_KEYS
from lini.indicators.counts import MonthKey, month_of, raw_rows
from lini.kb.choices import PRODUCT_METHOD, VisitType
from lini.regions.models import Region, RegionLevel
from lini.regions.selectors import subtree_q
from lini.register.choices import KBStatus, Presence
from lini.visits.choices import RuleKind
from lini.visits.models import DueRule

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from lini.accounts.models import User
    from lini.indicators.selectors import Period

# The count keys, in the order the pages show them.
KEYS = DUE_KEYS
# The kinds of rule whose cycles are counted: a repeat visit (resupply) re-anchors the next one;
# a check-up after an insertion is closed by the check-up visit itself.
KINDS = (RuleKind.RESUPPLY, RuleKind.DEVICE_CHECK)


# Counting --------------------------------------------------------------------------------------


def _matches(rule: DueRule, method: str, product: str) -> bool:
    """The rule applies to a use of ``method`` whose recorded product is ``product`` ("" when
    none is recorded): as :func:`lini.visits.due._rule_matches`."""
    if rule.method != method:
        return False
    if not rule.product:
        return True
    if product:
        return product == rule.product and PRODUCT_METHOD.get(product) == rule.method
    return rule.unknown_product


@dataclass
class _History:
    """One couple's dated records, in date order."""

    events: list[tuple[dt.date, str, str]] = field(default_factory=list)  # day, status, method
    # day, method, product, visit type (removals included: they are never anchors or returns)
    services: list[tuple[dt.date, str, str, str]] = field(default_factory=list)


def _cycles_of(
    history: _History, rules_by_method: dict[str, list[DueRule]]
) -> Iterable[tuple[DueRule, dt.date, dt.date]]:
    """Every (rule, anchor, due date) of one couple: for each use of a method (a ``using`` event
    until the next event), its anchors are the use's start and the days of its services of the
    method (removals excluded; for a check-up rule, repeat visits excluded too)."""
    events = history.events
    for index, (start, status, method) in enumerate(events):
        rules = rules_by_method.get(method)
        if status != KBStatus.USING or not rules:
            continue
        end = events[index + 1][0] if index + 1 < len(events) else None
        if end is not None and end <= start:
            continue  # replaced on its own day
        # The use's services of the method, with the product known after each of them.
        product = ""
        served: list[tuple[dt.date, str, str]] = []  # day, visit type, product known that day
        for day, svc_method, svc_product, visit_type in history.services:
            if svc_method != method or visit_type == VisitType.REMOVAL or day < start:
                continue
            if end is not None and day >= end:
                break
            product = svc_product or product
            served.append((day, visit_type, product))
        for rule in rules:
            anchors = {start}
            anchors.update(
                day
                for day, visit_type, _product in served
                if rule.kind == RuleKind.RESUPPLY or visit_type != VisitType.REPEAT
            )
            for anchor in sorted(anchors):
                known = ""
                for day, _visit_type, product_then in served:
                    if day > anchor:
                        break
                    known = product_then
                if _matches(rule, method, known):
                    yield rule, anchor, anchor + dt.timedelta(days=rule.interval_days)


def followthrough_counts(
    village_ids: Sequence[int],
    months: list[dt.date],
    counts: dict[int, Counter[MonthKey]],
    *,
    today: dt.date | None = None,
) -> None:
    """Add the follow-through counts of ``village_ids`` for ``months`` (the counts' window) to
    ``counts`` (village -> (month, key) -> value). Five queries for any number of villages."""
    from lini.register.models import ContraceptiveEvent, Couple
    from lini.visits.models import Visit

    if not village_ids or not months:
        return
    today = today if today is not None else clock.today()
    first, last = months[0], months[-1]
    rules = list(DueRule.objects.filter(active=True, kind__in=KINDS).order_by("position", "pk"))
    if not rules:
        return
    rules_by_method: dict[str, list[DueRule]] = defaultdict(list)
    for rule in rules:
        rules_by_method[rule.method].append(rule)
    methods = sorted(rules_by_method)

    couples: dict[int, tuple[int, dt.date | None, str, dt.date | None]] = {}
    for couple_id, village, ended_on, presence, gone_on in raw_rows(
        Couple.objects.filter(family__village_id__in=village_ids).values_list(
            "pk", "family__village_id", "ended_on", "wife__presence", "wife__presence_date"
        ),
        dates=(2, 4),
    ):
        couples[couple_id] = (village, ended_on, presence, gone_on)
    histories: dict[int, _History] = defaultdict(_History)
    for couple_id, day, status, method in raw_rows(
        ContraceptiveEvent.objects.filter(couple__family__village_id__in=village_ids)
        .order_by("couple_id", "effective_on", "pk")
        .values_list("couple_id", "effective_on", "status", "method"),
        dates=(1,),
    ):
        histories[couple_id].events.append((day, status, method))
    from lini.kb.models import Service

    for couple_id, day, method, product, visit_type in raw_rows(
        Service.objects.filter(couple__family__village_id__in=village_ids, method__in=methods)
        .order_by("couple_id", "served_on", "pk")
        .values_list("couple_id", "served_on", "method", "product", "visit_type"),
        dates=(1,),
    ):
        if couple_id in histories:  # a couple with no status has no use to follow
            histories[couple_id].services.append((day, method, product, visit_type))
    visited: dict[tuple[int, int], list[dt.date]] = defaultdict(list)
    for rule_id, couple_id, day in raw_rows(
        Visit.objects.filter(
            family__village_id__in=village_ids, rule_id__in=[r.pk for r in rules],
            couple__isnull=False,
        )
        .order_by("visited_on")
        .values_list("rule_id", "couple_id", "visited_on"),
        dates=(2,),
    ):  # fmt: skip
        visited[(rule_id, couple_id)].append(day)

    for couple_id, history in histories.items():
        found = couples.get(couple_id)
        if found is None:
            continue
        village, ended_on, presence, gone_on = found
        tally = counts[village]
        # Returns by method, dropouts, switches: what closes a cycle.
        returns: dict[str, list[dt.date]] = defaultdict(list)
        for day, method, _product, visit_type in history.services:
            if visit_type != VisitType.REMOVAL:
                returns[method].append(day)
        stops = [day for day, status, _m in history.events if status == KBStatus.NOT_USING]
        starts = [(day, m) for day, status, m in history.events if status == KBStatus.USING]
        for rule, anchor, due in _cycles_of(history, rules_by_method):
            month = month_of(due)
            if month < first or month > last:
                continue
            if ended_on is not None and ended_on < due:
                continue
            if presence != Presence.PRESENT and (gone_on is None or gone_on < due):
                continue
            closes = due + dt.timedelta(days=rule.grace_days)
            if any(anchor < day <= closes and m != rule.method for day, m in starts):
                continue  # another method started: nothing was due any more
            days = returns[rule.method]
            at = bisect.bisect_right(days, anchor)
            back = days[at] if at < len(days) else None
            tally[(month, "due_visits")] += 1
            if back is not None and back <= closes:
                tally[(month, "due_on_time")] += 1
            elif closes < today:
                tally[(month, "due_overdue")] += 1
                at = bisect.bisect_right(stops, anchor)
                if at < len(stops) and (back is None or stops[at] < back):
                    tally[(month, "due_dropout")] += 1
            seen = visited.get((rule.pk, couple_id), [])
            at = bisect.bisect_right(seen, anchor)
            if at < len(seen) and seen[at] <= closes:
                tally[(month, "due_visited")] += 1


# After a change of a rule -----------------------------------------------------------------------


@task()
def pending_counts_rewrite() -> None:
    """Rewrite the villages marked in ``PendingCounts`` (those a rule change marked)."""
    from lini.indicators.services import counts_pending_rewrite

    counts_pending_rewrite()


def counts_after_rule_change() -> None:
    """A rule's numbers changed: every village with families is marked in ``PendingCounts`` (in
    the caller's transaction, so ``lini rebuild-aggregates --check`` names them and ``--pending``
    rewrites them should no worker run) and, once the change commits, a background task rewrites
    them (village by village, each with its totals, as after an import)."""
    from lini.indicators.models import PendingCounts
    from lini.register.models import Family

    if not settings.LINI_COUNTS_LIVE:
        return
    villages = Family.objects.order_by().values_list("village_id", flat=True).distinct()
    PendingCounts.objects.bulk_create(
        [PendingCounts(village_id=v) for v in villages], ignore_conflicts=True, batch_size=500
    )
    transaction.on_commit(lambda: pending_counts_rewrite.enqueue())


# Reading ----------------------------------------------------------------------------------------


HUNDRED, CENT = Decimal(100), Decimal("0.01")


def pct(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Figures:
    """The follow-through counts of one region, worker or village set for one month."""

    due: int = 0
    on_time: int = 0
    overdue: int = 0
    dropout: int = 0
    visited: int = 0

    @classmethod
    def of(cls, totals: dict[str, int]) -> Figures:
        return cls(*(totals.get(key, 0) for key in KEYS))

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            self.due + other.due, self.on_time + other.on_time, self.overdue + other.overdue,
            self.dropout + other.dropout, self.visited + other.visited,
        )  # fmt: skip

    @property
    def pending(self) -> int:
        """Neither done on time nor overdue yet (the grace period has not ended)."""
        return self.due - self.on_time - self.overdue

    @property
    def on_time_pct(self) -> Decimal | None:
        """Done on time / (done on time + overdue) x 100 (None when neither)."""
        return pct(self.on_time, self.on_time + self.overdue)

    @property
    def visited_pct(self) -> Decimal | None:
        return pct(self.visited, self.due)


# The figures a row shows, by name (their names in the small-cell rule), and the sums among them.
COLUMNS = (
    "due_visits", "due_on_time", "due_overdue", "due_dropout", "due_pending", "due_visited",
    "on_time_pct",
)  # fmt: skip
LABELS: dict[str, Promise] = {
    "due_visits": gettext_lazy("Due in the month"),
    "due_on_time": gettext_lazy("Done on time"),
    "due_overdue": gettext_lazy("Overdue"),
    "due_dropout": gettext_lazy("Then dropped out"),
    "due_pending": gettext_lazy("Pending"),
    "due_visited": gettext_lazy("Visited at home"),
    "on_time_pct": gettext_lazy("On time (%)"),
}
SUMS = {"due_visits": ("due_on_time", "due_overdue", "due_pending")}


def _values(figures: Figures) -> dict[str, int | Decimal | None]:
    return {
        "due_visits": figures.due,
        "due_on_time": figures.on_time,
        "due_overdue": figures.overdue,
        "due_dropout": figures.dropout,
        "due_pending": figures.pending,
        "due_visited": figures.visited,
        "on_time_pct": figures.on_time_pct,
    }


def withheld(figures: Figures) -> dict[str, Hidden]:
    """The figures of one row to hide under the small-cell rule (:mod:`lini.core.privacy`): the
    small counts, the percentage computed from a hidden one, and a part of the due visits that
    the others would give back (due = on time + overdue + pending)."""
    values = _values(figures)
    table = {name: Figure(values[name]) for name in COLUMNS if name != "on_time_pct"}  # type: ignore[arg-type]
    table["on_time_pct"] = Figure(None, bases=("due_on_time", "due_overdue"))
    return privacy.withhold(table, sums=SUMS)


@dataclass(frozen=True)
class Cell:
    name: str
    label: str
    value: int | Decimal | Hidden | None

    @property
    def hidden(self) -> bool:
        return isinstance(self.value, Hidden)

    @property
    def percent(self) -> bool:
        return self.name.endswith("_pct")


@dataclass
class Row:
    """One line of the page: a region or a field worker, with its figures as shown."""

    label: str
    figures: Figures
    region: Region | None = None
    kind: str = ""  # a worker's: cadre, counsellor
    villages: int = 0  # a worker's villages in the region
    hidden: dict[str, Hidden] = field(default_factory=dict)

    @property
    def cells(self) -> list[Cell]:
        """Each figure in column order, as shown: its value or the mark of a hidden one."""
        values = _values(self.figures)
        return [
            Cell(name, str(LABELS[name]), self.hidden.get(name, values[name])) for name in COLUMNS
        ]

    @property
    def shown(self) -> dict[str, int | Decimal | Hidden | None]:
        return {cell.name: cell.value for cell in self.cells}

    @property
    def kind_label(self) -> str:
        return _("cadre") if self.kind == "cadre" else _("counsellor") if self.kind else ""


@dataclass
class FollowThrough:
    region: Region
    period: Period
    own: Row
    children: list[Row]
    child_level: str
    workers: list[Row]
    worker_villages: bool  # whether the region has a list of field workers (village, district)

    @property
    def hides(self) -> bool:
        return any(row.hidden for row in (self.own, *self.children, *self.workers))


def _village_code(code: str) -> str:
    return ".".join(code.split(".")[:4])


def _hide(user: User | AnonymousUser | None, region: Region) -> bool:
    from lini.indicators.suppression import hide_on_page

    return hide_on_page(user, region)


def _row(label: str, totals: dict[str, int], hide: bool, **extra: object) -> Row:
    figures = Figures.of(totals)
    return Row(label, figures, hidden=withheld(figures) if hide else {}, **extra)  # type: ignore[arg-type]


def _workers(region: Region, villages: set[str]) -> list[tuple[str, str, set[str]]]:
    """The field workers of ``region`` (a village or a district) with the codes of the villages
    of their assignment that lie in it: cadre accounts (role cadre, assigned to the region or a
    place in it) and counsellors with an account who look after villages of it."""
    from lini.accounts.models import RegionAssignment
    from lini.workforce.models import Counsellor

    cadres: dict[int, tuple[str, set[str]]] = {}
    assignments = (
        RegionAssignment.objects.filter(
            subtree_q([region.code], field="region__code"), user__role=Role.CADRE,
            user__is_active=True,
        )
        .order_by("user__username", "region__code")
        .values_list("user_id", "user__username", "user__first_name", "user__last_name",
                     "region__code", "region__level")
    )  # fmt: skip
    for user_id, username, first, last_name, code, level in assignments:
        name = " ".join(part for part in (first, last_name) if part) or username
        entry = cadres.setdefault(user_id, (name, set()))
        if level >= RegionLevel.VILLAGE:
            entry[1].add(_village_code(code))
        else:
            entry[1].update(v for v in villages if v.startswith(code + "."))
    found = [(name, "cadre", codes & villages) for name, codes in cadres.values()]
    counsellors: dict[int, tuple[str, set[str]]] = {}
    for pk, name, code in (
        Counsellor.objects.filter(
            subtree_q([region.code], field="villages__code"), active=True, user__isnull=False,
            user__is_active=True,
        )
        .order_by("name", "pk")
        .values_list("pk", "name", "villages__code")
    ):  # fmt: skip
        counsellors.setdefault(pk, (name, set()))[1].add(code)
    found.extend((name, "counsellor", codes & villages) for name, codes in counsellors.values())
    return [(name, kind, codes) for name, kind, codes in found if codes]


def followthrough_of(
    *, user: User | AnonymousUser | None, region: Region, period: Period
) -> FollowThrough:
    """The follow-through figures of ``region`` (a village or larger) for the month ``period``
    as ``user`` may see them: the region's own, its children's in the user's scope and, for a
    village or a district, each field worker's over the villages of their assignment in it.
    Read from the stored counts. The caller has checked the user's right to view the region."""
    from lini.indicators.selectors import region_counts, region_totals, regions_at_level

    own = _row(region.display_name, region_counts(region=region, period=period, keys=KEYS),
               _hide(user, region), region=region)  # fmt: skip
    children: list[Row] = []
    child_level = ""
    if region.level < RegionLevel.VILLAGE:
        level = RegionLevel(region.level + 1)
        child_level = str(level.label)
        below = list(regions_at_level(root=region, level=level, user=user))
        totals = region_totals(root=region, level=level, period=period, keys=KEYS, regions=below)
        children = [
            _row(child.display_name, totals.get(child.code, {}), _hide(user, child), region=child)
            for child in below
        ]
    workers: list[Row] = []
    listed = region.level in (RegionLevel.VILLAGE, RegionLevel.DISTRICT)
    if listed:
        villages = list(Region.objects.filter(subtree_q([region.code]), level=RegionLevel.VILLAGE))
        by_village = region_totals(root=region, level=RegionLevel.VILLAGE, period=period, keys=KEYS)
        hidden = {v.code for v in villages if _hide(user, v)}
        for name, kind, codes in _workers(region, {v.code for v in villages}):
            summed: Counter[str] = Counter()
            for code in codes:
                summed.update(by_village.get(code, {}))
            workers.append(
                _row(name, dict(summed), bool(codes & hidden), kind=kind, villages=len(codes))
            )
    return FollowThrough(
        region=region, period=period, own=own, children=children, child_level=child_level,
        workers=workers, worker_villages=listed,
    )  # fmt: skip


def default_region(user: User | AnonymousUser | None) -> Region | None:
    """The region the page opens with: the user's first assigned region at a village or above
    (a national administrator: the first province); None when there is none."""
    if not scope.role_allows(user, Action.VIEW):
        return None
    first = (
        Region.objects.filter(
            assignments__user=user, level__lte=RegionLevel.VILLAGE
        ).order_by("code").first()
    )  # fmt: skip
    if first is not None:
        return first
    if scope.user_scope(user).national:
        return Region.objects.filter(level=RegionLevel.PROVINCE).order_by("code").first()
    return None
