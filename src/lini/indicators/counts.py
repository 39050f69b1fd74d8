"""The counts behind every indicator, computed for a set of villages over the window of months.

One function, :func:`village_counts`, computes every count of some villages from the register and
the field-work tables. The same function serves the incremental refresh after a change (one
village) and the full rebuild (all villages, in chunks), so the two cannot disagree.

States are taken at the last day of each month; flows count what happened in the month:

================================  ====================================================================
key                               meaning
================================  ====================================================================
``villages``                      1 for each village (sums to the number of villages)
``pus``                           couples of PUS age (wife's age within LINI_PUS_MIN_AGE..MAX_AGE),
                                  not ended, at month end
``pa``, ``pa_<method>``           PUS using a method (all, and by method code: iud, mow, mop, implan,
                                  suntik, pil, kondom, mal, tradisional)
``pa_modern``, ``pa_mkjp``        PUS using a modern / a long-acting method (IUD, implant, MOW, MOP)
``nonuser_<reason>``              PUS not using, by reason (hamil, ias, iat, tial, lainnya)
``unmet``                         PUS not using who want to delay (IAT) or want no more (TIAL)
``pus_unknown``                   PUS with no status recorded yet
``pb``, ``pb_<method>``           flow: new acceptors (a couple starts using from not using or no
                                  status), by method
``dropout``                       flow: a couple stops using (using -> not using)
``switch``                        flow: a couple changes method (using -> using another method)
``svc``, ``svc_<visit>``          flow: KB services, by visit type (baru, ulang, ganti, pindahan, cabut)
``svc_m_<method>``                flow: KB services given with a method (removals excluded)
``svc_first_m_<method>``         flow: services that start a method (new acceptor or switch): the
                                  insertions and operations that couple-years of protection count
``svc_postpartum``                flow: post-partum services
``families``                      families with at least one member living in it
``families_under5``,              families with a member living in it aged under 5 / 10-24 / 60 or
``families_10_24``,               more at month end (the families BKB, BKR and BKL serve)
``families_60plus``
``poktan_<kind>``                 poktan groups formed by month end (bkb, bkr, bkl, uppka, pikr)
``poktan_active_<kind>``          of which met within LINI_POKTAN_ACTIVE_MONTHS months
``poktan_members_<kind>``         member families at month end
``poktan_families``               families in at least one poktan at month end
``meetings_<kind>``               flow: poktan meetings held
``kampung``                       1 when the village has a Kampung KB (from its launch or creation)
``kampung_<class>``               1 for its class that month (dasar, berkembang, mandiri,
                                  berkelanjutan), computed from the profile and that month's counts
``kampung_rdk``                   1 when its Rumah DataKu is active
``counsellors``                   active counsellors, each counted once: at the first (lowest code) of
                                  the villages they look after (so sums over a region count people)
``counsellor_assigned``           1 when an active counsellor looks after the village
``cadres``, ``ppkbd``             active cadres (all kinds) / PPKBD of the village
``monthly_expected``              1 for every month up to the current one (a village reports monthly)
``monthly_sent``,                 1 when the month's field-control input was submitted or approved /
``monthly_approved``              approved
``inst_<key>_exist/_reported``    the input's institutions (ppkbd, sub_ppkbd, kelompok_kb, bkb, bkr,
                                  bkl, uppka) that exist / reported, from sent inputs
``due_visits``                    flow, in the month of the due date D: cycles of due visits (below)
``due_on_time``                   of those, the couple was served again with the method by D + grace
``due_overdue``                   of those, not served again by D + grace, that day having passed on
                                  the day the counts were computed
``due_dropout``                   of the overdue ones, the couple was recorded as not using after the
                                  anchor (and before it was served with the method again, if it was)
``due_visited``                   of ``due_visits``, a home visit for the cycle's rule and couple was
                                  recorded after the anchor and by D + grace
================================  ====================================================================

Counsellors, cadres and Kampung KB profiles keep no history: their present state counts for every
month of the window (from the profile's launch for Kampung KB).

Follow-through of due visits (the ``due_*`` keys, computed by :mod:`lini.visits.followthrough`;
issue 9). They follow the active due-list rules (``visits.DueRule``) of two kinds: resupply
(repeat injections, pill, condom) and check-up after an insertion (IUD, implant).

- A *use* of a method begins with each of the couple's status changes (``ContraceptiveEvent``) to
  *using* that method, on its day S, and lasts until the couple's next status change (or for
  ever).
- Its *anchors* are S and the days of the couple's KB services with the method during the use
  (``S <= day <`` the next change), removals excluded; for a check-up rule, repeat visits are
  excluded too (its anchors are the start and the insertions). Several on one day are one anchor.
- The rule of an anchor A is chosen as on the due list (``visits.due._rule_matches``): the use's
  method and the product of the latest service of the use on or before A that records one; with
  no product recorded, the rules marked "also for users whose product is not recorded". Each
  matching rule and anchor make one *cycle*, due on D = A + ``interval_days``; its grace ends on
  G = D + ``grace_days``.
- A cycle is not counted when the couple ended before D (``Couple.ended_on < D``), when the wife
  had left the family (moved away or died, ``presence_date < D``, or left on an unknown day)
  before D, or when the couple started another method (a status change to using another method)
  after A and on or before G: nothing of the method was due any more.
- *Served again*: the couple's first KB service with the method (not a removal) after A, on day R
  (in this use or a later one).

Counted in the month of D: ``due_visits`` every cycle; ``due_on_time`` when R <= G;
``due_overdue`` when not on time and G < today (``clock.today()`` when the counts are computed);
``due_dropout`` when overdue and the couple has a status change to *not using* dated after A (and
before R when there is an R); ``due_visited`` when a ``visits.Visit`` of the cycle's rule and
couple (any outcome) is dated after A and on or before G. *Pending* (neither on time nor overdue
yet) = ``due_visits - due_on_time - due_overdue``. So ``due_on_time + due_overdue <=
due_visits``, ``due_dropout <= due_overdue`` and ``due_visited <= due_visits``.

``due_overdue`` (and so ``due_dropout``) also changes with time alone, when a grace period ends
with no change in the village: the counts of a village are rewritten with each change there, and
a nightly ``lini rebuild-aggregates`` keeps the rest fresh. A change of a rule's numbers marks
every village with families in ``PendingCounts`` and a background task rewrites them
(:func:`lini.visits.followthrough.counts_after_rule_change`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet

from lini.core import clock

MonthKey = tuple[dt.date, str]


def month_add(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(month: dt.date) -> dt.date:
    return month_add(month, 1) - dt.timedelta(days=1)


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def window() -> list[dt.date]:
    """The months that carry counts: from LINI_COUNTS_FROM to a year after today's month (a
    state persists into the coming months until something changes it)."""
    first = month_of(settings.LINI_COUNTS_FROM)
    last = month_add(month_of(clock.today()), 12)
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = month_add(month, 1)
    return months


def raw_rows(queryset: QuerySet[Any], dates: tuple[int, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The rows of a ``values_list`` queryset straight from the database cursor, with the date
    columns at ``dates`` as dates: the ORM's per-value converters cost more than the counting."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(5000):
            for row in chunk:
                if dates:
                    row = list(row)
                    for i in dates:
                        if isinstance(row[i], str):
                            row[i] = dt.date.fromisoformat(row[i][:10])
                yield tuple(row)


@dataclass
class _Event:
    day: dt.date
    status: str
    method: str
    reason: str


def village_counts(village_ids: Sequence[int]) -> dict[int, Counter[MonthKey]]:
    """Every count of ``village_ids`` for every month of the window (zeros left out)."""
    months = window()
    counts: dict[int, Counter[MonthKey]] = {v: Counter() for v in village_ids}
    if not village_ids or not months:
        return counts
    for village in village_ids:
        for month in months:
            counts[village][(month, "villages")] = 1
    _couples(village_ids, months, counts)
    _services(village_ids, months, counts)
    families = _families(village_ids, months, counts)
    _poktan(village_ids, months, counts)
    _workforce(village_ids, months, counts)
    _monthly(village_ids, months, counts)
    _kampung(village_ids, months, counts, families)
    _followthrough(village_ids, months, counts)
    for village in village_ids:
        counts[village] = Counter({k: v for k, v in counts[village].items() if v})
    return counts


class _Ranges:
    """Counts kept as +1/-1 at the edges of month ranges, summed once at the end: a couple or a
    family adds a few ranges, not one number per month."""

    def __init__(self, months: list[dt.date]) -> None:
        self.months = months
        self.base = months[0].year * 12 + months[0].month - 1
        self.size = len(months)
        self.edges: dict[tuple[int, str], list[int]] = {}

    def index(self, day: dt.date) -> int:
        """The index of the month of ``day`` (may lie outside the window)."""
        return day.year * 12 + day.month - 1 - self.base

    def add(self, village: int, key: str, start: int, stop: int) -> None:
        """Count 1 in the months ``start`` .. ``stop - 1`` (clamped to the window)."""
        start, stop = max(start, 0), min(stop, self.size)
        if start >= stop:
            return
        edges = self.edges.get((village, key))
        if edges is None:
            edges = self.edges[(village, key)] = [0] * (self.size + 1)
        edges[start] += 1
        edges[stop] -= 1

    def into(self, counts: dict[int, Counter[MonthKey]]) -> None:
        for (village, key), edges in self.edges.items():
            tally, running = counts[village], 0
            for i, month in enumerate(self.months):
                running += edges[i]
                if running:
                    tally[(month, key)] += running


def _years_later(day: dt.date, years: int) -> dt.date:
    """The day someone born on ``day`` turns ``years`` (29 Feb: 1 Mar in other years)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


