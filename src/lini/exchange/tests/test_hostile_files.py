"""Hostile files as a whole (issue 7, item 6): odd encodings and line endings that must still be
read right, and damaged or malicious files (cut short, not a zip, zip bombs, thousands of
entries, huge shared strings, entity expansion, rows wider or longer than a sheet holds) that
must be refused with a message naming the file, without exhausting memory, and with nothing
stored.
"""

from __future__ import annotations

import codecs
import csv
import io
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django.utils import translation

from lini.exchange import readers
from lini.exchange.readers import FileError, read_rows
from lini.exchange.registry import get_kind
from lini.exchange.services import import_run
from lini.exchange.tests.hostile import (
    SHEET_CLOSE,
    SHEET_OPEN,
    declare_size,
    sheet_row,
    sheet_xml,
    write_table,
    write_zip,
    xlsx_parts,
)
from lini.kampung.models import KampungKB
from lini.kb.models import Facility
from lini.regions.tests.places import CIRUAS, PULO, SINGAMERTA

pytestmark = pytest.mark.django_db

MiB = 1024 * 1024
HYPOTHESIS = settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def read_all(path: Path, name: str | None = None) -> tuple[list[str], list[dict[str, Any]]]:
    header, rows = read_rows(path, name=name)
    return header, [row.values for row in rows]


def peak_memory(action: Callable[[], object]) -> tuple[int, BaseException | None]:
    """The most memory ``action`` held at once (bytes, as tracemalloc counts Python's
    allocations), and the exception it raised."""
    tracemalloc.start()
    raised = None
    try:
        action()
    except Exception as exc:
        raised = exc
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, raised


def refused(path: Path, *, bound: int = 16 * MiB) -> str:
    """The FileError message reading ``path`` raises, after checking that the attempt held less
    than ``bound`` bytes of memory."""
    peak, raised = peak_memory(lambda: read_all(path))
    assert isinstance(raised, FileError), raised
    assert peak < bound, f"{peak / MiB:.1f} MB held while refusing {path.name}"
    message = str(raised)
    assert path.name in message
    assert "Traceback" not in message
    return message


# CSV: encodings, delimiters, line endings ----------------------------------------------------

# Letters whose Windows-1252 bytes are never valid UTF-8 together (all from 0xC0 up), so that a
# Windows-1252 line cannot be mistaken for UTF-8.
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ éèáàíóúñçüöäÉÑ'-.,;"
NAMES = st.text(alphabet=LETTERS, max_size=16).map(lambda text: "S" + text)
NOTES = st.one_of(st.just(""), NAMES, NAMES.map(lambda text: text + "\nbaris dua"))
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252", "latin-1",
             "utf-32", "mixed"]  # fmt: skip


def encode_csv(
    rows: list[list[str]], *, encoding: str, delimiter: str, endings: list[str]
) -> bytes:
    """``rows`` as a CSV file: each row ends with the next of ``endings``; "mixed" encodes each
    row in UTF-8 or Windows-1252 in turn (what copy and paste between programs makes)."""
    lines = []
    for number, row in enumerate(rows):
        buffer = io.StringIO()
        # csv quotes a field holding a line feed only when the line ends with one: quote all.
        quoting = csv.QUOTE_ALL if any("\n" in cell for cell in row) else csv.QUOTE_MINIMAL
        ending = endings[number % len(endings)]
        csv.writer(buffer, delimiter=delimiter, lineterminator=ending, quoting=quoting).writerow(
            row
        )
        lines.append(buffer.getvalue())
    if encoding == "mixed":
        return b"".join(line.encode("utf-8" if n % 2 else "cp1252") for n, line in enumerate(lines))
    return "".join(lines).encode(encoding)


@HYPOTHESIS
@given(
    rows=st.lists(st.tuples(NAMES, st.sampled_from(["36.04", "3604092013"]), NOTES), max_size=6),
    encoding=st.sampled_from(ENCODINGS),
    delimiter=st.sampled_from([",", ";", "\t"]),
    endings=st.lists(st.sampled_from(["\r\n", "\n", "\r"]), min_size=1, max_size=3),
)
def test_csv_in_any_common_encoding_and_line_ending_reads_the_same(
    tmp_path: Path,
    rows: list[tuple[str, str, str]],
    encoding: str,
    delimiter: str,
    endings: list[str],
) -> None:
    table = [["nama", "kode", "catatan"], *[list(row) for row in rows]]
    path = tmp_path / "data.csv"
    path.write_bytes(encode_csv(table, encoding=encoding, delimiter=delimiter, endings=endings))
    header, values = read_all(path)
    assert header == ["nama", "kode", "catatan"]
    assert [[v["nama"], v["kode"], v["catatan"]] for v in values] == [list(r) for r in rows]


