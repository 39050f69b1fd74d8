"""Reading what people type into spreadsheets: dates, 16-digit numbers, codes, text.

Each parser returns the clean value or raises :class:`CellError` with a sentence that tells the
user what is wrong with the cell and how to fix it.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal

from django.utils.translation import gettext as _

EXCEL_EPOCH = dt.date(1899, 12, 30)  # day 0 of Excel's (1900) date system
# The years a date cell may hold: Excel's calendar starts in 1900, and a later year than this is
# a typo, never a date of the register.
DATE_YEARS = (1900, 2999)
# Characters that make a spreadsheet read a text cell as a formula (OWASP "CSV injection"):
# = + - @ first (also after leading spaces), or a tab, carriage return or line feed first.
FORMULA_STARTS = "=+-@"
FORMULA_CONTROLS = "\t\r\n"
# Spreadsheets keep 15 significant digits: a larger whole number is written as text.
EXACT_DIGITS = 15
SHOWN_CHARS = 40  # how much of a cell a message quotes
_MAX_EXACT_FLOAT = 2**53
_DMY = re.compile(r"^(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})$", re.ASCII)
_YMD = re.compile(r"^(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})$", re.ASCII)
_SERIAL = re.compile(r"^\d{1,5}(\.0+)?$", re.ASCII)
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?e\+?\d+$", re.IGNORECASE | re.ASCII)
_ID_SEPARATORS = re.compile(r"[\s.\-]")
_ASCII_DIGITS = re.compile(r"[0-9]+", re.ASCII)


class CellError(ValueError):
    """A cell that cannot be read; the message says why, for the person who typed it."""


def unquote(value: object) -> object:
    """A text cell as it was before :func:`safe_for_spreadsheet` guarded it (``'=x`` -> ``=x``,
    ``''=x`` -> ``'=x``); any other value as it is."""
    if isinstance(value, str) and value[:1] == "'" and _runs_as_formula(value.lstrip("'")):
        return value[1:]
    return value


def shown(value: object, *, limit: int = SHOWN_CHARS) -> str:
    """A cell quoted in a message: at most ``limit`` characters, "…" when cut."""
    raw = str(value)
    return raw if len(raw) <= limit else raw[: limit - 1] + "…"


def ascii_digits(raw: str) -> bool:
    """Only the digits 0-9 (``str.isdigit`` also takes "²" and other scripts' digits)."""
    return _ASCII_DIGITS.fullmatch(raw) is not None


def normalise_header(text: object) -> str:
    """``" No. KK "`` -> ``"no_kk"``; ``"Tanggal Lahir"`` -> ``"tanggal_lahir"``."""
    cleaned = re.sub(r"[^0-9a-z]+", "_", str(text or "").strip().lower())
    return cleaned.strip("_")


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: object, *, max_length: int) -> str:
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    cleaned = " ".join(str(value).split())
    if len(cleaned) > max_length:
        raise CellError(
            _("longer than %(max)d characters (%(n)d)") % {"max": max_length, "n": len(cleaned)}
        )
    return cleaned