def _couples(
    village_ids: Sequence[int], months: list[dt.date], counts: dict[int, Counter[MonthKey]]
) -> None:
    from lini.register.choices import LONG_ACTING, MODERN, UNMET_NEED, KBStatus
    from lini.register.models import ContraceptiveEvent, Couple

    low, high = settings.LINI_PUS_MIN_AGE, settings.LINI_PUS_MAX_AGE
    first, last = months[0], months[-1]
    ranges = _Ranges(months)
    events: dict[int, list[_Event]] = defaultdict(list)
    for couple_id, day, status, method, reason in raw_rows(
        ContraceptiveEvent.objects.filter(couple__family__village_id__in=village_ids)
        .order_by("couple_id", "effective_on", "pk")
        .values_list("couple_id", "effective_on", "status", "method", "reason"),
        dates=(1,),
    ):
        events[couple_id].append(_Event(day, status, method, reason))
    couples = Couple.objects.filter(family__village_id__in=village_ids).values_list(
        "pk", "family__village_id", "wife__birth_date", "ended_on"
    )
    for couple_id, village, birth, ended_on in raw_rows(couples, dates=(2, 3)):
        tally = counts[village]
        history = events.get(couple_id, [])
        # Flows: each event against the one before it.
        previous: _Event | None = None
        for event in history:
            month = month_of(event.day)
            if first <= month <= last:
                was_using = previous is not None and previous.status == KBStatus.USING
                if event.status == KBStatus.USING and not was_using:
                    tally[(month, "pb")] += 1
                    tally[(month, f"pb_{event.method}")] += 1
                elif event.status == KBStatus.NOT_USING and was_using:
                    tally[(month, "dropout")] += 1
                elif (
                    event.status == KBStatus.USING
                    and was_using
                    and previous is not None
                    and previous.method != event.method
                ):
                    tally[(month, "switch")] += 1
            previous = event
        # States: the months whose last day finds the wife of PUS age and the couple not ended.
        if birth is None:
            continue
        start = ranges.index(_years_later(birth, low))
        stop = ranges.index(_years_later(birth, high + 1))
        if ended_on is not None:
            stop = min(stop, ranges.index(ended_on))
        if start >= stop:
            continue
        ranges.add(village, "pus", start, stop)
        # Each status holds from the month of its event to the month of the next one.
        edges = [ranges.index(e.day) for e in history]
        ranges.add(village, "pus_unknown", start, min(stop, edges[0]) if edges else stop)
        for i, event in enumerate(history):
            begin = max(start, edges[i])
            end = min(stop, edges[i + 1]) if i + 1 < len(history) else stop
            if begin >= end:
                continue
            if event.status == KBStatus.USING:
                keys = ["pa", f"pa_{event.method}"]
                if event.method in MODERN:
                    keys.append("pa_modern")
                if event.method in LONG_ACTING:
                    keys.append("pa_mkjp")
            else:
                keys = [f"nonuser_{event.reason or 'lainnya'}"]
                if event.reason in UNMET_NEED:
                    keys.append("unmet")
            for key in keys:
                ranges.add(village, key, begin, end)
    ranges.into(counts)


