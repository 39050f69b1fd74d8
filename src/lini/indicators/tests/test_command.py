"""``lini indicators``: every indicator of every region of a level, as CSV or JSON."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from django.core.management import CommandError, call_command
from django.utils.translation import gettext

from lini.indicators.models import Indicator
from lini.indicators.targets import target_save
from lini.indicators.tests.helpers import put_counts
from lini.regions.models import Region, RegionLevel
from lini.regions.tests.places import CIRUAS, KAB_SERANG, KRAGILAN, PULO, SINGAMERTA

pytestmark = pytest.mark.django_db

COLUMNS = ["region_code", "region_name", "period", "indicator", "value", "target",
           "achievement_pct"]  # fmt: skip
OCT = dt.date(2019, 10, 1)


@pytest.fixture(autouse=True)
def _counts() -> None:
    put_counts(SINGAMERTA, OCT, pus=10, pa=6, nonuser_iat=1)
    put_counts(PULO, OCT, pus=20, pa=10, nonuser_tial=2)
    ciruas = Region.objects.get(code=CIRUAS)
    target_save(actor=None, indicator=Indicator.objects.get(code="cpr"), region=ciruas,
                year=2019, value="60")  # fmt: skip
    target_save(actor=None, indicator=Indicator.objects.get(code="unmet_need"), region=ciruas,
                year=2019, value="12.5")  # fmt: skip


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("indicators", *args, stdout=out)
    return out.getvalue()


def test_csv_has_one_row_per_region_and_indicator() -> None:
    text = run("--region", KAB_SERANG, "--level", "kecamatan", "--period", "2019-10")
    reader = csv.DictReader(io.StringIO(text))
    assert reader.fieldnames == COLUMNS
    rows = list(reader)
    districts = Region.objects.filter(
        code__startswith=KAB_SERANG + ".", level=RegionLevel.DISTRICT
    ).count()
    assert len(rows) == districts * Indicator.objects.count()
    by = {(r["region_code"], r["indicator"]): r for r in rows}
    cpr = by[(CIRUAS, "cpr")]
    assert cpr["region_name"] == Region.objects.get(code=CIRUAS).name
    assert (cpr["period"], cpr["value"], cpr["target"], cpr["achievement_pct"]) == (
        "2019-10", "53.33", "60", "88.88",
    )  # fmt: skip
    unmet = by[(CIRUAS, "unmet_need")]  # 3 / 30 = 10% against 12.5%, lower is better: 120%
    assert (unmet["value"], unmet["target"], unmet["achievement_pct"]) == ("10", "12.5", "120")
    assert by[(KRAGILAN, "cpr")]["value"] == ""  # no PUS: no value
    assert by[(KRAGILAN, "pus")]["value"] == "0"


def test_json_and_an_output_file(tmp_path: Path, settings) -> None:  # type: ignore[no-untyped-def]
    settings.LINI_SMALL_CELL_THRESHOLD = 0  # the villages' small counts: test_suppression.py
    path = tmp_path / "ind.json"
    call_command("indicators", "--region", CIRUAS, "--level", "desa", "--period", "2019-10",
                 "--format", "json", "-o", str(path), stderr=io.StringIO())  # fmt: skip
    rows = json.loads(path.read_text(encoding="utf-8"))
    assert set(rows[0]) == set(COLUMNS)
    pa = {r["region_code"]: r["value"] for r in rows if r["indicator"] == "pa"}
    assert (pa[SINGAMERTA], pa[PULO]) == ("6", "10")
    assert all(r["target"] == "" for r in rows)  # the targets are the district's


def test_a_year_and_the_region_itself() -> None:
    rows = list(csv.DictReader(io.StringIO(
        run("--region", CIRUAS, "--level", "kecamatan", "--period", "2019", "--format", "csv")
    )))  # fmt: skip
    assert {r["region_code"] for r in rows} == {CIRUAS}
    assert {r["period"] for r in rows} == {"2019"}


def bad_period(value: str) -> str:
    """The (translated) refusal of ``--period value``; computed when the test runs."""
    return "--period: " + gettext(
        "%(value)s is not a period; write a month as YYYY-MM or a year as YYYY"
    ) % {"value": value}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--region", "36.99", "--level", "desa", "--period", "2019"], "no region"),
        (["--region", CIRUAS, "--level", "kabupaten", "--period", "2019"], "lies below"),
        (["--region", CIRUAS, "--level", "desa", "--period", "2019-13"],
         lambda: bad_period("2019-13")),
        (["--region", CIRUAS, "--level", "desa", "--period", "2019", "--user", "nobody"],
         "no active account"),
    ],
)  # fmt: skip
def test_bad_arguments(args: list[str], message: str | Callable[[], str]) -> None:
    expected = message() if callable(message) else message
    with pytest.raises(CommandError, match=re.escape(expected)):
        run(*args)