def test_a_kampung_file_from_indonesian_excel_is_imported(tmp_path: Path) -> None:
    """Windows-1252, semicolons and CRLF, as Excel in an Indonesian locale saves "CSV"."""
    path = tmp_path / "kampung.csv"
    path.write_bytes(
        "kode_desa;nama;pokja_ada;pokja_anggota\r\n"
        f"{SINGAMERTA};Kampung KB Désa Ñusantara;ya;9\r\n"
        f"{PULO};Kampung KB Pulo;ya;3\r\n".encode("cp1252")
    )
    report = import_run(kind=get_kind("kampung"), path=path, user=None)
    assert report.rows_rejected == 0, report.problems
    assert KampungKB.objects.get(village__code=SINGAMERTA).name == "Kampung KB Désa Ñusantara"
    assert KampungKB.objects.get(village__code=PULO).pokja_members == 3


def test_invalid_utf16_is_refused_with_the_row(tmp_path: Path) -> None:
    path = tmp_path / "rusak.csv"
    path.write_bytes(
        codecs.BOM_UTF16_LE + "nama,kode\r\nAni,1\r\n".encode("utf-16-le") + b"\x00\xd8"
    )
    assert "is not valid utf-16-le" in refused(path)


def test_a_csv_cell_larger_than_the_limit_stops_the_file_and_nothing_is_stored(
    tmp_path: Path,
) -> None:
    path = tmp_path / "kampung.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(f"kode_desa,nama\r\n{SINGAMERTA},Kampung KB Singamerta\r\n")
        handle.write(f'{PULO},"{"x" * (readers.MAX_CSV_FIELD_CHARS + 10)}"\r\n')
    with pytest.raises(FileError, match=r"kampung\.csv, row 3: a cell is larger than 4 MB"):
        import_run(kind=get_kind("kampung"), path=path, user=None)
    assert not KampungKB.objects.exists()


