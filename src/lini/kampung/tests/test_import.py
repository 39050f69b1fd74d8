"""Importing and exporting Kampung KB profiles (kind ``kampung``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from django.utils import translation

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.exchange.registry import get_kind
from lini.exchange.services import export_run, import_run, template_write
from lini.kampung import services
from lini.kampung.models import KampungKB
from lini.kampung.tests.factories import singamerta_values
from lini.regions.models import Region
from lini.regions.tests.places import BANTEN, CIRUAS, KAB_SERANG, KUTA_JAYA, PULO, SINGAMERTA
from lini.register.tests.files import read_table, write_csv, write_xlsx

pytestmark = pytest.mark.django_db

KIND = get_kind("kampung")
HEADER = KIND.column_names

# Row 2: fine (a date cell, labels and codes mixed, "ada"/"belum" flags).
GOOD = [
    "3604092013", "Kampung KB Singamerta", dt.date(2017, 3, 14), "kumuh; utama kb",
    "ada", "SK/12/2017", "01/04/2017", 9, 2, "ya", "tidak", "Puskesmas Ciruas; KUA Ciruas",
    "APBD, dana desa", "perencanaan, monitoring", "pk", "ya", "aktif", "01/02/2019", "pk, rutin",
    "2019-10-01",
]  # fmt: skip
# Row 3: more trained than members, an unknown funding source, a bad date.
BAD = [
    PULO, "", "", "", "ya", "", "", 3, 5, "", "", "", "lotre", "", "", "", "", "31/02/2019",
    "", "",
]  # fmt: skip
# Row 4: a district code, not a village.
NOT_VILLAGE = [CIRUAS, *[""] * 19]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _run(path: Path, **kwargs: object):  # type: ignore[no-untyped-def]
    return import_run(kind=KIND, path=path, user=kwargs.pop("user", None), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_bad_rows_are_refused_with_row_column_and_reason(tmp_path: Path, suffix: str) -> None:
    write = write_csv if suffix == ".csv" else write_xlsx
    path = write(tmp_path / f"kampung{suffix}", HEADER, [GOOD, BAD, NOT_VILLAGE])
    rejects = tmp_path / f"rejects{suffix}"
    report = _run(path, rejects_path=rejects)
    assert (report.rows_read, report.rows_rejected) == (3, 2)
    assert report.counts["kampung_created"] == 1
    reasons = {(p.line, p.column): p.message for p in report.problems}
    assert reasons[(3, "sumber_dana")].startswith("lotre is not one of: apbd, apbn")
    assert reasons[(3, "rumah_dataku_sejak")] == "31/02/2019 is not a real date"
    assert reasons[(4, "kode_desa")].startswith(f"{CIRUAS} is a district")
    # Once the cells read well, the service's checks name their columns too.
    fixed = [*BAD]
    fixed[12], fixed[17] = "apbn", ""
    report = _run(write(tmp_path / f"fixed{suffix}", HEADER, [fixed]))
    reasons = {(p.line, p.column): p.message for p in report.problems}
    assert reasons == {(2, "pokja_terlatih"): "More members trained (5) than the pokja has (3)."}

    kampung = KampungKB.objects.get()
    assert kampung.village.code == SINGAMERTA
    assert kampung.criteria == ["kumuh", "utama_kb"]
    assert kampung.funding_sources == ["apbd", "dana_desa"]
    assert kampung.partners == ["Puskesmas Ciruas", "KUA Ciruas"]
    assert (kampung.pokja_exists, kampung.regulation, kampung.work_plan) == (True, True, False)
    assert kampung.rumah_dataku_updated_on == dt.date(2019, 10, 1)
    header, rows = read_table(rejects)
    assert header[-1] == "kesalahan"
    assert len(rows) == 2


def test_importing_the_same_file_twice_changes_nothing(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "kampung.csv", HEADER, [GOOD])
    assert _run(path).counts["kampung_created"] == 1
    second = _run(path)
    assert second.counts == {"kampung_created": 0, "kampung_updated": 0, "kampung_unchanged": 1}
    assert KampungKB.objects.get().version == 1
    changed = [*GOOD]
    changed[8] = 3
    assert _run(write_csv(tmp_path / "b.csv", HEADER, [changed])).counts["kampung_updated"] == 1
    assert KampungKB.objects.get().version == 2


def test_a_user_imports_only_villages_in_scope(tmp_path: Path) -> None:
    kuta_jaya = [KUTA_JAYA, *GOOD[1:]]
    path = write_csv(tmp_path / "kampung.csv", HEADER, [GOOD, kuta_jaya])
    report = _run(path, user=make_user(Role.COUNSELLOR, CIRUAS))
    assert (report.rows_read, report.rows_rejected) == (2, 1)
    assert report.problems[0].line == 3
    assert list(KampungKB.objects.values_list("village__code", flat=True)) == [SINGAMERTA]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_then_import_gives_the_same_profiles(tmp_path: Path, suffix: str) -> None:
    singamerta = Region.objects.get(code=SINGAMERTA)
    services.kampung_save(actor=None, village=singamerta, values=singamerta_values())
    services.kampung_save(
        actor=None, village=Region.objects.get(code=PULO),
        values=services.KampungValues(partners=["PKK", "Koramil"], secretariat=True),
    )  # fmt: skip
    services.kampung_save(
        actor=None, village=Region.objects.get(code=KUTA_JAYA), values=services.KampungValues()
    )

    def state() -> list[tuple[object, ...]]:
        fields = ["village__code", *services.FIELDS]
        return list(KampungKB.objects.order_by("village__code").values_list(*fields))

    before = state()
    out = tmp_path / f"export{suffix}"
    assert export_run(kind=KIND, region=Region.objects.get(code=BANTEN), path=out, user=None) == 3
    # A Kab. Serang officer exports only Kab. Serang's.
    serang = tmp_path / f"serang{suffix}"
    officer = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    rows = export_run(
        kind=KIND, region=Region.objects.get(code=KAB_SERANG), path=serang, user=officer
    )
    assert rows == 2
    KampungKB.objects.all().delete()
    report = _run(out)
    assert report.rows_rejected == 0, [p.as_text() for p in report.problems]
    assert state() == before
    assert _run(out).counts["kampung_unchanged"] == 3


def test_the_template_lists_every_column(tmp_path: Path) -> None:
    path = tmp_path / "template.xlsx"
    template_write(kind=KIND, path=path)
    header, _rows = read_table(path)
    assert header == HEADER
    assert HEADER[0] == "kode_desa"
    assert "rumah_dataku_diperbarui" in HEADER
