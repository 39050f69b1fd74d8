"""The demo's monthly inputs: plausible, varied, deterministic, and valid for the workflow."""

from __future__ import annotations

import datetime as dt

import pytest

from django.db.models import F, Q

from lini.monthly.models import INSTITUTIONS, MonthlyInput, MonthlyStatus
from lini.monthly.synthetic import monthly_generate
from lini.regions.models import Region
from lini.regions.tests.places import CIRUAS

pytestmark = pytest.mark.django_db

TODAY = dt.date(2020, 1, 15)


def _rows() -> list[tuple[object, ...]]:
    return list(
        MonthlyInput.objects.order_by("village__code", "month").values_list(
            "village__code", "month", "status", "bkb_exist", "bkb_reported", "kie_sessions"
        )
    )


def test_a_district_gets_a_year_of_inputs_in_every_state() -> None:
    ciruas = Region.objects.get(code=CIRUAS)
    villages = ciruas.children.count()
    counts = monthly_generate(region=ciruas, seed=2019, today=TODAY)

    assert counts["villages"] == villages
    assert counts["inputs"] == MonthlyInput.objects.count()
    months = sorted(set(MonthlyInput.objects.values_list("month", flat=True)))
    assert months[0] == dt.date(2019, 1, 1)
    assert months[-1] == dt.date(2019, 12, 1)
    share = counts["inputs"] / (villages * 12)
    assert 0.7 < share < 0.97
    last = MonthlyInput.objects.filter(month=dt.date(2019, 12, 1))
    assert set(last.values_list("status", flat=True)) <= {"draft", "submitted"}
    older = MonthlyInput.objects.filter(month__lt=dt.date(2019, 10, 1))
    assert set(older.values_list("status", flat=True)) == {MonthlyStatus.APPROVED}
    assert counts["approved"] > counts["submitted"] > 0
    for key, _label in INSTITUTIONS:
        assert not MonthlyInput.objects.filter(
            Q(**{f"{key}_reported__gt": F(f"{key}_exist")})
        ).exists()
    assert MonthlyInput.objects.filter(status="submitted", submitted_at__isnull=True).count() == 0


def test_the_same_seed_gives_the_same_inputs_and_a_second_run_adds_nothing() -> None:
    ciruas = Region.objects.get(code=CIRUAS)
    monthly_generate(region=ciruas, seed=5, today=TODAY)
    first = _rows()
    assert monthly_generate(region=ciruas, seed=5, today=TODAY)["inputs"] == 0
    MonthlyInput.objects.all().delete()
    monthly_generate(region=ciruas, seed=5, today=TODAY)
    assert _rows() == first
    MonthlyInput.objects.all().delete()
    monthly_generate(region=ciruas, seed=6, today=TODAY)
    assert _rows() != first
