"""The importer's fast path reads a row exactly as the full path does, or leaves it to it."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django.core.management import call_command
from django.utils import timezone

from lini.exchange.readers import Row, read_rows
from lini.regions.models import Region
from lini.register.rows import RowParser
from lini.register.synthetic import population_generate

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported_rows(tmp_path: Path) -> list[Row]:
    population_generate(region=Region.objects.get(code="36.04.09"), scale=0.01, seed=9)
    out = tmp_path / "r.csv"
    call_command("export", "register", "--region", "36.04.09", "-o", str(out),
                 "--purpose", "test of the export", stdout=io.StringIO())  # fmt: skip
    _header, rows = read_rows(out)
    return list(rows)


def same(parser: RowParser, row: Row) -> None:
    fast = parser._fast(row)
    full = parser._full(row)
    if fast is not None:
        assert not full.problems, (row, full.problems)
        assert (fast.kk, fast.family, fast.member) == (full.kk, full.family, full.member)


def test_exported_rows_take_the_fast_path_and_read_the_same(exported_rows: list[Row]) -> None:
    parser = RowParser(allowed_village_ids=None, today=timezone.localdate())
    assert len(exported_rows) > 500
    taken = 0
    for row in exported_rows:
        same(parser, row)
        taken += parser._fast(row) is not None
    assert taken == len(exported_rows)


MUTATIONS = st.sampled_from(
    [
        ("nik", "3604 0901 0185 0001"), ("nik", "36040901018500"), ("no_kk", ""),
        ("kode_wilayah", "3604092013"), ("kode_wilayah", "36.03.12.1012"), ("kode_wilayah", "99.99.99.9999"),
        ("jenis_kelamin", "laki-laki"), ("jenis_kelamin", "x"), ("nama", "   "), ("nama", "A" * 101),
        ("tanggal_lahir", "01/02/1990"), ("tanggal_lahir", "2999-01-01"), ("tanggal_lahir", "1899-12-31"),
        ("tanggal_lahir", "1990-02-30"), ("rw", "3"), ("rw", "000"), ("rt", "abc"), ("pendidikan", "SMA"),
        ("pendidikan", "99"), ("keberadaan", "pindah"), ("status_kb", "pakai"), ("metode_kb", "susuk"),
        ("metode_kb", "kondom"), ("alasan_tidak_kb", "tial"), ("tanggal_mulai_kb", "2019-13-01"),
        ("tempat_pelayanan_kb", "x" * 121), ("dusun", "  Krajan   Lor "), ("hubungan", "istri"),
    ]
)  # fmt: skip


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(index=st.integers(min_value=0, max_value=10_000), changes=st.lists(MUTATIONS, max_size=3))
def test_any_row_reads_the_same_on_both_paths(
    exported_rows: list[Row], index: int, changes: list[tuple[str, str]]
) -> None:
    parser = RowParser(
        allowed_village_ids={Region.objects.get(code="36.04.09.2013").pk}, today=dt.date(2026, 1, 1)
    )
    row = exported_rows[index % len(exported_rows)]
    values = {**row.values, **dict(changes)}
    same(parser, Row(line=row.line, values=values))
