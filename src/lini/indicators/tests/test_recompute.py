"""Done-when: the indicator values of a district equal a recomputation from its exported register,
done here independently with the standard library over the export file."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from django.conf import settings

from lini.core import clock
from lini.exchange.registry import get_kind
from lini.exchange.services import export_run
from lini.indicators.selectors import indicator_values
from lini.indicators.services import counts_rebuild
from lini.regions.models import Region, RegionLevel
from lini.regions.tests.places import CIRUAS
from lini.register.synthetic import population_generate

pytestmark = pytest.mark.django_db

LONG_ACTING = {"iud", "mow", "mop", "implan"}
METHOD_CODES = {"iud": "iud", "mow": "mow", "mop": "mop", "implan": "implant",
                "suntik": "injectable", "pil": "pill", "kondom": "condom", "mal": "mal",
                "tradisional": "other"}  # fmt: skip


def _month_end(day: dt.date) -> dt.date:
    first_next = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first_next - dt.timedelta(days=1)


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def recompute(path: Path, month_end: dt.date) -> Counter[str]:
    """PUS, users by method, long-acting users and unmet need, from the CSV alone: the wife of a
    family is its first married, present woman among head and spouse (register rule)."""
    wives: dict[str, dict[str, str]] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if (
                row["no_kk"] not in wives
                and row["jenis_kelamin"] == "P"
                and row["hubungan"] in ("kepala", "pasangan")
                and row["status_kawin"] == "kawin"
                and row["keberadaan"] == ""
            ):
                wives[row["no_kk"]] = row
    low, high = settings.LINI_PUS_MIN_AGE, settings.LINI_PUS_MAX_AGE
    tally: Counter[str] = Counter()
    for wife in wives.values():
        if not low <= _age(dt.date.fromisoformat(wife["tanggal_lahir"]), month_end) <= high:
            continue
        tally["pus"] += 1
        if wife["status_kb"] == "pakai":
            tally["pa"] += 1
            tally[f"pa_{METHOD_CODES[wife['metode_kb']]}"] += 1
            tally["pa_mkjp"] += wife["metode_kb"] in LONG_ACTING
        elif wife["status_kb"] == "tidak_pakai" and wife["alasan_tidak_kb"] in ("iat", "tial"):
            tally["unmet"] += 1
    return tally


def pct(part: int, whole: int) -> Decimal:
    return (Decimal(part) / Decimal(whole) * 100).quantize(Decimal("0.01"))


def test_district_values_equal_a_recomputation_from_the_export(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.LINI_TODAY = dt.date(2019, 11, 1)  # the synthetic register is of 31 Oct 2019
    district = Region.objects.get(code=CIRUAS)
    population_generate(region=district, scale=0.02, seed=7)
    villages = list(
        Region.objects.filter(code__startswith=CIRUAS + ".", level=RegionLevel.VILLAGE)
        .values_list("pk", flat=True)
    )  # fmt: skip
    counts_rebuild(village_ids=villages)
    path = tmp_path / "ciruas.csv"
    export_run(kind=get_kind("register"), region=district, path=path, user=None)

    month = clock.today()
    want = recompute(path, _month_end(month))
    got = indicator_values(region=district, period=month.strftime("%Y-%m"))

    assert want["pus"] > 50
    assert want["pa"] > 20
    assert want["unmet"] > 0
    assert got["pus"].value == want["pus"]
    assert got["pa"].value == want["pa"]
    for method in METHOD_CODES.values():
        assert got[f"pa_{method}"].value == want[f"pa_{method}"], method
    assert got["cpr"].shown == pct(want["pa"], want["pus"])
    assert got["mkjp_share"].shown == pct(want["pa_mkjp"], want["pa"])
    assert got["unmet_need"].shown == pct(want["unmet"], want["pus"])
