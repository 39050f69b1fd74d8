"""What the dashboard shows (issue 5, item 6), read for one region, period and user: the key
indicators against their targets with the colour of the achievement, the 12-month trend of one
indicator, the method mix of the active users, the regions below for drilling down and the
choropleth map of Banten's regencies or districts; and each of them as a downloadable table
(CSV or XLSX), recorded in the audit trail as an export.

Every figure comes from the counts kept per village (:class:`~lini.indicators.models.VillageMonthCount`)
and their totals per district, regency and province (:class:`~lini.indicators.models.RegionMonthCount`),
one query per block (the trend: one query for its 12 months). The caller has checked the user's right to
view ``region``; the regions below and the map are cut to the user's scope here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.audit.models import AuditAction
from lini.audit.services import audit_record
from lini.core import privacy
from lini.core.privacy import Hidden
from lini.exchange.cells import safe_for_spreadsheet
from lini.indicators import maps
from lini.indicators.catalog import METHODS
from lini.indicators.models import Indicator, RegionMonthCount, VillageMonthCount
from lini.indicators.selectors import (
    TABLE_COLUMNS,
    Period,
    Row,
    indicator_rows,
    keys_of,
    plain,
    region_counts,
    targets_of,
    value_of,
)
from lini.regions.models import Region, RegionLevel

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from lini.accounts.models import User

# The indicators shown first, in this order (those an administrator removed are skipped).
KEY_INDICATORS = (
    "pus", "pa", "cpr", "mcpr", "mkjp_share", "unmet_need", "pb", "dropout_rate",
    "reporting_coverage", "due_on_time_pct", "due_overdue", "due_dropout",
)  # fmt: skip
DEFAULT_INDICATOR = "cpr"
TREND_MONTHS = 12
MAP_LEVELS: dict[str, int] = {"kabupaten": RegionLevel.REGENCY, "kecamatan": RegionLevel.DISTRICT}
COLOURINGS = ("value", "achievement")

CHARTS: dict[str, Any] = {
    "key": gettext_lazy("Key indicators"),
    "trend": gettext_lazy("Trend over 12 months"),
    "mix": gettext_lazy("Method mix"),
    "children": gettext_lazy("Regions below"),
    "map": gettext_lazy("Map"),
}
FORMATS: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
AUDIT_MODEL = "indicators.dashboard"


def display_name(indicator: Indicator) -> str:
    indonesian = (get_language() or "").startswith("id")
    return indicator.name_id if indonesian else indicator.name_en


def key_indicators(*, region: Region, period: Period, indicators: list[Indicator]) -> list[Row]:
    """The key indicators of ``region`` with target, achievement and colour."""
    by_code = {i.code: i for i in indicators}
    chosen = [by_code[code] for code in KEY_INDICATORS if code in by_code]
    return list(indicator_rows(root=region, level=region.level, period=period, indicators=chosen))


# Trend -------------------------------------------------------------------------------------


def month_add(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class TrendPoint:
    month: dt.date
    value: Decimal | None  # as shown (2 decimals), None when the denominator is 0 (or hidden)
    hidden: Hidden | None = None  # hidden to protect families' privacy: its mark


@dataclass(frozen=True)
class Trend:
    region: Region
    indicator: Indicator
    points: list[TrendPoint]
    target: Decimal | None  # the target of the last month's year

    @property
    def first(self) -> dt.date:
        return self.points[0].month

    @property
    def last(self) -> dt.date:
        return self.points[-1].month


def monthly_values(
    *, region: Region, indicator: Indicator, last: dt.date, months: int = TREND_MONTHS
) -> list[TrendPoint]:
    """``indicator`` of ``region`` for each of the ``months`` months up to ``last`` (states at
    each month's end, flows of each month), from one GROUP BY query over the counts."""
    last = last.replace(day=1)
    first = month_add(last, -(months - 1))
    # A village's own counts, or the totals kept for a larger region.
    counts = (
        VillageMonthCount.objects.filter(village=region)
        if region.level >= RegionLevel.VILLAGE
        else RegionMonthCount.objects.filter(region=region)
    )
    rows = counts.filter(
        month__range=(first, last), key__in=sorted(keys_of([indicator]))
    ).values_list("month", "key", "value")
    totals: dict[dt.date, dict[str, int]] = defaultdict(dict)
    for month, key, total in rows:
        totals[month][key] = total
    points = []
    for index in range(months):
        month = month_add(first, index)
        points.append(TrendPoint(month, value_of(indicator, totals.get(month, {})).shown))
    return points


def trend(*, region: Region, indicator: Indicator, period: Period) -> Trend:
    """The 12 months up to the period's state month (a month: itself; a year: December, or the
    current month while December is ahead)."""
    points = monthly_values(region=region, indicator=indicator, last=period.state)
    target = targets_of(regions=[region], year=period.state.year).get((region.pk, indicator.code))
    return Trend(region=region, indicator=indicator, points=points, target=target)


# Method mix --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MixItem:
    method: str
    label: str
    users: int
    share: Decimal | None  # percent of all active users, 1 decimal
    # Hidden to protect families' privacy (lini.indicators.suppression): their marks.
    users_hidden: Hidden | None = None
    share_hidden: Hidden | None = None

    @property
    def users_shown(self) -> int | Hidden:
        return self.users_hidden or self.users

    @property
    def share_shown(self) -> Decimal | Hidden | None:
        return self.share_hidden or self.share


def method_mix(*, region: Region, period: Period) -> list[MixItem]:
    """The active users (PA) of each method at the period's state month and their share."""
    counts = region_counts(
        region=region, period=period, keys=[f"pa_{method}" for method, *_r in METHODS]
    )
    indonesian = (get_language() or "").startswith("id")
    total = sum(counts.values())
    items = []
    for method, _suffix, name_id, name_en in METHODS:
        users = counts.get(f"pa_{method}", 0)
        share = (Decimal(users) * 100 / total).quantize(Decimal("0.1")) if total else None
        items.append(MixItem(method, name_id if indonesian else name_en, users, share))
    return items


# Regions below and the map ----------------------------------------------------------------


def children_rows(
    *, region: Region, period: Period, indicator: Indicator, user: User | AnonymousUser | None
) -> list[Row]:
    """``indicator`` for each region directly below ``region`` in ``user``'s scope (none below a
    village)."""
    if region.level >= RegionLevel.VILLAGE:
        return []
    return list(
        indicator_rows(
            root=region, level=region.level + 1, period=period, user=user,
            indicators=[indicator],
        )
    )  # fmt: skip


def map_level_for(region: Region) -> str:
    return "kabupaten" if region.level <= RegionLevel.PROVINCE else "kecamatan"


def map_rows(
    *, region: Region, period: Period, indicator: Indicator, level: str,
    user: User | AnonymousUser | None,
) -> list[Row]:  # fmt: skip
    """``indicator`` for every region of ``level`` in ``region``'s province, cut to ``user``'s
    scope (empty when the province has no map)."""
    if not maps.has_map(region.code):
        return []
    province = Region.objects.get(code=region.code.split(".")[0])
    return list(
        indicator_rows(
            root=province, level=MAP_LEVELS[level], period=period, user=user,
            indicators=[indicator],
        )
    )  # fmt: skip


def choropleth(
    *, rows: list[Row], level: str, by_achievement: bool, unit: str
) -> maps.ChoroplethMap:
    return maps.choropleth(
        level=level,
        values={row.region.code: row.value.shown for row in rows},
        bands={row.region.code: row.colour for row in rows},
        by_achievement=by_achievement,
        unit=unit,
    )


# Tables for download ---------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    name: str  # for the file name: "trend", "mix" ...
    columns: tuple[str, ...]
    rows: list[list[Any]]  # str, int, Decimal or None


def rows_table(name: str, rows: list[Row], period: Period) -> Table:
    return Table(
        name, TABLE_COLUMNS,
        [[r.region.code, r.region.name, period.text, r.indicator.code, r.shown, r.target,
          r.achievement] for r in rows],
    )  # fmt: skip


def trend_table(data: Trend) -> Table:
    return Table(
        "trend",
        ("region_code", "region_name", "indicator", "month", "value", "target"),
        [[data.region.code, data.region.name, data.indicator.code, p.month.strftime("%Y-%m"),
          p.hidden or p.value, data.target] for p in data.points],
    )  # fmt: skip


def mix_table(region: Region, period: Period, items: list[MixItem]) -> Table:
    return Table(
        "mix",
        ("region_code", "region_name", "period", "method", "active_users", "share_pct"),
        [[region.code, region.name, period.text, i.method, i.users_shown, i.share_shown]
         for i in items],
    )  # fmt: skip


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Hidden):
        return str(value)
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, str):
        return safe_for_spreadsheet(value)
    return str(value)


