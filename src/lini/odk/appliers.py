"""Applying a submission to Lini's data: its values are read as the importer reads a row (the
same cell parsers, row checks and services, as the user who sent it) and what is wrong comes
back as errors by form field, for the review queue.

- KB service and Kampung KB profile: the values are a row of the ``services`` and ``kampung``
  import kinds (the form's fields are those columns) and go through the kind's own row step.
- Family update: each member is a row of the register template, read by the register's
  ``RowParser``; the family is checked by ``family_problems`` and written by ``family_save``.
- Poktan meeting: the meeting import's cell readers, then ``poktan.services.meeting_record``
  with the families ticked as present.

Field names of errors: a form field (``nik_istri``), a field of a repeat entry
(``anggota.2.nik``, entries counted from 1), or "" for the submission as a whole.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.core import clock
from lini.exchange.cells import is_blank
from lini.exchange.readers import Row
from lini.exchange.records import CREATED, UNCHANGED, UPDATED, RowReader
from lini.exchange.registry import ImportContext, get_kind
from lini.odk.definitions import NO_RUMAH_DATAKU
from lini.poktan import services as poktan_services
from lini.poktan.models import Poktan, PoktanMeeting
from lini.regions.codes import RegionCodeError, normalise_code
from lini.regions.models import Region, RegionLevel
from lini.register import selectors as register_selectors
from lini.register import services as register_services
from lini.register.choices import Presence
from lini.register.identity import mask
from lini.register.models import Family
from lini.register.records import FamilyRecord, MemberRecord, family_problems
from lini.register.rows import RowParser

if TYPE_CHECKING:
    from lini.accounts.models import User
    from lini.exchange.registry import RowProblem


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class SubmissionRefusedError(Exception):
    """The submission cannot be applied; ``errors`` say why, by field."""

    def __init__(self, errors: list[FieldError]) -> None:
        unique = list(dict.fromkeys(errors))
        super().__init__("; ".join(e.message for e in unique))
        self.errors = unique


@dataclass(frozen=True)
class Applied:
    outcome: str  # CREATED, UPDATED or UNCHANGED
    summary: str  # what was written, for the submission's record


Values = dict[str, Any]


def _text(values: Values, name: str) -> str:
    value = values.get(name)
    return value.strip() if isinstance(value, str) else ""


def _entries(values: Values, name: str) -> list[dict[str, Any]]:
    entries = values.get(name)
    if not isinstance(entries, list):
        return []
    return [entry for entry in entries if isinstance(entry, dict)]


def _key(value: str) -> int | None:
    """A record's key as the phone's lists give it (digits that fit the database), or None."""
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


def submission_village(values: Values) -> Region | None:
    """The village a submission names (``kode_desa``), whoever may change it, or None."""
    try:
        code = normalise_code(_text(values, "kode_desa"))
    except RegionCodeError:
        return None
    return Region.objects.filter(code=code, level=RegionLevel.VILLAGE).first()


def _village(values: Values, actor: User) -> Region:
    """The submission's village, read as an import reads a village code, in ``actor``'s scope."""
    cells = RowReader(Row(line=1, values={"kode_desa": _text(values, "kode_desa") or None}))
    village = cells.region("kode_desa", levels=(RegionLevel.VILLAGE,))
    if village is None:
        raise SubmissionRefusedError([FieldError(c, m) for c, _v, m in cells.problems])
    if not scope.can(actor, Action.CHANGE, village):
        raise SubmissionRefusedError(
            [
                FieldError(
                    "kode_desa",
                    _("village %(code)s is outside your regions") % {"code": village.code},
                )
            ]
        )
    return village


def _refused(
    problems: list[RowProblem], field: Callable[[RowProblem], str]
) -> SubmissionRefusedError:
    return SubmissionRefusedError([FieldError(field(p), p.message) for p in problems])


# KB service and Kampung KB profile: a row of their import kind -------------------------------------


def _kind_row(slug: str, cells: dict[str, object], actor: User) -> str:
    """Save one row through the import kind's own row step (a savepoint; refusals mapped to the
    row's columns), exactly as an import of a file with this one row would."""
    kind = get_kind(slug)
    problems, outcome, _warnings = kind._one(  # type: ignore[attr-defined]  # the importer's row step
        Row(line=1, values=cells), ImportContext(user=actor), {}
    )
    if problems:
        raise _refused(problems, lambda p: p.column)
    return str(outcome)


