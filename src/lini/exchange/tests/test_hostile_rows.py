"""Hostile rows mixed with good ones, for every kind of the registry (issue 7, item 6).

Each example writes a CSV or XLSX of a few good rows and a few rows that are each a good row
with one cell made hostile (a wrong type, a formula, a huge cell, control characters, odd
unicode, a date out of range, a negative count, a blank required cell, padding spaces) or a copy
of another row's key, and imports it. Then:

- nothing escapes the import, every problem names a row of the file, and no problem is Lini's
  "unexpected error" (a check that did not foresee the cell);
- a row that must be refused is refused, with a problem naming its row and the column;
- a refused row leaves nothing of itself: the kind's export holds exactly the accepted rows;
- a good row (and a row whose cell was only padded with spaces) is stored whole: its exported
  row is the one a clean import of it alone gives.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django.db import transaction
from django.utils import translation

from lini.exchange.records import unexpected_error_message
from lini.exchange.registry import DataKind, ImportReport, get_kind, kinds
from lini.exchange.services import import_run
from lini.exchange.tests.hostile import write_table
from lini.kb.tests.factories import make_couple
from lini.poktan.tests.helpers import group
from lini.regions.models import Region, RegionLevel
from lini.regions.tests.places import BANTEN, CIRUAS, SINGAMERTA

pytestmark = pytest.mark.django_db

REFUSE, ACCEPT, EITHER = "refuse", "accept", "either"

# Column types. Free text ("text") takes any printable text up to its length; a "lookup" is text
# a service checks against stored data (it may be refused, and then on its own column).
TEXT, LOOKUP = "text", "lookup"
CODE, DATE, MONTH, COUNT, FLAG, CHOICE, DIGITS, UNIT, DECIMAL = (
    "code", "date", "month", "count", "flag", "choice", "digits", "unit", "decimal",
)  # fmt: skip
STRICT = {CODE, DATE, MONTH, COUNT, DIGITS, UNIT, DECIMAL}  # nothing odd passes these

FORMULAS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3", "=1+1"]
ODD_UNICODE = ["\u202e", "\u200b", "\u200f", "\u0301", "\U0001f600", "\ufeff"]
CONTROLS = ["\x00", "\x01", "\x1b", "\x7f", "\x0b"]
HUGE = 40_000  # characters: more than a spreadsheet cell holds


@dataclass(frozen=True)
class Case:
    """What the test knows of a kind: its columns' types, a good row per index, the columns that
    find a row in the export, and the text columns' lengths."""

    slug: str
    types: dict[str, str]
    good: Callable[[int], dict[str, Any]]
    identity: tuple[str, ...]
    lengths: dict[str, int] = field(default_factory=dict)
    # Columns whose blank value a good row may not have although the template calls them
    # optional (or the reverse); by default the kind's own "required" flags.
    required: frozenset[str] | None = None


def _villages() -> list[str]:
    return list(
        Region.objects.filter(level=RegionLevel.VILLAGE, code__startswith=CIRUAS + ".")
        .order_by("code")
        .values_list("code", flat=True)
    )


VILLAGES: list[str] = []


def village(i: int) -> str:
    if not VILLAGES:
        VILLAGES.extend(_villages())
    return VILLAGES[i % len(VILLAGES)]


def _register(i: int) -> dict[str, Any]:
    return {
        "no_kk": f"3604091234{i:06d}", "kode_wilayah": SINGAMERTA, "dusun": "Krajan",
        "rw": "003", "rt": "001", "alamat": f"Jl. Raya {i}", "tanggal_pendataan": "2019-11-01",
        "pendata": "Euis", "nik": f"36040901018{i:05d}", "nama": f"Ahmad {i}",
        "jenis_kelamin": "L", "tanggal_lahir": "1985-01-01", "hubungan": "kepala",
        "status_kawin": "belum_kawin", "pendidikan": "4", "pekerjaan": "", "keberadaan": "",
        "tanggal_keberadaan": "", "status_kb": "", "metode_kb": "", "tanggal_mulai_kb": "",
        "tempat_pelayanan_kb": "", "alasan_tidak_kb": "",
    }  # fmt: skip


