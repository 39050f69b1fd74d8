"""The small-cell rule (:mod:`lini.core.privacy`) applied to the indicators: what is hidden in
the monthly report, the indicator tables, the dashboard and the ranking, and where.

Where: figures of a village (the counts are kept per village; district and larger totals are
shown in full). On a page, for a user who may not see identities in that village
(``Action.VIEW_IDENTITY``): :func:`hide_on_page`. In every file, always (:func:`hide_in_file`):
downloads and the commands' output leave the system.

What: the counts of families, couples and people (:func:`counts_people`; not groups, meetings,
institutions, villages or field workers), the figures computed from them, and the parts of the
sums in :data:`SUMS` that would give a hidden one away. For one village and period every figure
any of these pages shows is looked at together (the counts, the catalog's indicators and the
report's percentages: :func:`village_withheld`), so that the report, the table and the dashboard
hide the same figures and no combination of them reveals one.

Nothing here changes a value: it only says which are shown as ``<5`` or ``x``.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.core import privacy
from lini.core.privacy import Figure, Hidden
from lini.indicators.catalog import COUNT_KEYS, METHODS, PARTICIPATION, REASONS, VISIT_TYPES
from lini.indicators.models import Indicator, VillageMonthCount
from lini.indicators.selectors import (
    Period,
    _period_q,
    indicators_all,
    period_parse,
    terms,
    value_of,
)
from lini.regions.models import Region, RegionLevel
from lini.register.choices import LONG_ACTING, MODERN, UNMET_NEED

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from lini.accounts.models import User
    from lini.indicators.dashboard import MixItem, Trend
    from lini.indicators.ranking import RankedRegion
    from lini.indicators.report import Column, Line, MonthlyReport, Shown
    from lini.indicators.selectors import Row

_METHODS = [code for code, *_r in METHODS]

# Count keys of families, couples and people of the register (a few of them in a village can
# tell who they are); every other key counts groups, meetings, villages, field workers or
# institutions.
_PEOPLE_EXACT = frozenset({
    "pus", "pa", "pa_modern", "pa_mkjp", "unmet", "pus_unknown", "pb", "dropout", "switch",
    "svc", "svc_postpartum", "families", "families_under5", "families_10_24", "families_60plus",
    "poktan_families",
})  # fmt: skip
_PEOPLE_PREFIXES = ("pa_", "pb_", "svc_", "nonuser_", "poktan_members_", "due_")

# Totals that are exactly the sum of their parts (lini.indicators.counts): with the total
# shown, one hidden part could be worked back from the others.
SUMS: dict[str, tuple[str, ...]] = {
    "pus": ("pa", "nonuser", "pus_unknown"),
    "pa": tuple(f"pa_{m}" for m in _METHODS),
    "pa_modern": tuple(f"pa_{m}" for m in _METHODS if m in MODERN),
    "pa_mkjp": tuple(f"pa_{m}" for m in _METHODS if m in LONG_ACTING),
    "pb": tuple(f"pb_{m}" for m in _METHODS),
    "nonuser": tuple(f"nonuser_{r}" for r, *_n in REASONS),
    "unmet": tuple(f"nonuser_{r}" for r in sorted(UNMET_NEED)),
    "svc": tuple(f"svc_{v}" for v in VISIT_TYPES),
    "svc_m": tuple(f"svc_m_{m}" for m in _METHODS),
    # The due visits decided so far (visits.followthrough): on time or overdue.
    "due_closed": ("due_on_time", "due_overdue"),
}
_SUM_OF_PARTS = {frozenset(parts): name for name, parts in SUMS.items()}

# The percentages of the monthly report (numerator, denominator), whatever the catalog holds.
REPORT_RATES: tuple[tuple[str, str], ...] = (
    ("pa", "pus"),
    ("pa_modern", "pus"),
    ("pa_mkjp", "pa"),
    ("unmet", "pus"),
    *((f"poktan_members_{kind}", families) for kind, families, *_r in PARTICIPATION),
    ("poktan_families", "families"),
)


def counts_people(key: str) -> bool:
    """Whether the count ``key`` counts families, couples or people of the register."""
    return key in _PEOPLE_EXACT or key.startswith(_PEOPLE_PREFIXES)


def hide_on_page(user: User | AnonymousUser | None, region: Region) -> bool:
    """Whether a page shows ``user`` the figures of ``region`` with small counts hidden."""
    return hide_in_file(region) and not scope.can(user, Action.VIEW_IDENTITY, region)


def hide_in_file(region: Region) -> bool:
    """Whether a file (download, command output) hides the small counts of ``region``."""
    return privacy.threshold() > 0 and region.level >= RegionLevel.VILLAGE


def rate_name(*bases: str) -> str:
    return "rate:" + "/".join(bases)


def _side_name(keys: Iterable[str]) -> str:
    """The figure name of a sum of counts: the key itself, the total they make up, or a name of
    its own."""
    keys = frozenset(keys)
    if len(keys) == 1:
        return next(iter(keys))
    return _SUM_OF_PARTS.get(keys) or "sum:" + "+".join(sorted(keys))


@dataclasses.dataclass(frozen=True)
class _Shape:
    """An indicator as the rule sees it: the name of its figure, and what that figure is made
    of."""

    name: str
    count: tuple[str, ...] = ()  # a plain count: the keys summed
    bases: tuple[tuple[str, tuple[str, ...]], ...] = ()  # a computed figure: (name, keys) each
    # A difference of counts (a negative weight): also hidden when its own value is small.
    small_value: bool = False


def _shape(indicator: Indicator) -> _Shape | None:
    """The indicator's shape (None: it counts no people and is never hidden), kept on the
    object like its evaluator."""
    cached = getattr(indicator, "_lini_shape", False)
    if cached is not False:
        return cached  # type: ignore[no-any-return]
    numerator, denominator = terms(indicator.numerator), terms(indicator.denominator)
    shape: _Shape | None = None
    if any(counts_people(k) for k in (*numerator, *denominator)):
        plain = (
            not denominator
            and all(w == 1 for w in numerator.values())
            and Fraction(str(indicator.factor)) == 1
        )
        if plain:
            keys = tuple(sorted(numerator))
            shape = _Shape(_side_name(keys), count=keys)
        else:
            sides = []
            for side in (numerator, denominator):
                keys = tuple(sorted(k for k in side if counts_people(k)))
                if keys:
                    sides.append((_side_name(keys), keys))
            names = [name for name, _keys in sides]
            difference = not denominator and any(
                w < 0 for k, w in numerator.items() if counts_people(k)
            )
            if difference:
                names.append(f"value:{indicator.code}")
            shape = _Shape(rate_name(*names), bases=tuple(sides), small_value=difference)
    indicator._lini_shape = shape  # type: ignore[attr-defined]
    return shape


def _raw_totals(village_ids: Sequence[int], period: Period) -> dict[int, dict[str, int]]:
    """Every count of each village for ``period`` (a year: its flows summed), in one query per
    500 villages."""
    totals: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    ids = sorted(set(village_ids))
    for start in range(0, len(ids), 500):
        rows = VillageMonthCount.objects.filter(
            _period_q(period, COUNT_KEYS), village_id__in=ids[start : start + 500]
        ).values_list("village_id", "key", "value")
        for village, key, value in rows.iterator(chunk_size=5000):
            totals[village][key] += value
    return totals


def _withheld_one(totals: dict[str, int], indicators: Sequence[Indicator]) -> dict[str, Hidden]:
    """The figures of one village and period to hide, by name."""
    counts: dict[str, int] = dict(totals)
    for name, parts in SUMS.items():
        counts.setdefault(name, sum(totals.get(p, 0) for p in parts))
    people = sorted({k for k in COUNT_KEYS if counts_people(k)} | set(SUMS))
    figures: dict[str, Figure] = {k: Figure(counts.get(k, 0)) for k in people}
    for numerator, denominator in REPORT_RATES:
        figures[rate_name(numerator, denominator)] = Figure(None, bases=(numerator, denominator))
    for indicator in indicators:
        shape = _shape(indicator)
        if shape is None:
            continue
        if shape.count:
            if shape.name not in figures:
                figures[shape.name] = Figure(sum(totals.get(k, 0) for k in shape.count))
            continue
        for name, keys in shape.bases:
            counts.setdefault(name, sum(totals.get(k, 0) for k in keys))
        bases = [name for name, _keys in shape.bases]
        if shape.small_value:
            value = value_of(indicator, totals).value
            counts[f"value:{indicator.code}"] = abs(value) if value is not None else 0  # type: ignore[assignment]
            bases.append(f"value:{indicator.code}")
        figures[shape.name] = Figure(None, bases=tuple(bases))
    return privacy.withhold(figures, sums=SUMS, counts=counts)


def village_withheld(
    villages: Iterable[Region], period: Period, indicators: Sequence[Indicator] | None = None
) -> dict[int, dict[str, Hidden]]:
    """For each village (by id): the figures of ``period`` to hide, by name (count keys, the
    names of :data:`SUMS`, ``rate:NUMERATOR/DENOMINATOR``), judged over every figure the pages
    show (the catalog's indicators, or ``indicators``, and the report's)."""
    ids = [v.pk for v in villages if v.level >= RegionLevel.VILLAGE]
    if not ids or privacy.threshold() <= 0:
        return {}
    indicators = list(indicators) if indicators is not None else indicators_all()
    return {
        village: _withheld_one(totals, indicators)
        for village, totals in _raw_totals(ids, period).items()
    }


def indicator_hidden(hidden: dict[str, Hidden], indicator: Indicator) -> Hidden | None:
    """The mark of ``indicator`` among the hidden figures of its region (None: shown)."""
    shape = _shape(indicator)
    return hidden.get(shape.name) if shape is not None else None


# The tables of indicators (page, dashboard, command) -----------------------------------------


def rows_withheld(rows: list[Row], period: Period, hide: Callable[[Region], bool]) -> list[Row]:
    """``rows`` with the values of the regions ``hide`` names hidden where the rule says (their
    achievement and colour too: with the target shown they would give the value away)."""
    villages = {row.region.pk: row.region for row in rows if hide(row.region)}
    if not villages:
        return rows
    hidden = village_withheld(villages.values(), period)
    for row in rows:
        if row.region.pk not in villages:
            continue
        mark = indicator_hidden(hidden.get(row.region.pk, {}), row.indicator)
        if mark is not None:
            row.hidden, row.achievement, row.colour = mark, None, ""
    return rows


def rows_for_page(rows: list[Row], period: Period, user: User | AnonymousUser | None) -> list[Row]:
    return rows_withheld(rows, period, lambda region: hide_on_page(user, region))


def rows_for_file(rows: list[Row], period: Period) -> list[Row]:
    return rows_withheld(rows, period, hide_in_file)


# The monthly report --------------------------------------------------------------------------


def _cell_name(line: Line, column: Column, columns: Sequence[Column]) -> str:
    """The figure name of one value of the report."""
    if line.keys:
        if column.percent:
            index = {c.key: i for i, c in enumerate(columns)}
            return rate_name(*(line.keys[index[b]] for b in column.bases))
        return line.keys[[c.key for c in columns].index(column.key)]
    return rate_name(*line.bases) if line.percent else line.key


def report_withheld(report: MonthlyReport) -> MonthlyReport:
    """``report`` with the figures hidden that the rule hides (a village's report; a larger
    region's is returned as it is)."""
    region = report.region
    if region.level < RegionLevel.VILLAGE or privacy.threshold() <= 0:
        return report
    months = {"previous": report.previous, "current": report.period}
    hidden = {
        column: village_withheld([region], period).get(region.pk, {})
        for column, period in months.items()
    }
    sections = []
    for section in report.sections:
        lines = []
        for line in section.lines:
            values: list[Shown] = []
            for value, column in zip(line.values, section.columns, strict=True):
                marks = hidden.get(column.key, hidden["current"])
                mark = None
                if column.people and value is not None:
                    mark = marks.get(_cell_name(line, column, section.columns))
                values.append(mark if mark is not None else value)
            lines.append(dataclasses.replace(line, values=tuple(values)))
        sections.append(dataclasses.replace(section, lines=tuple(lines)))
    return dataclasses.replace(report, sections=tuple(sections))


def report_for_page(report: MonthlyReport, user: User | AnonymousUser | None) -> MonthlyReport:
    return report_withheld(report) if hide_on_page(user, report.region) else report


def report_hides(report: MonthlyReport) -> bool:
    """Whether any figure of ``report`` is hidden (the page and the files then say why)."""
    return any(c.hidden for s in report.sections for _line, cells in s.table() for c in cells)


# The dashboard's trend and method mix ----------------------------------------------------------


def trend_withheld(trend: Trend) -> Trend:
    """The trend of a village with each month's value hidden where the rule says."""
    if trend.region.level < RegionLevel.VILLAGE or privacy.threshold() <= 0:
        return trend
    points = []
    for point in trend.points:
        month = period_parse(point.month.strftime("%Y-%m"))
        marks = village_withheld([trend.region], month).get(trend.region.pk, {})
        mark = indicator_hidden(marks, trend.indicator)
        points.append(dataclasses.replace(point, value=None, hidden=mark) if mark else point)
    return dataclasses.replace(trend, points=points)


def mix_withheld(
    items: list[MixItem], region: Region, period: Period
) -> tuple[list[MixItem], Hidden | None]:
    """The method mix of a village with the users of a method (and their share) hidden where
    the rule says, and the mark of the total of active users when it is hidden (then every share
    is: with the users shown, the shares would give the total back)."""
    if region.level < RegionLevel.VILLAGE or privacy.threshold() <= 0:
        return items, None
    marks = village_withheld([region], period).get(region.pk, {})
    total = marks.get("pa")
    out = []
    for item in items:
        users = marks.get(f"pa_{item.method}")
        if users is None and total is None:
            out.append(item)
            continue
        out.append(dataclasses.replace(item, users_hidden=users, share_hidden=privacy.withheld()))
    return out, total


# The ranking ----------------------------------------------------------------------------------


def ranking_withheld(
    ranked: list[RankedRegion], year: int, hide: Callable[[Region], bool]
) -> list[RankedRegion]:
    """The ranked regions with, for the villages ``hide`` names, the indicator values hidden
    where the rule says: in the reasons, the gaps, the people gaps computed from them and the
    score (which, with the targets shown, would give a value back). The order stays."""
    from lini.indicators.ranking import PEOPLE, gap_reason

    villages = {r.region.pk: r.region for r in ranked if hide(r.region)}
    if not villages:
        return ranked
    marks = village_withheld(villages.values(), period_parse(str(year)))
    codes = {g.code for r in ranked for g in r.gaps if g.kind == "indicator"} | set(PEOPLE)
    by_code = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    for item in ranked:
        if item.region.pk not in villages:
            continue
        hidden = marks.get(item.region.pk, {})
        for code, name in PEOPLE.items():
            indicator = by_code.get(code)
            if indicator is not None and indicator_hidden(hidden, indicator) is not None:
                item.hidden[name] = privacy.withheld()
        reasons = []
        for gap in item.gaps:
            indicator = by_code.get(gap.code) if gap.kind == "indicator" else None
            mark = indicator_hidden(hidden, indicator) if indicator is not None else None
            if mark is None or indicator is None or gap.target is None:
                reasons.append(gap.reason)
                continue
            item.hidden[gap.code] = mark
            item.hidden["score"] = privacy.withheld()
            reasons.append(gap_reason(indicator, str(mark), gap.target))
        item.reasons = reasons
    return ranked


def legend() -> str:
    return privacy.legend()