def test_a_csv_line_longer_than_the_limit_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "panjang.csv"
    with path.open("wb") as handle:
        handle.write(b"nama,kode\n")
        for _chunk in range(readers.MAX_CSV_LINE_BYTES // MiB + 1):
            handle.write(b"x" * MiB)
    message = refused(path, bound=3 * readers.MAX_CSV_LINE_BYTES)
    assert "row 2: the line is longer than 16 MB" in message


def test_a_duplicate_or_unreadable_column_name_is_refused(tmp_path: Path) -> None:
    path = write_table(tmp_path / "dua.csv", ["nama", "Nama ", "kode"], [["a", "b", "c"]])
    assert "has the column nama twice (columns 1 and 2)" in refused(path)
    path = write_table(tmp_path / "aneh.csv", ["nama", "ko\x00de"], [["a", "b"]])
    assert "the name of column 2 is not a column name" in refused(path)


def test_missing_required_columns_refuse_the_file_and_extra_columns_are_ignored(
    tmp_path: Path,
) -> None:
    kind = get_kind("kampung")
    missing = write_table(tmp_path / "kurang.csv", ["nama", "pokja_anggota"], [["A", "1"]])
    with pytest.raises(FileError, match=r"kurang\.csv lacks the column\(s\) kode_desa"):
        import_run(kind=kind, path=missing, user=None)
    extra = write_table(
        tmp_path / "lebih.xlsx", ["kode_desa", "nama", "=HYPERLINK(1)", "warna"],
        [[SINGAMERTA, "Kampung KB", "x", "merah"]],
    )  # fmt: skip
    report = import_run(kind=kind, path=extra, user=None)
    assert (report.rows_read, report.rows_rejected) == (1, 0)
    assert KampungKB.objects.get().name == "Kampung KB"


# XLSX: damaged and malicious archives ---------------------------------------------------------


def good_xlsx(path: Path) -> Path:
    """A facilities file of two good rows, written by openpyxl."""
    header = ["kode_faskes", "nama", "jenis", "tingkat", "kepemilikan", "kode_wilayah"]
    rows = [
        ["P1", "Puskesmas Ciruas", "faskes", "puskesmas", "kabkota", CIRUAS],
        ["P2", "Puskesmas Pulo", "faskes", "puskesmas", "kabkota", CIRUAS],
    ]
    return write_table(path, header, rows)


@HYPOTHESIS
@given(cut=st.floats(min_value=0.0, max_value=0.999))
def test_an_xlsx_cut_short_anywhere_is_refused_and_nothing_stored(
    tmp_path: Path, cut: float
) -> None:
    whole = good_xlsx(tmp_path / "utuh.xlsx").read_bytes()
    path = tmp_path / "terpotong.xlsx"
    path.write_bytes(whole[: int(len(whole) * cut)])
    assert "is not a readable .xlsx file" in refused(path)
    with pytest.raises(FileError):
        import_run(kind=get_kind("facilities"), path=path, user=None)
    assert not Facility.objects.exists()


@HYPOTHESIS
@given(content=st.one_of(st.binary(max_size=2000), st.sampled_from(
    [b"", b"%PDF-1.4 ...", b"nama,kode\r\nAni,1\r\n", b"PK\x03\x04 not a zip", b"PK\x05\x06" + bytes(18)]
)))  # fmt: skip
def test_a_file_that_is_no_zip_named_xlsx_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bukan.xlsx"
    path.write_bytes(content)
    assert "bukan.xlsx" in refused(path)


def test_a_zip_bomb_that_declares_gigabytes_is_refused_before_unpacking(
    tmp_path: Path, settings: Any
) -> None:
    settings.LINI_UPLOAD_MAX_MB = 10  # Lini reads at most 20 x 10 MB unpacked
    path = write_zip(tmp_path / "bom.xlsx", xlsx_parts())
    declare_size(path, "xl/worksheets/sheet1.xml", 3 * 1024 * MiB)
    message = refused(path, bound=2 * MiB)
    assert "unpacks to 3072 MB, more than the 200 MB Lini reads" in message


def _bomb_rows(total: int) -> Iterator[bytes]:
    yield SHEET_OPEN
    row = sheet_row(1, ["a", "b"])
    block = row * (MiB // len(row))
    for _ in range(total // len(block)):
        yield block
    yield SHEET_CLOSE


def test_a_real_zip_bomb_is_refused_by_its_packing_ratio(tmp_path: Path) -> None:
    """256 MB of sheet XML packed into a few hundred KB (streamed: never whole in memory)."""
    path = write_zip(tmp_path / "bom.xlsx", xlsx_parts(sheet=_bomb_rows(256 * MiB)))
    assert path.stat().st_size < 2 * MiB
    message = refused(path, bound=2 * MiB)
    assert "xl/worksheets/sheet1.xml packs" in message
    assert "which only a zip bomb does" in message


def test_a_zip_of_thousands_of_entries_is_refused(tmp_path: Path) -> None:
    parts = xlsx_parts()
    parts.update({f"xl/media/image{n}.png": b"x" for n in range(2000)})
    path = write_zip(tmp_path / "banyak.xlsx", parts)
    assert "holds 2006 files; a workbook holds far fewer (at most 1000)" in refused(path)


def test_a_huge_shared_strings_table_is_refused_before_openpyxl_loads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    declared = write_zip(tmp_path / "teks.xlsx", xlsx_parts())
    declare_size(declared, "xl/sharedStrings.xml", 900 * MiB)
    message = refused(declared, bound=2 * MiB)
    assert "xl/sharedStrings.xml is larger than 64 MB" in message
    # A real table over the limit (the limit made small for the test).
    monkeypatch.setattr(readers, "MAX_XLSX_SHARED_STRINGS_BYTES", MiB)
    strings = b"".join(b"<si><t>nama %07d</t></si>" % n for n in range(60_000))
    table = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + strings
        + b"</sst>"
    )
    real = write_zip(tmp_path / "teks2.xlsx", xlsx_parts(strings=table))
    assert "xl/sharedStrings.xml is larger than 1 MB" in refused(real)


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
        for n in range(1, 10)
    )
    + b"]>"
)