def _facility(i: int) -> dict[str, Any]:
    return {
        "kode_faskes": f"P36040901{i:02d}", "nama": f"Puskesmas {i}", "jenis": "faskes",
        "tingkat": "puskesmas", "kepemilikan": "kabkota", "kode_wilayah": CIRUAS,
        "kode_faskes_induk": "", "alamat": f"Jl. Raya {i}", "bpjs": "ya",
        "no_pks_bpjs": f"PKS/{i}/2019", "pks_berlaku_sampai": "2030-12-31", "aktif": "ya",
    }  # fmt: skip


def _service(i: int) -> dict[str, Any]:
    return {
        "tanggal": "2019-06-01", "nik_istri": f"360409480882{i + 1:04d}", "metode": "suntik",
        "produk": "suntik_3", "jenis_kunjungan": "ulang", "alasan_setelah_cabut": "", "pasca_persalinan": "tidak",
        "informed_consent": "ya", "kode_faskes": "", "petugas": f"Bidan {i}",
        "catatan": f"kunjungan {i}",
    }  # fmt: skip


def _poktan(i: int) -> dict[str, Any]:
    return {
        "kode_desa": SINGAMERTA, "jenis": "bkb", "nama": f"Mawar {i}", "kode_wilayah": "",
        "tanggal_bentuk": "2018-05-02", "no_sk": f"{i}/SK/2018", "ketua": "Ibu Euis",
        "sekretaris": "", "bendahara": "", "sumber_modal": "", "anggota_no_kk": "",
    }  # fmt: skip


def _meeting(i: int) -> dict[str, Any]:
    return {
        "kode_desa": SINGAMERTA, "jenis": "bkb", "nama_poktan": "Melati",
        "tanggal": f"2019-06-{i % 28 + 1:02d}", "topik": f"Gizi {i}", "jumlah_hadir": "0",
        "catatan": f"catatan {i}",
    }  # fmt: skip


def _kampung(i: int) -> dict[str, Any]:
    return {
        "kode_desa": village(i), "nama": f"Kampung KB {i}", "tanggal_pencanangan": "2017-03-14",
        "kriteria": "kumuh", "pokja_ada": "ya", "pokja_sk": f"SK/{i}/2017",
        "pokja_tanggal_sk": "2017-04-01", "pokja_anggota": "9", "pokja_terlatih": "2",
        "regulasi": "ya", "rkm": "tidak", "mitra_sektor": "Puskesmas Ciruas",
        "sumber_dana": "apbd", "kegiatan_operasional": "perencanaan", "penggunaan_data": "pk",
        "sekretariat": "ya", "rumah_dataku": "aktif", "rumah_dataku_sejak": "2019-02-01",
        "rumah_dataku_data": "pk", "rumah_dataku_diperbarui": "2019-10-01",
    }  # fmt: skip


def _monthly(i: int) -> dict[str, Any]:
    from lini.monthly.exchange import COUNT_COLUMNS

    return {
        "kode_desa": village(i), "bulan": "2019-11",
        **{column: "0" for column, _f in COUNT_COLUMNS}, "catatan": f"rakor {i}",
    }  # fmt: skip


def _worker(i: int) -> dict[str, Any]:
    return {
        "nip": "", "nama": f"Budi Santoso {i}", "jenis": "plkb", "kode_kecamatan": CIRUAS,
        "desa_binaan": SINGAMERTA, "telepon": f"0812345{i:04d}", "anggota_ipekb": "ya",
        "tingkat_pengurus_ipekb": "", "jabatan_ipekb": "", "nama_pengguna": "", "aktif": "ya",
    }  # fmt: skip


def _cadre(i: int) -> dict[str, Any]:
    return {
        "nama": f"Euis Rosita {i}", "jenis": "poktan", "kode_desa": SINGAMERTA,
        "kode_wilayah_kerja": "", "telepon": f"0813{i:07d}", "terlatih": "ya",
        "sejak": "2015-02-01", "nama_pengguna": "", "aktif": "ya",
    }  # fmt: skip


def _target(i: int) -> dict[str, Any]:
    return {"kode_wilayah": CIRUAS, "tahun": str(2001 + i), "indikator": "cpr", "target": "61.5"}


def _monthly_types() -> dict[str, str]:
    from lini.monthly.exchange import COUNT_COLUMNS

    return {
        "kode_desa": CODE, "bulan": MONTH, **{column: COUNT for column, _f in COUNT_COLUMNS},
        "catatan": TEXT,
    }  # fmt: skip


