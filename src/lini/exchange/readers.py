"""Streaming readers for CSV and XLSX files: one row at a time, whatever the file size.

Files come from anyone, so the readers refuse what no spreadsheet program makes before it can
cost memory or time: an XLSX is checked as a zip first (entries, unpacked sizes, compression
ratio, the size and width of each row of its sheets) and only then handed to openpyxl, which
parses its XML with defusedxml (no entity expansion). A cell no spreadsheet could hold (longer
than :data:`MAX_CELL_CHARS`, or with control characters) does not stop the file: the row carries
the problem (:attr:`Row.problems`) and the kind refuses that row.

CSV text is decoded in this order: a byte-order mark (UTF-8, UTF-16, UTF-32) decides; without
one, UTF-16 is recognised by its zero bytes; otherwise each line is UTF-8, and a line that is not
valid UTF-8 is read as Windows-1252 (spreadsheets saved on Windows mix them). Lines may end in
CRLF, LF or CR; the delimiter (comma, semicolon as Indonesian Excel writes, or tab) is the one
the header line uses most.
"""

from __future__ import annotations

import codecs
import csv
import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.utils.translation import gettext as _

from lini.exchange.cells import is_blank, normalise_header, shown

SUFFIXES = (".csv", ".xlsx")
MiB = 1024 * 1024

MAX_COLUMNS = 200
MAX_HEADER_CHARS = 200  # a column name longer than this is not a header
MAX_CELL_CHARS = 32_767  # the most a spreadsheet cell holds (Excel's limit)
MAX_XLSX_ROWS = 1_048_576  # the most rows a sheet has (Excel's limit)
MAX_XLSX_CELLS_PER_ROW = 16_384  # the most columns a sheet has (Excel's limit)
MAX_XLSX_ROW_BYTES = 2 * MiB  # XML of one row (a row of long cells is well under this)
MAX_XLSX_ENTRIES = 1_000  # files inside the zip (a workbook has a few dozen)
# The XLSX unpacked may be this many times the upload limit (LINI_UPLOAD_MAX_MB) in all; sheet
# data packs about 10 to 15 times.
MAX_XLSX_EXPANSION = 20
# One entry may not pack better than this (a zip bomb packs about 1000 to 1); checked for entries
# larger than MAX_XLSX_PLAIN_BYTES only.
MAX_XLSX_RATIO = 200
MAX_XLSX_PLAIN_BYTES = 4 * MiB
# openpyxl keeps every shared string in memory (about 6 bytes of memory per byte of XML).
MAX_XLSX_SHARED_STRINGS_BYTES = 64 * MiB
MAX_XLSX_PART_BYTES = 32 * MiB  # any other XML part (workbook, styles, ...)
MAX_CSV_FIELD_CHARS = 4 * MiB  # a CSV field larger than this stops the file
MAX_CSV_LINE_BYTES = 16 * MiB

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_ROW_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_CELL_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_ROW_NUMBER = re.compile(rb"""\sr\s*=\s*["']\s*([0-9]+)""")


class FileError(ValueError):
    """The file as a whole cannot be read (type, encoding, header); the message says why."""


@dataclass(frozen=True, slots=True)
class Row:
    line: int  # row number as the user sees it in a spreadsheet (header = 1)
    values: dict[str, Any]
    # Cells the reader refused (column, why); their values are shortened or cleaned. A kind
    # refuses a row that has any.
    problems: tuple[tuple[str, str], ...] = ()


def check_suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise FileError(_("%(name)s: only .csv and .xlsx files can be read") % {"name": path.name})
    return suffix


