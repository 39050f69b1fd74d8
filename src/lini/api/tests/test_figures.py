"""Indicators and the monthly report through the API: the same figures as the indicator page and
the report page for the same region and month; the region's scope as on those pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from django.test import Client
from django.urls import reverse

from lini.accounts.models import User
from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.api.tests.helpers import api_for, english
from lini.core.privacy import Hidden
from lini.indicators.models import Indicator, Target
from lini.indicators.tests.helpers import put_counts
from lini.regions.models import Region, RegionLevel
from lini.regions.tests.places import CIRUAS, KAB_SERANG, KAB_TANGERANG, PULO, SINGAMERTA

pytestmark = pytest.mark.django_db

SEP, OCT = dt.date(2019, 9, 1), dt.date(2019, 10, 1)


@pytest.fixture
def officer() -> User:
    put_counts(SINGAMERTA, SEP, pus=1000, pa=600, pa_suntik=600, pb=4, pb_suntik=4, svc=3,
               svc_baru=3, svc_m_suntik=3)  # fmt: skip
    put_counts(
        SINGAMERTA, OCT, pus=1200, pa=640, pa_iud=100, pa_implan=40, pa_suntik=500, pa_modern=640,
        pa_mkjp=140, pb=12, pb_iud=10, pb_pil=2, dropout=3, switch=2, nonuser_hamil=30,
        nonuser_iat=20, nonuser_tial=10, unmet=30, pus_unknown=500, inst_ppkbd_exist=1,
        inst_ppkbd_reported=1, monthly_expected=1, monthly_sent=1,
    )  # fmt: skip
    put_counts(PULO, OCT, pus=800, pa=200, pa_pil=200, pa_modern=200, pb=1, pb_pil=1)
    indicator = Indicator.objects.order_by("position").first()
    assert indicator is not None
    Target.objects.create(
        indicator=indicator, region=Region.objects.get(code=CIRUAS), year=2019, value=Decimal(60)
    )
    return make_user(Role.REGENCY_OFFICER, KAB_SERANG)


def _number(value: object) -> float | int | None:
    if value is None or isinstance(value, int | Hidden):
        return None if isinstance(value, Hidden) else value
    return float(value)  # type: ignore[arg-type]


def _page_viewer(officer: User, region: str) -> User:
    """Who sees on the page what the API gives: the API hides a village's small counts as every
    file does, as the page does for a user who may not see that village's identities."""
    if Region.objects.get(code=region).level == RegionLevel.VILLAGE:
        return make_user(Role.PROVINCE_OFFICER, "36")
    return officer


@pytest.mark.parametrize(("region", "period"), [(CIRUAS, "2019-10"), (SINGAMERTA, "2019-09"),
                                                (KAB_SERANG, "2019")])  # fmt: skip
def test_indicators_are_the_indicator_pages_figures(
    client: Client, officer: User, region: str, period: str
) -> None:
    api = api_for(english(client), officer)
    data = api.get(reverse("api:indicators"), {"region": region, "period": period}).json()
    client.force_login(_page_viewer(officer, region))
    rows = client.get(
        reverse("indicators:indicator_list"), {"region": region, "period": period}
    ).context["rows"]
    assert data["period"] == period
    assert data["region"] == region
    assert len(data["rows"]) == len(rows) > 0
    for got, row in zip(data["rows"], rows, strict=True):
        assert got["indicator"] == row.indicator.code
        assert got["value"] == _number(row.shown)
        assert got["withheld"] == (None if row.hidden is None else str(row.hidden))
        assert got["target"] == _number(row.target)
        assert got["achievement_pct"] == _number(row.achievement)
        assert got["colour"] == row.colour
        assert got["name"] == row.indicator.name_en
    assert any(r["value"] not in (None, 0) for r in data["rows"])
    if region == CIRUAS:
        assert any(r["target"] == 60 and r["achievement_pct"] is not None for r in data["rows"])


@pytest.mark.parametrize(("region", "period"), [(CIRUAS, "2019-10"), (SINGAMERTA, "2019-10"),
                                                (KAB_SERANG, "2019-09")])  # fmt: skip
def test_the_monthly_report_is_the_report_pages(
    client: Client, officer: User, region: str, period: str
) -> None:
    api = api_for(english(client), officer)
    data = api.get(reverse("api:report_monthly"), {"region": region, "period": period}).json()
    client.force_login(_page_viewer(officer, region))
    report = client.get(
        reverse("indicators:report_monthly"), {"region": region, "period": period}
    ).context["report"]
    assert (data["region"], data["period"], data["previous"]) == (
        region,
        period,
        report.previous.text,
    )
    assert [s["code"] for s in data["sections"]] == [s.code for s in report.sections]
    for got, section in zip(data["sections"], report.sections, strict=True):
        assert [c["key"] for c in got["columns"]] == [c.key for c in section.columns]
        assert [(line["key"], line["values"]) for line in got["lines"]] == [
            (line.key, [_number(v) for v in line.values]) for line in section.lines
        ]
        assert [line["withheld"] for line in got["lines"]] == [
            [str(v) if isinstance(v, Hidden) else None for v in line.values]
            for line in section.lines
        ]
    hidden = [w for s in data["sections"] for line in s["lines"] for w in line["withheld"] if w]
    assert bool(hidden) == (region == SINGAMERTA)  # only a village's small counts are hidden
    if region == SINGAMERTA:
        dropout = next(li for li in data["sections"][0]["lines"] if li["key"] == "dropout")
        assert (dropout["values"][-1], dropout["withheld"][-1]) == (None, "<5")  # 3 dropouts
    pus = next(line for line in data["sections"][0]["lines"] if line["key"] == "pus")
    assert pus["values"][-1] == (
        2000 if region == CIRUAS else 1200 if region == SINGAMERTA else 1000
    )


def test_figures_follow_the_pages_scope_and_checks(client: Client, officer: User) -> None:
    api = api_for(english(client), officer)
    for name in ("api:indicators", "api:report_monthly"):
        assert api.get(reverse(name), {"region": KAB_TANGERANG}).status_code == 403
        assert api.get(reverse(name), {"region": "99.99"}).status_code == 404
        assert api.get(reverse(name)).json() == {"region": ["This field is required."]}
        bad = api.get(reverse(name), {"region": CIRUAS, "period": "Oktober"})
        assert bad.status_code == 400
        assert set(bad.json()) == {"period"}
    year = api.get(reverse("api:report_monthly"), {"region": CIRUAS, "period": "2019"})
    assert year.status_code == 400
    assert "one month" in year.json()["period"][0]