SERVICE_COLUMNS = (
    "tanggal", "nik_istri", "metode", "produk", "jenis_kunjungan", "alasan_setelah_cabut",
    "pasca_persalinan", "informed_consent", "kode_faskes", "petugas", "catatan",
)  # fmt: skip


def _apply_service(values: Values, actor: User, village: Region) -> Applied:
    outcome = _kind_row("services", {c: _text(values, c) or None for c in SERVICE_COLUMNS}, actor)
    summary = _("KB service of %(nik)s on %(day)s: %(outcome)s") % {
        "nik": mask(_text(values, "nik_istri")), "day": _text(values, "tanggal"), "outcome": outcome,
    }  # fmt: skip
    return Applied(outcome=outcome, summary=summary)


KAMPUNG_LISTS = (
    "kriteria",
    "sumber_dana",
    "kegiatan_operasional",
    "penggunaan_data",
    "rumah_dataku_data",
)
KAMPUNG_COLUMNS = (
    "nama", "tanggal_pencanangan", "kriteria", "pokja_ada", "pokja_sk", "pokja_tanggal_sk",
    "pokja_anggota", "pokja_terlatih", "regulasi", "rkm", "mitra_sektor", "sumber_dana",
    "kegiatan_operasional", "penggunaan_data", "sekretariat", "rumah_dataku",
    "rumah_dataku_sejak", "rumah_dataku_data", "rumah_dataku_diperbarui",
)  # fmt: skip


def _apply_kampung(values: Values, actor: User, village: Region) -> Applied:
    cells: dict[str, object] = {"kode_desa": village.code}
    for column in KAMPUNG_COLUMNS:
        value = _text(values, column)
        if column in KAMPUNG_LISTS:  # ODK separates the codes of a multiple choice by spaces
            value = ", ".join(value.split())
        if column == "rumah_dataku" and value == NO_RUMAH_DATAKU:
            value = ""
        cells[column] = value or None
    outcome = _kind_row("kampung", cells, actor)
    summary = _("Kampung KB of %(village)s: %(outcome)s") % {
        "village": village.display_name, "outcome": outcome,
    }  # fmt: skip
    return Applied(outcome=outcome, summary=summary)


# Poktan meeting ------------------------------------------------------------------------------------

MEETING_FIELDS = {
    "held_on": "tanggal",
    "topic": "topik",
    "attendance": "jumlah_hadir",
    "attendees": "hadir",
}


def _apply_meeting(values: Values, actor: User, village: Region) -> Applied:
    errors: list[FieldError] = []
    key = _key(_text(values, "poktan"))
    poktan = Poktan.objects.filter(pk=key, village=village).first() if key is not None else None
    if poktan is None:
        errors.append(
            FieldError(
                "poktan",
                _("%(village)s has no such poktan group") % {"village": village.display_name},
            )
        )
    cells = RowReader(
        Row(
            line=1,
            values={
                c: _text(values, c) or None for c in ("tanggal", "topik", "jumlah_hadir", "catatan")
            },
        )
    )
    held_on = cells.date("tanggal", required=True)
    topic = cells.text("topik", max_length=200, required=True)
    attendance = None if is_blank(cells.raw("jumlah_hadir")) else cells.number("jumlah_hadir")
    notes = cells.text("catatan", max_length=2000)
    errors += [FieldError(c, m) for c, _v, m in cells.problems]
    keys = _text(values, "hadir").split()
    attendees: list[Family] = []
    if keys:
        ids = {k for k in map(_key, keys) if k is not None}
        attendees = list(Family.objects.filter(pk__in=ids, village=village))
        missing = len(keys) - len(attendees)
        if missing:
            errors.append(
                FieldError(
                    "hadir",
                    _("%(n)d of the families ticked are not registered in %(village)s.")
                    % {"n": missing, "village": village.display_name},
                )
            )
    if errors or poktan is None or held_on is None:
        raise SubmissionRefusedError(errors)
    topic = " ".join(topic.split())
    existing = PoktanMeeting.objects.filter(
        poktan=poktan, held_on=held_on, topic__iexact=topic
    ).first()
    before = None
    if existing is not None:
        before = (
            existing.attendance,
            existing.notes,
            set(existing.attendees.values_list("pk", flat=True)),
        )
    try:
        meeting = poktan_services.meeting_record(
            actor=actor, poktan=poktan, held_on=held_on, topic=topic, attendance=attendance,
            attendees=attendees, notes=notes, meeting=existing,
        )  # fmt: skip
    except ValidationError as exc:
        raise _from_validation(exc, MEETING_FIELDS) from exc
    except PermissionDenied as exc:
        raise SubmissionRefusedError(
            [FieldError("", str(exc) or _("outside the regions you may change"))]
        ) from exc
    outcome = CREATED
    if before is not None:
        after = (
            meeting.attendance,
            meeting.notes,
            set(meeting.attendees.values_list("pk", flat=True)),
        )
        outcome = UNCHANGED if after == before else UPDATED
    summary = _("Meeting of %(poktan)s on %(day)s: %(outcome)s") % {
        "poktan": poktan, "day": held_on.isoformat(), "outcome": outcome,
    }  # fmt: skip
    return Applied(outcome=outcome, summary=summary)


