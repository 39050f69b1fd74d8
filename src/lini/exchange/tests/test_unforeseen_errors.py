"""A cell that makes a parser fail in a way no check foresaw (a bug of Lini) refuses its own row
with a plain message, never the error's text or a traceback, and the import goes on. The parser
is made to fail on purpose for one value; the database is real."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from django.utils import translation

from lini.exchange import records
from lini.exchange.records import unexpected_error_message
from lini.exchange.registry import get_kind
from lini.exchange.services import import_run
from lini.exchange.tests.hostile import write_table
from lini.exchange.tests.test_hostile_rows import CASES
from lini.kampung.models import KampungKB
from lini.regions.tests.places import PULO, SINGAMERTA
from lini.register import rows
from lini.register.models import Family

pytestmark = pytest.mark.django_db

SECRET = "internal detail that must not reach the user"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _failing_on(value: str, parse: Any) -> Any:
    def wrapper(cell: Any, *args: Any, **kwargs: Any) -> Any:
        if cell == value:
            raise RuntimeError(SECRET)
        return parse(cell, *args, **kwargs)

    return wrapper


def test_a_record_kind_refuses_only_the_row_a_parser_failed_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(records, "parse_flag", _failing_on("boom", records.parse_flag))
    kind = get_kind("kampung")
    good, bad = CASES["kampung"].good(0), CASES["kampung"].good(1)
    good["kode_desa"], bad["kode_desa"], bad["regulasi"] = SINGAMERTA, PULO, "boom"
    path = write_table(
        tmp_path / "kampung.csv", kind.column_names, [list(good.values()), list(bad.values())]
    )
    with caplog.at_level(logging.ERROR, logger="lini.exchange.records"):
        report = import_run(kind=kind, path=path, user=None)
    assert [(p.line, p.message) for p in report.problems] == [(3, unexpected_error_message())]
    assert SECRET not in str(report.as_dict())
    assert list(KampungKB.objects.values_list("village__code", flat=True)) == [SINGAMERTA]
    assert SECRET in caplog.text  # the administrators find the error in the log


def test_the_register_refuses_only_the_family_a_parser_failed_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rows, "parse_date", _failing_on("02/02/1980", rows.parse_date))
    kind, case = get_kind("register"), CASES["register"]
    good, bad = case.good(0), case.good(1)
    bad["tanggal_lahir"] = "02/02/1980"  # not ISO: read by the full path
    path = write_table(
        tmp_path / "keluarga.xlsx", kind.column_names, [list(good.values()), list(bad.values())]
    )
    report = import_run(kind=kind, path=path, user=None)
    assert [(p.line, p.message) for p in report.problems] == [(3, unexpected_error_message())]
    assert report.rows_rejected == 1
    assert SECRET not in str(report.as_dict())
    assert list(Family.objects.values_list("kk_number", flat=True)) == [good["no_kk"]]
