"""The register as a data kind: the import/export template (one row per member, the family's
columns repeated on each row, the couple's KB status on the wife's row), row by row checks and
the export in the same format."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.core import clock
from lini.exchange.cells import (
    is_blank,
)
from lini.exchange.readers import Row
from lini.exchange.registry import (
    Column,
    DataKind,
    ImportContext,
    ImportReport,
    RowProblem,
    register_kind,
)
from lini.indicators.services import counts_deferred, counts_refresh
from lini.regions.models import Region, RegionLevel
from lini.regions.selectors import subtree_q
from lini.register.choices import (
    Education,
    EventSource,
    KBStatus,
    MaritalStatus,
    Method,
    NotUsingReason,
    Occupation,
    Presence,
    Relation,
)
from lini.register.identity import nik_warnings
from lini.register.models import Member
from lini.register.records import FamilyRecord, family_problems
from lini.register.rows import ParsedRow, RowParser, shown
from lini.register.writer import WriteCounts, register_write

if TYPE_CHECKING:
    from django.db.models import TextChoices

    from lini.accounts.models import User

BATCH_FAMILIES = 1000
PROGRESS_EVERY = 1000


def _allowed(choices: type[TextChoices]) -> str:
    return "; ".join(f"{value} ({label})" for value, label in choices.choices)


COLUMNS = (
    Column(
        "no_kk", gettext_lazy("Family card number, 16 digits (format the column as text)."), True
    ),
    Column(
        "kode_wilayah",
        gettext_lazy("Kemendagri village code, with or without dots (36.04.09.2013)."),
        True,
    ),
    Column("dusun", gettext_lazy("Dusun name (optional).")),
    Column("rw", gettext_lazy("RW number (optional).")),
    Column("rt", gettext_lazy("RT number (optional).")),
    Column("alamat", gettext_lazy("Address (street, house number).")),
    Column("tanggal_pendataan", gettext_lazy("Date of data collection, dd/mm/yyyy.")),
    Column("pendata", gettext_lazy("Name of the cadre who collected the data.")),
    Column("nik", gettext_lazy("NIK, 16 digits (format the column as text)."), True),
    Column("nama", gettext_lazy("Full name."), True),
    Column("jenis_kelamin", gettext_lazy("Sex."), True, "L (laki-laki), P (perempuan)"),
    Column("tanggal_lahir", gettext_lazy("Birth date, dd/mm/yyyy."), True),
    Column(
        "hubungan", gettext_lazy("Relation to the head of the family."), True, _allowed(Relation)
    ),
    Column("status_kawin", gettext_lazy("Marital status."), True, _allowed(MaritalStatus)),
    Column("pendidikan", gettext_lazy("Education (code 1-10)."), False, _allowed(Education)),
    Column("pekerjaan", gettext_lazy("Occupation (code 1-11)."), False, _allowed(Occupation)),
    Column("keberadaan", gettext_lazy("Presence (empty = lives here)."), False, _allowed(Presence)),
    Column("tanggal_keberadaan", gettext_lazy("Date the member moved away or died.")),
    Column(
        "status_kb",
        gettext_lazy("On the wife's row only: is the couple using contraception now?"),
        False,
        _allowed(KBStatus),
    ),
    Column("metode_kb", gettext_lazy("Method, when using."), False, _allowed(Method)),
    Column(
        "tanggal_mulai_kb",
        gettext_lazy("Since when the current status holds (the method was started), dd/mm/yyyy."),
    ),
    Column("tempat_pelayanan_kb", gettext_lazy("Where the method was received.")),
    Column(
        "alasan_tidak_kb",
        gettext_lazy("When not using: why."),
        False,
        _allowed(NotUsingReason),
    ),
)


def _kk_key(value: Any) -> str:
    """The No. KK of a cell as digits only (what groups rows), or "" when the cell is empty."""
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    # Only 0-9: str.isdigit also takes "²" and other scripts' digits, which int() refuses.
    return "".join(ch for ch in str(value) if "0" <= ch <= "9") or str(value).strip()


def _group_key(row: Row, current: object) -> object:
    """A row whose No. KK cannot be read (empty, or a typo) belongs to the family being read and
    makes it fail whole, with the reason on that row; a first row starts a group of its own."""
    return current if current is not None else ("row", row.line)


def _split_families(rows: Iterator[Row]) -> set[int]:
    """No. KKs whose rows are not one after the other in the file."""
    closed: set[int] = set()
    split: set[int] = set()
    current = ""
    for row in rows:
        key = _kk_key(row.values.get("no_kk"))
        if not key or key == current:
            continue
        if current.isdigit():
            closed.add(int(current))
        if key.isdigit() and int(key) in closed:
            split.add(int(key))
        current = key
    return split


class _RegisterImport:
    def __init__(self, context: ImportContext) -> None:
        self.context = context
        self.report = ImportReport()
        self.counts = WriteCounts()
        user = context.user
        self.allowed: set[int] | None = None
        if user is not None and not scope.user_scope(user).national:
            villages = Region.objects.filter(level=RegionLevel.VILLAGE)
            self.allowed = set(
                scope.restrict(villages, user, Action.CHANGE).values_list("pk", flat=True)
            )
        self.by_id = user.pk if user is not None else None
        self.today = clock.today()
        self.started = timezone.now()
        self.parser = RowParser(allowed_village_ids=self.allowed, today=self.today)
        self.batch: list[tuple[FamilyRecord, list[ParsedRow]]] = []

    def run(self, rows: Iterator[Row]) -> ImportReport:
        # A first, light pass finds families whose rows are not together, so that all their rows
        # are refused and none of them is half-written.
        reread = self.context.reread
        self.split = _split_families(reread(("no_kk",))) if reread else set()
        group: list[ParsedRow] = []
        group_key: object = None
        for row in rows:
            parsed = self.parser.parse(row)
            self.report.rows_read += 1
            key = parsed.kk if parsed.kk is not None else _group_key(row, group_key)
            if group and key != group_key:
                self._finish(group)
                group = []
            group.append(parsed)
            group_key = key
            if self.report.rows_read % PROGRESS_EVERY == 0:
                self.context.progress(self.report.rows_read)
        if group:
            self._finish(group)
        self._flush()
        self.context.progress(self.report.rows_read)
        self.report.counts = self.counts.as_dict()
        return self.report

    def _finish(self, group: list[ParsedRow]) -> None:
        kk = group[0].kk
        if kk is not None and int(kk) in self.split:
            first = group[0].row.line
            message = _(
                "the rows of this family are not together in the file; put them one after the "
                "other (none of them was stored)"
            )
            self._reject(group, {first: [RowProblem(first, "no_kk", kk, message)]})
            return

        problems = {p.row.line: list(p.problems) for p in group if p.problems}
        family = self._family_fields(group, problems)
        if problems:
            self._reject(group, problems)
            return
        record = FamilyRecord(kk_number=kk, **family, members=[p.member for p in group])  # type: ignore[arg-type]
        for problem in family_problems(record):
            problems.setdefault(problem.line, []).append(
                RowProblem(problem.line, problem.column, problem.value, problem.message)
            )
        if problems:
            self._reject(group, problems)
            return
        for member in record.members:
            for warning in nik_warnings(member.nik, sex=member.sex, birth_date=member.birth_date):
                self.report.add_warning(RowProblem(member.line, "nik", member.nik, warning))
        self.batch.append((record, group))
        if len(self.batch) >= BATCH_FAMILIES:
            self._flush()

    def _family_fields(
        self, group: list[ParsedRow], problems: dict[int, list[RowProblem]]
    ) -> dict[str, Any]:
        """The family's columns: the first non-blank value of each; a different one is an error."""
        merged: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        columns = dict(
            zip(
                ("village_id", "dusun", "rw", "rt", "address", "collected_on", "collector_name"),
                ("kode_wilayah", "dusun", "rw", "rt", "alamat", "tanggal_pendataan", "pendata"),
                strict=True,
            )
        )
        for parsed in group:
            for key, column in columns.items():
                value = parsed.family[key]
                if value in (None, ""):
                    continue
                if key not in merged:
                    merged[key], first_line[key] = value, parsed.row.line
                    if key == "village_id":
                        merged["village_code"] = parsed.family["village_code"]
                elif merged[key] != value:
                    problems.setdefault(parsed.row.line, []).append(
                        RowProblem(
                            parsed.row.line,
                            column,
                            shown(parsed.row.values.get(column)),
                            _("differs from row %(line)d of the same family")
                            % {"line": first_line[key]},
                        )
                    )
        if "village_id" not in merged and not problems:
            line = group[0].row.line
            problems[line] = [RowProblem(line, "kode_wilayah", "", _("is empty"))]
        for key in ("dusun", "rw", "rt", "address", "collector_name"):
            merged.setdefault(key, "")
        merged.setdefault("collected_on", None)
        merged.setdefault("village_code", "")
        return merged

    def _reject(self, group: list[ParsedRow], problems: dict[int, list[RowProblem]]) -> None:
        lines = sorted(problems)
        for parsed in group:
            own = problems.get(parsed.row.line)
            if own:
                for problem in own:
                    self.report.add_problem(problem)
                why = "; ".join(p.as_text() for p in own)
            else:
                why = _("another row of this family has errors (row %(lines)s)") % {
                    "lines": ", ".join(str(n) for n in lines)
                }
            self.report.rows_rejected += 1
            self.context.reject(parsed.row, why)

    def _flush(self) -> None:
        if not self.batch:
            return
        records = [record for record, _group in self.batch]
        groups = {record.kk_number: group for record, group in self.batch}
        self.batch = []
        with transaction.atomic():
            result = register_write(
                records=records,
                source=EventSource.IMPORT,
                by_id=self.by_id,
                allowed_village_ids=self.allowed,
                today=self.today,
                since=self.started,
            )
            if self.context.dry_run:
                transaction.set_rollback(True)
            else:  # the counts of the villages this batch wrote, once at the end of the import
                rejected = {r.kk_number for r, _p in result.rejected}
                counts_refresh(r.village_id for r in records if r.kk_number not in rejected)
        self.counts.add(result.counts)
        for record, family_problems_ in result.rejected:
            problems: dict[int, list[RowProblem]] = {}
            for p in family_problems_:
                problems.setdefault(p.line, []).append(
                    RowProblem(p.line, p.column, p.value, p.message)
                )
            self._reject(groups[record.kk_number], problems)


