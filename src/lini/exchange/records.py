"""Kinds whose rows are independent records (counsellors, cadres, poktan, services, ...).

A :class:`RecordKind` reads each row into its service call on its own: the row is saved whole in
its own savepoint or rejected whole with its reasons (row, column, value, why). The same services
that pages use do the writing, so scope, validation and the audit trail are the same everywhere.
A dry run does the same work inside a transaction that is rolled back, so its report is exactly
what the real import would do.

Each kind implements :meth:`RecordKind.row_save`, which reads the row's cells with the ``cell_*``
helpers below (each raises :class:`RowRefusedError` naming the column) and calls a service.

Before the first row is saved the whole file is read once (``ImportContext.reread``), so that a
file damaged half-way is refused before anything of it is stored.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
from abc import abstractmethod
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, models, transaction
from django.utils.translation import gettext as _

from lini.exchange.cells import (
    DATE_YEARS,
    CellError,
    ascii_digits,
    is_blank,
    parse_date,
    parse_sixteen_digits,
    shown,
    text,
    unquote,
)
from lini.exchange.registry import DataKind, ImportContext, ImportReport, RowProblem
from lini.indicators.services import counts_deferred
from lini.regions.codes import RegionCodeError, normalise_code

if TYPE_CHECKING:
    from lini.accounts.models import User
    from lini.exchange.readers import Row
    from lini.regions.models import Region

T = TypeVar("T")
log = logging.getLogger(__name__)

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
MAX_COUNT = 2_147_483_647  # the largest whole number every database column here holds
_THOUSANDS = re.compile(r"[0-9]{1,3}(\.[0-9]{3})+", re.ASCII)  # 1.000, 12.345.678
_POINT_ZERO = re.compile(r"([0-9]+)\.0", re.ASCII)  # 35.0, as programs write a whole number
_MONTH_PART = re.compile(r"[0-9]{1,4}", re.ASCII)


class RowRefusedError(Exception):
    """What is wrong with a row: one or more (column, value, message)."""

    def __init__(self, problems: list[tuple[str, str, str]]) -> None:
        super().__init__("; ".join(m for _c, _v, m in problems))
        self.problems = problems


class RowReader:
    """The cells of one row, read one column at a time; problems are collected, so that a row
    reports all its bad cells at once (:meth:`check` raises them)."""

    def __init__(self, row: Row) -> None:
        self.row = row
        self.problems: list[tuple[str, str, str]] = []
        self.warnings: list[tuple[str, str, str]] = []

    def raw(self, column: str) -> Any:
        """The cell as typed, without the apostrophe Lini's exports put before a text that a
        spreadsheet would run as a formula."""
        return unquote(self.row.values.get(column))

    def _fail(self, column: str, message: str) -> None:
        value = self.raw(column)
        self.problems.append((column, "" if value is None else shown(value, limit=60), message))

    def _read(self, column: str, parse: Callable[[Any], T], *, required: bool, default: T) -> T:
        value = self.raw(column)
        if is_blank(value):
            if required:
                self._fail(column, _("required; the cell is empty"))
            return default
        try:
            return parse(value)
        except CellError as exc:
            self._fail(column, str(exc))
            return default

    def text(self, column: str, *, max_length: int, required: bool = False) -> str:
        return self._read(
            column, lambda v: text(v, max_length=max_length), required=required, default=""
        )

    def date(self, column: str, *, required: bool = False) -> dt.date | None:
        return self._read(column, parse_date, required=required, default=None)

    def month(self, column: str, *, required: bool = False) -> dt.date | None:
        return self._read(column, parse_month, required=required, default=None)

    def number(self, column: str, *, required: bool = False, default: int = 0) -> int:
        return self._read(column, parse_count, required=required, default=default)

    def flag(self, column: str, *, required: bool = False, default: bool = False) -> bool:
        return self._read(column, parse_flag, required=required, default=default)

    def digits16(self, column: str, *, what: str, required: bool = True) -> str:
        return self._read(
            column, lambda v: parse_sixteen_digits(v, what=what), required=required, default=""
        )

    def choice(
        self, column: str, choices: type[models.TextChoices], *, required: bool = False
    ) -> str:
        return self._read(
            column, lambda v: parse_choice_cell(choices, v), required=required, default=""
        )

    def choices(self, column: str, choices: type[models.TextChoices]) -> list[str]:
        """A list of codes separated by commas or semicolons (``apbd, dana desa``)."""

        def parse(value: Any) -> list[str]:
            parts = [p for p in str(value).replace(";", ",").split(",") if p.strip()]
            return sorted({parse_choice_cell(choices, p) for p in parts})

        return self._read(column, parse, required=False, default=[])

    def names(self, column: str, *, max_length: int = 120) -> list[str]:
        """A list of free-text names separated by semicolons."""

        def parse(value: Any) -> list[str]:
            return [text(p, max_length=max_length) for p in str(value).split(";") if p.strip()]

        return self._read(column, parse, required=False, default=[])

    def region(
        self, column: str, *, levels: tuple[int, ...], required: bool = True
    ) -> Region | None:
        from lini.regions.models import Region, RegionLevel

        def parse(value: Any) -> Region:
            typed = str(value).strip()
            try:
                code = normalise_code(typed)
            except RegionCodeError:  # a dusun/RW/RT code (36.04.09.2013.RW004) or junk
                if len(typed) > 40 or not Region.objects.filter(code=typed).exists():
                    raise CellError(
                        _(
                            "%(value)s is not a region code (2, 4, 6 or 10 digits, with or "
                            "without dots)"
                        )
                        % {"value": shown(typed)}
                    ) from None
                code = typed
            found = Region.objects.filter(code=code).first()
            if found is None:
                raise CellError(_("there is no region with the code %(code)s") % {"code": code})
            if found.level not in levels:
                wanted = " / ".join(str(RegionLevel(level).label) for level in levels)
                raise CellError(
                    _("%(code)s is a %(level)s; a %(wanted)s is needed here")
                    % {"code": code, "level": found.get_level_display(), "wanted": wanted}
                )
            return found

        return self._read(column, parse, required=required, default=None)

    def warn(self, column: str, message: str) -> None:
        """A warning on a row that is still accepted (shown in the import's summary)."""
        value = self.raw(column) if column else None
        self.warnings.append((column, "" if value is None else shown(value, limit=60), message))

    def check(self) -> None:
        if self.problems:
            raise RowRefusedError(self.problems)


def parse_month(value: Any) -> dt.date:
    """A month as yyyy-mm, mm/yyyy or any date (its month)."""
    raw = str(value).strip()
    for sep in ("-", "/", "."):
        parts = raw.split(sep)
        if len(parts) == 2 and all(_MONTH_PART.fullmatch(p) for p in parts):
            first, second = (int(p) for p in parts)
            year, month = (first, second) if len(parts[0]) == 4 else (second, first)
            if 1 <= month <= 12 and DATE_YEARS[0] <= year <= DATE_YEARS[1]:
                return dt.date(year, month, 1)
    try:
        return parse_date(value).replace(day=1)
    except CellError:
        raise CellError(
            _("%(value)s is not a month; write it as yyyy-mm (e.g. 2019-11)")
            % {"value": shown(raw)}
        ) from None


def parse_count(value: Any) -> int:
    """A whole number from 0 to MAX_COUNT: a number cell, or digits (``1.000`` is a thousand,
    ``35.0`` is 35; ``3.5`` is no whole number)."""
    if isinstance(value, bool):
        raise CellError(_("a whole number is needed"))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        number = value
    else:
        raw = str(value).strip()
        if _THOUSANDS.fullmatch(raw):
            raw = raw.replace(".", "")
        elif match := _POINT_ZERO.fullmatch(raw):
            raw = match.group(1)
        if not ascii_digits(raw):
            raise CellError(
                _("%(value)s is not a whole number of 0 or more") % {"value": shown(raw, limit=20)}
            )
        number = int(raw) if len(raw.lstrip("0")) <= 10 else MAX_COUNT + 1
    if number < 0:
        raise CellError(
            _("%(value)s is not a whole number of 0 or more") % {"value": shown(number, limit=20)}
        )
    if number > MAX_COUNT:
        raise CellError(_("a whole number of at most %(max)d is needed") % {"max": MAX_COUNT})
    return number


_TRUE = {"ya", "y", "yes", "1", "true", "benar", "ada", "sudah", "v", "x"}
_FALSE = {"tidak", "t", "no", "n", "0", "false", "salah", "tidak ada", "belum", "-"}


def parse_flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raw = " ".join(str(value).strip().lower().split())
    if raw.endswith(".0"):
        raw = raw[:-2]
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise CellError(_("%(value)s is not ya or tidak") % {"value": shown(raw, limit=20)})


def parse_choice_cell(choices: type[models.TextChoices], value: Any) -> str:
    from lini.register.choices import parse_choice

    found = parse_choice(choices, value)
    if found is None:
        raise CellError(
            _("%(value)s is not one of: %(allowed)s")
            % {"value": shown(value), "allowed": ", ".join(choices.values)}
        )
    return found


def allowed_values(choices: type[models.TextChoices]) -> str:
    """The template's description of a code list: ``code = label`` for each value."""
    return "; ".join(f"{value} = {label}" for value, label in choices.choices if value)


class RecordKind(DataKind):
    """Base of the kinds whose rows are independent records (see the module's docstring)."""

    entity: ClassVar[str]  # the name of what one row is, for the summary (e.g. "poktan")
    # The columns that identify a record; a second row with the same values is refused.
    key_columns: ClassVar[tuple[str, ...]] = ()
    # Which column a service's ValidationError field belongs to (field name -> column name).
    field_columns: ClassVar[dict[str, str]] = {}

    @abstractmethod
    def row_save(self, cells: RowReader, user: User | None) -> str:
        """Read the row and save it through the app's service; CREATED, UPDATED or UNCHANGED.
        Raise :class:`RowRefusedError` (or ValidationError / PermissionDenied) to refuse it."""

    def import_rows(self, rows: Iterator[Row], context: ImportContext) -> ImportReport:
        report = ImportReport(
            counts={f"{self.entity}_{o}": 0 for o in (CREATED, UPDATED, UNCHANGED)}
        )
        seen: dict[tuple[str, ...], int] = {}
        if context.reread is not None:
            # The whole file read once first: a file damaged half-way (cut short, an encoding
            # error, a broken sheet) raises FileError here, before any row is stored.
            for _row in context.reread(("",)):
                pass
        # A real import commits row by row (each row is its own transaction, so locks such as
        # the audit trail's are held for one row only); a dry run is one transaction, rolled back.
        with (
            transaction.atomic() if context.dry_run else contextlib.nullcontext(),
            # Each touched village's counts rewritten once, at the end (a dry run: not at all).
            counts_deferred(discard=context.dry_run),
        ):
            for row in rows:
                report.rows_read += 1
                problems, outcome, warnings = self._one(row, context, seen)
                if outcome:
                    count_outcome(report, self.entity, outcome)
                for warning in warnings:
                    report.add_warning(warning)
                if problems:
                    report.rows_rejected += 1
                    for line_problem in problems:
                        report.add_problem(line_problem)
                    context.reject(row, "; ".join(p.message for p in problems))
                if report.rows_read % 500 == 0:
                    context.progress(report.rows_read)
            context.progress(report.rows_read)
            if context.dry_run:
                transaction.set_rollback(True)
        return report

    def _one(
        self, row: Row, context: ImportContext, seen: dict[tuple[str, ...], int]
    ) -> tuple[list[RowProblem], str, list[RowProblem]]:
        def problem(column: str, value: str, message: str) -> RowProblem:
            return RowProblem(line=row.line, column=column, value=value, message=message)

        # Cells of the kind's columns the reader refused (too long, control characters).
        refused = [
            problem(column, shown(row.values.get(column) or "", limit=60), why)
            for column, why in row.problems
            if column in self.column_names
        ]
        if refused:
            return refused, "", []
        required = {c.name for c in self.columns if c.required}
        if self.key_columns:
            key = tuple(
                " ".join(str(unquote(row.values.get(c)) or "").lower().split())
                for c in self.key_columns
            )
            # A key lacking a required part identifies nothing (the row is refused for it).
            identifies = all(v for c, v in zip(self.key_columns, key, strict=True) if c in required)
            if identifies and key in seen:
                why = _("the same record as row %(line)d of this file") % {"line": seen[key]}
                # Named on the first key column that is filled in (a counsellor without NIP is
                # the same by name).
                at = next((n for n, value in enumerate(key) if value), 0)
                return [problem(self.key_columns[at], shown(key[at], limit=60), why)], "", []
            if identifies:
                seen[key] = row.line
        cells = RowReader(row)
        try:
            with transaction.atomic():
                outcome = self.row_save(cells, context.user)
        except RowRefusedError as exc:
            return [problem(c, v, m) for c, v, m in exc.problems], "", []
        except PermissionDenied as exc:
            message = str(exc) or _("outside the regions you may change")
            return [problem("", "", message)], "", []
        except ValidationError as exc:
            found: list[RowProblem] = []
            if hasattr(exc, "error_dict"):
                for field_name, errors in exc.message_dict.items():
                    column = self.field_columns.get(field_name, "")
                    value = "" if not column else shown(row.values.get(column) or "", limit=60)
                    found.extend(problem(column, value, m) for m in errors)
            else:
                found.extend(problem("", "", m) for m in exc.messages)
            return found, "", []
        except DatabaseError as exc:  # a constraint, a value out of the column's range
            why = _("refused by the database: %(why)s") % {"why": shown(exc, limit=300)}
            return [problem("", "", why)], "", []
        except Exception:
            # A row no check above foresaw: refused alone (its savepoint rolled back), the error
            # logged with its traceback for the administrators, the import goes on.
            log.exception("import of %s, row %d", self.slug, row.line)
            return [problem("", "", unexpected_error_message())], "", []
        return [], outcome, [problem(c, v, m) for c, v, m in cells.warnings]


def unexpected_error_message() -> str:
    """What a row refused by an error in Lini itself says (never the error's own text)."""
    return _(
        "this row could not be stored because of an error in Lini; the administrators can find "
        "it in the log"
    )


def count_outcome(report: ImportReport, entity: str, outcome: str) -> None:
    key = f"{entity}_{outcome}"
    report.counts[key] = report.counts.get(key, 0) + 1