def table_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_csv_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def table_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = table.name[:31]
    sheet.append(list(table.columns))
    hides = False
    for row in table.rows:
        hides = hides or any(isinstance(v, Hidden) for v in row)
        sheet.append([
            float(v) if isinstance(v, Decimal) else str(v) if isinstance(v, Hidden)
            else safe_for_spreadsheet(v) if isinstance(v, str) else v
            for v in row
        ])  # fmt: skip
    if hides:
        sheet.append([])
        sheet.append([privacy.legend()])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class DashboardFile:
    data: bytes
    content_type: str
    filename: str


def table_export(
    *, actor: User | AnonymousUser | None, region: Region, period: Period, table: Table, fmt: str
) -> DashboardFile:
    """``table`` as ``fmt`` (csv, xlsx) for ``actor`` (None: the system), recorded in the audit
    trail as an export. PermissionDenied when the actor may not view the region."""
    if fmt not in FORMATS:
        raise ValueError(_("%(value)s is not a format; choose csv or xlsx") % {"value": fmt})
    if actor is not None:
        scope.require(actor, Action.VIEW, region)
    data = table_csv(table) if fmt == "csv" else table_xlsx(table)
    name = f"lini-dasbor-{table.name}-{region.code}-{period.text}.{fmt}"
    audit_record(
        actor=actor, action=AuditAction.EXPORT, model=AUDIT_MODEL, description=name,
        region_code=region.code,
        after={"period": period.text, "chart": table.name, "format": fmt, "rows": len(table.rows),
               "personal": False},
    )  # fmt: skip
    return DashboardFile(data=data, content_type=FORMATS[fmt], filename=name)
