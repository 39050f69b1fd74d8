"""Reading indicator values, their counts and their targets.

Values are computed from :class:`~lini.indicators.models.VillageMonthCount` summed over the
villages of each region, in one GROUP BY query for any number of regions (never one query per
region, never a scan of the register).

A period is a month (``YYYY-MM``: states at the month's end, flows of the month) or a year
(``YYYY``: flows summed January to December; states at December, or, while December is still
ahead, at the current month, the latest month whose figures are not a projection; a year wholly
in the future takes its December, which then only projects today's data forward).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Context, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.core import clock
from lini.core.privacy import Hidden
from lini.indicators.achievement import achievement_pct, band, shown
from lini.indicators.catalog import is_flow
from lini.indicators.models import Indicator, RegionMonthCount, Target, VillageMonthCount
from lini.regions.models import Region, RegionLevel
from lini.regions.selectors import subtree_q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from lini.accounts.models import User

# The level names of the command line (``--level``).
LEVELS: dict[str, int] = {
    "provinsi": RegionLevel.PROVINCE,
    "kabupaten": RegionLevel.REGENCY,
    "kecamatan": RegionLevel.DISTRICT,
    "desa": RegionLevel.VILLAGE,
}


@dataclass(frozen=True)
class Period:
    """``text`` as typed (``2019-11`` or ``2019``); flows are summed over ``first``..``last``
    (first days of months), states are read at ``state``."""

    text: str
    first: dt.date
    last: dt.date
    state: dt.date

    @property
    def year(self) -> int:
        return self.first.year

    @property
    def is_year(self) -> bool:
        return self.first != self.last


def period_parse(text: str) -> Period:
    """A period from ``YYYY-MM`` or ``YYYY``; ValueError with a message otherwise."""
    text = (text or "").strip()
    if re.fullmatch(r"\d{4}-\d{2}", text):
        year, month = int(text[:4]), int(text[5:])
        if 1 <= month <= 12 and year >= 1900:
            day = dt.date(year, month, 1)
            return Period(text=text, first=day, last=day, state=day)
    elif re.fullmatch(r"\d{4}", text) and int(text) >= 1900:
        year = int(text)
        december = dt.date(year, 12, 1)
        current = clock.today().replace(day=1)
        state = current if current.year == year and current < december else december
        return Period(text=text, first=dt.date(year, 1, 1), last=december, state=state)
    raise ValueError(
        _("%(value)s is not a period; write a month as YYYY-MM or a year as YYYY")
        % {"value": text[:20]}
    )


def current_period() -> Period:
    return period_parse(clock.today().strftime("%Y-%m"))


# Weights -------------------------------------------------------------------------------------


def weight(raw: Any) -> Fraction:
    """A weight of a numerator or denominator key: a number or a fraction ``"1/15"``."""
    if isinstance(raw, bool):
        raise ValueError(_("%(value)s is not a number") % {"value": raw})
    if isinstance(raw, int | float | Decimal):
        return Fraction(str(raw))
    refusal = _("%(value)s is not a number or a fraction such as 1/15") % {"value": raw}
    if isinstance(raw, str):
        try:
            return Fraction(raw.strip())
        except (ValueError, ZeroDivisionError) as exc:
            raise ValueError(refusal) from exc
    raise ValueError(refusal)


def terms(spec: dict[str, Any] | None) -> dict[str, Fraction]:
    return {key: weight(w) for key, w in (spec or {}).items()}


_EXACT = Context(prec=28)  # values: one rounding, to 28 significant digits


class Value:
    """An indicator's value for a region and a period (None when the denominator is 0), with
    its numerator and denominator (None: the indicator has none). A table holds thousands of
    values: the numerator and denominator are kept as integer sums and their scale, and made
    decimals only when read."""

    __slots__ = ("_den", "_den_scale", "_num", "_num_scale", "code", "value")

    def __init__(
        self,
        code: str,
        value: Decimal | None,
        num: int,
        num_scale: int,
        den: int | None = None,
        den_scale: int = 1,
    ) -> None:
        self.code, self.value = code, value
        self._num, self._num_scale, self._den, self._den_scale = num, num_scale, den, den_scale

    @property
    def numerator(self) -> Decimal:
        return _EXACT.divide(Decimal(self._num), Decimal(self._num_scale))

    @property
    def denominator(self) -> Decimal | None:
        if self._den is None:
            return None
        return _EXACT.divide(Decimal(self._den), Decimal(self._den_scale))

    @property
    def shown(self) -> Decimal | None:
        return shown(self.value)

    def __repr__(self) -> str:
        return f"Value({self.code}={self.value} = {self.numerator} / {self.denominator})"


@dataclass(frozen=True)
class _Formula:
    numerator: tuple[tuple[str, Fraction], ...]
    denominator: tuple[tuple[str, Fraction], ...]
    factor: Fraction


def _formula(indicator: Indicator) -> _Formula:
    """The indicator's weights, parsed."""
    return _Formula(
        tuple(terms(indicator.numerator).items()),
        tuple(terms(indicator.denominator).items()),
        Fraction(str(indicator.factor)),
    )


