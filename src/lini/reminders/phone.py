"""Indonesian mobile numbers: read as people write them, stored as +628..., masked for display.

A mobile number is 08 followed by the operator's digit (1-9) and 7 to 10 more digits (10 to 13
digits in all, e.g. 0812-3456-7890), written nationally (08...) or internationally (+628...,
628..., 00628...). Landlines (021..., +6221...) cannot receive an SMS or a WhatsApp message and
are refused.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

_SEPARATORS = re.compile(r"[\s.\-()/]")
_NATIONAL = re.compile(r"^8[1-9]\d{7,10}$")  # the number without its 0 or +62


def phone_normalise(text: str) -> str:
    """``0812-3456-7890`` / ``+62 812 3456 7890`` / ``6281234567890`` -> ``+6281234567890``.
    ValueError with a readable message when it is not an Indonesian mobile number."""
    digits = _SEPARATORS.sub("", text.strip())
    if digits.startswith("+62"):
        national = digits[3:]
    elif digits.startswith("0062"):
        national = digits[4:]
    elif digits.startswith("62"):
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        national = ""
    if not _NATIONAL.match(national):
        raise ValueError(
            _("Write an Indonesian mobile number, for example 0812-3456-7890 or +62 812 3456 7890.")
        )
    return f"+62{national}"


def phone_or_none(text: str) -> str | None:
    """The normalised number, or None when ``text`` is no Indonesian mobile number."""
    try:
        return phone_normalise(text)
    except ValueError:
        return None


def phone_mask(phone: str) -> str:
    """``+6281234567890`` -> ``+62812*****890``: enough to tell numbers apart, not to call."""
    if len(phone) <= 9:
        return "*" * len(phone)
    return phone[:6] + "*" * (len(phone) - 9) + phone[-3:]
