"""NIK and No. KK: shape checks, what a NIK says about its holder, and masking.

A NIK has 16 digits: 6 of the district (kecamatan) where it was issued, the birth date as DDMMYY
with 40 added to the day for women, then a 4-digit serial (DOMAIN.md §4.3). A mismatch with the
recorded sex or birth date is a *warning* shown on the record, never a rejection: real registers
hold NIKs issued with mistakes.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _

_DIGITS16 = re.compile(r"^\d{16}$")


def is_sixteen_digits(value: str) -> bool:
    return bool(_DIGITS16.match(value))


def nik_birth_info(nik: str) -> tuple[int, int, int, str] | None:
    """``(day, month, yy, sex)`` encoded in a NIK, or None when the digits are no date."""
    if not is_sixteen_digits(nik):
        return None
    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = "L"
    if day > 40:
        day -= 40
        sex = "P"
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    return day, month, yy, sex


def nik_warnings(nik: str, *, sex: str, birth_date: dt.date | None) -> list[str]:
    """What in the NIK disagrees with the recorded sex and birth date (empty when it agrees)."""
    info = nik_birth_info(nik)
    if info is None:
        return [_("The NIK's digits 7-12 are not a birth date.")]
    day, month, yy, nik_sex = info
    warnings = []
    if nik_sex != sex:
        warnings.append(
            _("The NIK is of a woman (day + 40) but the sex recorded is male.")
            if nik_sex == "P"
            else _("The NIK is of a man but the sex recorded is female.")
        )
    if birth_date is not None and (day, month, yy) != (
        birth_date.day,
        birth_date.month,
        birth_date.year % 100,
    ):
        warnings.append(
            _("The NIK encodes the birth date %(nik)s, the record says %(recorded)s.")
            % {
                "nik": f"{day:02d}-{month:02d}-{yy:02d}",
                "recorded": birth_date.strftime("%d-%m-%y"),
            }
        )
    return warnings


def mask(number: str) -> str:
    """``3604094501900001`` -> ``3604********0001``: enough to tell records apart, not to use."""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]
