"""Indicator values from the counts: sums over villages, months and years, zero denominators,
weights, many regions in one query, and the user's scope."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from django.utils.translation import gettext

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.indicators.models import Indicator
from lini.indicators.selectors import (
    indicator_values,
    indicator_values_by_region,
    period_parse,
    region_counts,
    value_of,
)
from lini.indicators.tests.helpers import put_counts
from lini.regions.models import Region, RegionLevel
from lini.regions.tests.places import (
    BANTEN,
    CIRUAS,
    CISAIT,
    KAB_SERANG,
    KAB_TANGERANG,
    KRAGILAN,
    KUTA_JAYA,
    PULO,
    SINGAMERTA,
)  # fmt: skip

pytestmark = pytest.mark.django_db

OCT, NOV, DEC = dt.date(2019, 10, 1), dt.date(2019, 11, 1), dt.date(2019, 12, 1)


@pytest.fixture
def counts(settings) -> None:  # type: ignore[no-untyped-def]
    settings.LINI_TODAY = dt.date(2019, 11, 15)
    for month in (OCT, NOV, DEC):
        put_counts(SINGAMERTA, month, villages=1, pus=10, pa=6, pa_modern=5, pa_mkjp=2,
                   pa_implan=2, pa_pil=3, pa_tradisional=1, nonuser_iat=1, nonuser_tial=1,
                   counsellor_assigned=1, counsellors=1, cadres=3)  # fmt: skip
        put_counts(PULO, month, villages=1, pus=20, pa=10, pa_modern=10, pa_mkjp=5, pa_implan=5,
                   pa_pil=5, nonuser_iat=2, cadres=1)  # fmt: skip
        put_counts(CISAIT, month, villages=1, pus=5, pa=1, pa_pil=1, pa_modern=1)
        put_counts(KUTA_JAYA, month, villages=1, pus=100, pa=90, pa_modern=90)
    put_counts(SINGAMERTA, OCT, pb=2, pb_pil=2, svc_m_pil=15, svc_m_iud=3, svc_first_m_iud=1, monthly_expected=1,
               monthly_sent=1)  # fmt: skip
    put_counts(SINGAMERTA, NOV, pb=1, pb_implan=1, monthly_expected=1)
    put_counts(PULO, OCT, pb=4, monthly_expected=1)
    put_counts(SINGAMERTA, dt.date(2018, 12, 1), villages=1, pus=8, pa=2)


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def test_a_district_sums_its_villages_for_a_month(counts: None) -> None:
    values = indicator_values(region=region(CIRUAS), period="2019-10")
    assert values["pus"].value == 30
    assert values["pa"].value == 16
    assert values["cpr"].numerator == 16
    assert values["cpr"].denominator == 30
    assert values["cpr"].shown == Decimal("53.33")
    assert values["mcpr"].shown == Decimal("50.00")
    assert values["mkjp_share"].shown == Decimal("43.75")  # 7 / 16
    assert values["unmet_need"].shown == Decimal("13.33")  # (1 + 1 + 2) / 30
    assert values["pa_implant"].value == 7
    assert values["pa_other"].value == 1
    assert values["mix_pill"].value == Decimal(50)  # 8 / 16
    assert values["villages"].value == 2
    assert values["villages_no_counsellor"].value == 1  # 2 villages, one looked after
    assert values["villages_per_counsellor"].value == 2
    assert values["cadres_per_village"].value == 2
    assert values["pb"].value == 6
    assert values["pb_pill"].value == 2


def test_flows_of_a_month_are_that_month_only(counts: None) -> None:
    values = indicator_values(region=region(SINGAMERTA), period="2019-11")
    assert (values["pb"].value, values["pb_implant"].value, values["pb_pill"].value) == (1, 1, 0)
    assert values["reporting_coverage"].value == 0


def test_a_year_sums_its_flows_and_takes_states_at_the_current_month(counts: None) -> None:
    period = period_parse("2019")
    assert period.state == NOV  # today is 15 Nov 2019: December is still ahead
    values = indicator_values(region=region(SINGAMERTA), period=period)
    assert values["pb"].value == 3  # October 2 + November 1
    assert values["pus"].value == 10  # a state, not summed over months
    assert values["reporting_coverage"].value == 50  # 1 sent of 2 due
    last_year = indicator_values(region=region(SINGAMERTA), period="2018")
    assert (last_year["pus"].value, last_year["cpr"].value) == (8, 25)


def test_a_zero_denominator_has_no_value_and_a_count_has_no_denominator(counts: None) -> None:
    values = indicator_values(region=region(CISAIT), period="2019-10")
    assert values["mkjp_share"].value == 0  # 0 / 1
    assert values["villages_per_counsellor"].value is None  # no counsellor
    assert values["pus"].denominator is None
    empty = indicator_values(region=region(KRAGILAN), period="2020-05")
    assert empty["cpr"].value is None
    assert empty["pus"].value == 0


def test_cyp_weighs_services_exactly(counts: None) -> None:
    values = indicator_values(region=region(SINGAMERTA), period="2019-10")
    # 15 pill cycles = 1 CYP, one IUD inserted 4.6 (its two check-ups add nothing).
    assert values["cyp"].value == Decimal("5.6")


def test_every_region_of_a_level_from_one_query_of_the_counts(
    counts: None,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    root = region(KAB_SERANG)
    with django_assert_max_num_queries(3):  # the catalog, the regions, the counts
        table = indicator_values_by_region(root=root, level=RegionLevel.DISTRICT, period="2019-10")
    by_code = {r.code: v for r, v in table}
    assert (
        len(by_code)
        == Region.objects.filter(
            code__startswith=KAB_SERANG + ".", level=RegionLevel.DISTRICT
        ).count()
    )
    assert by_code[CIRUAS]["pus"].value == 30
    assert by_code[KRAGILAN]["cpr"].value == 20
    assert all(v["pus"].value == 0 for c, v in by_code.items() if c not in (CIRUAS, KRAGILAN))
    villages = indicator_values_by_region(
        root=region(CIRUAS), level=RegionLevel.VILLAGE, period="2019-10"
    )
    assert {r.code: v["pa"].value for r, v in villages if v["pa"].value} == {
        SINGAMERTA: 6, PULO: 10,
    }  # fmt: skip


def test_the_province_and_the_same_level_as_the_root(counts: None) -> None:
    province = indicator_values_by_region(
        root=region(BANTEN), level=RegionLevel.PROVINCE, period="2019-10"
    )
    assert [(r.code, v["pus"].value) for r, v in province] == [(BANTEN, 135)]
    regencies = {
        r.code: v["pus"].value
        for r, v in indicator_values_by_region(
            root=region(BANTEN), level=RegionLevel.REGENCY, period="2019-10"
        )
    }
    assert (regencies[KAB_SERANG], regencies[KAB_TANGERANG]) == (35, 100)
    refusal = gettext("%(code)s is a %(level)s; choose its level or one below it") % {
        "code": CIRUAS, "level": RegionLevel.DISTRICT.label,
    }  # fmt: skip
    with pytest.raises(ValueError, match=re.escape(refusal)):
        indicator_values_by_region(root=region(CIRUAS), level=RegionLevel.REGENCY, period="2019")


def test_a_user_gets_only_the_regions_of_their_scope(counts: None) -> None:
    officer = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    table = indicator_values_by_region(
        root=region(BANTEN), level=RegionLevel.REGENCY, period="2019-10", user=officer
    )
    assert [r.code for r, _v in table] == [KAB_SERANG]


def test_region_counts_and_bad_periods(counts: None) -> None:
    assert region_counts(region=region(PULO), period=period_parse("2019-10"), keys=["pus", "pb"]) == {
        "pus": 20, "pb": 4,
    }  # fmt: skip
    for bad in ("2019-13", "19", "2019/10", "", "abc"):
        refusal = gettext(
            "%(value)s is not a period; write a month as YYYY-MM or a year as YYYY"
        ) % {"value": bad}
        with pytest.raises(ValueError, match=re.escape(refusal)):
            period_parse(bad)


WEIGHTS = st.one_of(
    st.integers(-3, 20), st.sampled_from(["1/15", "4.6", "1/4", "2.5", "1/10", "10"])
)


@hypothesis_settings(max_examples=300, deadline=None)
@given(
    numerator=st.dictionaries(st.sampled_from(["a", "b", "c"]), WEIGHTS, min_size=1),
    denominator=st.dictionaries(st.sampled_from(["c", "d"]), WEIGHTS),
    factor=st.sampled_from([Decimal(1), Decimal(100), Decimal("1000.0000"), Decimal("0.5")]),
    totals=st.dictionaries(st.sampled_from(["a", "b", "c", "d"]), st.integers(0, 10**9)),
)
def test_values_are_the_exact_fraction_rounded_once_digit_for_digit(
    numerator: dict[str, int | str],
    denominator: dict[str, int | str],
    factor: Decimal,
    totals: dict[str, int],
) -> None:
    """Values are computed with integer sums (weights times their common denominator) and one
    decimal division; each must be the exact fraction rounded once to 28 digits, with the same
    digits (as text) as that fraction converted directly."""
    indicator = Indicator(code="x", numerator=numerator, denominator=denominator, factor=factor)
    value = value_of(indicator, totals)
    num = sum(Fraction(w) * totals.get(k, 0) for k, w in numerator.items())
    den = sum(Fraction(w) * totals.get(k, 0) for k, w in denominator.items())

    def decimal(exact: Fraction) -> Decimal:
        with localcontext() as ctx:
            ctx.prec = 28
            return Decimal(exact.numerator) / Decimal(exact.denominator)

    if denominator and den == 0:
        assert value.value is None
    else:
        exact = Fraction(str(factor)) * (num / den if denominator else num)
        assert str(value.value) == str(decimal(exact))
    assert str(value.numerator) == str(decimal(num))
    assert value.denominator == (decimal(den) if denominator else None)