CASES = {
    "register": Case(
        "register",
        {
            "no_kk": DIGITS,
            "kode_wilayah": CODE,
            "dusun": TEXT,
            "rw": UNIT,
            "rt": UNIT,
            "alamat": TEXT,
            "tanggal_pendataan": DATE,
            "pendata": TEXT,
            "nik": DIGITS,
            "nama": TEXT,
            "jenis_kelamin": CHOICE,
            "tanggal_lahir": DATE,
            "hubungan": CHOICE,
            "status_kawin": CHOICE,
            "pendidikan": CHOICE,
            "pekerjaan": CHOICE,
            "keberadaan": CHOICE,
            "tanggal_keberadaan": DATE,
            "status_kb": CHOICE,
            "metode_kb": CHOICE,
            "tanggal_mulai_kb": DATE,
            "tempat_pelayanan_kb": TEXT,
            "alasan_tidak_kb": CHOICE,
        },
        _register,
        ("no_kk",),
        {"dusun": 60, "alamat": 200, "pendata": 100, "nama": 100, "tempat_pelayanan_kb": 120},
    ),
    "facilities": Case(
        "facilities",
        {
            "kode_faskes": TEXT,
            "nama": TEXT,
            "jenis": CHOICE,
            "tingkat": CHOICE,
            "kepemilikan": CHOICE,
            "kode_wilayah": CODE,
            "kode_faskes_induk": LOOKUP,
            "alamat": TEXT,
            "bpjs": FLAG,
            "no_pks_bpjs": TEXT,
            "pks_berlaku_sampai": DATE,
            "aktif": FLAG,
        },
        _facility,
        ("kode_faskes",),
        {"kode_faskes": 20, "nama": 120, "alamat": 200, "no_pks_bpjs": 60},
    ),
    "services": Case(
        "services",
        {
            "tanggal": DATE,
            "nik_istri": DIGITS,
            "metode": CHOICE,
            "produk": CHOICE,
            "jenis_kunjungan": CHOICE,
            "alasan_setelah_cabut": CHOICE,
            "pasca_persalinan": FLAG,
            "informed_consent": FLAG,
            "kode_faskes": LOOKUP,
            "petugas": TEXT,
            "catatan": TEXT,
        },
        _service,
        ("tanggal", "nik_istri", "metode", "jenis_kunjungan"),
        {"petugas": 100, "catatan": 2000},
    ),
    "poktan": Case(
        "poktan",
        {
            "kode_desa": CODE,
            "jenis": CHOICE,
            "nama": TEXT,
            "kode_wilayah": LOOKUP,
            "tanggal_bentuk": DATE,
            "no_sk": TEXT,
            "ketua": TEXT,
            "sekretaris": TEXT,
            "bendahara": TEXT,
            "sumber_modal": LOOKUP,
            "anggota_no_kk": LOOKUP,
        },
        _poktan,
        ("kode_desa", "jenis", "nama"),
        {"nama": 120, "no_sk": 80, "ketua": 100, "sekretaris": 100, "bendahara": 100},
    ),
    "meetings": Case(
        "meetings",
        {
            "kode_desa": CODE,
            "jenis": CHOICE,
            "nama_poktan": LOOKUP,
            "tanggal": DATE,
            "topik": TEXT,
            "jumlah_hadir": COUNT,
            "catatan": TEXT,
        },
        _meeting,
        ("kode_desa", "jenis", "nama_poktan", "tanggal", "topik"),
        {"topik": 200, "catatan": 2000},
    ),
    "kampung": Case(
        "kampung",
        {
            "kode_desa": CODE,
            "nama": TEXT,
            "tanggal_pencanangan": DATE,
            "kriteria": CHOICE,
            "pokja_ada": FLAG,
            "pokja_sk": TEXT,
            "pokja_tanggal_sk": DATE,
            "pokja_anggota": COUNT,
            "pokja_terlatih": COUNT,
            "regulasi": FLAG,
            "rkm": FLAG,
            "mitra_sektor": TEXT,
            "sumber_dana": CHOICE,
            "kegiatan_operasional": CHOICE,
            "penggunaan_data": CHOICE,
            "sekretariat": FLAG,
            "rumah_dataku": CHOICE,
            "rumah_dataku_sejak": DATE,
            "rumah_dataku_data": CHOICE,
            "rumah_dataku_diperbarui": DATE,
        },
        _kampung,
        ("kode_desa",),
        {"nama": 120, "pokja_sk": 80},
    ),
    "monthly-inputs": Case(
        "monthly-inputs",
        _monthly_types(),
        _monthly,
        ("kode_desa", "bulan"),
        {"catatan": 2000},
    ),
    "workers": Case(
        "workers",
        {
            "nip": LOOKUP,
            "nama": TEXT,
            "jenis": CHOICE,
            "kode_kecamatan": CODE,
            "desa_binaan": CODE,
            "telepon": LOOKUP,
            "anggota_ipekb": FLAG,
            "tingkat_pengurus_ipekb": CHOICE,
            "jabatan_ipekb": TEXT,
            "nama_pengguna": LOOKUP,
            "aktif": FLAG,
        },
        _worker,
        ("nama", "kode_kecamatan"),
        {"nama": 100, "jabatan_ipekb": 60},
    ),
    "cadres": Case(
        "cadres",
        {
            "nama": TEXT,
            "jenis": CHOICE,
            "kode_desa": CODE,
            "kode_wilayah_kerja": LOOKUP,
            "telepon": LOOKUP,
            "terlatih": FLAG,
            "sejak": DATE,
            "nama_pengguna": LOOKUP,
            "aktif": FLAG,
        },
        _cadre,
        ("kode_desa", "jenis", "nama"),
        {"nama": 100},
    ),
    "targets": Case(
        "targets",
        {"kode_wilayah": CODE, "tahun": COUNT, "indikator": LOOKUP, "target": DECIMAL},
        _target,
        ("kode_wilayah", "tahun", "indikator"),
    ),
}


