"""The ``monthly-inputs`` data kind: import with bad rows, idempotence, scope, export round trip."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from django.core.exceptions import PermissionDenied
from django.utils import translation

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.audit.models import AuditAction, AuditEntry
from lini.exchange.cells import normalise_header
from lini.exchange.registry import get_kind
from lini.exchange.services import export_run, import_run
from lini.monthly.exchange import COUNT_COLUMNS
from lini.monthly.models import MonthlyInput, MonthlyStatus
from lini.monthly.synthetic import monthly_generate
from lini.monthly.tests.factories import make_input
from lini.regions.models import Region
from lini.regions.tests.places import CIRUAS, KAB_SERANG, KUTA_JAYA, PULO, SINGAMERTA
from lini.register.tests.files import read_table, write_csv, write_xlsx

pytestmark = pytest.mark.django_db

KIND = "monthly-inputs"
HEADER = ["Kode Desa", "Bulan", *(c for c, _f in COUNT_COLUMNS), "Catatan"]
COUNTS = [1, 1, 4, 3, 10, 8, 2, 2, 1, 0, 1, 1, 2, 1, 1, 4, 2, 5]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def row(code: str, month: object, *counts: int, notes: str = "") -> list[object]:
    values = list(counts) if counts else list(COUNTS)
    return [code, month, *values, notes]


def _with(column: str, value: object, base: list[object] | None = None) -> list[object]:
    values = list(base or row(PULO, "2019-11"))
    values[[normalise_header(h) for h in HEADER].index(column)] = value
    return values


def _run(path: Path, user=None, **kwargs):  # type: ignore[no-untyped-def]
    return import_run(kind=get_kind(KIND), path=path, user=user, **kwargs)


def test_good_rows_are_created_and_a_second_import_changes_nothing(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "bulanan.xlsx",
        HEADER,
        [
            row("3604092013", dt.date(2019, 11, 1), notes="rakor di balai desa"),
            row("36.04.09.2003", "11/2019"),
        ],
    )
    report = _run(path)
    assert report.rows_rejected == 0, report.problems
    assert report.counts["monthly_input_created"] == 2
    item = MonthlyInput.objects.get(village__code=SINGAMERTA, month=dt.date(2019, 11, 1))
    assert (item.status, item.kelompok_kb_exist, item.kie_leaders_active) == ("draft", 10, 5)
    assert item.notes == "rakor di balai desa"

    again = _run(path)
    assert again.counts["monthly_input_unchanged"] == 2
    assert MonthlyInput.objects.get(pk=item.pk).version == 1


def test_bad_rows_are_rejected_with_row_column_and_reason(tmp_path: Path) -> None:
    make_input(SINGAMERTA, dt.date(2019, 10, 1), status="approved")
    rows = [
        _with("bkb_lapor", 5, row(PULO, "2019-08")),  # row 2: reported 5 of 2 BKB
        row(SINGAMERTA, "2019-10", *[c + 1 for c in COUNTS]),  # row 3: approved, locked month
        row(CIRUAS, "2019-11"),  # row 4: a district, not a village
        _with("bulan", "2999-01"),  # row 5: in the future
        _with("kie", "banyak", row(PULO, "2019-09")),  # row 6: not a number
        _with("bulan", "Nov 19"),  # row 7: not a month
        row(PULO, "2019-11"),  # row 8: good
        row(PULO, "2019-11"),  # row 9: the same village and month again
    ]
    rejects = tmp_path / "rejects.csv"
    report = _run(write_csv(tmp_path / "b.csv", HEADER, rows), rejects_path=rejects)

    problems = {(p.line, p.column): p.message for p in report.problems}
    assert problems[(2, "bkb_lapor")] == (
        "BKB: 5 reported, but only 2 exist; no more can report than exist"
    )
    assert "approved and locked" in problems[(3, "bulan")]
    assert "36.04.09 is a district" in problems[(4, "kode_desa")]
    assert "in the future" in problems[(5, "bulan")]
    assert "banyak is not a whole number" in problems[(6, "kie")]
    assert "is not a month" in problems[(7, "bulan")]
    assert "the same record as row 8" in problems[(9, "kode_desa")]
    assert report.rows_rejected == 7
    assert report.counts["monthly_input_created"] == 1
    locked = MonthlyInput.objects.get(village__code=SINGAMERTA, month=dt.date(2019, 10, 1))
    assert (locked.status, locked.ppkbd_exist) == (MonthlyStatus.APPROVED, 1)
    header, rejected = read_table(rejects)
    assert header[-1] == "kesalahan"
    assert len(rejected) == 7


def test_an_import_corrects_a_submitted_input_and_keeps_it_submitted(tmp_path: Path) -> None:
    item = make_input(PULO, dt.date(2019, 11, 1), status="submitted")
    report = _run(write_csv(tmp_path / "c.csv", HEADER, [_with("kie", 9)]))
    assert report.counts["monthly_input_updated"] == 1
    item.refresh_from_db()
    assert (item.kie_sessions, item.status) == (9, MonthlyStatus.SUBMITTED)
    assert AuditEntry.objects.filter(
        action=AuditAction.CHANGE, model="monthly.monthlyinput", object_id=str(item.pk),
        before__kie_sessions=2, after__kie_sessions=9,
    ).exists()  # fmt: skip


def test_a_user_imports_only_villages_in_scope(tmp_path: Path) -> None:
    counsellor = make_user(Role.COUNSELLOR, CIRUAS)
    path = write_csv(
        tmp_path / "s.csv", HEADER, [row(SINGAMERTA, "2019-11"), row(KUTA_JAYA, "2019-11")]
    )
    report = _run(path, user=counsellor)
    assert report.rows_rejected == 1
    assert report.problems[0].line == 3
    assert "outside the regions you may change" in report.problems[0].message
    assert list(MonthlyInput.objects.values_list("village__code", flat=True)) == [SINGAMERTA]


def test_a_dry_run_writes_nothing(tmp_path: Path) -> None:
    report = _run(write_csv(tmp_path / "d.csv", HEADER, [row(PULO, "2019-11")]), dry_run=True)
    assert report.counts["monthly_input_created"] == 1
    assert not MonthlyInput.objects.exists()


def _stored() -> list[tuple[object, ...]]:
    fields = [f for _c, f in COUNT_COLUMNS]
    return sorted(
        MonthlyInput.objects.values_list("village__code", "month", *fields, "notes"), key=str
    )


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_then_import_into_an_empty_table_gives_the_same_data(
    tmp_path: Path, suffix: str
) -> None:
    ciruas = Region.objects.get(code=CIRUAS)
    monthly_generate(region=ciruas, seed=7, today=dt.date(2020, 1, 15))
    MonthlyInput.objects.filter(village__code=PULO).update(notes="baris 1\nbaris 2; =cek")
    before = _stored()
    assert len(before) > 50
    path = tmp_path / f"export{suffix}"
    officer = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    rows = export_run(kind=get_kind(KIND), region=ciruas, path=path, user=officer)
    assert rows == len(before)
    header, _rows = read_table(path)
    assert header == get_kind(KIND).column_names

    MonthlyInput.objects.all().delete()
    report = _run(path, user=officer)
    assert report.rows_rejected == 0, report.problems[:3]
    assert _stored() == before
    assert _run(path, user=officer).counts["monthly_input_unchanged"] == len(before)


def test_export_is_cut_to_the_users_scope(tmp_path: Path) -> None:
    make_input(SINGAMERTA, dt.date(2019, 11, 1))
    make_input(PULO, dt.date(2019, 11, 1))
    make_input(KUTA_JAYA, dt.date(2019, 11, 1))
    cadre = make_user(Role.CADRE, SINGAMERTA)
    ciruas = Region.objects.get(code=CIRUAS)
    rows = list(get_kind(KIND).export_rows(user=cadre, region=ciruas))
    assert [r[0] for r in rows] == [SINGAMERTA]
    assert [r[0] for r in get_kind(KIND).export_rows(user=None, region=ciruas)] == [
        PULO,
        SINGAMERTA,
    ]
    with pytest.raises(PermissionDenied):
        export_run(
            kind=get_kind(KIND), region=Region.objects.get(code=KUTA_JAYA),
            path=tmp_path / "x.csv", user=cadre,
        )  # fmt: skip
