"""Reading what people type into spreadsheets: dates, 16-digit numbers, codes, text.

Each parser returns the clean value or raises :class:`CellError` with a sentence that tells the
user what is wrong with the cell and how to fix it.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _

EXCEL_EPOCH = dt.date(1899, 12, 30)  # day 0 of Excel's (1900) date system
_MAX_EXACT_FLOAT = 2**53
_DMY = re.compile(r"^(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})$")
_YMD = re.compile(r"^(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})$")
_SERIAL = re.compile(r"^\d{1,5}(\.0+)?$")
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?e\+?\d+$", re.IGNORECASE)
_ID_SEPARATORS = re.compile(r"[\s.\-]")


class CellError(ValueError):
    """A cell that cannot be read; the message says why, for the person who typed it."""


def unquote(value: object) -> object:
    """A text cell as written before Lini's exports guarded it (``'=x`` -> ``=x``)."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


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
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_serial(float(value))
    raw = str(value).strip()
    try:
        if match := _DMY.match(raw):
            day, month, year = (int(g) for g in match.groups())
            return dt.date(year, month, day)
        if match := _YMD.match(raw):
            year, month, day = (int(g) for g in match.groups())
            return dt.date(year, month, day)
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
        _("%(value)s is not a date; write it as dd/mm/yyyy (e.g. 17/08/1985)") % {"value": raw}
    )


def _from_serial(serial: float) -> dt.date:
    if not 1 <= serial <= 2958465 or not float(serial).is_integer():
        raise CellError(_("%(value)s is not a date") % {"value": serial})
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


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
            % {"what": what, "value": raw}
        )
    if raw.endswith(".0"):
        raw = raw[:-2]
    digits = _ID_SEPARATORS.sub("", raw)
    if not digits.isdigit():
        raise CellError(
            _("%(what)s may hold only digits (and spaces); %(value)s does not")
            % {"what": what, "value": raw[:40]}
        )
    if len(digits) != 16:
        raise CellError(
            _("%(what)s must have 16 digits; %(value)s has %(n)d")
            % {"what": what, "value": raw, "n": sum(c.isdigit() for c in raw)}
        )
    return digits


def safe_for_spreadsheet(value: str) -> str:
    """Text that a spreadsheet will not run as a formula (CSV/formula injection)."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value
