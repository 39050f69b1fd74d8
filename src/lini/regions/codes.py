"""Kemendagri region codes: ``36`` province, ``36.04`` regency, ``36.04.09`` district,
``36.04.09.2013`` village. Sub-village units Lini adds get codes below their village
(``36.04.09.2013.D01`` dusun, ``….RW003`` RW, ``….RT002`` RT), so every code is its own path and a
subtree is a code prefix."""

from __future__ import annotations

import re

# Digits per Kemendagri level once the dots are removed: province, regency, district, village.
_UNDOTTED_LENGTHS = {2: (2,), 4: (2, 2), 6: (2, 2, 2), 10: (2, 2, 2, 4)}
_DOTTED = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
_SEPARATORS = re.compile(r"[\s.\-/]+")


class RegionCodeError(ValueError):
    """A text that is not a Kemendagri region code."""


def normalise_code(raw: str) -> str:
    """``"3604092013"``, ``"36.04.09.2013"`` or ``"36 04 09 2013"`` -> ``"36.04.09.2013"``.

    Raises RegionCodeError with the reason when the text is not a code.
    """
    text = str(raw).strip()
    if _DOTTED.match(text):
        return text
    digits = _SEPARATORS.sub("", text)
    if not digits.isdigit() or len(digits) not in _UNDOTTED_LENGTHS:
        raise RegionCodeError(
            f"{raw!r} is not a region code (2, 4, 6 or 10 digits, with or without dots)"
        )
    parts, start = [], 0
    for width in _UNDOTTED_LENGTHS[len(digits)]:
        parts.append(digits[start : start + width])
        start += width
    return ".".join(parts)


def dotted_prefix(digits: str) -> str:
    """Dots put into a (partial) run of code digits: ``"36040"`` -> ``"36.04.0"``."""
    parts = [digits[0:2], digits[2:4], digits[4:6], digits[6:]]
    return ".".join(p for p in parts if p)


def parent_code(code: str) -> str | None:
    """The code of the region directly above, or None for a province."""
    return code.rsplit(".", 1)[0] if "." in code else None


def ancestor_codes(code: str) -> list[str]:
    """Codes of every region above this one, top first: ``36.04.09`` -> ``["36", "36.04"]``."""
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def is_within(code: str, ancestor: str) -> bool:
    """True when ``code`` is ``ancestor`` itself or lies below it."""
    return code == ancestor or code.startswith(ancestor + ".")
