"""Indonesian mobile numbers: the ways people write them, and what is refused."""

from __future__ import annotations

import pytest

from lini.reminders.phone import phone_mask, phone_normalise, phone_or_none


@pytest.mark.parametrize(
    "written",
    [
        "081234567890",
        "0812-3456-7890",
        "0812 3456 7890",
        "(0812) 3456.7890",
        "+6281234567890",
        "+62 812-3456-7890",
        "6281234567890",
        "006281234567890",
    ],
)
def test_a_mobile_number_is_stored_as_plus_628(written: str) -> None:
    assert phone_normalise(written) == "+6281234567890"


def test_short_and_long_mobile_numbers() -> None:
    assert phone_normalise("0811-234-567") == "+62811234567"  # 10 digits
    assert phone_normalise("0896-1234-567-89") == "+62896123456789"  # 13 digits


@pytest.mark.parametrize(
    "written",
    [
        "",
        "021-555-1234",  # a Jakarta landline
        "+62215551234",
        "0801234567",  # no operator digit
        "08123",  # too short
        "0812345678901234",  # too long
        "+6181234567890",  # another country
        "0812-3456-789O",  # a letter O
        "81234567890",  # neither 0 nor +62
    ],
)
def test_anything_else_is_refused(written: str) -> None:
    with pytest.raises(ValueError, match="Indonesian mobile number"):
        phone_normalise(written)
    assert phone_or_none(written) is None


def test_masking_keeps_the_operator_and_the_last_digits() -> None:
    assert phone_mask("+6281234567890") == "+62812*****890"
    assert phone_mask("") == ""