def test_every_kind_of_the_registry_has_a_case() -> None:
    assert set(CASES) == {slug for slug in kinds() if not slug.startswith("test-")}
    for slug, case in CASES.items():
        assert list(case.types) == get_kind(slug).column_names, slug


# Mutations -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mutation:
    column: str
    value: Any
    expect: str
    what: str  # for the failure message

    def __repr__(self) -> str:
        value = repr(self.value)
        value = value if len(value) < 50 else f"{value[:40]}... ({len(value)} characters)"
        return f"Mutation({self.column}={value}, {self.expect}: {self.what})"


def _pad(good: Any) -> Any:
    return f"  {good}  " if isinstance(good, str) and good else good


def mutations(
    case: Case, kind: DataKind, good: dict[str, Any], suffix: str
) -> st.SearchStrategy[Mutation]:
    """One hostile change of one cell of ``good``, with what the import must do with it."""
    # An XLSX cannot hold most control characters (XML forbids them); DEL and C1 it can.
    controls = CONTROLS if suffix == ".csv" else ["\x7f", "\x9b"]
    required = case.required or {c.name for c in kind.columns if c.required}
    options: list[st.SearchStrategy[Mutation]] = []
    for column, kind_of in case.types.items():
        strict = kind_of in STRICT
        typed = kind_of not in (TEXT, LOOKUP)
        length = case.lengths.get(column, 0)

        def build(value: Any, expect: str, what: str, column: str = column) -> Mutation:
            return Mutation(column, value, expect, what)

        options.append(st.sampled_from(FORMULAS).map(
            lambda v, typed=typed, b=build: b(v, REFUSE if typed else EITHER, "formula")
        ))  # fmt: skip
        options.append(st.sampled_from(controls).map(
            lambda v, b=build, g=good[column]: b(f"{g or 'x'}{v}z", REFUSE, "control character")
        ))  # fmt: skip
        options.append(st.sampled_from([HUGE, 10**6]).map(
            lambda n, b=build: b("9" * n if n > HUGE else "x" * n, REFUSE, "huge cell")
        ))  # fmt: skip
        options.append(st.sampled_from(ODD_UNICODE).map(
            lambda u, b=build, g=good[column], strict=strict: b(
                f"{g or 'x'}{u}", REFUSE if strict else EITHER, "odd unicode"
            )
        ))  # fmt: skip
        if good[column] not in ("", None):
            options.append(st.just(build(_pad(good[column]), ACCEPT, "padded with spaces")))
        if column in required:
            options.append(st.just(build("", REFUSE, "blank required cell")))
        if kind_of == TEXT and length:
            options.append(st.just(build("y" * (length + 1), REFUSE, "text one too long")))
        if typed:
            wrong: list[Any] = ["abc", "²", dt.date(2019, 1, 1)]
            if kind_of in (DATE, MONTH):
                wrong.remove(dt.date(2019, 1, 1))  # a date is a date (and a month)
            if kind_of != FLAG:
                wrong.append(True)  # a flag reads a boolean cell
            if kind_of != DECIMAL:  # a target is any number: 3.5, 1e5, Arabic-Indic digits
                wrong += [3.5, "1e5", "٣٦٠٤"]
            options.append(st.sampled_from(wrong).map(
                lambda v, b=build: b(v, REFUSE, "wrong type")
            ))  # fmt: skip
        if kind_of == DATE:
            options.append(st.sampled_from(
                ["01/01/1800", "31/12/3000", "0001-01-01", "9999-12-31", "00/00/0000", 0, -1,
                 3_000_000, dt.date(1850, 1, 1)]
            ).map(lambda v, b=build: b(v, REFUSE, "date out of range")))  # fmt: skip
        if kind_of in (COUNT, UNIT, DECIMAL):
            options.append(st.sampled_from([-1, "-5", -0.5, "\u22123", 10**40]).map(
                lambda v, b=build: b(v, REFUSE, "negative or huge number")
            ))  # fmt: skip
    return st.one_of(options)


