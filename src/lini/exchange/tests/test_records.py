"""RecordKind, the base of the row-by-row kinds, on a small kind made for this test: RW units
added under villages through the regions' own service (scope and validation included)."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from django.utils.translation import gettext

from lini.accounts.models import User
from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.exchange.records import CREATED, UNCHANGED, RecordKind, RowReader
from lini.exchange.registry import Column
from lini.exchange.services import import_run
from lini.regions.models import Region, RegionKind, RegionLevel
from lini.regions.services import subunit_create
from lini.regions.tests.places import CIRUAS, KUTA_JAYA, PULO, SINGAMERTA

pytestmark = pytest.mark.django_db


class RWKind(RecordKind):
    slug = "test-rw"
    title = "RW"
    entity = "rw"
    columns = (Column("kode_desa", "village", required=True), Column("nomor", "RW number"))
    key_columns = ("kode_desa", "nomor")
    field_columns = {"number": "nomor"}

    def row_save(self, cells: RowReader, user: User | None) -> str:
        village = cells.region("kode_desa", levels=(RegionLevel.VILLAGE,))
        number = cells.number("nomor", required=True)
        if number == 13:
            cells.warn("nomor", "thirteen is unlucky")
        cells.check()
        assert village is not None
        name = f"RW {number:03d}"
        if Region.objects.filter(code__startswith=village.code + ".", name=name).exists():
            return UNCHANGED
        subunit_create(actor=user, parent=village, kind=RegionKind.RW, number=number)
        return CREATED

    def export_rows(self, *, user: User | None, region: Region) -> Iterator[Sequence[Any]]:
        return iter(())


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["kode_desa", "nomor"], *rows])
    return path


ROWS = [
    [SINGAMERTA, "1"],  # row 2: created
    ["3604092013", "13"],  # row 3: code without dots; created with a warning
    [SINGAMERTA, "1"],  # row 4: the same record as row 2
    [KUTA_JAYA, "2"],  # row 5: Kab. Tangerang, outside a Ciruas counsellor's scope
    [CIRUAS, "3"],  # row 6: a district, not a village
    [PULO, "satu"],  # row 7: not a number
    [PULO, "1000"],  # row 8: refused by the service (1-999), on the right column
    ["Desa Singamerta", "4"],  # row 9: a name where the code belongs
]


def test_each_row_is_saved_or_refused_with_its_reasons(tmp_path: Path) -> None:
    user = make_user(Role.COUNSELLOR, CIRUAS)
    rejects = tmp_path / "rejects.csv"
    report = import_run(
        kind=RWKind(), path=_write(tmp_path / "rw.csv", ROWS), user=user, rejects_path=rejects
    )
    assert (report.rows_read, report.rows_rejected) == (8, 6)
    assert report.counts == {"rw_created": 2, "rw_updated": 0, "rw_unchanged": 0}
    by_line = {p.line: (p.column, p.message) for p in report.problems}
    assert by_line[4] == (
        "kode_desa",
        gettext("the same record as row %(line)d of this file") % {"line": 2},
    )
    assert by_line[5][0] == ""
    assert by_line[6][0] == "kode_desa"
    assert by_line[6][1] == gettext("%(code)s is a %(level)s; a %(wanted)s is needed here") % {
        "code": CIRUAS,
        "level": RegionLevel.DISTRICT.label,
        "wanted": RegionLevel.VILLAGE.label,
    }
    assert by_line[7][0] == "nomor"
    assert by_line[8][0] == "nomor"
    assert by_line[9][0] == "kode_desa"
    assert [(w.line, w.message) for w in report.warnings] == [(3, "thirteen is unlucky")]
    assert Region.objects.filter(code__startswith=SINGAMERTA + ".RW").count() == 2
    with rejects.open(encoding="utf-8-sig") as handle:
        rejected = list(csv.reader(handle))
    assert rejected[0] == ["kode_desa", "nomor", "kesalahan"]
    assert [r[1] for r in rejected[1:]] == ["1", "2", "3", "satu", "1000", "4"]


def test_a_dry_run_reports_the_same_and_stores_nothing(tmp_path: Path) -> None:
    user = make_user(Role.COUNSELLOR, CIRUAS)
    path = _write(tmp_path / "rw.csv", ROWS)
    before = Region.objects.count()
    dry = import_run(kind=RWKind(), path=path, user=user, dry_run=True)
    assert Region.objects.count() == before
    real = import_run(kind=RWKind(), path=path, user=user)
    assert (dry.rows_rejected, dry.counts) == (real.rows_rejected, real.counts)
    again = import_run(kind=RWKind(), path=path, user=user)
    assert again.counts == {"rw_created": 0, "rw_updated": 0, "rw_unchanged": 2}
    assert Region.objects.count() == before + 2