Get = Callable[[str, int], int]  # a region's totals: ``totals.get``
Evaluate = Callable[[Get], Value]


def _summer(pairs: tuple[tuple[str, int], ...]) -> Callable[[Get], int]:
    """The weighted sum of whole weights, as a function of a region's totals."""
    if len(pairs) == 1 and pairs[0][1] == 1:
        key = pairs[0][0]
        return lambda get: get(key, 0)

    def weighted(get: Get) -> int:
        total = 0
        for key, w in pairs:
            total += w * get(key, 0)
        return total

    return weighted


def _scaled(pairs: tuple[tuple[str, Fraction], ...]) -> tuple[tuple[tuple[str, int], ...], int]:
    """Weights made whole by their common denominator: (whole weights, that denominator)."""
    scale = math.lcm(*(w.denominator for _k, w in pairs)) if pairs else 1
    return tuple((k, int(w * scale)) for k, w in pairs), scale


def evaluator(indicator: Indicator) -> Evaluate:
    """The indicator as a function of a region's totals, built once per indicator object (a
    table computes each indicator for hundreds of regions).

    Weights are made whole (couple-years of protection weigh 1/15 ...: times their common
    denominator), so a value costs integer sums and one decimal division, rounded once to 28
    significant digits: the exact fraction's value, with the same digits, without building
    fractions."""
    cached: Evaluate | None = getattr(indicator, "_lini_evaluate", None)
    if cached is not None:
        return cached
    formula = _formula(indicator)
    code = indicator.code
    numerator_pairs, num_scale = _scaled(formula.numerator)
    numerator_of = _summer(numerator_pairs)
    divide = _EXACT.divide
    f_num, f_den = formula.factor.numerator, formula.factor.denominator
    if not formula.denominator:
        # value = sum / scale x factor
        value_den = Decimal(num_scale * f_den)

        def evaluate(get: Get) -> Value:
            num = numerator_of(get)
            return Value(code, divide(Decimal(num * f_num), value_den), num, num_scale)

    else:
        # value = (num / num_scale) / (den / den_scale) x factor
        denominator_pairs, den_scale = _scaled(formula.denominator)
        denominator_of = _summer(denominator_pairs)
        top, bottom = den_scale * f_num, num_scale * f_den

        def evaluate(get: Get) -> Value:
            num, den = numerator_of(get), denominator_of(get)
            if not den:
                return Value(code, None, num, num_scale, den, den_scale)
            # The sign on the numerator, as a fraction has it (0 / -5 is 0, not -0).
            over, under = (num * top, den * bottom) if den > 0 else (-num * top, -den * bottom)
            value = divide(Decimal(over), Decimal(under))
            return Value(code, value, num, num_scale, den, den_scale)

    indicator._lini_evaluate = evaluate  # type: ignore[attr-defined]
    return evaluate


def value_of(indicator: Indicator, totals: dict[str, int]) -> Value:
    """``indicator`` computed from the summed counts of one region."""
    return evaluator(indicator)(totals.get)


def indicators_all() -> list[Indicator]:
    return list(Indicator.objects.order_by("position", "code"))


def keys_of(indicators: Iterable[Indicator]) -> set[str]:
    return {k for i in indicators for k in (*i.numerator, *(i.denominator or {}))}