def cell_problem(value: Any) -> tuple[Any, str]:
    """``(value, "")`` for a cell a spreadsheet can hold, else a value safe to keep and show
    (shortened, control characters replaced) and the reason it is refused."""
    if not isinstance(value, str):
        return value, ""
    if len(value) > MAX_CELL_CHARS:
        why = _("the cell holds %(n)d characters; a cell may hold at most %(max)d") % {
            "n": len(value),
            "max": MAX_CELL_CHARS,
        }
        return shown(_CONTROL.sub("\ufffd", value[:200]), limit=60), why
    if found := _CONTROL.search(value):
        why = _(
            "the cell contains a control character (U+%(code)04X) that cannot be stored; "
            "type the cell again"
        ) % {"code": ord(found.group())}
        return _CONTROL.sub("\ufffd", value), why
    return value, ""


def read_rows(
    path: Path, *, name: str | None = None, only: tuple[str, ...] | None = None
) -> tuple[list[str], Iterator[Row]]:
    """The normalised header and an iterator over the data rows (blank rows skipped).
    ``name`` is how messages call the file (the name the user uploaded); ``only`` limits each
    row to these columns (a quick pass over one column of a large file)."""
    name = name or path.name
    suffix = check_suffix(path)
    raw_rows = _csv_rows(path, name) if suffix == ".csv" else _xlsx_rows(path, name)
    header_line, cells = 0, []
    for line, cells in raw_rows:
        if any(not is_blank(c) for c in cells):
            header_line = line
            break
    else:
        raise FileError(_("%(name)s is empty: no header row") % {"name": name})
    while cells and is_blank(cells[-1]):
        cells.pop()
    if len(cells) > MAX_COLUMNS:
        raise FileError(
            _("%(name)s has more than %(n)d columns") % {"name": name, "n": MAX_COLUMNS}
        )
    header = _header(cells, name)
    wanted = [
        (i, column) for i, column in enumerate(header) if column and (not only or column in only)
    ]

    def rows() -> Iterator[Row]:
        for line, cells in raw_rows:
            if all(is_blank(c) for c in cells):
                continue
            width = len(cells)
            values = {column: (cells[i] if i < width else None) for i, column in wanted}
            problems: list[tuple[str, str]] = []
            # One look at the row's text first: cells to look at one by one are rare.
            try:
                text = "".join(cells)  # a CSV row: text only
            except TypeError:
                text = "".join([c for c in cells if type(c) is str])
            if len(text) > MAX_CELL_CHARS or _CONTROL.search(text):
                for column, value in values.items():
                    values[column], why = cell_problem(value)
                    if why:
                        problems.append((column, why))
            yield Row(line=line - header_line + 1, values=values, problems=tuple(problems))

    return header, rows()


def _header(cells: list[Any], name: str) -> list[str]:
    header: list[str] = []
    seen: dict[str, int] = {}
    for number, cell in enumerate(cells, start=1):
        if isinstance(cell, str) and (len(cell) > MAX_HEADER_CHARS or _CONTROL.search(cell)):
            raise FileError(
                _("%(name)s: the name of column %(n)d is not a column name (%(value)s)")
                % {"name": name, "n": number, "value": shown(_CONTROL.sub("?", cell[:60]))}
            )
        column = normalise_header(cell)
        if column and column in seen:
            raise FileError(
                _("%(name)s has the column %(column)s twice (columns %(first)d and %(second)d)")
                % {"name": name, "column": column, "first": seen[column], "second": number}
            )
        seen[column] = number
        header.append(column)
    return header


# CSV -----------------------------------------------------------------------------------------

