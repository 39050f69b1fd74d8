"""Importing the register from the spreadsheets people really make."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from django.core.management import call_command
from django.utils import translation

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.exchange.cells import normalise_header
from lini.exchange.registry import get_kind
from lini.exchange.services import import_run
from lini.register.choices import EventSource, KBStatus, Method, NotUsingReason
from lini.register.models import ContraceptiveEvent, Couple, Family, Member
from lini.register.tests.files import read_table, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # The messages are asserted word for word in English (the source language); users read them
    # in Indonesian, see test_messages_speak_indonesian.
    with translation.override("en"):
        yield


HEADER = [
    " No. KK ", "KODE WILAYAH", "Dusun", "RW", "RT", "Alamat", "Tanggal  Pendataan", "NIK", "Nama",
    "Jenis Kelamin", "Tanggal Lahir", "Hubungan", "Status Kawin", "Pendidikan", "Pekerjaan",
    "Status KB", "Metode KB", "Tanggal Mulai KB", "Tempat Pelayanan KB", "Alasan Tidak KB",
]  # fmt: skip

# Family A (rows 2-4): numbers typed as numbers, a code without dots, a real date cell, an
# Excel serial, dd-mm-yyyy, AKBK ("susuk") for an implant, "laki-laki".
A = [
    [3604091234560001, "3604092013", "Krajan", 3, 1, "Jl. Raya 1", dt.date(2019, 11, 1), 3604090101850001,
     "Ahmad", "laki-laki", dt.date(1985, 1, 1), "Kepala Keluarga", "Kawin", "SMA", "Petani", "", "", "", "", ""],
    [3604091234560001, "36.04.09.2013", "", "", "", "", "", "3604 0942 0388 0002", "Siti", "P",
     "02-03-1988", "Istri", "kawin", "4", "IRT", "ya", "AKBK", "15/06/2018", "Puskesmas Ciruas", ""],
    [3604091234560001, "", "", "", "", "", "", "3604091505100003", "Budi", "L", 40313, "anak",
     "belum kawin", "masih SD", "", "", "", "", "", ""],
]  # fmt: skip
# Family B (rows 5-6): one NIK has 15 digits; the whole family is refused.
B = [
    ["3604091234560002", "36.04.09.2013", "", "", "", "Gg. Mawar", "", "3604090202800004", "Udin", "L",
     "02/02/1980", "kepala", "kawin", "", "", "", "", "", "", ""],
    ["3604091234560002", "", "", "", "", "", "", "360409420385000", "Iis", "P", "02/02/1985", "istri",
     "kawin", "", "", "", "", "", "", ""],
]  # fmt: skip
# Family C (rows 7-8): two heads.
C = [
    ["3604091234560003", "36.04.09.2013", "", "", "", "", "", "3604090303700006", "Dede", "L", "03/03/1970",
     "kepala", "kawin", "", "", "", "", "", "", ""],
    ["3604091234560003", "", "", "", "", "", "", "3604094303720007", "Enok", "P", "03/03/1972", "kepala",
     "kawin", "", "", "", "", "", "", ""],
]  # fmt: skip
# Family D (row 9): the KB status on a man's row.
D = [
    ["3604091234560004", "36.04.09.2013", "", "", "", "", "", "3604090404900008", "Jaja", "L", "04/04/1990",
     "kepala", "belum kawin", "", "", "pakai", "kondom", "", "", ""],
]  # fmt: skip
# Family E (row 10): a village that does not exist.
E = [
    ["3604091234560005", "36.04.09.2999", "", "", "", "", "", "3604090505900009", "Oman", "L", "05/05/1990",
     "kepala", "belum kawin", "", "", "", "", "", "", ""],
]  # fmt: skip
# Family F (row 11): a NIK that Excel turned into scientific notation.
F = [
    ["3604091234560006", "36.04.09.2013", "", "", "", "", "", "3.60409E+15", "Asep", "L", "06/06/1990",
     "kepala", "belum kawin", "", "", "", "", "", "", ""],
]  # fmt: skip
# Family G (rows 12-13): not using, with no reason.
G = [
    ["3604091234560007", "36.04.09.2003", "", "", "", "", "", "3604090707880010", "Cecep", "L", "07/07/1988",
     "kepala", "kawin", "", "", "", "", "", "", ""],
    ["3604091234560007", "", "", "", "", "", "", "3604094707900011", "Neneng", "P", "07/07/1990", "istri",
     "kawin", "", "", "tidak", "", "", "", ""],
]  # fmt: skip
# Family H (rows 14-15): fine; not using because she wants no more children; date collected as a
# serial number (43770 = 1 Nov 2019); the wife's NIK says male (a warning, not a rejection).
H = [
    ["3604091234560008", "3604092003", "", "", "", "", 43770, "3604090808800012", "Dadang", "L", "08/08/1980",
     "kepala", "kawin", "", "", "", "", "", "", ""],
    ["3604091234560008", "", "", "", "", "", "", "3604090808820013", "Euis", "P", "08/08/1982", "istri",
     "kawin", "", "", "tidak pakai", "", "", "", "TIAL"],
]  # fmt: skip
ROWS = A + B + C + D + E + F + G + H


def messy_file(tmp_path: Path, suffix: str = ".xlsx") -> Path:
    path = tmp_path / f"pendataan{suffix}"
    if suffix == ".xlsx":
        return write_xlsx(path, HEADER, ROWS)
    return write_csv(path, HEADER, ROWS, delimiter=";")


def run(path: Path, **kwargs):  # type: ignore[no-untyped-def]
    return import_run(kind=get_kind("register"), path=path, user=kwargs.pop("user", None), **kwargs)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_messy_spreadsheet_gives_exactly_the_expected_rows_and_reasons(
    tmp_path: Path, suffix: str
) -> None:
    rejects = tmp_path / f"rejects{suffix}"
    report = run(messy_file(tmp_path, suffix), rejects_path=rejects)

    assert report.rows_read == 14
    assert report.rows_rejected == 9
    assert report.counts["families_created"] == 2
    assert report.counts["members_created"] == 5
    assert report.counts["couples_created"] == 2
    assert report.counts["events_created"] == 2
    reasons = {(p.line, p.column): p.message for p in report.problems}
    assert reasons == {
        (6, "nik"): "NIK must have 16 digits; 360409420385000 has 15",
        (7, "hubungan"): "a family has exactly one head living in it; found 2",
        (9, "status_kb"): reasons[(9, "status_kb")],
        (10, "kode_wilayah"): "no village has the code 36.04.09.2999",
        (11, "nik"): reasons[(11, "nik")],
        (13, "alasan_tidak_kb"): "give the reason for not using: hamil, ias, iat, tial, lainnya",
    }
    assert "wife" in reasons[(9, "status_kb")]
    assert "scientific notation" in reasons[(11, "nik")]
    assert report.warnings_total == 1
    assert report.warnings[0].line == 15

    header, rows = read_table(rejects)
    assert header[-1] == "kesalahan"
    assert header == [normalise_header(h) for h in HEADER] + ["kesalahan"]
    rejected_names = [row[8] for row in rows]
    assert rejected_names == [
        "Udin",
        "Iis",
        "Dede",
        "Enok",
        "Jaja",
        "Oman",
        "Asep",
        "Cecep",
        "Neneng",
    ]
    by_name = {row[8]: row[-1] for row in rows}
    assert "another row of this family has errors (row 6)" in by_name["Udin"]
    assert "16 digits" in by_name["Iis"]

    assert set(Family.objects.values_list("kk_number", flat=True)) == {
        "3604091234560001",
        "3604091234560008",
    }
    siti = Member.objects.get(nik="3604094203880002")
    assert (siti.name, siti.birth_date, siti.education) == ("Siti", dt.date(1988, 3, 2), "4")
    budi = Member.objects.get(nik="3604091505100003")
    assert budi.birth_date == dt.date(2010, 5, 15)  # Excel serial 40313
    family = Family.objects.get(kk_number="3604091234560001")
    assert (family.village.code, family.dusun, family.rw, family.rt) == (
        "36.04.09.2013",
        "Krajan",
        "003",
        "001",
    )
    assert Family.objects.get(kk_number="3604091234560008").collected_on == dt.date(2019, 11, 1)
    couple = Couple.objects.get(wife=siti)
    assert couple.husband.name == "Ahmad"
    assert (couple.status, couple.method, couple.status_since, couple.place) == (
        KBStatus.USING,
        Method.IMPLANT,
        dt.date(2018, 6, 15),
        "Puskesmas Ciruas",
    )
    euis = Couple.objects.get(wife__nik="3604090808820013")
    assert (euis.status, euis.reason) == (KBStatus.NOT_USING, NotUsingReason.NO_MORE_CHILDREN)
    assert euis.status_since == dt.date(2019, 11, 1)  # the date of data collection


def test_importing_the_same_file_twice_changes_nothing(tmp_path: Path) -> None:
    path = messy_file(tmp_path)
    run(path)
    before = (
        list(Family.objects.values_list("pk", "version", "updated_at")),
        list(Member.objects.values_list("pk", "updated_at")),
        list(Couple.objects.values_list("pk", "updated_at")),
        ContraceptiveEvent.objects.count(),
    )
    report = run(path)
    assert report.counts["families_unchanged"] == 2
    assert report.counts["members_unchanged"] == 5
    for key in (
        "families_created",
        "families_updated",
        "members_created",
        "members_updated",
        "couples_created",
        "events_created",
    ):
        assert report.counts[key] == 0, key
    after = (
        list(Family.objects.values_list("pk", "version", "updated_at")),
        list(Member.objects.values_list("pk", "updated_at")),
        list(Couple.objects.values_list("pk", "updated_at")),
        ContraceptiveEvent.objects.count(),
    )
    assert after == before


def test_an_updated_file_updates_by_kk_and_nik_and_a_new_status_is_a_new_event(
    tmp_path: Path,
) -> None:
    run(write_xlsx(tmp_path / "a.xlsx", HEADER, A))
    changed = [row[:] for row in A]
    changed[0][5] = "Jl. Raya 2"  # the family moved house in the village
    changed[1][16], changed[1][17], changed[1][18] = "IUD", "05/11/2019", "Baksos IPeKB"
    report = run(write_xlsx(tmp_path / "b.xlsx", HEADER, changed))
    assert report.counts["families_updated"] == 1
    assert report.counts["members_unchanged"] == 3
    assert report.counts["events_created"] == 1
    family = Family.objects.get(kk_number="3604091234560001")
    assert (family.address, family.version) == ("Jl. Raya 2", 2)
    couple = Couple.objects.get(wife__nik="3604094203880002")
    assert (couple.method, couple.status_since) == (Method.IUD, dt.date(2019, 11, 5))
    history = list(
        couple.events.order_by("effective_on").values_list("method", "effective_on", "source")
    )
    assert history == [
        (Method.IMPLANT, dt.date(2018, 6, 15), EventSource.IMPORT),
        (Method.IUD, dt.date(2019, 11, 5), EventSource.IMPORT),
    ]


def test_an_older_status_goes_into_the_history_but_not_over_the_current_one(tmp_path: Path) -> None:
    run(write_xlsx(tmp_path / "a.xlsx", HEADER, A))
    older = [row[:] for row in A]
    older[1][16], older[1][17] = "pil", "01/01/2015"
    run(write_xlsx(tmp_path / "b.xlsx", HEADER, older))
    couple = Couple.objects.get(wife__nik="3604094203880002")
    assert couple.method == Method.IMPLANT
    assert couple.events.count() == 2


def test_a_cadre_imports_only_their_village(tmp_path: Path) -> None:
    cadre = make_user(Role.CADRE, "36.04.09.2013")
    report = run(messy_file(tmp_path), user=cadre)
    assert Family.objects.filter(kk_number="3604091234560001").exists()
    assert not Family.objects.filter(kk_number="3604091234560008").exists()  # Pulo, not hers
    outside = [p for p in report.problems if p.column == "kode_wilayah" and p.line == 14]
    assert outside[0].message == "village 36.04.09.2003 is outside your regions"


def test_a_cadre_cannot_pull_a_family_or_a_person_from_outside_her_village(tmp_path: Path) -> None:
    run(write_xlsx(tmp_path / "a.xlsx", HEADER, H))  # registered in Pulo by the system
    moved = [row[:] for row in H]
    moved[0][1] = "36.04.09.2013"  # the same No. KK, now claimed for Singamerta
    cadre = make_user(Role.CADRE, "36.04.09.2013")
    report = run(write_xlsx(tmp_path / "b.xlsx", HEADER, moved), user=cadre)
    assert report.rows_rejected == 2
    assert "outside your regions" in report.problems[0].message
    assert Family.objects.get(kk_number="3604091234560008").village.code == "36.04.09.2003"
    other = [row[:] for row in H]
    other[0][0] = other[1][0] = "3604099999990001"  # a new card, but the same people
    other[0][1] = "36.04.09.2013"
    report = run(write_xlsx(tmp_path / "c.xlsx", HEADER, other), user=cadre)
    assert report.rows_rejected == 2
    assert not Family.objects.filter(kk_number="3604099999990001").exists()


def test_a_province_officer_may_not_import(tmp_path: Path) -> None:
    from django.core.exceptions import PermissionDenied

    officer = make_user(Role.PROVINCE_OFFICER, "36")
    with pytest.raises(PermissionDenied):
        run(messy_file(tmp_path), user=officer)
    assert not Family.objects.exists()


def test_a_family_whose_rows_are_apart_is_refused_whole(tmp_path: Path) -> None:
    split = [A[0], H[0], H[1], A[1]]
    report = run(write_xlsx(tmp_path / "s.xlsx", HEADER, split))
    assert report.rows_rejected == 2
    assert sorted(p.line for p in report.problems) == [2, 5]
    assert all("not together" in p.message for p in report.problems)
    assert not Family.objects.filter(kk_number="3604091234560001").exists()  # none of it
    assert not Member.objects.filter(nik="3604090101850001").exists()
    assert Family.objects.filter(kk_number="3604091234560008").exists()


def test_a_row_with_an_empty_no_kk_fails_its_family_whole(tmp_path: Path) -> None:
    rows = [row[:] for row in A]
    rows[2][0] = ""  # Budi's row: the family's number left out
    report = run(write_xlsx(tmp_path / "e.xlsx", HEADER, rows))
    assert report.rows_rejected == 3
    assert [(p.line, p.column) for p in report.problems] == [(4, "no_kk")]
    assert not Family.objects.exists()


def test_command_json_dry_run_and_rejects(tmp_path: Path) -> None:
    out = io.StringIO()
    rejects = tmp_path / "r.csv"
    call_command(
        "import",
        "register",
        str(messy_file(tmp_path)),
        "--dry-run",
        "--json",
        "--rejects",
        str(rejects),
        stdout=out,
    )
    summary = json.loads(out.getvalue())
    assert summary["rows_read"] == 14
    assert summary["rows_rejected"] == 9
    assert summary["families_created"] == 2
    assert summary["dry_run"] is True
    assert not Family.objects.exists()
    assert len(read_table(rejects)[1]) == 9


def test_a_file_without_required_columns_is_refused_whole(tmp_path: Path) -> None:
    from django.core.management import CommandError

    path = write_csv(tmp_path / "x.csv", ["no_kk", "nama"], [["3604091234560001", "A"]])
    with pytest.raises(CommandError, match="lacks the column"):
        call_command("import", "register", str(path), stdout=io.StringIO())


def test_messages_speak_indonesian(tmp_path: Path) -> None:
    with translation.override("id"):
        report = run(messy_file(tmp_path))
    messages = {(p.line, p.column): p.message for p in report.problems}
    assert messages[(6, "nik")] == "NIK harus 16 angka; 360409420385000 berisi 15"
    assert messages[(10, "kode_wilayah")] == "tidak ada desa/kelurahan dengan kode 36.04.09.2999"
