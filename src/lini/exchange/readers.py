"""Streaming readers for CSV and XLSX files: one row at a time, whatever the file size."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.utils.translation import gettext as _

from lini.exchange.cells import is_blank, normalise_header

SUFFIXES = (".csv", ".xlsx")
_MAX_CELL = 16 * 1024 * 1024  # a cell larger than this is a broken file, not a long name
_MAX_COLUMNS = 200


class FileError(ValueError):
    """The file as a whole cannot be read (type, encoding, header); the message says why."""


@dataclass(frozen=True, slots=True)
class Row:
    line: int  # row number as the user sees it in a spreadsheet (header = 1)
    values: dict[str, Any]


def check_suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise FileError(_("%(name)s: only .csv and .xlsx files can be read") % {"name": path.name})
    return suffix


def read_rows(
    path: Path, *, name: str | None = None, only: tuple[str, ...] | None = None
) -> tuple[list[str], Iterator[Row]]:
    """The normalised header and an iterator over the data rows (blank rows skipped).
    ``name`` is how messages call the file (the name the user uploaded); ``only`` limits each
    row to these columns (a quick pass over one column of a large file)."""
    name = name or path.name
    suffix = check_suffix(path)
    raw_rows = _csv_rows(path, name) if suffix == ".csv" else _xlsx_rows(path, name)
    header_line, header = 0, []
    for line, cells in raw_rows:
        if any(not is_blank(c) for c in cells):
            header_line, header = line, [normalise_header(c) for c in cells]
            break
    if not header:
        raise FileError(_("%(name)s is empty: no header row") % {"name": name})
    if len(header) > _MAX_COLUMNS:
        raise FileError(
            _("%(name)s has more than %(n)d columns") % {"name": name, "n": _MAX_COLUMNS}
        )
    while header and not header[-1]:
        header.pop()

    wanted = [
        (i, column) for i, column in enumerate(header) if column and (not only or column in only)
    ]

    def rows() -> Iterator[Row]:
        for line, cells in raw_rows:
            if all(is_blank(c) for c in cells):
                continue
            width = len(cells)
            values = {column: (cells[i] if i < width else None) for i, column in wanted}
            yield Row(line=line - header_line + 1, values=values)

    return header, rows()


def _decoded_lines(handle: BinaryIO) -> Iterator[str]:
    """Lines as text: UTF-8, and a line that is not UTF-8 read as Windows-1252 (spreadsheets
    saved on Windows mix them), so one accent deep in a file cannot stop an import."""
    first = True
    for raw in handle:
        if first:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
            first = False
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            yield raw.decode("cp1252", errors="replace")


def _csv_rows(path: Path, name: str) -> Iterator[tuple[int, list[Any]]]:
    with path.open("rb") as handle:
        head = handle.read(4096)
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
    first_line = (
        head.decode("utf-16", errors="replace") if utf16 else head.decode("utf-8", errors="replace")
    ).split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    csv.field_size_limit(_MAX_CELL)

    def generate() -> Iterator[tuple[int, list[Any]]]:
        with path.open("rb") as binary:
            lines: Iterator[str] = (
                io.TextIOWrapper(binary, encoding="utf-16", newline="")
                if utf16
                else _decoded_lines(binary)
            )
            reader = csv.reader(lines, delimiter=delimiter)
            try:
                yield from enumerate(reader, start=1)
            except (csv.Error, UnicodeError) as exc:
                raise FileError(
                    _("%(name)s, row %(n)d: %(why)s")
                    % {"name": name, "n": reader.line_num, "why": exc}
                ) from exc

    return generate()


def _xlsx_rows(path: Path, name: str) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileError(
            _("%(name)s is not a readable .xlsx file (%(why)s)") % {"name": name, "why": exc}
        ) from exc
    sheet = workbook.worksheets[0]
    for sheet_name in ("data", "register", "isian"):
        if sheet_name in workbook.sheetnames:
            sheet = workbook[sheet_name]
            break

    def generate() -> Iterator[tuple[int, list[Any]]]:
        try:
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, list(cells[:_MAX_COLUMNS])
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as exc:
            raise FileError(
                _("%(name)s could not be read to the end (%(why)s)") % {"name": name, "why": exc}
            ) from exc
        finally:
            workbook.close()

    return generate()
