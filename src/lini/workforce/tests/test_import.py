"""Importing and exporting counsellors (``workers``) and cadres (``cadres``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from django.utils import translation

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.audit.models import AuditEntry
from lini.exchange.registry import get_kind
from lini.exchange.services import export_run, import_run
from lini.regions.models import Region, RegionKind
from lini.regions.services import subunit_create
from lini.regions.tests.places import (
    CIRUAS,
    KAB_SERANG,
    KUTA_JAYA,
    PASAR_KEMIS,
    PULO,
    SINGAMERTA,
)
from lini.register.tests.files import read_table, write_csv, write_xlsx
from lini.workforce.models import Cadre, Counsellor
from lini.workforce.tests.factories import NIP, region

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


WORKERS = [
    "NIP", "Nama", "Jenis", "Kode Kecamatan", "Desa Binaan", "Telepon", "Anggota IPeKB",
    "Tingkat Pengurus IPeKB", "Jabatan IPeKB", "Nama Pengguna", "Aktif",
]  # fmt: skip
WORKER_ROWS = [
    # row 2: a PKB with NIP looking after two villages (codes without dots, spaces in the NIP)
    ["1985 0312 2010 01 2 003", "Siti Hasanah", "PKB", "360409", "3604092013; 3604092003",
     "0812 3456 789", "ya", "dpc", "Ketua", "", ""],
    # row 3: a PLKB without NIP
    ["", "Budi Santoso", "plkb", "36.04.09", "36.04.09.2001", "", "tidak", "", "", "", "ya"],
    # row 4: an NIP of 17 digits and a village that is a district
    ["19850312201001200", "Asep", "pkb", "36.04.09", "36.04.09", "", "", "", "", "", ""],
    # row 5: a board level without membership
    ["", "Dedi", "pkb", "36.04.09", "", "", "tidak", "dpd", "", "", ""],
    # row 6: a district that does not exist and a kind that is not known
    ["", "Eko", "honorer", "36.04.99", "", "", "", "", "", "", ""],
    # row 7: the same NIP as row 2 under another name
    ["198503122010012003", "Siti H.", "pkb", "36.04.09", "", "", "", "", "", "", ""],
]  # fmt: skip

CADRES = [
    "nama", "jenis", "kode_desa", "kode_wilayah_kerja", "telepon", "terlatih", "sejak",
    "nama_pengguna", "aktif",
]  # fmt: skip


def cadre_rows(dusun: str) -> list[list[object]]:
    return [
        ["Euis Rosita", "PPKBD", "3604092013", "", "0813 1111 2222", "ya", "01/02/2015", "", ""],
        ["Imas", "sub_ppkbd", SINGAMERTA, dusun, "", "tidak", "", "", ""],
        ["Ai", "poktan", SINGAMERTA, "", "", "", "", "", "tidak"],
        # row 5: a Sub-PPKBD without its dusun/RW
        ["Lilis", "sub_ppkbd", SINGAMERTA, "", "", "", "", "", ""],
        # row 6: a kind that is not known, a date that is not a date
        ["Nani", "ketua", SINGAMERTA, "", "", "", "31/31/2019", "", ""],
        # row 7: a dusun/RW code that does not exist
        ["Neneng", "poktan", SINGAMERTA, f"{SINGAMERTA}.D09", "", "", "", "", ""],
        # row 8: a village of Tangerang
        ["Popon", "ppkbd", KUTA_JAYA, "", "", "", "", "", ""],
    ]


def run(kind: str, path: Path, user: object = None, **kwargs: object):  # type: ignore[no-untyped-def]
    return import_run(kind=get_kind(kind), path=path, user=user, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_workers_import_gives_exactly_the_expected_rows_and_reasons(
    tmp_path: Path, suffix: str
) -> None:
    writer = write_csv if suffix == ".csv" else write_xlsx
    path = writer(tmp_path / f"workers{suffix}", WORKERS, WORKER_ROWS)
    report = run("workers", path, make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    assert report.rows_read == 6
    assert report.rows_rejected == 3
    assert report.counts["counsellors_created"] == 2
    reasons = {(p.line, p.column): p.message for p in report.problems}
    assert reasons == {
        (4, "nip"): "an NIP has 18 digits (birth date, appointment month, sex, number); 17 given",
        (4, "desa_binaan"): "36.04.09 is a district; only villages are looked after",
        (5, "anggota_ipekb"): "Only an IPeKB member sits on an IPeKB board.",
        (6, "jenis"): "honorer is not one of: pkb, plkb",
        (6, "kode_kecamatan"): "there is no region with the code 36.04.99",
    }
    siti = Counsellor.objects.get(nip=NIP)
    # Row 7 found Siti by her NIP and renamed her: an NIP is the person.
    assert siti.name == "Siti H."
    assert report.counts["counsellors_updated"] == 1
    assert (siti.ipekb_member, siti.ipekb_level, siti.ipekb_position) == (False, "", "")
    budi = Counsellor.objects.get(name="Budi Santoso")
    assert (budi.nip, budi.kind, budi.ipekb_member) == (None, "plkb", False)
    assert list(budi.villages.values_list("code", flat=True)) == ["36.04.09.2001"]


def test_workers_bad_rows_and_idempotence(tmp_path: Path) -> None:
    rows = WORKER_ROWS[:2]
    path = write_csv(tmp_path / "w.csv", WORKERS, rows)
    first = run("workers", path)
    assert first.counts["counsellors_created"] == 2
    siti = Counsellor.objects.get(nip=NIP)
    assert sorted(siti.villages.values_list("code", flat=True)) == [PULO, SINGAMERTA]
    assert (siti.phone, siti.ipekb_level, siti.ipekb_position) == ("0812 3456 789", "dpc", "Ketua")
    entries = AuditEntry.objects.count()
    second = run("workers", path)
    assert second.counts["counsellors_unchanged"] == 2
    assert second.counts["counsellors_created"] == second.counts["counsellors_updated"] == 0
    assert AuditEntry.objects.count() == entries + 2  # only the import's own: began, finished
    # A duplicate row in one file is refused with the row it repeats.
    path = write_csv(tmp_path / "dup.csv", WORKERS, [rows[1], rows[1]])
    report = run("workers", path)
    assert [(p.line, p.message) for p in report.problems] == [
        (3, "the same record as row 2 of this file")
    ]


def test_a_serang_officer_cannot_import_counsellors_of_tangerang(tmp_path: Path) -> None:
    rows = [["", "Yayan", "pkb", PASAR_KEMIS, KUTA_JAYA, "", "", "", "", "", ""]]
    path = write_csv(tmp_path / "w.csv", WORKERS, rows)
    report = run("workers", path, make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    assert report.rows_rejected == 1
    assert report.problems[0].message == "outside the regions you may change"
    assert not Counsellor.objects.exists()


def test_cadres_import_with_bad_rows_scope_and_idempotence(tmp_path: Path) -> None:
    dusun = subunit_create(
        actor=None, parent=region(SINGAMERTA), kind=RegionKind.DUSUN, name="Krajan"
    )
    path = write_xlsx(tmp_path / "c.xlsx", CADRES, cadre_rows(dusun.code))
    user = make_user(Role.COUNSELLOR, CIRUAS)
    report = run("cadres", path, user, rejects_path=tmp_path / "rejects.csv")
    assert report.counts["cadres_created"] == 3
    reasons = {(p.line, p.column): p.message for p in report.problems}
    assert reasons == {
        (5, "kode_wilayah_kerja"): "A Sub-PPKBD works in a dusun or RW: choose it.",
        (6, "jenis"): "ketua is not one of: ppkbd, sub_ppkbd, poktan",
        (6, "sejak"): reasons[(6, "sejak")],
        (7, "kode_wilayah_kerja"): f"there is no dusun or RW with the code {SINGAMERTA}.D09",
        (8, ""): "outside the regions you may change",
    }
    assert "31/31/2019" in reasons[(6, "sejak")] or "date" in reasons[(6, "sejak")]
    header, rejected = read_table(tmp_path / "rejects.csv")
    assert header[-1] == "kesalahan"
    assert [r[0] for r in rejected] == ["Lilis", "Nani", "Neneng", "Popon"]
    euis = Cadre.objects.get(name="Euis Rosita")
    assert (euis.kind, euis.trained, str(euis.since)) == ("ppkbd", True, "2015-02-01")
    imas = Cadre.objects.get(name="Imas")
    assert imas.area == dusun
    assert not Cadre.objects.get(name="Ai").active
    again = run("cadres", path, user)
    assert again.counts["cadres_unchanged"] == 3
    assert again.counts["cadres_created"] == again.counts["cadres_updated"] == 0


def snapshot() -> tuple[list[tuple[object, ...]], ...]:
    counsellors = sorted(
        Counsellor.objects.values_list(
            "nip", "name", "kind", "district__code", "phone", "ipekb_member", "ipekb_level",
            "ipekb_position", "user__username", "active",
        ),
        key=str,
    )  # fmt: skip
    links = sorted(
        Counsellor.villages.through.objects.values_list("counsellor__name", "region__code")
    )
    cadres = sorted(
        Cadre.objects.values_list(
            "name", "kind", "village__code", "area__code", "phone", "trained", "since",
            "user__username", "active",
        ),
        key=str,
    )  # fmt: skip
    return counsellors, links, cadres


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_then_import_gives_the_same_workforce(tmp_path: Path, suffix: str) -> None:
    from lini.workforce.synthetic import workforce_generate

    subunit_create(actor=None, parent=region(SINGAMERTA), kind=RegionKind.DUSUN, name="Krajan")
    subunit_create(actor=None, parent=region(PULO), kind=RegionKind.RW, number=3)
    make_user(Role.COUNSELLOR, CIRUAS, username="pkb.ciruas")
    ciruas = Region.objects.get(code=CIRUAS)
    workforce_generate(region=ciruas, seed=7)
    someone = Counsellor.objects.order_by("pk").first()
    assert someone is not None
    someone.user = make_user(Role.COUNSELLOR, CIRUAS, username="pkb.linked")
    someone.active = False
    someone.save()
    before = snapshot()
    assert all(before)
    assert any(row[3] for row in before[2])  # a cadre with a dusun/RW
    workers = tmp_path / f"workers{suffix}"
    cadres = tmp_path / f"cadres{suffix}"
    officer = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    assert export_run(kind=get_kind("workers"), region=ciruas, path=workers, user=officer) == len(
        before[0]
    )
    assert export_run(kind=get_kind("cadres"), region=ciruas, path=cadres, user=officer) == len(
        before[2]
    )
    # Importing the export onto the same data changes nothing ...
    assert run("workers", workers, officer).counts["counsellors_unchanged"] == len(before[0])
    assert run("cadres", cadres, officer).counts["cadres_unchanged"] == len(before[2])
    # ... and into an empty workforce gives it back whole.
    Counsellor.objects.all().delete()
    Cadre.objects.all().delete()
    report = run("workers", workers, officer)
    assert report.rows_rejected == 0, report.problems[:3]
    report = run("cadres", cadres, officer)
    assert report.rows_rejected == 0, report.problems[:3]
    assert snapshot() == before


def test_export_is_cut_to_the_users_scope(tmp_path: Path) -> None:
    from lini.workforce.tests.factories import make_cadre, make_counsellor

    make_counsellor(CIRUAS, SINGAMERTA, name="Siti")
    make_cadre(SINGAMERTA, name="Euis")
    make_cadre(PULO, name="Lilis")
    path = tmp_path / "c.csv"
    export_run(kind=get_kind("cadres"), region=region(CIRUAS), path=path, user=None)
    assert [r[0] for r in read_table(path)[1]] == ["Lilis", "Euis"]  # by village code
    counsellor = make_user(Role.COUNSELLOR, SINGAMERTA)
    rows = get_kind("cadres").export_rows(user=counsellor, region=region(CIRUAS))
    assert [r[0] for r in rows] == ["Euis"]
    rows = get_kind("workers").export_rows(
        user=make_user(Role.REGENCY_OFFICER, "36.03"), region=region("36")
    )
    assert list(rows) == []