# Counts ------------------------------------------------------------------------------------


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first days of the months from ``first`` to ``last``."""
    months, month = [], first
    while month <= last:
        months.append(month)
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def _period_q(period: Period, keys: Iterable[str]) -> Q:
    keys = set(keys)
    flows = sorted(k for k in keys if is_flow(k))
    states = sorted(keys - set(flows))
    if not period.is_year:
        return Q(month=period.state, key__in=sorted(keys))
    # The year's months as a list, not a range: the index on (month, key) is then searched for
    # each month and key, where a range of months would read every key of those months.
    return Q(month=period.state, key__in=states) | Q(
        month__in=_months(period.first, period.last), key__in=flows
    )


def _code_width(root: Region, level: int) -> int:
    if level == root.level:
        return len(root.code)
    sample = (
        Region.objects.filter(subtree_q([root.code]), level=level)
        .values_list("code", flat=True)
        .first()
    )
    return len(sample) if sample else 0


def regions_at_level(
    *, root: Region, level: int, user: User | AnonymousUser | None = None
) -> QuerySet[Region]:
    """The regions of ``level`` in ``root``'s subtree (``root`` itself at its own level), cut to
    ``user``'s scope when one is given."""
    if level < root.level:
        raise ValueError(
            _("%(code)s is a %(level)s; choose its level or one below it")
            % {"code": root.code, "level": root.get_level_display()}
        )
    regions = Region.objects.filter(subtree_q([root.code]), level=level).order_by("code")
    if user is not None:
        regions = scope.restrict(regions, user, Action.VIEW, field="code")
    return regions


_BY_ID_LIMIT = 900  # regions read by their ids in one statement (SQLite's variables)


def region_totals(
    *,
    root: Region,
    level: int,
    period: Period,
    keys: Iterable[str],
    width: int | None = None,
    regions: Sequence[Region] | None = None,
) -> dict[str, dict[str, int]]:
    """The counts ``keys`` summed over the villages of every region of ``level`` under ``root``
    (code -> key -> total) for ``period``, in one query. Regions with no counts are left out.
    ``width``: the length of the codes of ``level`` when the caller knows it; ``regions``: those
    regions when the caller has them (read by their ids, the fastest path)."""
    keys = set(keys)
    if not keys:
        return {}
    width = width or _code_width(root, level)
    # Above the villages the totals kept per region are read (a province table: a few hundred
    # rows), by the regions' ids when known, else by the subtree as a range of codes ("36." <=
    # code < "36/", which the index on the code serves, where a LIKE prefix would scan). A
    # year's flows are added up here.
    if level < RegionLevel.VILLAGE and regions is not None and len(regions) <= _BY_ID_LIMIT:
        code_of = {r.pk: r.code for r in regions}
        id_rows = RegionMonthCount.objects.filter(
            _period_q(period, keys), region_id__in=sorted(code_of)
        ).values_list("region_id", "key", "value")
        by_id: dict[str, dict[str, int]] = {}
        sql, params = id_rows.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for region_id, key, value in cursor.fetchall():
                region_keys = by_id.setdefault(code_of[region_id], {})
                region_keys[key] = region_keys.get(key, 0) + value
        return by_id
    if level >= RegionLevel.VILLAGE:
        rows = VillageMonthCount.objects.filter(
            Q(village__code=root.code)
            | Q(village__code__gte=root.code + ".", village__code__lt=root.code + "/"),
            _period_q(period, keys),
        ).values_list("village__code", "key", "value")
    else:
        rows = RegionMonthCount.objects.filter(
            Q(region__code=root.code)
            | Q(region__code__gte=root.code + ".", region__code__lt=root.code + "/"),
            _period_q(period, keys),
            region__level=level,
        ).values_list("region__code", "key", "value")
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(10000):
            for code, key, value in chunk:
                totals[code[:width]][key] += value
    return {code: dict(by_key) for code, by_key in totals.items()}


def region_counts(*, region: Region, period: Period, keys: Iterable[str]) -> dict[str, int]:
    """The counts ``keys`` of one region for ``period``."""
    return region_totals(root=region, level=region.level, period=period, keys=keys).get(
        region.code, {}
    )