_BOMS = (  # longest first: the UTF-32 LE mark begins with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _csv_encoding(head: bytes) -> tuple[str | None, int]:
    """The encoding a byte-order mark (or UTF-16's zero bytes) tells, and the mark's length;
    None: UTF-8 with Windows-1252 for the lines that are not UTF-8."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return (None if encoding == "utf-8" else encoding), len(bom)
    sample = head[:1024]
    if len(sample) >= 4 and sample.count(0) >= len(sample) // 3:
        # Text of Latin letters in UTF-16 has a zero in every other byte.
        if sample[1::2].count(0) > sample[0::2].count(0):
            return "utf-16-le", 0
        return "utf-16-be", 0
    return None, 0


# A line with its ending; the last line may have none.
_LINE_BYTES = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_NEWLINE_TEXT = re.compile(r"\r\n|\r|\n")


def _decoded_lines(handle: BinaryIO, encoding: str | None, name: str) -> Iterator[str]:
    """Lines as text, see the module's docstring for the encodings."""
    if encoding is not None:  # a byte-order mark: io splits CRLF, LF and CR itself
        text = io.TextIOWrapper(handle, encoding=encoding, newline="")
        for number, line in enumerate(iter(lambda: text.readline(MAX_CSV_LINE_BYTES + 1), "")):
            if len(line) > MAX_CSV_LINE_BYTES:
                raise _long_line(name, number + 1)
            yield line
        return
    # Read by LF, the fast way; a line that holds a lone CR (old Mac line ends, or a file mixing
    # them) is cut at it too.
    for number, raw in enumerate(iter(lambda: handle.readline(MAX_CSV_LINE_BYTES + 1), b"")):
        if len(raw) > MAX_CSV_LINE_BYTES:
            raise _long_line(name, number + 1)
        end = len(raw) - 2 if raw.endswith(b"\r\n") else len(raw)
        for line in [raw] if raw.find(b"\r", 0, end) < 0 else _LINE_BYTES.findall(raw):
            try:
                yield line.decode("utf-8")
            except UnicodeDecodeError:
                yield line.decode("cp1252", errors="replace")


def _long_line(name: str, number: int) -> FileError:
    return FileError(
        _("%(name)s, row %(n)d: the line is longer than %(mb)d MB")
        % {"name": name, "n": number, "mb": MAX_CSV_LINE_BYTES // MiB}
    )


def _csv_rows(path: Path, name: str) -> Iterator[tuple[int, list[Any]]]:
    with path.open("rb") as handle:
        head = handle.read(4096)
    encoding, skip = _csv_encoding(head)
    first_text = head[skip:].decode(encoding or "utf-8", errors="replace")
    first_line = _NEWLINE_TEXT.split(first_text, maxsplit=1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)

    def generate() -> Iterator[tuple[int, list[Any]]]:
        csv.field_size_limit(MAX_CSV_FIELD_CHARS)
        with path.open("rb") as binary:
            binary.seek(skip)
            reader = csv.reader(_decoded_lines(binary, encoding, name), delimiter=delimiter)
            try:
                yield from enumerate(reader, start=1)
            except csv.Error as exc:
                if "field larger than field limit" in str(exc):
                    why = _("a cell is larger than %(mb)d MB") % {"mb": MAX_CSV_FIELD_CHARS // MiB}
                else:
                    why = str(exc)
                raise FileError(
                    _("%(name)s, row %(n)d: %(why)s")
                    % {"name": name, "n": reader.line_num, "why": why}
                ) from exc
            except UnicodeError as exc:
                raise FileError(
                    _("%(name)s, row %(n)d: the text is not valid %(encoding)s")
                    % {"name": name, "n": reader.line_num + 1, "encoding": encoding}
                ) from exc

    return generate()


# XLSX ----------------------------------------------------------------------------------------


def xlsx_check(path: Path, name: str) -> None:
    """Refuse (FileError) an .xlsx that is no zip, or whose unpacked content is larger, packs
    better or has more entries, rows wider or longer than a workbook made by a spreadsheet
    program. Quick and in little memory: sizes come from the zip's directory, and the sheets'
    XML is scanned in chunks."""
    try:
        archive = zipfile.ZipFile(path)
    except Exception as exc:  # BadZipFile, OSError, EOFError, ... on a file cut short
        raise FileError(
            _("%(name)s is not a readable .xlsx file (it is not a zip archive, or it is cut short)")
            % {"name": name}
        ) from exc
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_XLSX_ENTRIES:
            raise FileError(
                _("%(name)s holds %(n)d files; a workbook holds far fewer (at most %(max)d)")
                % {"name": name, "n": len(entries), "max": MAX_XLSX_ENTRIES}
            )
        limit = settings.LINI_UPLOAD_MAX_MB * MiB * MAX_XLSX_EXPANSION
        unpacked = sum(e.file_size for e in entries)
        if unpacked > limit:
            raise FileError(
                _(
                    "%(name)s unpacks to %(size)d MB, more than the %(max)d MB Lini reads; split "
                    "it or save it as CSV"
                )
                % {"name": name, "size": unpacked // MiB, "max": limit // MiB}
            )
        for entry in entries:
            _check_entry(entry, name)
        by_name = {entry.filename: entry for entry in entries}
        for part in sorted(_sheet_parts(archive, entries, name)):
            if part in by_name:
                _scan_sheet(archive, by_name[part], name)


_WORKSHEET = "/relationships/worksheet"


def _sheet_parts(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], name: str) -> set[str]:
    """The worksheets of the archive: what its relationships call a worksheet, wherever it
    lies, and anything under xl/worksheets/."""
    # openpyxl's own parser: defusedxml's when installed (it is: fpdf2 requires it), which
    # refuses entity declarations.
    from openpyxl.xml.functions import fromstring

    found = {
        e.filename for e in entries
        if e.filename.lower().startswith("xl/worksheets/") and e.filename.lower().endswith(".xml")
    }  # fmt: skip
    for entry in entries:
        if not entry.filename.endswith(".rels"):
            continue
        try:
            tree = fromstring(archive.read(entry))
        except Exception as exc:  # a damaged or hostile part (entities are refused)
            raise FileError(
                _("%(name)s is not a readable .xlsx file (%(why)s)")
                % {"name": name, "why": shown(exc, limit=200)}
            ) from exc
        # xl/_rels/workbook.xml.rels describes the parts of xl/workbook.xml
        base = posixpath.dirname(posixpath.dirname(entry.filename))
        for relation in tree.iter():
            target = relation.get("Target") or ""
            if (relation.get("Type") or "").endswith(_WORKSHEET) and target:
                path = target.lstrip("/") if target.startswith("/") else f"{base}/{target}"
                found.add(posixpath.normpath(path).lstrip("/"))
    return found


def _check_entry(entry: zipfile.ZipInfo, name: str) -> None:
    lowered = entry.filename.lower()
    _check_part_size(entry, lowered, name)
    if entry.file_size > MAX_XLSX_PLAIN_BYTES and entry.file_size > MAX_XLSX_RATIO * max(
        entry.compress_size, 1
    ):
        raise FileError(
            _("%(name)s: %(part)s packs %(ratio)d to 1, which only a zip bomb does")
            % {
                "name": name,
                "part": shown(entry.filename),
                "ratio": entry.file_size // max(entry.compress_size, 1),
            }
        )


def _check_part_size(entry: zipfile.ZipInfo, lowered: str, name: str) -> None:
    if lowered.startswith("xl/worksheets/") or not lowered.endswith((".xml", ".rels")):
        return  # sheets are scanned row by row; pictures and other files are never read
    most = (
        MAX_XLSX_SHARED_STRINGS_BYTES if lowered == "xl/sharedstrings.xml" else MAX_XLSX_PART_BYTES
    )
    if entry.file_size > most:
        raise FileError(
            _("%(name)s: %(part)s is larger than %(mb)d MB; split the file or save it as CSV")
            % {"name": name, "part": shown(entry.filename), "mb": most // MiB}
        )


def _scan_sheet(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, name: str) -> None:
    """Each row of the sheet's XML: not more than MAX_XLSX_ROW_BYTES nor
    MAX_XLSX_CELLS_PER_ROW cells (openpyxl holds a whole row in memory, up to 30 bytes of memory
    per byte of a row of small cells), and numbered within MAX_XLSX_ROWS (openpyxl makes up every
    missing row before a far one). What follows the last row counts as part of it."""
    carry = b""
    base = 0  # offset in the sheet's XML of carry's first byte
    row_start = 0  # offset where the current row began
    cells = 0

    def check(cells: int, size: int) -> None:
        if cells > MAX_XLSX_CELLS_PER_ROW:
            raise _row_error(name, entry, _("more than %(n)d cells"), MAX_XLSX_CELLS_PER_ROW)
        if size > MAX_XLSX_ROW_BYTES:
            raise _row_error(name, entry, _("more than %(n)d MB"), MAX_XLSX_ROW_BYTES // MiB)

    try:
        with archive.open(entry) as stream:
            while True:
                chunk = stream.read(1 << 20)
                data = carry + chunk
                # A tag may be cut by the end of the chunk: keep the last "<" for the next one.
                cut = data.rfind(b"<", max(0, len(data) - 64)) if chunk else -1
                end = cut if cut >= 0 else len(data)
                previous = 0
                for match in _ROW_START.finditer(data, 0, end):
                    cells += len(_CELL_START.findall(data, previous, match.start()))
                    check(cells, base + match.start() - row_start)
                    tag_end = data.find(b">", match.start(), end)
                    number = _ROW_NUMBER.search(data, match.start(), tag_end)
                    if number and int(number.group(1)[-12:]) > MAX_XLSX_ROWS:
                        raise FileError(
                            _("%(name)s has more than %(n)d rows, more than a sheet holds")
                            % {"name": name, "n": MAX_XLSX_ROWS}
                        )
                    row_start, cells, previous = base + match.start(), 0, match.start()
                cells += len(_CELL_START.findall(data, previous, end))
                check(cells, base + end - row_start)
                carry, base = data[end:], base + end
                if not chunk:
                    break
    except FileError:
        raise
    except Exception as exc:  # a damaged entry: bad CRC, bad deflate data, encrypted, ...
        raise FileError(
            _("%(name)s is not a readable .xlsx file (%(why)s)")
            % {"name": name, "why": shown(exc, limit=200)}
        ) from exc


def _row_error(name: str, entry: zipfile.ZipInfo, what: str, n: int) -> FileError:
    return FileError(
        _("%(name)s: a row of %(sheet)s holds %(what)s; a spreadsheet row holds far less")
        % {"name": name, "sheet": shown(entry.filename), "what": what % {"n": n}}
    )


def _xlsx_rows(path: Path, name: str) -> Iterator[tuple[int, list[Any]]]:
    xlsx_check(path, name)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of error on a damaged file
        raise FileError(
            _("%(name)s is not a readable .xlsx file (%(why)s)")
            % {"name": name, "why": shown(exc, limit=200)}
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        for sheet_name in ("data", "register", "isian"):
            if sheet_name in workbook.sheetnames:
                sheet = workbook[sheet_name]
                break
        # A sheet's recorded size can be wrong (some programs write A1:A1): read every row.
        sheet.reset_dimensions()
    except Exception as exc:
        workbook.close()
        raise FileError(
            _("%(name)s is not a readable .xlsx file (%(why)s)")
            % {"name": name, "why": shown(exc, limit=200)}
        ) from exc

    def generate() -> Iterator[tuple[int, list[Any]]]:
        number = 0
        try:
            for number, cells in enumerate(
                sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1), start=1
            ):
                if number > MAX_XLSX_ROWS:
                    raise FileError(
                        _("%(name)s has more than %(n)d rows, more than a sheet holds")
                        % {"name": name, "n": MAX_XLSX_ROWS}
                    )
                yield number, list(cells)
        except FileError:
            raise
        except Exception as exc:  # a damaged part of the sheet, found while reading it
            raise FileError(
                _("%(name)s could not be read after row %(n)d (%(why)s)")
                % {"name": name, "n": number, "why": shown(exc, limit=200)}
            ) from exc
        finally:
            workbook.close()

    return generate()
