"""Helpers of the hostile-input tests: spreadsheets written cell by cell with exactly the types
given (a text stays a text even when it begins with ``=``), and zip archives built entry by entry.
"""

from __future__ import annotations

import csv
import io
import struct
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    b"</Types>"
)
ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    b"</Relationships>"
)
WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="data" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    b"</Relationships>"
)
SHEET_OPEN = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_CLOSE = b"</sheetData></worksheet>"
EMPTY_STRINGS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" '
    b'uniqueCount="0"></sst>'
)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sheet_row(number: int, values: Sequence[Any]) -> bytes:
    """One ``<row>`` of inline strings and numbers."""
    cells = []
    for column, value in enumerate(values):
        ref = f"{chr(65 + column)}{number}"
        if isinstance(value, int | float):
            cells.append(f'<c r="{ref}"><v>{value}</v></c>')
        else:
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{_escape(str(value))}</t></is></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'.encode()


def sheet_xml(rows: Sequence[Sequence[Any]]) -> bytes:
    return SHEET_OPEN + b"".join(sheet_row(n, r) for n, r in enumerate(rows, 1)) + SHEET_CLOSE


def xlsx_parts(**replace: bytes | Iterable[bytes]) -> dict[str, bytes | Iterable[bytes]]:
    """The parts of a minimal workbook (one sheet ``data``); keyword arguments replace parts:
    ``sheet``, ``strings``, ``workbook`` (an iterable of bytes is written as a stream)."""
    return {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": replace.get("workbook", WORKBOOK),
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": replace.get("sheet", sheet_xml([["a", "b"], ["1", "2"]])),
        "xl/sharedStrings.xml": replace.get("strings", EMPTY_STRINGS),
    }


def write_zip(path: Path, parts: dict[str, bytes | Iterable[bytes]]) -> Path:
    """A zip of ``parts``, deflated; a part given as an iterable of chunks is streamed, so that
    a part of gigabytes never exists whole in memory or on disk."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            if isinstance(data, bytes):
                archive.writestr(name, data)
            else:
                with archive.open(name, "w", force_zip64=True) as out:
                    for chunk in data:
                        out.write(chunk)
    return path


def declare_size(path: Path, entry: str, size: int) -> Path:
    """Make the zip's directory claim that ``entry`` unpacks to ``size`` bytes (< 4 GiB), as a
    crafted zip bomb does, without writing those bytes."""
    data = bytearray(path.read_bytes())
    name = entry.encode()
    position = 0
    while (position := data.find(b"PK\x01\x02", position)) >= 0:
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        if bytes(data[position + 46 : position + 46 + name_length]) == name:
            struct.pack_into("<I", data, position + 24, size)
            break
        position += 4
    else:
        raise AssertionError(f"{entry} is not in {path}")
    path.write_bytes(bytes(data))
    return path


def write_table(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Path:
    """A CSV (values as ``str``) or an XLSX whose cells keep their Python types: a ``str`` is a
    text cell even when it begins with ``=``, a number a number, a date a date."""
    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows([["" if v is None else str(v) for v in row] for row in rows])
        return path
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "data"
    for number, values in enumerate([list(header), *rows], start=1):
        for column, value in enumerate(values, start=1):
            if value is None or value == "":
                continue
            cell = sheet.cell(row=number, column=column, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # openpyxl would store "=..." as a formula
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path
