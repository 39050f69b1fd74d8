"""A synthetic history of home visits for the demo (``lini demo``), so that a cadre's due list
looks like a real cadre's week: the families the due list named over the past months were mostly
visited on time, with the outcome their item calls for.

Three passes over the villages of a region (the demo passes the regions of its cadre and counsellor
accounts; a village that has visits already is left alone, so a second run adds nothing):

1. Served resupplies. The KB synthetic services (:mod:`lini.kb.synthetic`) hold the repeat
   injections and pill cycles of the past year. A share of those served in the past
   :data:`WEEKS` weeks came through the cadre: a visit "served" on the service's day, linked to
   that service, due on the previous service + the rule's interval; some of them after a first
   visit where nobody was at home. No service is created: the register and the KB services stay
   as generated.
2. What was due before the history starts (a village visited all along): the last visit of
   each such item, counselled or refused, on a day within its rule's repeat period before the
   first week, so that the items come back spread over the weeks.
3. The other items, week by week. For each of the past :data:`WEEKS` weeks (and the days of this
   week up to ``today``) the due list of the villages is computed as the page computes it
   (:func:`lini.visits.due.due_items`, with the visits generated so far), and the cadre works
   through it: at most :data:`CAPACITY` items per village and week, the couples' contraception
   first (overdue ones, then the oldest), invitations to poktan and data updates after; an item
   may be left for a later week (late); the outcome depends on the item's kind (counselled,
   invited, not at home then visited again, refused). A resupply or check-up left on the list
   (no service came) is counselled or referred, never "served": "served" always has a service.
   Moves and deaths are not generated (they would change the register).

Deterministic for a seed (one random stream per village and week, items in the list's order).
Bulk-created (no audit entries, like the other synthetic data); the demo builds the indicator
counts after the field work.

Parameters (assumptions [GK], to be checked with the program's field data):
- :data:`SERVED_THROUGH_CADRE`: 60% of repeat services came from a due-list visit, 15% of those
  after a first visit where nobody was at home;
- :data:`CAPACITY`: 12 items per village and week; :data:`LATE`: 15% of the items left for a
  later week; this week (the demo's today falls on a Friday) 30% of the items done so far;
- outcomes per kind: :data:`OUTCOMES`.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
from collections import Counter, defaultdict
from collections.abc import Sequence

from django.db import transaction

from lini.accounts.models import RegionAssignment
from lini.accounts.roles import Role
from lini.kb.choices import PRODUCT_METHOD, VisitType
from lini.kb.models import Service
from lini.regions.codes import ancestor_codes
from lini.regions.models import Region, RegionLevel
from lini.regions.selectors import subtree_q
from lini.register.models import Couple
from lini.visits.choices import Outcome, RuleKind
from lini.visits.due import DueItem, Week, due_items
from lini.visits.models import DueRule, Visit

WEEKS = 26  # about six months of visits before this week
CAPACITY = 12  # items a cadre sees in a village in a week
LATE = 0.15  # items left for a later week
THIS_WEEK_DONE = 0.30  # items of the current week done before today
SERVED_THROUGH_CADRE = 0.60
NOT_HOME_FIRST = 0.15
EARLIER_REFUSED = 0.10
CHUNK = 10  # villages computed together

# Kinds a cadre leaves for the end of the week (after the couples' contraception).
LAST = frozenset({RuleKind.POKTAN, RuleKind.NOT_VISITED})
# The outcomes of a visit for each kind of item, with their weights.
_REFERRED = ((Outcome.COUNSELLED, 0.65), (Outcome.NOT_HOME, 0.25), (Outcome.REFUSED, 0.10))
OUTCOMES: dict[str, tuple[tuple[str, float], ...]] = {
    RuleKind.RESUPPLY: _REFERRED,  # no service came: reminded and referred
    RuleKind.DEVICE_CHECK: _REFERRED,
    RuleKind.DEVICE_END: _REFERRED,
    RuleKind.UNMET_NEED: ((Outcome.COUNSELLED, 0.65), (Outcome.NOT_HOME, 0.2),
                          (Outcome.REFUSED, 0.15)),
    RuleKind.POSTPARTUM: ((Outcome.COUNSELLED, 0.75), (Outcome.NOT_HOME, 0.15),
                          (Outcome.REFUSED, 0.10)),
    RuleKind.NEWLY_MARRIED: ((Outcome.COUNSELLED, 0.8), (Outcome.NOT_HOME, 0.15),
                             (Outcome.REFUSED, 0.05)),
    RuleKind.POKTAN: ((Outcome.COUNSELLED, 0.8), (Outcome.NOT_HOME, 0.15),
                      (Outcome.REFUSED, 0.05)),
    RuleKind.NOT_VISITED: ((Outcome.COUNSELLED, 0.85), (Outcome.NOT_HOME, 0.15)),
}  # fmt: skip


def _rng(seed: int, *parts: object) -> random.Random:
    return random.Random(":".join(str(p) for p in (seed, "visits", *parts)))  # noqa: S311 - demo data


def _recorders(villages: Sequence[Region]) -> dict[int, int]:
    """Per village, the account that records its visits: its cadre's, else the counsellor's of
    its district (the most specific assignment); villages with neither are recorded by nobody."""
    codes = {v.pk: [v.code, *ancestor_codes(v.code)] for v in villages}
    wanted = {code for chain in codes.values() for code in chain}
    rows = (
        RegionAssignment.objects.filter(
            region__code__in=wanted, user__role__in=(Role.CADRE, Role.COUNSELLOR),
            user__is_active=True,
        )
        .order_by("user__username")
        .values_list("region__code", "user_id")
    )  # fmt: skip
    by_code: dict[str, int] = {}
    for code, user_id in rows:
        by_code.setdefault(code, user_id)
    found = {}
    for village_id, chain in codes.items():
        for code in chain:  # the village first, then upwards
            if code in by_code:
                found[village_id] = by_code[code]
                break
    return found


def _resupply_rules(rules: Sequence[DueRule]) -> dict[tuple[str, str], DueRule]:
    """(method, product) -> the resupply rule of a service of that method and product (an
    unknown product: the rule that covers users whose product is not recorded)."""
    found: dict[tuple[str, str], DueRule] = {}
    for rule in rules:
        if rule.kind != RuleKind.RESUPPLY:
            continue
        if rule.product:
            found[(rule.method, rule.product)] = rule
        if not rule.product or rule.unknown_product:
            found.setdefault((rule.method, ""), rule)
    return found


def _served_visits(
    *,
    village_ids: list[int],
    rules: Sequence[DueRule],
    recorders: dict[int, int],
    seed: int,
    start: dt.date,
    today: dt.date,
) -> list[Visit]:
    """Served visits linked to the repeat services of the period (pass 1)."""
    by_kind = _resupply_rules(rules)
    since = dict(
        Couple.objects.filter(family__village_id__in=village_ids).values_list("pk", "status_since")
    )
    rows = (
        Service.objects.filter(couple__family__village_id__in=village_ids, served_on__lte=today)
        .exclude(visit_type=VisitType.REMOVAL)
        .order_by("couple_id", "served_on", "pk")
        .values_list(
            "pk", "couple_id", "couple__family_id", "couple__family__village_id", "served_on",
            "method", "product", "visit_type", "couple__wife__nik",
        )
    )  # fmt: skip
    visits: list[Visit] = []
    previous: dict[int, tuple[dt.date, str]] = {}
    for pk, couple_id, family_id, village_id, served_on, method, product, visit_type, nik in rows:
        before = previous.get(couple_id)
        previous[couple_id] = (served_on, method)
        if visit_type != VisitType.REPEAT or served_on < start:
            continue
        rule = by_kind.get((method, product if PRODUCT_METHOD.get(product) == method else ""))
        if rule is None:
            continue
        rng = _rng(seed, "served", nik, served_on)  # the same draws whatever the keys
        if rng.random() >= SERVED_THROUGH_CADRE:
            continue
        last = before[0] if before is not None and before[1] == method else since.get(couple_id)
        due_on = last + dt.timedelta(days=rule.interval_days) if last is not None else None
        common = {
            "family_id": family_id, "couple_id": couple_id, "rule": rule, "due_on": due_on,
            "recorded_by_id": recorders.get(village_id),
        }  # fmt: skip
        if rng.random() < NOT_HOME_FIRST:
            first = served_on - dt.timedelta(days=rng.randint(3, 6))
            if first >= start and (last is None or first > last):
                visits.append(Visit(visited_on=first, outcome=Outcome.NOT_HOME, **common))
        visits.append(Visit(visited_on=served_on, outcome=Outcome.SERVED, service_id=pk, **common))
    return visits


def _earlier_visits(
    *, items: list[DueItem], start: dt.date, recorders: dict[int, int], seed: int
) -> list[Visit]:
    """For the items already due before the history starts, the last visit before it: a day
    within the rule's repeat period before ``start``, so that they come back spread over the
    weeks as in a village that has been visited all along (not all in the first week)."""
    visits: list[Visit] = []
    for item in items:
        if item.due_on >= start:
            continue
        rng = _rng(seed, "earlier", item.kk_number, item.person, item.rule.code)
        earliest = max(item.anchor, start - dt.timedelta(days=max(item.rule.repeat_days, 1)))
        if earliest >= start:
            continue
        day = earliest + dt.timedelta(days=rng.randrange((start - earliest).days))
        outcome = Outcome.REFUSED if rng.random() < EARLIER_REFUSED else Outcome.COUNSELLED
        visits.append(
            Visit(
                family_id=item.family_id, couple_id=item.couple_id, rule=item.rule,
                due_on=item.due_on, visited_on=day, outcome=outcome,
                recorded_by_id=recorders.get(item.village_id),
            )
        )  # fmt: skip
    return visits


def _urgency(item: DueItem) -> tuple[object, ...]:
    """Contraception first (overdue, then the oldest), invitations and updates after."""
    return (
        item.rule.kind in LAST,
        not item.overdue,
        item.due_on,
        item.family_id,
        item.rule.position,
    )


def _week_visits(
    *,
    items: list[DueItem],
    week: Week,
    recorders: dict[int, int],
    seed: int,
    village_codes: dict[int, str],
    last_day: dt.date,
    share: float,
) -> list[Visit]:
    """What the cadres of these villages did with this week's list (pass 2)."""
    by_village: dict[int, list[DueItem]] = defaultdict(list)
    for item in items:
        by_village[item.village_id].append(item)
    visits: list[Visit] = []
    for village_id in sorted(by_village):
        rng = _rng(seed, village_codes[village_id], week)
        chosen = sorted(by_village[village_id], key=_urgency)[:CAPACITY]
        for item in chosen:
            if rng.random() >= share:
                continue  # left for a later week
            weights = OUTCOMES[item.rule.kind]
            outcome = rng.choices([o for o, _w in weights], weights=[w for _o, w in weights])[0]
            earliest = max(week.start, min(item.next_on, week.end))
            day = min(earliest + dt.timedelta(days=rng.randint(0, 3)), week.end, last_day)
            if day < week.start:
                continue
            visits.append(
                Visit(
                    family_id=item.family_id, couple_id=item.couple_id, rule=item.rule,
                    due_on=item.due_on, visited_on=day, outcome=outcome,
                    recorded_by_id=recorders.get(village_id),
                )
            )  # fmt: skip
    return visits