@pytest.mark.parametrize("part", ["sheet", "strings", "workbook"])
def test_xml_entity_expansion_is_refused(tmp_path: Path, part: str) -> None:
    body = {
        "sheet": (
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
            b"</sheetData></worksheet>"
        ),
        "strings": (
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b"<si><t>&lol9;</t></si></sst>"
        ),
        "workbook": (
            b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            b'<sheets><sheet name="&lol9;" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
    }[part]
    path = write_zip(tmp_path / "tawa.xlsx", xlsx_parts(**{part: LAUGHS + body}))
    assert "tawa.xlsx" in refused(path, bound=8 * MiB)


def test_a_row_wider_or_longer_than_a_sheet_holds_is_refused(tmp_path: Path) -> None:
    wide = SHEET_OPEN + b'<row r="1">' + b"<c><v>1</v></c>" * 20_000 + b"</row>" + SHEET_CLOSE
    path = write_zip(tmp_path / "lebar.xlsx", xlsx_parts(sheet=wide))
    assert "a row of xl/worksheets/sheet1.xml holds more than 16384 cells" in refused(path)
    long = sheet_xml([["nama"], ["x" * (3 * MiB)]])
    path = write_zip(tmp_path / "panjang.xlsx", xlsx_parts(sheet=long))
    assert "holds more than 2 MB" in refused(path)


def test_a_row_number_past_the_end_of_a_sheet_is_refused(tmp_path: Path) -> None:
    sheet = (
        SHEET_OPEN
        + sheet_row(1, ["nama"])
        + b'<row r="99999999"><c r="A99999999"><v>1</v></c></row>'
        + SHEET_CLOSE
    )
    path = write_zip(tmp_path / "jauh.xlsx", xlsx_parts(sheet=sheet))
    assert "has more than 1048576 rows" in refused(path)


def test_rows_past_a_wrong_recorded_size_are_still_read(tmp_path: Path) -> None:
    rows = [["nama", "kode"], *[[f"Ani {n}", str(n)] for n in range(10)]]
    sheet = sheet_xml(rows).replace(b"<sheetData>", b'<dimension ref="A1:B2"/><sheetData>')
    path = write_zip(tmp_path / "ukuran.xlsx", xlsx_parts(sheet=sheet))
    header, values = read_all(path)
    assert header == ["nama", "kode"]
    assert [v["nama"] for v in values] == [f"Ani {n}" for n in range(10)]


def test_a_number_of_a_million_digits_refuses_the_file_and_nothing_is_stored(
    tmp_path: Path,
) -> None:
    """A crafted cell openpyxl cannot read, after good rows: the file is refused as a whole
    (read to the end before any row is stored)."""
    header = ["kode_faskes", "nama", "jenis", "tingkat", "kepemilikan", "kode_wilayah"]
    good = ["P1", "Puskesmas Ciruas", "faskes", "puskesmas", "kabkota", CIRUAS]
    sheet = (
        SHEET_OPEN + sheet_row(1, header) + sheet_row(2, good)
        + b'<row r="3"><c r="A3"><v>' + b"9" * 10**6 + b"</v></c></row>" + SHEET_CLOSE
    )  # fmt: skip
    path = write_zip(tmp_path / "angka.xlsx", xlsx_parts(sheet=sheet))
    with pytest.raises(FileError, match=r"angka\.xlsx could not be read after row 2"):
        import_run(kind=get_kind("facilities"), path=path, user=None)
    assert not Facility.objects.exists()


def test_an_entry_packed_with_an_unknown_method_is_refused(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "metode.xlsx", xlsx_parts())
    data = bytearray(path.read_bytes())
    position = data.find(b"PK\x01\x02")
    while position >= 0:  # every entry of the directory: compression method 99 (AES)
        data[position + 10 : position + 12] = (99).to_bytes(2, "little")
        position = data.find(b"PK\x01\x02", position + 4)
    path.write_bytes(bytes(data))
    assert "metode.xlsx" in refused(path)


def test_a_good_xlsx_passes_the_checks_and_is_read(tmp_path: Path) -> None:
    header, values = read_all(good_xlsx(tmp_path / "baik.xlsx"))
    assert header[:2] == ["kode_faskes", "nama"]
    assert [v["kode_faskes"] for v in values] == ["P1", "P2"]


def test_openpyxl_parses_workbooks_with_defusedxml() -> None:
    """openpyxl uses defusedxml when it is installed (fpdf2 requires it); without it, workbooks
    would be parsed by the standard library's XML parser."""
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML is True
