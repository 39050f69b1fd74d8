"""The registry of data kinds Lini imports and exports. A kind is one class: its columns, how to
read rows into the database and how to write the database out as rows. Commands, pages and tasks
only talk to this interface, so a new kind needs no new command or page."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from lini.accounts.models import User
    from lini.exchange.readers import Row
    from lini.regions.models import Region


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    required: bool = False
    allowed: str = ""  # the accepted values, for the template's explanation sheet


@dataclass(frozen=True)
class RowProblem:
    line: int
    column: str
    value: str
    message: str

    def as_text(self) -> str:
        where = f"row {self.line}, {self.column}" if self.column else f"row {self.line}"
        value = f" = {self.value!r}" if self.value else ""
        return f"{where}{value}: {self.message}"


@dataclass
class ImportReport:
    """What an import did. ``counts`` are the kind's own (created/updated/unchanged per entity)."""

    rows_read: int = 0
    rows_rejected: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[RowProblem] = field(default_factory=list)  # the first ones, for display
    warnings: list[RowProblem] = field(default_factory=list)
    problems_total: int = 0
    warnings_total: int = 0
    dry_run: bool = False

    MAX_LISTED: ClassVar[int] = 200

    def add_problem(self, problem: RowProblem) -> None:
        self.problems_total += 1
        if len(self.problems) < self.MAX_LISTED:
            self.problems.append(problem)

    def add_warning(self, warning: RowProblem) -> None:
        self.warnings_total += 1
        if len(self.warnings) < self.MAX_LISTED:
            self.warnings.append(warning)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows_read": self.rows_read,
            "rows_accepted": self.rows_read - self.rows_rejected,
            "rows_rejected": self.rows_rejected,
            **self.counts,
            "dry_run": self.dry_run,
            "problems_total": self.problems_total,
            "problems": [p.__dict__ for p in self.problems],
            "warnings_total": self.warnings_total,
            "warnings": [w.__dict__ for w in self.warnings],
        }


@dataclass
class ImportContext:
    """Who imports (None: the system itself, from the command line) and what to do with rejects."""

    user: User | None
    dry_run: bool = False
    reject: Callable[[Row, str], None] = lambda row, why: None
    progress: Callable[[int], None] = lambda rows: None
    # The rows again (optionally only some columns), for a checking pass before the import.
    reread: Callable[..., Iterator[Row]] | None = None


class DataKind(ABC):
    """Base class of an importable/exportable kind of data."""

    slug: ClassVar[str]
    title: ClassVar[str]
    columns: ClassVar[Sequence[Column]]
    error_column: ClassVar[str] = "kesalahan"
    personal: ClassVar[bool] = False  # holds personal data (exports need VIEW_IDENTITY)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @abstractmethod
    def import_rows(self, rows: Iterator[Row], context: ImportContext) -> ImportReport:
        """Read ``rows`` into the database (or only check them, ``context.dry_run``)."""

    @abstractmethod
    def export_rows(self, *, user: User | None, region: Region) -> Iterator[Sequence[Any]]:
        """The rows of ``region`` that ``user`` may export, in the order of ``columns``."""


_KINDS: dict[str, DataKind] = {}


def register_kind(cls: type[DataKind]) -> type[DataKind]:
    _KINDS[cls.slug] = cls()
    return cls


def kinds() -> dict[str, DataKind]:
    from django.apps import apps

    apps.check_apps_ready()
    return dict(_KINDS)


def get_kind(slug: str) -> DataKind:
    try:
        return kinds()[slug]
    except KeyError:
        known = ", ".join(sorted(_KINDS)) or "none"
        raise KeyError(f"unknown kind {slug!r} (known: {known})") from None