def visits_generate(
    *, region: Region, seed: int, today: dt.date, weeks: int = WEEKS
) -> dict[str, int]:
    """Generate the visit history of the villages of ``region`` (a village, district or any
    region above) over the ``weeks`` weeks before ``today``'s week and the days of that week
    before ``today`` (see the module's docstring). Villages that have visits are left alone.
    Returns the villages filled and the visits created, by outcome."""
    villages = list(
        Region.objects.filter(subtree_q([region.code]), level=RegionLevel.VILLAGE).order_by("code")
    )
    visited = set(
        Visit.objects.filter(family__village__in=villages)
        .values_list("family__village_id", flat=True)
        .distinct()
    )
    villages = [v for v in villages if v.pk not in visited]
    counts: Counter[str] = Counter()
    if not villages:
        return {"villages": 0, "visits": 0}
    rules = list(DueRule.objects.filter(active=True))
    uncapped = [copy.copy(rule) for rule in rules]  # every item due before the history
    for rule in uncapped:
        rule.per_week = 0
    recorders = _recorders(villages)
    this_week = Week.of(today)
    first = this_week.shifted(-weeks)
    last_day = today - dt.timedelta(days=1)  # visits of the days before today
    with transaction.atomic():
        for n in range(0, len(villages), CHUNK):
            chunk = villages[n : n + CHUNK]
            ids = [v.pk for v in chunk]
            codes = {v.pk: v.code for v in chunk}
            served = _served_visits(
                village_ids=ids, rules=rules, recorders=recorders, seed=seed, start=first.start,
                today=last_day,
            )  # fmt: skip
            Visit.objects.bulk_create(served, batch_size=1000)
            counts.update(str(v.outcome) for v in served)
            items = due_items(village_ids=ids, week=first, rules=uncapped, today=first.start)
            earlier = _earlier_visits(
                items=items, start=first.start, recorders=recorders, seed=seed
            )
            Visit.objects.bulk_create(earlier, batch_size=1000)
            counts.update(str(v.outcome) for v in earlier)
            week = first
            while week.start <= last_day:
                items = due_items(village_ids=ids, week=week, rules=rules, today=week.start)
                done = _week_visits(
                    items=items, week=week, recorders=recorders, seed=seed, village_codes=codes,
                    last_day=last_day, share=THIS_WEEK_DONE if week == this_week else 1 - LATE,
                )  # fmt: skip
                Visit.objects.bulk_create(done, batch_size=1000)
                counts.update(str(v.outcome) for v in done)
                week = week.shifted(1)
    return {"villages": len(villages), "visits": sum(counts.values()), **counts}