def _services(
    village_ids: Sequence[int], months: list[dt.date], counts: dict[int, Counter[MonthKey]]
) -> None:
    from lini.kb.choices import VisitType
    from lini.kb.models import Service

    first, last = months[0], month_end(months[-1])
    rows = Service.objects.filter(
        couple__family__village_id__in=village_ids, served_on__range=(first, last)
    ).values_list("couple__family__village_id", "served_on", "visit_type", "method", "postpartum")
    for village, day, visit, method, postpartum in raw_rows(rows, dates=(1,)):
        tally, month = counts[village], month_of(day)
        tally[(month, "svc")] += 1
        tally[(month, f"svc_{visit}")] += 1
        if visit != VisitType.REMOVAL:
            tally[(month, f"svc_m_{method}")] += 1
        if visit in (VisitType.NEW, VisitType.SWITCH):
            tally[(month, f"svc_first_m_{method}")] += 1
        if postpartum:
            tally[(month, "svc_postpartum")] += 1


# The ages (inclusive) that make a family one that BKB, BKR and BKL serve.
FAMILY_AGES = (("families_under5", 0, 4), ("families_10_24", 10, 24), ("families_60plus", 60, 200))


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    spans = sorted(s for s in spans if s[0] < s[1])
    merged: list[tuple[int, int]] = []
    for start, stop in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
        else:
            merged.append((start, stop))
    return merged