@register_kind
class RegisterKind(DataKind):
    slug = "register"
    title = gettext_lazy("Family register (families, members, KB status)")
    columns = COLUMNS
    personal = True

    def import_rows(self, rows: Iterator[Row], context: ImportContext) -> ImportReport:
        with counts_deferred(discard=context.dry_run):
            return _RegisterImport(context).run(rows)

    def export_rows(self, *, user: User | None, region: Region) -> Iterator[Sequence[Any]]:
        members = Member.objects.filter(subtree_q([region.code], field="family__village__code"))
        if user is not None:
            members = scope.restrict(members, user, Action.VIEW, field="family__village__code")
        rows = members.order_by("family__village__code", "family__kk_number", "position").values_list(
            "family__kk_number", "family__village__code", "family__dusun", "family__rw",
            "family__rt", "family__address", "family__collected_on", "family__collector_name",
            "nik", "name", "sex", "birth_date", "relation", "marital_status", "education",
            "occupation", "presence", "presence_date", "couple_as_wife__ended_on", "couple_as_wife__status",
            "couple_as_wife__method", "couple_as_wife__status_since", "couple_as_wife__place",
            "couple_as_wife__reason",
        )  # fmt: skip
        for row in rows.iterator(chunk_size=5000):
            (kk, code, dusun, rw, rt, address, collected_on, collector, nik, name, sex, birth,
             relation, marital, education, occupation, presence, presence_date, ended_on, status,
             method, since, place, reason) = row  # fmt: skip
            if ended_on is not None:  # she is no longer the wife of a couple of this family
                status = method = place = reason = ""
            yield (
                kk, code, dusun, rw, rt, address, collected_on, collector, nik, name, sex, birth,
                relation, marital, education, occupation,
                "" if presence == Presence.PRESENT else presence, presence_date,
                status or "", method or "", since if status else None, place or "", reason or "",
            )  # fmt: skip
