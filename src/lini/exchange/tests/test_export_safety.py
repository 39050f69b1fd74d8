"""Exported files never hold a text cell a spreadsheet would run as a formula, and numbers stay
numbers (issue 7, item 6): the table writer of every export kind, and the monthly report's CSV
and XLSX. Files are read back as a spreadsheet program would see them: CSV with ``csv``, XLSX
with openpyxl.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django.utils import translation

from lini.exchange.cells import EXACT_DIGITS, safe_for_spreadsheet, unquote
from lini.exchange.readers import read_rows
from lini.exchange.registry import get_kind
from lini.exchange.services import export_run, import_run
from lini.exchange.tests.hostile import write_table
from lini.exchange.tests.test_hostile_rows import CASES, TEXT
from lini.exchange.writers import TableWriter
from lini.kb.tests.factories import make_couple
from lini.poktan.tests.helpers import group
from lini.regions.models import Region
from lini.regions.tests.places import BANTEN, KAB_SERANG, SINGAMERTA

pytestmark = pytest.mark.django_db

FORMULAS = [
    '=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3", "=1+1", " =1+1",
    "\t=1+1", "'=1+1", "-", "+62 812",
]  # fmt: skip
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")


def runs_as_formula(cell: str) -> bool:
    """What a spreadsheet would take for the start of a formula (OWASP's list, and the same
    after leading spaces)."""
    return cell[:1] in ("\t", "\r", "\n") or cell.lstrip()[:1] in ("=", "+", "-", "@")


def csv_cells(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def xlsx_cells(path: Path | bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(path) if isinstance(path, bytes) else path)
    cells = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
            cells.append([cell.value for cell in row])
    return cells


def assert_csv_safe(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not runs_as_formula(cell) or NUMBER.fullmatch(cell), cell


def assert_xlsx_safe(rows: list[list[Any]]) -> None:
    for row in rows:
        for cell in row:
            assert not (isinstance(cell, str) and runs_as_formula(cell)), cell


# The table writer, value by value ------------------------------------------------------------

TEXTS = st.one_of(
    st.sampled_from(FORMULAS),
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00"),
        max_size=12,
    ),
    st.text(alphabet="=+-@'\t ab1", max_size=5),
)
VALUES = st.one_of(
    TEXTS,
    st.integers(-(10**EXACT_DIGITS) + 1, 10**EXACT_DIGITS - 1),
    st.integers(10**EXACT_DIGITS, 10**20).flatmap(lambda n: st.sampled_from([n, -n])),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from([math.inf, -math.inf, math.nan]),
    st.decimals(min_value=-(10**9), max_value=10**9, places=4),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2999, 12, 31)),
    st.none(),
)


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(values=st.lists(VALUES, min_size=1, max_size=8))
def test_the_table_writer_guards_text_and_keeps_numbers(tmp_path: Path, values: list[Any]) -> None:
    header = [f"c{n}" for n in range(len(values))]
    for suffix in (".csv", ".xlsx"):
        path = tmp_path / f"out{suffix}"
        with TableWriter(path, header) as out:
            out.write(values)
        if suffix == ".csv":
            cells = csv_cells(path)
            assert_csv_safe(cells)
            written: list[Any] = cells[1]
        else:
            cells = xlsx_cells(path)
            assert_xlsx_safe(cells)
            written = cells[1] if len(cells) > 1 else []  # no row when all cells are empty
            written = written + [None] * (len(values) - len(written))
        for value, cell in zip(values, written, strict=True):
            _check_cell(value, cell, suffix)
        # Imported again, every text comes back exactly as it was.
        _header, rows = read_rows(path)
        again = next(iter(rows), None)
        for column, value in zip(header, values, strict=True):
            if isinstance(value, str) and value.strip() and value.isprintable():
                assert again is not None
                assert unquote(again.values[column]) == value, (suffix, value)


def _check_cell(value: Any, cell: Any, suffix: str) -> None:
    xlsx = suffix == ".xlsx"
    if value is None or value == "":
        assert cell in ("", None)
    elif isinstance(value, str):
        if value.isprintable():  # xlsxwriter writes control characters as _xHHHH_
            assert cell == safe_for_spreadsheet(value)
    elif isinstance(value, int) and abs(value) < 10**EXACT_DIGITS:
        assert (cell == value and type(cell) is int) if xlsx else cell == str(value)
    elif isinstance(value, int):  # more digits than a spreadsheet keeps: text
        assert cell == safe_for_spreadsheet(str(value))
    elif isinstance(value, float | Decimal) and math.isfinite(value):
        if xlsx:
            assert isinstance(cell, int | float)
            assert math.isclose(cell, float(value), rel_tol=1e-15, abs_tol=1e-300)
        else:
            assert type(value)(cell) == value  # a negative number is still a plain number
    elif isinstance(value, float):
        assert cell == safe_for_spreadsheet(str(value))  # nan, inf, -inf as text
    elif isinstance(value, dt.date):
        assert cell == value.isoformat()


# Every export kind, from records holding formulas ----------------------------------------------


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.mark.parametrize("slug", list(CASES))
def test_every_export_kind_guards_formulas_and_reads_back_the_same(
    tmp_path: Path, slug: str
) -> None:
    case, kind = CASES[slug], get_kind(slug)
    if slug == "services":
        make_couple(SINGAMERTA, serial=1)
    if slug == "meetings":
        group(SINGAMERTA, "bkb", "Melati")
    row = case.good(0)
    # The free-text cells the good row fills (an empty one may depend on another column).
    texts = [c for c, kind_of in case.types.items() if kind_of == TEXT and row[c]]
    for n, column in enumerate(texts):
        length = case.lengths.get(column, 200)
        row[column] = FORMULAS[n % len(FORMULAS)][:length]
    source = write_table(tmp_path / "in.xlsx", kind.column_names, [list(row.values())])
    first = import_run(kind=kind, path=source, user=None)
    assert first.problems_total == 0, first.problems
    region = Region.objects.get(code=BANTEN)
    for suffix in (".csv", ".xlsx"):
        out = tmp_path / f"export{suffix}"
        assert export_run(kind=kind, region=region, path=out, user=None) == 1
        if suffix == ".csv":
            assert_csv_safe(csv_cells(out))
        else:
            cells = xlsx_cells(out)
            assert_xlsx_safe(cells)
            if slug == "targets":  # a year is a number cell, not text
                assert isinstance(cells[1][1], int)
        again = import_run(kind=kind, path=out, user=None)
        assert again.problems_total == 0, again.problems
        changed = {k: v for k, v in again.counts.items() if "_created" in k or "_updated" in k}
        assert not any(changed.values()), (suffix, again.counts)


# The monthly report ----------------------------------------------------------------------------


@pytest.fixture
def hostile_region() -> Region:
    """A regency whose name is a formula (names come from imported region lists)."""
    Region.objects.filter(code=KAB_SERANG).update(name='=HYPERLINK("http://x","y")')
    return Region.objects.get(code=KAB_SERANG)


def test_the_monthly_report_csv_guards_the_region_name(hostile_region: Region) -> None:
    from lini.indicators.report import monthly_report
    from lini.indicators.report_writers import report_csv

    data = report_csv(monthly_report(region=hostile_region, period="2019-10"))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[1][1] == safe_for_spreadsheet('=HYPERLINK("http://x","y")')
    assert_csv_safe(rows)


def test_the_monthly_report_xlsx_guards_the_region_name(hostile_region: Region) -> None:
    from lini.indicators.report import monthly_report
    from lini.indicators.report_writers import report_xlsx

    cells = xlsx_cells(report_xlsx(monthly_report(region=hostile_region, period="2019-10")))
    assert_xlsx_safe(cells)