def _families(
    village_ids: Sequence[int], months: list[dt.date], counts: dict[int, Counter[MonthKey]]
) -> dict[int, int]:
    """Family counts by month; returns each family's village."""
    from lini.register.choices import Presence
    from lini.register.models import Member

    ranges = _Ranges(months)
    people: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    village_of: dict[int, int] = {}
    never = ranges.size + 1
    rows = Member.objects.filter(family__village_id__in=village_ids).values_list(
        "family_id", "family__village_id", "birth_date", "presence", "presence_date"
    )
    for family, village, birth, presence, presence_date in raw_rows(rows, dates=(2, 4)):
        village_of[family] = village
        if presence != Presence.PRESENT:
            if presence_date is None:
                continue  # gone, date unknown: not living here in any month
            people[family].append((birth, ranges.index(presence_date)))
        else:
            people[family].append((birth, never))
    for family, members in people.items():
        village = village_of[family]
        for start, stop in _merged([(ranges.index(b), gone) for b, gone in members]):
            ranges.add(village, "families", start, stop)
        for key, low, high in FAMILY_AGES:
            spans = [
                (
                    ranges.index(_years_later(b, low)),
                    min(gone, ranges.index(_years_later(b, high + 1))),
                )
                for b, gone in members
            ]
            for start, stop in _merged(spans):
                ranges.add(village, key, start, stop)
    ranges.into(counts)
    return village_of


def _poktan(
    village_ids: Sequence[int], months: list[dt.date], counts: dict[int, Counter[MonthKey]]
) -> None:
    from lini.poktan.models import Poktan, PoktanMeeting, PoktanMember

    active_months = settings.LINI_POKTAN_ACTIVE_MONTHS
    groups = {
        pk: (village, kind, formed_on or created.date())
        for pk, village, kind, formed_on, created in Poktan.objects.filter(
            village_id__in=village_ids
        ).values_list("pk", "village_id", "kind", "formed_on", "created_at")
    }
    meetings: dict[int, list[dt.date]] = defaultdict(list)
    for poktan_id, held_on in PoktanMeeting.objects.filter(poktan_id__in=groups).values_list(
        "poktan_id", "held_on"
    ):
        meetings[poktan_id].append(held_on)
    members = list(
        PoktanMember.objects.filter(poktan_id__in=groups).values_list(
            "poktan_id", "family_id", "joined_on", "left_on"
        )
    )
    first, last = months[0], months[-1]
    for pk, (village, kind, since) in groups.items():
        tally = counts[village]
        for day in meetings.get(pk, []):
            if first <= month_of(day) <= last:
                tally[(month_of(day), f"meetings_{kind}")] += 1
        held = sorted(meetings.get(pk, []))
        for month in months:
            end = month_end(month)
            if since > end:
                continue
            tally[(month, f"poktan_{kind}")] += 1
            start = month_add(month, 1 - active_months)  # the last N months, this one included
            if any(start <= day <= end for day in held):
                tally[(month, f"poktan_active_{kind}")] += 1
    in_poktan: dict[tuple[int, dt.date], set[int]] = defaultdict(set)
    for poktan_id, family, joined_on, left_on in members:
        village, kind, _since = groups[poktan_id]
        tally = counts[village]
        for month in months:
            end = month_end(month)
            if (joined_on is None or joined_on <= end) and (left_on is None or left_on > end):
                tally[(month, f"poktan_members_{kind}")] += 1
                in_poktan[(village, month)].add(family)
    for (village, month), families in in_poktan.items():
        counts[village][(month, "poktan_families")] = len(families)


