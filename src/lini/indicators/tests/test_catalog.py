"""The seeded catalog: what the issue asks for, built only from existing count keys, and the
same as the migration's frozen copy."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from lini.indicators.catalog import COUNT_KEYS, CYP_WEIGHTS, INDICATORS
from lini.indicators.models import Indicator
from lini.indicators.selectors import terms

pytestmark = pytest.mark.django_db

REQUIRED = {
    "pus", "pa", "pa_iud", "pa_mow", "pa_mop", "pa_implant", "pa_injectable", "pa_pill",
    "pa_condom", "pa_mal", "pa_other", "cpr", "mcpr", "mkjp_share", "unmet_need",
    "nonuser_hamil", "nonuser_ias", "nonuser_iat", "nonuser_tial", "nonuser_lainnya", "pb",
    "pb_iud", "pb_implant", "pb_other", "dropout", "switch", "mix_iud", "mix_pill", "cyp",
    "poktan_bkb", "poktan_active_bkr", "poktan_active", "participation_bkb",
    "participation_bkr", "participation_bkl", "participation_uppka", "kampung_dasar",
    "kampung_berkembang", "kampung_mandiri", "kampung_berkelanjutan", "kampung_rdk",
    "reporting_coverage", "villages_per_counsellor", "villages_no_counsellor",
    "cadres_per_village",
    # Issue 9: the follow-through of the due visits.
    "due_visits", "due_on_time_pct", "due_overdue", "due_dropout", "due_visited_pct",
}  # fmt: skip


def test_the_database_holds_the_catalog_exactly_as_defined() -> None:
    stored = {i.code: i for i in Indicator.objects.all()}
    assert set(stored) == {d["code"] for d in INDICATORS}, "catalog.py changed: add a migration"
    for definition in INDICATORS:
        indicator = stored[definition["code"]]
        assert indicator.builtin
        for name, value in definition.items():
            got = getattr(indicator, name)
            if name == "factor":
                assert got == Decimal(value), definition["code"]
            else:
                assert got == value, (definition["code"], name)


def test_every_required_indicator_is_there_and_uses_only_known_keys() -> None:
    codes = {d["code"] for d in INDICATORS}
    assert codes >= REQUIRED
    for definition in INDICATORS:
        for key in (*definition["numerator"], *definition["denominator"]):
            assert key in COUNT_KEYS, (definition["code"], key)


def test_method_codes_map_to_the_register_values() -> None:
    by_code = {d["code"]: d for d in INDICATORS}
    assert by_code["pa_implant"]["numerator"] == {"pa_implan": 1}
    assert by_code["pa_injectable"]["numerator"] == {"pa_suntik": 1}
    assert by_code["pa_other"]["numerator"] == {"pa_tradisional": 1}
    assert by_code["unmet_need"]["numerator"] == {"nonuser_iat": 1, "nonuser_tial": 1}
    assert by_code["unmet_need"]["direction"] == "turun"
    assert by_code["villages_no_counsellor"]["numerator"] == {
        "villages": 1, "counsellor_assigned": -1,
    }  # fmt: skip


def test_cyp_weights_are_the_domain_factors_as_exact_fractions() -> None:
    weights = terms(CYP_WEIGHTS)
    assert weights["svc_m_pil"] == Fraction(1, 15)
    assert weights["svc_m_kondom"] == Fraction(12, 120)
    assert weights["svc_m_suntik"] == Fraction(1, 4)
    assert weights["svc_first_m_iud"] == Fraction(46, 10)  # insertions only, not check-ups
    assert "svc_m_iud" not in weights