def parse_date(value: object) -> dt.date:
    """Dates as dd/mm/yyyy, dd-mm-yyyy, yyyy-mm-dd, Excel serial numbers or spreadsheet dates."""
    if isinstance(value, dt.datetime):
        return _in_years(value.date(), value.date())
    if isinstance(value, dt.date):
        return _in_years(value, value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_serial(float(value))
    raw = str(value).strip()
    try:
        if match := _DMY.match(raw):
            day, month, year = (int(g) for g in match.groups())
            return _in_years(dt.date(year, month, day), raw)
        if match := _YMD.match(raw):
            year, month, day = (int(g) for g in match.groups())
            return _in_years(dt.date(year, month, day), raw)
    except ValueError as exc:
        raise CellError(_("%(value)s is not a real date") % {"value": raw}) from exc
    if _SERIAL.match(raw):
        if len(raw.split(".")[0]) < 5:  # "1985" is a year, not day 1985 of Excel's calendar
            raise CellError(
                _("%(value)s is not a date; write it as dd/mm/yyyy (e.g. 17/08/1985)")
                % {"value": raw}
            )
        return _from_serial(float(raw))
    raise CellError(
        _("%(value)s is not a date; write it as dd/mm/yyyy (e.g. 17/08/1985)")
        % {"value": shown(raw)}
    )


def _in_years(day: dt.date, raw: object) -> dt.date:
    if not DATE_YEARS[0] <= day.year <= DATE_YEARS[1]:
        raise CellError(
            _("%(value)s is not a date between the years %(first)d and %(last)d")
            % {"value": shown(raw), "first": DATE_YEARS[0], "last": DATE_YEARS[1]}
        )
    return day


def _from_serial(serial: float) -> dt.date:
    if not 1 <= serial <= 2958465 or not float(serial).is_integer():
        raise CellError(_("%(value)s is not a date") % {"value": shown(serial)})
    return _in_years(EXCEL_EPOCH + dt.timedelta(days=int(serial)), serial)


def parse_sixteen_digits(value: object, *, what: str) -> str:
    """A NIK or No. KK typed as text, as a number, with spaces or dots: 16 digits back."""
    if isinstance(value, bool):
        raise CellError(_("%(what)s must have 16 digits") % {"what": what})
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(_("%(what)s must have 16 digits") % {"what": what})
        if abs(value) >= _MAX_EXACT_FLOAT:
            raise CellError(
                _(
                    "%(what)s was stored as a spreadsheet number, which loses digits past 15; "
                    "format the column as text and type it again"
                )
                % {"what": what}
            )
        value = int(value)
    raw = str(value).strip().lstrip("'")
    if _SCIENTIFIC.match(raw):
        raise CellError(
            _(
                "%(what)s %(value)s is in scientific notation, its last digits are lost; format "
                "the column as text and type it again"
            )
            % {"what": what, "value": shown(raw)}
        )
    if raw.endswith(".0"):
        raw = raw[:-2]
    digits = _ID_SEPARATORS.sub("", raw)
    if not ascii_digits(digits):
        raise CellError(
            _("%(what)s may hold only digits (and spaces); %(value)s does not")
            % {"what": what, "value": shown(raw)}
        )
    if len(digits) != 16:
        raise CellError(
            _("%(what)s must have 16 digits; %(value)s has %(n)d")
            % {"what": what, "value": shown(raw), "n": len(digits)}
        )
    return digits


def _runs_as_formula(value: str) -> bool:
    stripped = value.lstrip()
    return (value != "" and value[0] in FORMULA_CONTROLS) or (
        stripped != "" and stripped[0] in FORMULA_STARTS
    )


def safe_for_spreadsheet(value: str) -> str:
    """Text that a spreadsheet will not run as a formula (CSV/formula injection): a text that
    would (see :data:`FORMULA_STARTS`) gets a leading apostrophe, as OWASP recommends, and so
    does a text that already looks guarded (``'=x``), so that :func:`unquote`, which takes one
    apostrophe off when the file is imported, gives back exactly the text written."""
    if _runs_as_formula(value.lstrip("'")):
        return "'" + value
    return value


Number = int | float | Decimal


def spreadsheet_value(value: object) -> str | Number:
    """A value as a spreadsheet cell: numbers stay numbers (a negative number is a number, not
    a formula), except whole numbers of more than :data:`EXACT_DIGITS` digits and infinities,
    which become text; dates are ISO text; any other value is text made safe with
    :func:`safe_for_spreadsheet`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return value if abs(value) < 10**EXACT_DIGITS else safe_for_spreadsheet(str(value))
    if isinstance(value, float):
        return value if math.isfinite(value) else safe_for_spreadsheet(str(value))
    if isinstance(value, Decimal):
        return value if value.is_finite() else safe_for_spreadsheet(str(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return safe_for_spreadsheet(str(value))
