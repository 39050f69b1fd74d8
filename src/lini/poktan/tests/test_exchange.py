"""Importing and exporting poktan and their meetings: bad rows, warnings, idempotency, round trip."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from django.utils import timezone, translation

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.exchange.registry import get_kind
from lini.exchange.services import export_run, import_run
from lini.poktan.models import Poktan, PoktanEvent, PoktanMeeting, PoktanMember
from lini.poktan.tests.helpers import family_with
from lini.regions.models import Region, RegionKind
from lini.regions.services import subunit_create
from lini.regions.tests.places import BANTEN, KAB_SERANG, KUTA_JAYA, PULO, SINGAMERTA
from lini.register.tests.files import read_table, write_csv, write_xlsx

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
POKTAN_HEADER = ["kode_desa", "jenis", "nama", "kode_wilayah", "tanggal_bentuk", "no_sk", "ketua",
                 "sekretaris", "bendahara", "sumber_modal", "anggota_no_kk"]  # fmt: skip
MEETING_HEADER = [
    "kode_desa",
    "jenis",
    "nama_poktan",
    "tanggal",
    "topik",
    "jumlah_hadir",
    "catatan",
]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def families() -> dict[str, str]:
    """No. KK of families of Singamerta: a toddler's, a teenager's; one of Pulo."""
    return {
        "toddler": family_with(SINGAMERTA, TODAY - dt.timedelta(days=500)).kk_number,
        "teen": family_with(SINGAMERTA, dt.date(TODAY.year - 14, 3, 3)).kk_number,
        "pulo": family_with(PULO, TODAY - dt.timedelta(days=500)).kk_number,
    }


def poktan_rows(f: dict[str, str], rw: str) -> list[list[object]]:
    return [
        # 2: fine, one member does not fit BKB (a warning); a code without dots; PIK-R spelled out
        ["3604092013", "BKB", "Melati", rw, "02/05/2018", "12/SK/2018", "Ibu Euis", "", "", "",
         f"{f['toddler']}; {f['teen']}"],
        [SINGAMERTA, "PIK-R", "Genre Ceria", "", "", "", "", "", "", "", f["teen"]],
        # 4: a village that does not exist and a kind nobody knows
        ["36.04.09.2999", "BKX", "Mawar", "", "", "", "", "", "", "", ""],
        # 5: a family of another village
        [SINGAMERTA, "bkr", "Remaja", "", "", "", "", "", "", "", f["pulo"]],
        # 6: a No. KK with 15 digits, and a capital source for a BKL
        [SINGAMERTA, "bkl", "Lansia", "", "", "", "", "", "", "Dana desa", "360409123456789"],
        # 7: capital source on a BKL
        [SINGAMERTA, "bkl", "Lansia Sehat", "", "", "", "", "", "", "Dana desa", ""],
        # 8: a date in the future and the same group as row 2
        ["3604092013", "bkb", "melati", "", "01/01/2999", "", "", "", "", "", ""],
    ]  # fmt: skip


def run(kind: str, path: Path, user: object = None):  # type: ignore[no-untyped-def]
    return import_run(
        kind=get_kind(kind), path=path, user=user, rejects_path=path.with_name("rej.csv")
    )


def test_poktan_import_reports_each_bad_row_and_warns_about_families_that_do_not_fit(
    tmp_path: Path, families: dict[str, str]
) -> None:
    rw = subunit_create(
        actor=None, parent=Region.objects.get(code=SINGAMERTA), kind=RegionKind.RW, number=2
    )
    path = write_xlsx(tmp_path / "poktan.xlsx", POKTAN_HEADER, poktan_rows(families, rw.code))
    report = run("poktan", path)
    assert report.rows_read == 7
    assert report.counts["poktan_created"] == 2
    problems = {(p.line, p.column): p.message for p in report.problems}
    assert problems[(4, "kode_desa")] == "there is no region with the code 36.04.09.2999"
    assert problems[(4, "jenis")].startswith("BKX is not one of: bkb, bkr, bkl, uppka, pikr")
    assert problems[(5, "anggota_no_kk")] == (
        f"not registered in Desa Singamerta: {families['pulo']}"
    )
    assert "16 digits" in problems[(6, "anggota_no_kk")] or "15" in problems[(6, "anggota_no_kk")]
    assert problems[(7, "sumber_modal")] == "Only UPPKA groups have a capital source."
    assert problems[(8, "kode_desa")] == "the same record as row 2 of this file"
    assert report.rows_rejected == 5
    assert [(w.line, w.column) for w in report.warnings] == [(2, "anggota_no_kk")]
    assert "no child under 5" in report.warnings[0].message
    melati = Poktan.objects.get(name="Melati")
    assert (melati.area, melati.formed_on, melati.chair) == (rw, dt.date(2018, 5, 2), "Ibu Euis")
    assert set(melati.members.values_list("family__kk_number", flat=True)) == {
        families["toddler"],
        families["teen"],
    }
    assert Poktan.objects.get(name="Genre Ceria").kind == "pikr"
    assert PoktanEvent.objects.filter(poktan=melati, kind="dibentuk").exists()
    _header, rejected = read_table(tmp_path / "rej.csv")
    assert len(rejected) == 5

    again = run("poktan", path)
    assert again.counts["poktan_created"] == 0
    assert again.counts["poktan_updated"] == 0
    assert again.counts["poktan_unchanged"] == 2


def test_a_member_list_is_the_whole_list_and_an_empty_cell_keeps_the_members(
    tmp_path: Path, families: dict[str, str]
) -> None:
    rows = [
        [
            SINGAMERTA,
            "bkb",
            "Melati",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            f"{families['toddler']};{families['teen']}",
        ]
    ]
    run("poktan", write_csv(tmp_path / "a.csv", POKTAN_HEADER, rows))
    rows[0][-1] = ""
    assert (
        run("poktan", write_csv(tmp_path / "b.csv", POKTAN_HEADER, rows)).counts["poktan_unchanged"]
        == 1
    )
    assert PoktanMember.objects.filter(left_on=None).count() == 2
    rows[0][-1] = families["toddler"]
    assert (
        run("poktan", write_csv(tmp_path / "c.csv", POKTAN_HEADER, rows)).counts["poktan_updated"]
        == 1
    )
    left = PoktanMember.objects.get(family__kk_number=families["teen"])
    assert left.left_on == TODAY


def test_a_user_imports_only_into_their_own_villages(tmp_path: Path) -> None:
    family_with(KUTA_JAYA, dt.date(2019, 1, 1), kk="3603121234567890")
    rows = [[KUTA_JAYA, "bkb", "Tangerang", "", "", "", "", "", "", "", "3603121234567890"]]
    report = run(
        "poktan",
        write_csv(tmp_path / "t.csv", POKTAN_HEADER, rows),
        make_user(Role.REGENCY_OFFICER, KAB_SERANG),
    )
    assert report.rows_rejected == 1
    assert report.problems[0].message == "outside the regions you may change"
    assert not Poktan.objects.exists()


def test_meetings_import_with_bad_rows(tmp_path: Path, families: dict[str, str]) -> None:
    rows = [[SINGAMERTA, "bkb", "Melati", "", "", "", "", "", "", "", families["toddler"]]]
    run("poktan", write_csv(tmp_path / "p.csv", POKTAN_HEADER, rows))
    meetings = [
        [SINGAMERTA, "BKB", "melati", "04/11/2019", "Gizi balita", 1, "Bagus"],
        [SINGAMERTA, "BKB", "Mawar", "04/11/2019", "Gizi", 1, ""],
        [SINGAMERTA, "BKB", "Melati", "05/11/2019", "Gizi", 5, ""],
        [SINGAMERTA, "BKB", "Melati", "01/01/2999", "Gizi", "satu", ""],
        ["Desa Singamerta", "BKB", "Melati", "01/11/2019", "Gizi", 1, ""],
    ]
    path = write_xlsx(tmp_path / "m.xlsx", MEETING_HEADER, meetings)
    report = run("meetings", path)
    problems = {(p.line, p.column): p.message for p in report.problems}
    assert problems[(3, "nama_poktan")] == "Desa Singamerta has no BKB group with this name"
    assert problems[(4, "jumlah_hadir")].startswith(
        "5 families present, but the group had only 1 member families on 2019-11-05."
    )
    assert "satu is not a whole number" in problems[(5, "jumlah_hadir")]
    assert "'Desa Singamerta' is not a region code" in problems[(6, "kode_desa")]
    assert report.rows_rejected == 4
    assert report.counts["meetings_created"] == 1
    meeting = PoktanMeeting.objects.get()
    assert (meeting.held_on, meeting.attendance, meeting.notes) == (
        dt.date(2019, 11, 4),
        1,
        "Bagus",
    )
    again = run("meetings", path)
    assert again.counts["meetings_unchanged"] == 1
    assert PoktanMeeting.objects.count() == 1


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_then_import_gives_the_same_groups_and_meetings(
    tmp_path: Path, families: dict[str, str], suffix: str
) -> None:
    from lini.poktan.synthetic import poktan_generate
    from lini.register.synthetic import population_generate

    ciruas = Region.objects.get(code="36.04.09")
    population_generate(region=ciruas, scale=0.02, seed=3)
    rw = subunit_create(
        actor=None, parent=Region.objects.get(code=SINGAMERTA), kind=RegionKind.RW, number=4
    )
    run("poktan", write_csv(tmp_path / "p.csv", POKTAN_HEADER, poktan_rows(families, rw.code)))
    poktan_generate(region=ciruas, seed=5, today=TODAY)

    def state() -> tuple[object, ...]:
        return (
            sorted(Poktan.objects.values_list("village__code", "kind", "name", "area__code", "formed_on",
                                              "decree", "chair", "secretary", "treasurer", "capital_source"),
                   key=str),
            sorted(PoktanMember.objects.filter(left_on=None).values_list("poktan__name", "poktan__village__code",
                                                                          "family__kk_number")),
            sorted(PoktanMeeting.objects.values_list("poktan__name", "poktan__village__code", "held_on",
                                                     "topic", "attendance", "notes")),
        )  # fmt: skip

    before = state()
    assert len(before[0]) > 3
    assert len(before[2]) > 10
    admin = make_user(Role.NATIONAL_ADMIN)
    banten = Region.objects.get(code=BANTEN)
    groups, meetings = tmp_path / f"poktan{suffix}", tmp_path / f"meetings{suffix}"
    export_run(kind=get_kind("poktan"), region=banten, path=groups, user=admin)
    export_run(kind=get_kind("meetings"), region=banten, path=meetings, user=admin)
    assert run("poktan", groups, admin).counts["poktan_unchanged"] == len(before[0])
    assert run("meetings", meetings, admin).counts["meetings_unchanged"] == len(before[2])
    PoktanMeeting.objects.all().delete()
    PoktanMember.objects.all().delete()
    PoktanEvent.objects.all().delete()
    Poktan.objects.all().delete()
    report = run("poktan", groups, admin)
    assert report.rows_rejected == 0, report.problems[:3]
    report = run("meetings", meetings, admin)
    assert report.rows_rejected == 0, report.problems[:3]
    assert state() == before
