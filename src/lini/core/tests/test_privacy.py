"""The small-cell rule (lini.core.privacy): which counts are hidden, which figures go with them,
and that no hidden count can be worked back from a total and the parts shown."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from django.test import override_settings
from django.utils import translation

from lini.core import privacy
from lini.core.privacy import Figure, Hidden, count_shown, is_small, rate_shown, withhold


@given(n=st.integers(min_value=0, max_value=50), limit=st.integers(min_value=0, max_value=20))
def test_a_count_is_small_exactly_when_it_lies_between_zero_and_the_threshold(
    n: int, limit: int
) -> None:
    assert is_small(n, limit) is (0 < n < limit)
    shown = count_shown(n, limit)
    if 0 < n < limit:
        assert shown == Hidden(f"<{limit}", small=True)
        assert str(shown) == f"<{limit}"
    else:
        assert shown == n  # zero stays zero; 0 turns the rule off


@given(
    num=st.integers(min_value=0, max_value=30),
    den=st.integers(min_value=0, max_value=30),
    limit=st.integers(min_value=0, max_value=10),
)
def test_a_rate_goes_when_its_numerator_or_denominator_is_small(
    num: int, den: int, limit: int
) -> None:
    value = Decimal(num) / den if den else None
    shown = rate_shown(value, num, den, limit=limit)
    if 0 < num < limit or 0 < den < limit:
        assert shown == Hidden("x")
    else:
        assert shown == value


def test_the_threshold_comes_from_the_setting() -> None:
    with override_settings(LINI_SMALL_CELL_THRESHOLD=3):
        assert privacy.threshold() == 3
        assert is_small(2)
        assert not is_small(3)
        assert str(count_shown(1)) == "<3"
    with override_settings(LINI_SMALL_CELL_THRESHOLD=0):
        assert not is_small(1)
        assert withhold({"a": Figure(1)}) == {}
    with translation.override("en"):
        assert privacy.legend(5).startswith("<5: fewer than 5, hidden to protect families' privacy")


def _range(mark: Hidden, limit: int, ceiling: int) -> tuple[int, int]:
    """What a reader knows of a hidden count from its mark alone."""
    return (1, limit - 1) if mark.small else (limit, ceiling)


@given(
    parts=st.lists(st.integers(min_value=0, max_value=9), min_size=1, max_size=5),
    limit=st.integers(min_value=1, max_value=6),
)
def test_no_hidden_part_can_be_worked_back_from_the_total(parts: list[int], limit: int) -> None:
    names = [f"p{i}" for i in range(len(parts))]
    total = sum(parts)
    figures = {"total": Figure(total), **{n: Figure(v) for n, v in zip(names, parts, strict=True)}}
    hidden = withhold(figures, sums={"total": names}, limit=limit)
    for name, value in zip(names, parts, strict=True):
        if value == 0:
            assert name not in hidden  # a zero identifies nobody
        elif value < limit:
            assert hidden[name].small
    if "total" in hidden:
        assert total > 0
        return
    ceiling = total
    shown = sum(v for n, v in zip(names, parts, strict=True) if n not in hidden)
    secret = {n: _range(hidden[n], limit, ceiling) for n in names if n in hidden}
    for name, (low, high) in secret.items():
        others_low = sum(r[0] for n, r in secret.items() if n != name)
        others_high = sum(r[1] for n, r in secret.items() if n != name)
        possible = [
            x for x in range(low, high + 1) if others_low <= total - shown - x <= others_high
        ]
        # The total and the parts shown leave at least as much doubt as the mark itself does.
        assert len(possible) >= min(2, high - low + 1), (parts, limit, hidden)


def test_one_small_method_takes_the_smallest_other_with_it_and_the_rates_over_them() -> None:
    figures = {
        "pus": Figure(120),
        "pa": Figure(60),
        "pa_iud": Figure(3),
        "pa_pil": Figure(17),
        "pa_suntik": Figure(40),
        "nonuser": Figure(50),
        "pus_unknown": Figure(10),
        "cpr": Figure(Decimal("50.00"), bases=("pa", "pus")),
        "mix_iud": Figure(Decimal("5.00"), bases=("pa_iud", "pa")),
        "mix_pil": Figure(Decimal("28.33"), bases=("pa_pil", "pa")),
        "groups": Figure(2, people=False),
    }
    sums = {"pus": ["pa", "nonuser", "pus_unknown"], "pa": ["pa_iud", "pa_pil", "pa_suntik"]}
    hidden = withhold(figures, sums=sums, limit=5)
    assert hidden == {
        "pa_iud": Hidden("<5", small=True),
        "pa_pil": Hidden("x"),  # else pa - pil - suntik = iud
        "mix_iud": Hidden("x"),
        "mix_pil": Hidden("x"),
    }


def test_a_rate_that_reveals_a_total_counts_as_showing_it() -> None:
    # mcpr = pa_modern / pus reveals pa_modern (the sum of the modern methods) although it is no
    # line of its own: with one modern method hidden, another goes too.
    figures = {
        "pus": Figure(100),
        "pa_iud": Figure(2),
        "pa_suntik": Figure(30),
        "mcpr": Figure(Decimal("32.00"), bases=("pa_modern", "pus")),
    }
    hidden = withhold(
        figures, sums={"pa_modern": ["pa_iud", "pa_suntik"]}, counts={"pa_modern": 32}, limit=5
    )
    assert set(hidden) == {"pa_iud", "pa_suntik"}


def test_two_parts_of_one_take_a_third_with_them() -> None:
    # 9 = 1 + 1 + 7: with both 1s hidden, the unknown sum 2 pins them both to 1.
    figures = {
        "svc": Figure(9),
        "svc_baru": Figure(1),
        "svc_cabut": Figure(1),
        "svc_ulang": Figure(7),
    }
    hidden = withhold(figures, sums={"svc": ["svc_baru", "svc_cabut", "svc_ulang"]}, limit=5)
    assert hidden == {
        "svc_baru": Hidden("<5", small=True),
        "svc_cabut": Hidden("<5", small=True),
        "svc_ulang": Hidden("x"),
    }


def test_the_total_goes_when_no_part_is_left_to_withhold() -> None:
    figures = {
        "families": Figure(12),
        "with_child": Figure(2),
        "other": Figure(10, people=False),  # never withheld
        "share": Figure(Decimal("16.67"), bases=("with_child", "families")),
        "per_group": Figure(Decimal("6"), bases=("families", "groups")),
    }
    hidden = withhold(figures, sums={"families": ["with_child", "other"]}, limit=5)
    assert hidden == {
        "with_child": Hidden("<5", small=True),
        "share": Hidden("x"),
        "families": Hidden("x"),
        "per_group": Hidden("x"),
    }


def test_a_rate_over_a_small_count_that_is_no_figure_goes_too() -> None:
    figures = {"pus": Figure(100), "mcpr": Figure(Decimal("3.00"), bases=("pa_modern", "pus"))}
    assert withhold(figures, counts={"pa_modern": 3}, limit=5) == {"mcpr": Hidden("x")}
