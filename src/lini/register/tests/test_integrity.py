"""What an import must never do: write half a family, duplicate a person, repeat history, let a
couple outlive its wife, or lose data a spreadsheet round trip should keep."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from django.core.management import call_command
from django.utils import translation

from lini.exchange.registry import get_kind
from lini.exchange.services import import_run
from lini.register.models import Couple, Family, Member
from lini.register.tests.files import write_csv, write_xlsx
from lini.register.tests.test_round_trip import empty_register

pytestmark = pytest.mark.django_db

HEADER = ["no_kk", "kode_wilayah", "alamat", "nik", "nama", "jenis_kelamin", "tanggal_lahir", "hubungan",
          "status_kawin", "keberadaan", "tanggal_keberadaan", "status_kb", "metode_kb", "tanggal_mulai_kb",
          "alasan_tidak_kb", "rw"]  # fmt: skip
KK1, KK2 = "3604091234560001", "3604091234560002"
AHMAD = [
    KK1,
    "36.04.09.2013",
    "Jl. 1",
    "3604090101800001",
    "Ahmad",
    "L",
    "1980-01-01",
    "kepala",
    "kawin",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
]
SITI = [
    KK1,
    "",
    "",
    "3604094101850002",
    "Siti",
    "P",
    "1985-01-01",
    "pasangan",
    "kawin",
    "",
    "",
    "pakai",
    "pil",
    "2018-01-01",
    "",
    "",
]
BUDI = [
    KK1,
    "",
    "",
    "3604091505100003",
    "Budi",
    "L",
    "2010-05-15",
    "anak",
    "belum_kawin",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
]


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    with translation.override("en"):
        yield


def run(tmp_path: Path, rows: list[list[object]], name: str = "f.csv"):  # type: ignore[no-untyped-def]
    path = (
        write_csv(tmp_path / name, HEADER, rows)
        if name.endswith(".csv")
        else write_xlsx(tmp_path / name, HEADER, rows)
    )
    return import_run(kind=get_kind("register"), path=path, user=None)


def test_the_same_person_in_two_families_of_one_file_is_refused(tmp_path: Path) -> None:
    other = [KK2, "36.04.09.2013", "Jl. 2", *BUDI[3:7], "kepala", *BUDI[8:]]
    report = run(tmp_path, [AHMAD, SITI, BUDI, other])
    assert Member.objects.get(nik="3604091505100003").family.kk_number == KK1
    assert not Family.objects.filter(kk_number=KK2).exists()
    assert (
        report.problems[0].message == "this person also stands in another family of the same file"
    )


def test_reimporting_an_older_status_adds_it_to_the_history_once(tmp_path: Path) -> None:
    run(tmp_path, [AHMAD, SITI])
    older = [*SITI[:12], "iud", "2015-01-01", "", ""]
    for name in ("a.csv", "b.csv", "c.csv"):
        run(tmp_path, [AHMAD, older], name)
    couple = Couple.objects.get()
    assert couple.method == "pil"
    assert couple.events.count() == 2


def test_a_family_that_leaves_out_a_living_member_is_refused(tmp_path: Path) -> None:
    run(tmp_path, [AHMAD, SITI, BUDI])
    report = run(tmp_path, [AHMAD, SITI], "again.csv")
    assert report.rows_rejected == 2
    assert "Budi" in report.problems[0].message
    assert Family.objects.get().members.count() == 3


def test_a_wife_who_died_ends_her_couple_and_the_export_imports_back(tmp_path: Path) -> None:
    run(tmp_path, [AHMAD, SITI])
    died = [*SITI[:9], "meninggal", "2020-01-01", "", "", "", "", ""]
    run(tmp_path, [AHMAD, died], "died.csv")
    couple = Couple.objects.get()
    assert couple.ended_on is not None
    out = tmp_path / "export.csv"
    call_command("export", "register", "--region", "36.04.09", "-o", str(out),
                 "--purpose", "test of the export", stdout=io.StringIO())  # fmt: skip
    empty_register()
    report = run_file(out)
    assert report.rows_rejected == 0
    assert Member.objects.get(nik=SITI[3]).presence == "meninggal"


def run_file(path: Path):  # type: ignore[no-untyped-def]
    return import_run(kind=get_kind("register"), path=path, user=None)


def test_a_formula_like_address_survives_a_csv_round_trip(tmp_path: Path) -> None:
    run(tmp_path, [[*AHMAD[:2], "-", *AHMAD[3:]]])
    out = tmp_path / "export.csv"
    call_command("export", "register", "--region", "36.04.09", "-o", str(out),
                 "--purpose", "test of the export", stdout=io.StringIO())  # fmt: skip
    assert "'-" in out.read_text(encoding="utf-8-sig")  # guarded in the CSV
    report = run_file(out)
    assert report.counts["families_unchanged"] == 1
    assert Family.objects.get().address == "-"


def test_a_year_alone_is_not_a_date(tmp_path: Path) -> None:
    report = run(tmp_path, [[*AHMAD[:6], "1985", *AHMAD[7:]]])
    assert report.rows_rejected == 1
    assert report.problems[0].column == "tanggal_lahir"


def test_numbers_in_text_columns_of_an_xlsx_are_read(tmp_path: Path) -> None:
    row = [*AHMAD[:15], 3]  # RW typed as a number
    run(tmp_path, [row], "n.xlsx")
    assert Family.objects.get().rw == "003"


def test_a_windows_accent_deep_in_a_csv_does_not_stop_the_import(tmp_path: Path) -> None:
    lines = [",".join(HEADER)]
    for n in range(3000):
        kk, nik = f"360409123456{n:04d}", f"3604090101{n % 100:02d}{n:04d}"
        lines.append(
            f"{kk},36.04.09.2013,Jl. {n},{nik},Orang {n},L,1980-01-01,kepala,belum_kawin,,,,,,,"
        )
    path = tmp_path / "mixed.csv"
    body = (
        "\n".join(lines).encode("utf-8")
        + "\n3604099999990001,36.04.09.2013,Jl. Caf\u00e9,3604090101999999,Jos\u00e9,L,1980-01-01,kepala,belum_kawin,,,,,,,\n".encode(
            "cp1252"
        )
    )
    path.write_bytes(body)
    report = run_file(path)
    assert report.rows_rejected == 0
    assert Member.objects.get(nik="3604090101999999").name == "Jos\u00e9"