def _from_validation(exc: ValidationError, fields: dict[str, str]) -> SubmissionRefusedError:
    if hasattr(exc, "error_dict"):
        return SubmissionRefusedError(
            [
                FieldError(fields.get(name, ""), message)
                for name, messages in exc.message_dict.items()
                for message in messages
            ]
        )
    return SubmissionRefusedError([FieldError("", message) for message in exc.messages])


# Family update ---------------------------------------------------------------------------------------

MEMBER_COLUMNS = (
    "nik", "nama", "jenis_kelamin", "tanggal_lahir", "hubungan", "status_kawin", "pendidikan",
    "pekerjaan", "keberadaan", "tanggal_keberadaan",
)  # fmt: skip
FAMILY_COLUMNS = ("dusun", "rw", "rt", "alamat", "tanggal_pendataan", "pendata")
STATUS_COLUMNS = (
    "status_kb",
    "metode_kb",
    "alasan_tidak_kb",
    "tanggal_mulai_kb",
    "tempat_pelayanan_kb",
)
STORED = 1000  # rows of registered members that the submission leaves as they are: lines from here


def _member_cells(member: MemberRecord) -> dict[str, object]:
    """A registered member as a row of the register template (as the export writes it)."""
    return {
        "nik": member.nik, "nama": member.name, "jenis_kelamin": member.sex,
        "tanggal_lahir": member.birth_date.isoformat(), "hubungan": member.relation,
        "status_kawin": member.marital_status, "pendidikan": member.education or None,
        "pekerjaan": member.occupation or None,
        "keberadaan": None if member.presence == Presence.PRESENT else member.presence,
        "tanggal_keberadaan": member.presence_date.isoformat() if member.presence_date else None,
    }  # fmt: skip


def _stored_family_cells(record: FamilyRecord | None) -> dict[str, str]:
    if record is None:
        return {}
    return {
        "dusun": record.dusun, "rw": record.rw, "rt": record.rt, "alamat": record.address,
        "tanggal_pendataan": record.collected_on.isoformat() if record.collected_on else "",
        "pendata": record.collector_name,
    }  # fmt: skip


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isascii() and ch.isdigit())


