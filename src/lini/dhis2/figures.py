"""Lini's figures that the mapping may name: every figure of the monthly report's month (read from
the :class:`~lini.indicators.report.MonthlyReport` structure itself, so the DHIS2 file and the
report cannot disagree) and, for targets, every indicator of the catalog.

Codes:

- sections whose columns are the month before and the month (I, II, V): ``<section>.<line>``,
  the value of the month (``I.pa_iud``: active users of the IUD at the month's end);
- sections with their own columns (III, IV): ``<section>.<line>.<column>`` (``III.bkb.exist``,
  ``IV.bkb.members``);
- indicators of the catalog: ``indicator.<code>`` (``indicator.cpr``), used for targets.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from lini.core import clock
from lini.indicators.models import Indicator
from lini.indicators.report import MonthlyReport, Number, monthly_report
from lini.regions.models import Region, RegionKind, RegionLevel

INDICATOR_PREFIX = "indicator."
MONTH_COLUMNS = ("previous", "current")


@dataclass(frozen=True)
class Figure:
    code: str
    label: str
    value: Number = None
    percent: bool = False


def report_figures(report: MonthlyReport) -> dict[str, Figure]:
    """Every figure of the report's month, by code, in the report's order."""
    figures: dict[str, Figure] = {}
    for section in report.sections:
        by_month = tuple(c.key for c in section.columns) == MONTH_COLUMNS
        parent = ""
        for line, cells in section.table():
            if not line.level:
                parent = line.label
            name = f"{parent} \u203a {line.label}" if line.level else line.label
            if by_month:
                code = f"{section.code}.{line.key}"
                cell = cells[MONTH_COLUMNS.index("current")]
                figures[code] = Figure(code, f"{section.code}. {name}", cell.value, cell.percent)
                continue
            for column, cell in zip(section.columns, cells, strict=True):
                code = f"{section.code}.{line.key}.{column.key}"
                label = f"{section.code}. {name} · {column.label}"
                figures[code] = Figure(code, label, cell.value, cell.percent)
    return figures


def report_catalog() -> dict[str, Figure]:
    """The figures every monthly report has (codes and labels in the active language), read from
    the report of a region that has no counts: the structure is the same for every region."""
    nowhere = Region(
        code="-", name="-", level=RegionLevel.PROVINCE, kind=RegionKind.PROVINSI
    )  # never saved: its counts are none
    report = monthly_report(region=nowhere, period=clock.today().strftime("%Y-%m"))
    return {
        code: Figure(code, figure.label, None, figure.percent)
        for code, figure in report_figures(report).items()
    }


def indicator_code(figure: str) -> str:
    """``indicator.cpr`` -> ``cpr``; "" for a figure of the report."""
    return figure.removeprefix(INDICATOR_PREFIX) if figure.startswith(INDICATOR_PREFIX) else ""


def indicator_catalog(*, indonesian: bool) -> dict[str, Figure]:
    """``indicator.<code>`` for every indicator of the catalog."""
    return {
        f"{INDICATOR_PREFIX}{code}": Figure(
            f"{INDICATOR_PREFIX}{code}", name_id if indonesian else name_en
        )
        for code, name_id, name_en in Indicator.objects.order_by("position", "code").values_list(
            "code", "name_id", "name_en"
        )
    }


def value_text(value: int | Decimal) -> str:
    """A figure as DHIS2 reads a number: ``12``, ``53.33`` (never an exponent)."""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(int(value))
