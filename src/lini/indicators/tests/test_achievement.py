"""Achievement against a target and its colour (DOMAIN.md §5), with the published examples."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lini.indicators.achievement import achievement_pct, band


@pytest.mark.parametrize(
    ("value", "target", "expected"),
    [
        ("1.81", "1.92", Decimal("105.73")),  # TFR, DIY 2020
        ("14", "17", Decimal("117.65")),  # ASFR 15-19
        ("9.04", "5.74", Decimal("42.51")),  # unmet need
    ],
)
def test_the_published_lower_is_better_examples_exactly(
    value: str, target: str, expected: Decimal
) -> None:
    pct = achievement_pct(Decimal(value), Decimal(target), "turun")
    assert pct == expected
    assert str(pct) == str(expected)  # two decimals, no more


def test_the_published_examples_get_their_colours() -> None:
    assert band(achievement_pct(Decimal("1.81"), Decimal("1.92"), "turun")) == "biru"
    assert band(achievement_pct(Decimal(14), Decimal(17), "turun")) == "biru"
    assert band(achievement_pct(Decimal("9.04"), Decimal("5.74"), "turun")) == "merah"


def test_higher_is_better_is_realisation_over_target() -> None:
    assert achievement_pct(Decimal("61.5"), Decimal(65), "naik") == Decimal("94.62")
    assert achievement_pct(Decimal(2), Decimal(3), "naik") == Decimal("66.67")  # half up


def test_the_value_counts_as_shown_rounded_half_up_to_two_decimals() -> None:
    # 9.035 is shown as 9.04: the achievement is that of 9.04 against 5.74.
    assert achievement_pct(Decimal("9.035"), Decimal("5.74"), "turun") == Decimal("42.51")


@pytest.mark.parametrize(
    ("pct", "colour"),
    [
        ("100.01", "biru"), ("100", "hijau"), ("100.00", "hijau"), ("87.5", "hijau"),
        ("87.49", "kuning"), ("75", "kuning"), ("74.99", "merah"), ("-20", "merah"),
    ],
)  # fmt: skip
def test_colour_band_boundaries(pct: str, colour: str) -> None:
    assert band(Decimal(pct)) == colour


def test_no_value_no_target_or_a_zero_target_has_no_achievement() -> None:
    assert achievement_pct(None, Decimal(5), "naik") is None
    assert achievement_pct(Decimal(5), None, "naik") is None
    assert achievement_pct(Decimal(5), Decimal(0), "turun") is None
    assert band(None) == ""