def _apply_family(values: Values, actor: User, village: Region) -> Applied:
    mode = _text(values, "mode")
    stored: FamilyRecord | None = None
    if mode == "ubah":
        key = _key(_text(values, "keluarga"))
        family = None
        if key is not None:
            families = register_selectors.families_visible_to(actor, action=Action.CHANGE)
            family = families.select_related("village").filter(pk=key, village=village).first()
        if family is None:
            raise SubmissionRefusedError(
                [
                    FieldError(
                        "keluarga",
                        _("%(village)s has no such family among those you may change")
                        % {"village": village.display_name},
                    )
                ]
            )
        stored = register_services.family_record(family)
        kk, kk_field = family.kk_number, "keluarga"
    elif mode == "baru":
        kk, kk_field = _text(values, "no_kk"), "no_kk"
    else:
        raise SubmissionRefusedError(
            [FieldError("mode", _("Choose a registered family or a new family."))]
        )

    sent = _entries(values, "anggota")
    if mode == "baru" and not sent:
        raise SubmissionRefusedError(
            [FieldError("", _("A new family needs its members, the head at least."))]
        )

    # The family's columns: what was sent, else what is registered.
    kept = _stored_family_cells(stored)
    family_cells: dict[str, object] = {"no_kk": kk, "kode_wilayah": village.code}
    for column in FAMILY_COLUMNS:
        family_cells[column] = _text(values, column) or kept.get(column) or None

    # The members: the registered ones in their order (replaced by the entry sent with the same
    # NIK), then the new ones. ``prefix`` tells where an error on a member's cell belongs.
    rows: list[tuple[str, Row]] = []
    entries = {}
    for number, entry in enumerate(sent, start=1):
        cells = {c: (_text(entry, c) or None) for c in MEMBER_COLUMNS}
        entries.setdefault(_digits(_text(entry, "nik")), []).append((number, cells))
    used: set[int] = set()
    for position, member in enumerate(stored.members if stored else [], start=1):
        match = entries.get(member.nik)
        if match:
            number, cells = match[0]
            used.add(number)
            rows.append((f"anggota.{number}.", Row(line=number, values={**family_cells, **cells})))
        else:
            rows.append(
                ("", Row(line=STORED + position, values={**family_cells, **_member_cells(member)}))
            )
    for matches in entries.values():
        for number, cells in matches:
            if number not in used:
                rows.append(
                    (f"anggota.{number}.", Row(line=number, values={**family_cells, **cells}))
                )
    prefixes = {row.line: prefix for prefix, row in rows}

    def field(problem: RowProblem | Any) -> str:
        column = problem.column
        if column in MEMBER_COLUMNS:
            prefix = prefixes.get(problem.line, "")
            return f"{prefix}{column}" if prefix else ""
        return {"no_kk": kk_field, "kode_wilayah": "kode_desa"}.get(column, column)

    parser = RowParser(
        allowed_village_ids=register_services.changeable_village_ids(actor), today=clock.today()
    )
    parsed = [parser.parse(row) for _prefix, row in rows]
    problems = [p for item in parsed for p in item.problems]
    if problems:
        raise _refused(problems, field)
    first = parsed[0]
    record = FamilyRecord(
        kk_number=first.kk or "", **first.family, members=[p.member for p in parsed if p.member]
    )

    # The couple's status goes on the wife's row, as in the register template.
    status_cells = {c: _text(values, c) or None for c in STATUS_COLUMNS}
    if any(status_cells.values()):
        wife, _husband = record.couple_members()
        if wife is None:
            raise SubmissionRefusedError(
                [FieldError("status_kb", _(
                    "the KB status goes on the row of the wife of the couple (a married woman, "
                    "head or spouse, living in the family)"
                ))]
            )  # fmt: skip
        index = record.members.index(wife)
        row = rows[index][1]
        with_status = parser.parse(Row(line=row.line, values={**row.values, **status_cells}))
        if with_status.problems:
            raise _refused(with_status.problems, field)
        record.members[index] = with_status.member  # type: ignore[assignment]

    problems = family_problems(record)  # type: ignore[assignment]
    if problems:
        raise _refused(problems, field)
    if mode == "baru" and Family.objects.filter(kk_number=record.kk_number).exists():
        raise SubmissionRefusedError(
            [FieldError("no_kk", _("A family with this No. KK is already registered."))]
        )
    try:
        register_services.family_save(actor=actor, record=record)
    except ValidationError as exc:
        raise _from_validation(exc, {}) from exc
    except PermissionDenied as exc:
        raise SubmissionRefusedError(
            [FieldError("kode_desa", str(exc) or _("outside the regions you may change"))]
        ) from exc
    outcome = CREATED if stored is None else UPDATED
    summary = _("Family %(kk)s: %(outcome)s") % {"kk": mask(record.kk_number), "outcome": outcome}
    return Applied(outcome=outcome, summary=summary)


APPLIERS: dict[str, Callable[[Values, User, Region], Applied]] = {
    "lini_keluarga": _apply_family,
    "lini_pelayanan_kb": _apply_service,
    "lini_pertemuan_poktan": _apply_meeting,
    "lini_kampung_kb": _apply_kampung,
}


def submission_apply(*, form_id: str, values: Values, actor: User) -> Applied:
    """Apply the values of a submission of ``form_id`` as ``actor`` (call inside a transaction
    or savepoint: a refusal may come after a partial write, which must be rolled back)."""
    village = _village(values, actor)
    return APPLIERS[form_id](values, actor, village)
