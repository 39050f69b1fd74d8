"""Streaming writers for CSV and XLSX: rows go to disk as they come, text stays text (a NIK is
never turned into a number) and no cell can be run as a formula."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from lini.exchange.cells import safe_for_spreadsheet
from lini.exchange.readers import check_suffix


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


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
            self._csv.writerow(self.header)
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
            self._sheet.write_row(0, 0, self.header, self._bold)
            self._sheet.freeze_panes(1, 0)
        return self

    def write(self, row: Sequence[Any]) -> None:
        self.rows += 1
        if self.suffix == ".csv":  # a CSV cell is parsed by the spreadsheet: guard formulas
            self._csv.writerow([safe_for_spreadsheet(_text(v)) for v in row])
        else:  # XLSX cells are written as text, which a spreadsheet never runs
            self._sheet.write_row(self.rows, 0, [_text(v) for v in row])

    def write_all(self, rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            self.write(row)

    def add_sheet(self, name: str, rows: Iterable[Sequence[Any]]) -> None:
        """An extra sheet (XLSX only), e.g. the explanation of a template."""
        if self.suffix != ".xlsx":
            return
        sheet = self._book.add_worksheet(name)
        for number, row in enumerate(rows):
            sheet.write_row(number, 0, [_text(v) for v in row], self._bold if number == 0 else None)
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
