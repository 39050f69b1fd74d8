"""Streaming writers for CSV and XLSX: rows go to disk as they come, text stays text (a NIK is
never turned into a number), numbers stay numbers, and no cell can be run as a formula: every
cell goes through :func:`lini.exchange.cells.spreadsheet_value`, in both formats (an XLSX text
cell is not run when the file opens, but it would be once someone edits it)."""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any

from lini.exchange.cells import spreadsheet_value
from lini.exchange.readers import check_suffix


def _csv_cell(value: Any) -> str:
    return str(spreadsheet_value(value))


def _xlsx_cell(value: Any) -> str | int | float:
    cell = spreadsheet_value(value)
    if isinstance(cell, Decimal):
        number = float(cell)
        return number if math.isfinite(number) else str(cell)
    return cell


class TableWriter:
    """``with TableWriter(path, header) as out: out.write(row)``; sheets by name for XLSX."""

    def __init__(self, path: Path, header: Sequence[str], *, sheet: str = "data") -> None:
        self.path, self.header, self.sheet_name = path, list(header), sheet
        self.suffix = check_suffix(path)
        self.rows = 0

    def __enter__(self) -> TableWriter:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.suffix == ".csv":
            self._handle = self.path.open("w", encoding="utf-8-sig", newline="")
            self._csv = csv.writer(self._handle)
            self._csv.writerow([_csv_cell(v) for v in self.header])
        else:
            import xlsxwriter

            self._book = xlsxwriter.Workbook(
                str(self.path),
                {
                    "constant_memory": True,
                    "strings_to_numbers": False,
                    "strings_to_formulas": False,
                    "strings_to_urls": False,
                },
            )
            self._bold = self._book.add_format({"bold": True})
            self._sheet = self._book.add_worksheet(self.sheet_name)
            self._sheet.write_row(0, 0, [_xlsx_cell(v) for v in self.header], self._bold)
            self._sheet.freeze_panes(1, 0)
        return self

    def write(self, row: Sequence[Any]) -> None:
        self.rows += 1
        if self.suffix == ".csv":
            self._csv.writerow([_csv_cell(v) for v in row])
        else:  # xlsxwriter writes str as a text cell and int/float as a number cell
            self._sheet.write_row(self.rows, 0, [_xlsx_cell(v) for v in row])

    def write_all(self, rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            self.write(row)

    def add_sheet(self, name: str, rows: Iterable[Sequence[Any]]) -> None:
        """An extra sheet (XLSX only), e.g. the explanation of a template."""
        if self.suffix != ".xlsx":
            return
        sheet = self._book.add_worksheet(name)
        for number, row in enumerate(rows):
            sheet.write_row(
                number, 0, [_xlsx_cell(v) for v in row], self._bold if number == 0 else None
            )
        sheet.set_column(0, 0, 24)
        sheet.set_column(1, 3, 60)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.suffix == ".csv":
            self._handle.close()
        else:
            self._book.close()