def _workforce(
    village_ids: Sequence[int], months: list[dt.date], counts: dict[int, Counter[MonthKey]]
) -> None:
    from lini.workforce.models import Cadre, CadreKind, Counsellor

    wanted = set(village_ids)
    looked_after: Counter[int] = Counter()
    first_village: dict[int, tuple[str, int]] = {}
    for counsellor, village, code in (
        Counsellor.objects.filter(active=True)
        .filter(villages__isnull=False)
        .values_list("pk", "villages__id", "villages__code")
    ):
        if village in wanted:
            looked_after[village] += 1
        if counsellor not in first_village or code < first_village[counsellor][0]:
            first_village[counsellor] = (code, village)
    attributed = Counter(v for _code, v in first_village.values() if v in wanted)
    cadres = Counter()
    ppkbd = Counter()
    for village, kind in Cadre.objects.filter(active=True, village_id__in=village_ids).values_list(
        "village_id", "kind"
    ):
        cadres[village] += 1
        if kind == CadreKind.PPKBD:
            ppkbd[village] += 1
    for village in village_ids:
        tally = counts[village]
        for month in months:
            tally[(month, "counsellors")] = attributed[village]
            tally[(month, "counsellor_assigned")] = int(looked_after[village] > 0)
            tally[(month, "cadres")] = cadres[village]
            tally[(month, "ppkbd")] = ppkbd[village]


def _monthly(
    village_ids: Sequence[int], months: list[dt.date], counts: dict[int, Counter[MonthKey]]
) -> None:
    from lini.monthly.models import INSTITUTIONS, MonthlyInput, MonthlyStatus

    current = month_of(clock.today())
    for village in village_ids:
        for month in months:
            if month <= current:
                counts[village][(month, "monthly_expected")] = 1
    fields = [f"{key}_{side}" for key, _label in INSTITUTIONS for side in ("exist", "reported")]
    sent = (MonthlyStatus.SUBMITTED, MonthlyStatus.APPROVED)
    for row in MonthlyInput.objects.filter(
        village_id__in=village_ids, status__in=sent, month__range=(months[0], months[-1])
    ).values("village_id", "month", "status", *fields):
        tally, month = counts[row["village_id"]], row["month"]
        tally[(month, "monthly_sent")] = 1
        if row["status"] == MonthlyStatus.APPROVED:
            tally[(month, "monthly_approved")] = 1
        for name in fields:
            key, side = name.rsplit("_", 1)
            tally[(month, f"inst_{key}_{side}")] += row[name]


def _kampung(
    village_ids: Sequence[int],
    months: list[dt.date],
    counts: dict[int, Counter[MonthKey]],
    families: dict[int, int],
) -> None:
    from lini.kampung.choices import RumahDataKuStatus
    from lini.kampung.classification import KampungFigures, kampung_classify
    from lini.kampung.models import KampungKB

    for kampung in KampungKB.objects.filter(village_id__in=village_ids):
        tally = counts[kampung.village_id]
        since = kampung.launched_on or kampung.created_at.date()
        for month in months:
            if since > month_end(month):
                continue
            tally[(month, "kampung")] = 1
            if kampung.rumah_dataku == RumahDataKuStatus.ACTIVE:
                tally[(month, "kampung_rdk")] = 1
            figures = KampungFigures(
                pus=tally[(month, "pus")],
                users=tally[(month, "pa")],
                long_acting_users=tally[(month, "pa_mkjp")],
                unmet_need=tally[(month, "unmet")],
                families=tally[(month, "families")],
                poktan_families=tally[(month, "poktan_families")],
                poktan_kinds=frozenset(
                    kind
                    for kind in ("bkb", "bkr", "bkl", "uppka", "pikr")
                    if tally[(month, f"poktan_{kind}")]
                ),
                counsellors=tally[(month, "counsellor_assigned")],
            )
            klass = kampung_classify(kampung, figures).kampung_class
            tally[(month, f"kampung_{klass}")] = 1


def _followthrough(
    village_ids: Sequence[int], months: list[dt.date], counts: dict[int, Counter[MonthKey]]
) -> None:
    from lini.visits.followthrough import followthrough_counts

    followthrough_counts(village_ids, months, counts)


def keys_of(counts: Iterable[Counter[MonthKey]]) -> set[str]:
    return {key for tally in counts for (_month, key) in tally}