# The test ------------------------------------------------------------------------------------


@pytest.fixture
def prepared(request: pytest.FixtureRequest) -> str:
    """Data the kind's rows refer to: couples for services, a group for meetings."""
    slug = request.param
    if slug == "services":
        for serial in range(1, 13):
            make_couple(SINGAMERTA, serial=serial)
    if slug == "meetings":
        group(SINGAMERTA, "bkb", "Melati")
    return slug


def _exported(kind: DataKind, case: Case) -> dict[tuple[str, ...], dict[str, Any]]:
    rows = [
        dict(zip(kind.column_names, row, strict=True))
        for row in kind.export_rows(user=None, region=Region.objects.get(code=BANTEN))
    ]
    found = {_identity(case, row): row for row in rows}
    assert len(found) == len(rows), "two exported rows with the same identity"
    return found


def _identity(case: Case, row: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(row[c]).strip().lower() for c in case.identity)


_REFERENCE: dict[tuple[str, int], dict[str, Any]] = {}


def _reference(case: Case, kind: DataKind, indices: list[int], folder: Path) -> None:
    """The exported row of each good row imported alone and clean (kept for the session)."""
    missing = [i for i in indices if (case.slug, i) not in _REFERENCE]
    if not missing:
        return
    path = write_table(
        folder / "reference.csv", kind.column_names,
        [[case.good(i)[c] for c in kind.column_names] for i in missing],
    )  # fmt: skip
    with transaction.atomic():
        report = import_run(kind=kind, path=path, user=None)
        assert report.problems_total == 0, report.problems
        exported = _exported(kind, case)
        for i in missing:
            _REFERENCE[(case.slug, i)] = exported[_identity(case, case.good(i))]
        transaction.set_rollback(True)


_files = itertools.count()


@st.composite
def files(draw: st.DrawFn, slug: str) -> tuple[str, list[int], list[tuple[int, Mutation]], int]:
    case, kind = CASES[slug], get_kind(slug)
    good = draw(st.lists(st.integers(0, 11), min_size=1, max_size=3, unique=True))
    others = [i for i in range(12) if i not in good]
    hostile_indices = draw(st.lists(st.sampled_from(others), min_size=1, max_size=4, unique=True))
    suffix = draw(st.sampled_from([".csv", ".xlsx"]))
    hostile = [(i, draw(mutations(case, kind, case.good(i), suffix))) for i in hostile_indices]
    duplicate = draw(st.sampled_from([-1, *good]))  # a copy of a good row's key, at the end
    return suffix, good, hostile, duplicate


def _problems_by_line(report: ImportReport) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {}
    for problem in report.problems:
        found.setdefault(problem.line, []).append((problem.column, problem.message))
    return found