def indicator_values(
    *, region: Region, period: Period | str, indicators: Sequence[Indicator] | None = None
) -> dict[str, Value]:
    """Every indicator (or ``indicators``) of ``region`` for ``period``. The caller has checked
    the user's right to view the region."""
    if isinstance(period, str):
        period = period_parse(period)
    indicators = list(indicators) if indicators is not None else indicators_all()
    totals = region_counts(region=region, period=period, keys=keys_of(indicators))
    return {i.code: value_of(i, totals) for i in indicators}


def indicator_values_by_region(
    *,
    root: Region,
    level: int,
    period: Period | str,
    indicators: Sequence[Indicator] | None = None,
    user: User | AnonymousUser | None = None,
) -> list[tuple[Region, dict[str, Value]]]:
    """Every indicator for every region of ``level`` under ``root`` (cut to ``user``'s scope),
    in region code order, from one query of the counts."""
    if isinstance(period, str):
        period = period_parse(period)
    indicators = list(indicators) if indicators is not None else indicators_all()
    regions = list(regions_at_level(root=root, level=level, user=user))
    if not regions:
        return []
    totals = region_totals(
        root=root, level=level, period=period, keys=keys_of(indicators),
        width=len(regions[0].code), regions=regions,
    )  # fmt: skip
    evaluators = [(i.code, evaluator(i)) for i in indicators]
    empty: dict[str, int] = {}
    return [
        (
            region,
            {code: evaluate(totals.get(region.code, empty).get) for code, evaluate in evaluators},
        )
        for region in regions
    ]


# Targets -----------------------------------------------------------------------------------


def targets_of(*, regions: Iterable[Region], year: int) -> dict[tuple[int, str], Decimal]:
    """(region id, indicator code) -> target of ``year``, in one query."""
    ids = [r.pk for r in regions]
    rows = Target.objects.filter(region_id__in=ids, year=year).values_list(
        "region_id", "indicator__code", "value"
    )
    return {(region, code): value for region, code, value in rows}


def targets_visible_to(user: User | AnonymousUser | None) -> QuerySet[Target]:
    return scope.restrict(
        Target.objects.select_related("indicator", "region"), user, Action.VIEW,
        field="region__code",
    )  # fmt: skip


@dataclass
class Row:
    """One line of the indicator table: a region, an indicator, its value, target and
    achievement."""

    region: Region
    indicator: Indicator
    value: Value
    target: Decimal | None
    achievement: Decimal | None
    colour: str = field(default="")
    # Set when the value is hidden to protect families' privacy (lini.indicators.suppression):
    # its mark is shown instead, and no achievement or colour.
    hidden: Hidden | None = None

    @property
    def shown(self) -> Decimal | Hidden | None:
        """The value as shown: rounded, or the mark of a hidden one."""
        return self.hidden if self.hidden is not None else self.value.shown

    def as_dict(self, period: Period) -> dict[str, Any]:
        return {
            "region_code": self.region.code,
            "region_name": self.region.name,
            "period": period.text,
            "indicator": self.indicator.code,
            "value": str(self.hidden) if self.hidden is not None else plain(self.value.shown),
            "target": plain(self.target),
            "achievement_pct": plain(self.achievement),
        }


TABLE_COLUMNS = (
    "region_code", "region_name", "period", "indicator", "value", "target", "achievement_pct",
)  # fmt: skip


def plain(number: Decimal | None) -> str:
    """A number as text: whole numbers without decimals, others as they are ("" for None)."""
    if number is None:
        return ""
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return format(number.normalize(), "f")


def indicator_rows(
    *,
    root: Region,
    level: int,
    period: Period,
    user: User | AnonymousUser | None = None,
    indicators: Sequence[Indicator] | None = None,
) -> Iterator[Row]:
    """The indicator table: one row per region of ``level`` under ``root`` and indicator, with
    the target of the period's year and the achievement."""
    indicators = list(indicators) if indicators is not None else indicators_all()
    table = indicator_values_by_region(
        root=root, level=level, period=period, indicators=indicators, user=user
    )
    targets = targets_of(regions=[r for r, _v in table], year=period.year)
    for region, values in table:
        for indicator in indicators:
            value = values[indicator.code]
            target = targets.get((region.pk, indicator.code))
            pct = achievement_pct(value.value, target, indicator.direction)
            yield Row(region, indicator, value, target, pct, band(pct))