@pytest.mark.parametrize("prepared", list(CASES), indirect=True)
@settings(
    max_examples=12,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_hostile_rows_are_refused_alone_and_good_rows_stored_whole(
    prepared: str, tmp_path: Path, data: st.DataObject
) -> None:
    case, kind = CASES[prepared], get_kind(prepared)
    suffix, good, hostile, duplicate = data.draw(files(prepared))
    _reference(case, kind, sorted({*good, *(i for i, _m in hostile)}), tmp_path)

    # The file: good and hostile rows in a drawn order, then the duplicate key (if any).
    rows: list[tuple[str, int, Mutation | None]] = [("good", i, None) for i in good]
    rows += [("hostile", i, m) for i, m in hostile]
    order = data.draw(st.permutations(rows))
    values = []
    for _what, i, mutation in order:
        row = dict(case.good(i))
        if mutation is not None:
            row[mutation.column] = mutation.value
        values.append([row[c] for c in kind.column_names])
    if duplicate >= 0:
        spare = next(i for i in range(12, 24))
        row = dict(case.good(spare))
        row.update({c: case.good(duplicate)[c] for c in case.identity})
        if prepared == "register":  # a family of its own with the same person
            row["nik"] = case.good(duplicate)["nik"]
            row["no_kk"] = case.good(spare)["no_kk"]
        values.append([row[c] for c in kind.column_names])
    path = write_table(tmp_path / f"hostile-{next(_files)}{suffix}", kind.column_names, values)

    with translation.override("en"), transaction.atomic():
        report = import_run(
            kind=kind, path=path, user=None, rejects_path=path.with_suffix(".rej.csv")
        )
        exported = _exported(kind, case)
        transaction.set_rollback(True)

    lines = {n + 2: item for n, item in enumerate(order)}  # the header is row 1
    by_line = _problems_by_line(report)
    collateral = _collateral(prepared, lines)
    assert report.rows_read == len(values)
    assert set(by_line) <= set(range(2, len(values) + 2)), by_line
    for problems in by_line.values():
        for _column, message in problems:
            assert message
            assert "Traceback" not in message
            assert message != unexpected_error_message(), (by_line, order)
    for line, (what, i, mutation) in lines.items():
        identity = _identity(case, case.good(i))
        context = (line, what, mutation, by_line.get(line))
        if line in collateral:  # refused with the family its row joined (register only)
            assert identity not in exported, context
        elif mutation is None or mutation.expect == ACCEPT:
            assert line not in by_line, context
            assert exported.get(identity) == _REFERENCE[(case.slug, i)], context
        elif mutation.expect == REFUSE:
            assert line in by_line, context
            assert mutation.column in {c for c, _m in by_line[line]}, context
            if mutation.column not in case.identity:
                assert identity not in exported, context
        elif line in by_line:  # odd but readable, refused by a rule of the row: on a column
            assert all(c for c, _m in by_line[line]), context
            if mutation.column not in case.identity:
                assert identity not in exported, context
        else:  # accepted, although odd
            assert mutation.column in case.identity or identity in exported, context
    original = next((n for n, (w, i, _m) in lines.items() if w == "good" and i == duplicate), 0)
    if duplicate >= 0 and original not in collateral:  # else the copy is the only one stored
        line = len(values) + 1
        assert line in by_line, ("duplicate key", by_line)
        assert {c for c, _m in by_line[line]} & {*case.identity, "nik"}, by_line[line]
    assert report.rows_rejected == len({*by_line, *collateral}), (by_line, collateral)
    accepted = report.rows_read - report.rows_rejected
    assert len(exported) == accepted, (len(exported), accepted, by_line)


def _collateral(slug: str, lines: dict[int, tuple[str, int, Mutation | None]]) -> set[int]:
    """Rows refused only because a later row joined their family: in the register, a row whose
    No. KK cannot be read belongs to the family read before it, which then fails whole."""
    if slug != "register":
        return set()

    def unreadable_kk(line: int) -> bool:
        mutation = lines[line][2]
        return mutation is not None and mutation.column == "no_kk" and mutation.expect == REFUSE

    found = set()
    for line in lines:
        if unreadable_kk(line):
            back = line - 1
            while back in lines and unreadable_kk(back):
                back -= 1
            if back in lines:
                found.add(back)
    return found
