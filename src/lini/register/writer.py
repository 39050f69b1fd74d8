"""The one write path of the register: forms, imports and the population generator all store
families through :func:`register_write`, in batches, inside one transaction per batch.

Families are matched by No. KK and members by NIK: an unchanged family is left alone, a changed
one updated, a new one created; a changed contraceptive status becomes a new dated event and the
couple's current status follows the latest event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lini.core import clock
from lini.core.bulk import allocate_ids, bulk_insert, db_value, select_in
from lini.register.choices import KBStatus
from lini.register.models import ContraceptiveEvent, Couple, Family, Member
from lini.register.records import (
    FAMILY_FIELDS,
    MEMBER_FIELDS,
    FamilyRecord,
    MemberRecord,
    Problem,
    StatusRecord,
)

_CHUNK = 500  # keys per IN (...) query: well under every backend's parameter limit


@dataclass
class WriteCounts:
    families_created: int = 0
    families_updated: int = 0
    families_unchanged: int = 0
    members_created: int = 0
    members_updated: int = 0
    members_unchanged: int = 0
    couples_created: int = 0
    events_created: int = 0

    def add(self, other: WriteCounts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass
class WriteResult:
    counts: WriteCounts = field(default_factory=WriteCounts)
    rejected: list[tuple[FamilyRecord, list[Problem]]] = field(default_factory=list)


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _status_tuple(status: StatusRecord, effective_on: dt.date) -> tuple[object, ...]:
    return (status.status, status.method, status.reason, effective_on, status.place)


def register_write(
    *,
    records: Sequence[FamilyRecord],
    source: str,
    by_id: int | None = None,
    allowed_village_ids: set[int] | None = None,
    today: dt.date | None = None,
    since: dt.datetime | None = None,
) -> WriteResult:
    """Store ``records`` (already checked with ``family_problems``). Families that would touch a
    village outside ``allowed_village_ids`` (a family or a person registered elsewhere) are
    returned in ``rejected`` and not written. ``None`` allows every village.

    ``since``: when the import writing these batches began; a person written since then in
    another family stands twice in the same file, which is refused."""
    today = today or clock.today()
    result = WriteResult()
    counts = result.counts
    with transaction.atomic():
        families = _existing_families([r.kk_number for r in records])
        members = _existing_members([m.nik for r in records for m in r.members])
        listed = _listed_members(
            [families[r.kk_number][0] for r in records if r.kk_number in families]
        )
        accepted = []
        first_family: dict[str, str] = {}
        for record in records:
            problems = _scope_problems(record, families, members, allowed_village_ids)
            problems += _file_problems(record, families, members, listed, first_family, since)
            if problems:
                result.rejected.append((record, problems))
            else:
                accepted.append(record)
        now = timezone.now()
        stamp = db_value(Family, "created_at", now)

        # Families: create the new ones, update the changed ones.
        new_families, changed_families = [], []
        for record in accepted:
            current = families.get(record.kk_number)
            if current is None:
                new_families.append(record)
            elif current[1] != record.fields():
                changed_families.append((current[0], record))
            else:
                counts.families_unchanged += 1
        family_ids = {kk: values[0] for kk, values in families.items()}
        new_family_ids = allocate_ids(Family, len(new_families))
        family_ids.update(zip((r.kk_number for r in new_families), new_family_ids, strict=True))
        bulk_insert(
            Family,
            (
                "id",
                "kk_number",
                *FAMILY_FIELDS,
                "collected_by",
                "version",
                "created_at",
                "updated_at",
            ),
            (
                (pk, r.kk_number, *r.fields(), by_id, 1, stamp, stamp)
                for pk, r in zip(new_family_ids, new_families, strict=True)
            ),
        )
        counts.families_created = len(new_families)
        if changed_families:
            _update_families(changed_families, now)
            counts.families_updated = len(changed_families)

        # Members, matched by NIK (a person may move to another family card).
        new_members: list[tuple[int, int, MemberRecord]] = []
        changed_members: list[tuple[int, int, int, MemberRecord]] = []
        for record in accepted:
            family_id = family_ids[record.kk_number]
            for position, member in enumerate(record.members, start=1):
                current = members.get(member.nik)
                if current is None:
                    new_members.append((family_id, position, member))
                elif current[1:4] != (family_id, position, member.fields()):
                    changed_members.append((current[0], family_id, position, member))
                else:
                    counts.members_unchanged += 1
        member_ids = {nik: values[0] for nik, values in members.items()}
        new_member_ids = allocate_ids(Member, len(new_members))
        member_ids.update(zip((m.nik for _f, _p, m in new_members), new_member_ids, strict=True))
        bulk_insert(
            Member,
            ("id", "family", "position", "nik", *MEMBER_FIELDS, "created_at", "updated_at"),
            (
                (pk, fid, pos, m.nik, *m.fields(), stamp, stamp)
                for pk, (fid, pos, m) in zip(new_member_ids, new_members, strict=True)
            ),
        )
        counts.members_created = len(new_members)
        if changed_members:
            _update_members(changed_members, now)
            counts.members_updated = len(changed_members)

        # Couples and their contraceptive status.
        stored = {values[0] for values in members.values()}  # only they can have a couple yet
        _write_couples(accepted, family_ids, member_ids, stored, counts, source, by_id, today, now)
    return result


def _scope_problems(
    record: FamilyRecord,
    families: dict[str, tuple[int, tuple[object, ...], int]],
    members: dict[str, tuple[int, int, int, tuple[object, ...], int]],
    allowed: set[int] | None,
) -> list[Problem]:
    if allowed is None:
        return []
    problems = []
    first_line = record.members[0].line if record.members else 0
    current = families.get(record.kk_number)
    if current is not None and current[2] not in allowed:
        problems.append(
            Problem(
                first_line,
                "no_kk",
                record.kk_number,
                _("this family is registered in a village outside your regions"),
            )
        )
    for member in record.members:
        existing = members.get(member.nik)
        if existing is not None and existing[4] not in allowed:
            problems.append(
                Problem(
                    member.line,
                    "nik",
                    member.nik,
                    _("this person is registered in a family of a village outside your regions"),
                )
            )
    return problems


def _existing_families(
    kks: Sequence[str],
) -> dict[str, tuple[int, tuple[object, ...], int]]:
    """``kk -> (id, comparable fields, village_id)`` (Django's cursors return dates as dates)."""
    rows = select_in(
        "SELECT kk_number, id, village_id, dusun, rw, rt, address, collected_on, collector_name "
        "FROM register_family WHERE kk_number IN ({})",
        list(dict.fromkeys(kks)),
    )
    return {row[0]: (row[1], tuple(row[2:9]), row[2]) for row in rows}


def _existing_members(
    niks: Sequence[str],
) -> dict[str, tuple[int, int, int, tuple[object, ...], int]]:
    """``nik -> (id, family_id, position, comparable fields, village_id)``."""
    rows = select_in(
        "SELECT m.nik, m.id, m.family_id, m.position, m.name, m.sex, m.birth_date, m.relation, "
        "m.marital_status, m.education, m.occupation, m.presence, m.presence_date, f.village_id, "
        "m.updated_at, f.kk_number "
        "FROM register_member m JOIN register_family f ON f.id = m.family_id "
        "WHERE m.nik IN ({})",
        list(dict.fromkeys(niks)),
    )
    found = {}
    for row in rows:
        found[row[0]] = (row[1], row[2], row[3], tuple(row[4:13]), row[13], row[14], row[15])
    return found


def _aware(value: dt.datetime) -> dt.datetime:
    """A timestamp read with plain SQL (naive UTC on SQLite) made comparable with ``now()``."""
    return value if timezone.is_aware(value) else value.replace(tzinfo=dt.UTC)


def _listed_members(family_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """``family_id -> [(nik, name)]`` of the members living in these stored families."""
    listed: dict[int, list[tuple[str, str]]] = {}
    for family_id, nik, name in select_in(
        "SELECT family_id, nik, name FROM register_member "
        "WHERE presence = 'ada' AND family_id IN ({})",
        family_ids,
    ):
        listed.setdefault(family_id, []).append((nik, name))
    return listed


def _file_problems(
    record: FamilyRecord,
    families: dict[str, tuple[int, tuple[object, ...], int]],
    members: dict[str, tuple[Any, ...]],
    listed: dict[int, list[tuple[str, str]]],
    first_family: dict[str, str],
    since: dt.datetime | None,
) -> list[Problem]:
    """What the batch (and the file it comes from) says against itself or the stored family."""
    problems = []
    first_line = record.members[0].line if record.members else 0
    for member in record.members:
        other = first_family.setdefault(member.nik, record.kk_number)
        existing = members.get(member.nik)
        written_now = (
            existing is not None and since is not None and _aware(existing[5]) >= since
            and existing[6] != record.kk_number
        )  # fmt: skip
        if other != record.kk_number or written_now:
            problems.append(
                Problem(
                    member.line, "nik", member.nik,
                    _("this person also stands in another family of the same file"),
                )
            )  # fmt: skip
    current = families.get(record.kk_number)
    if current is not None:
        named = {m.nik for m in record.members}
        missing = [name for nik, name in listed.get(current[0], []) if nik not in named]
        if missing:
            problems.append(
                Problem(
                    first_line, "nik", "",
                    _(
                        "this family also has %(names)s registered as living in it; list them "
                        "too (with keberadaan pindah or meninggal and the date if they left)"
                    ) % {"names": ", ".join(missing)},
                )
            )  # fmt: skip
    return problems


def _update_families(changed: list[tuple[int, FamilyRecord]], now: dt.datetime) -> None:
    objects = Family.objects.in_bulk([pk for pk, _r in changed])
    for pk, record in changed:
        family = objects[pk]
        for name, value in zip(FAMILY_FIELDS, record.fields(), strict=True):
            setattr(family, f"{name}_id" if name == "village" else name, value)
        family.version += 1
        family.updated_at = now
    Family.objects.bulk_update(
        objects.values(), [*FAMILY_FIELDS, "version", "updated_at"], batch_size=_CHUNK
    )


def _update_members(changed: list[tuple[int, int, int, MemberRecord]], now: dt.datetime) -> None:
    objects = Member.objects.in_bulk([pk for pk, *_rest in changed])
    for pk, family_id, position, record in changed:
        member = objects[pk]
        member.family_id, member.position = family_id, position
        for name, value in zip(MEMBER_FIELDS, record.fields(), strict=True):
            setattr(member, name, value)
        member.updated_at = now
    Member.objects.bulk_update(
        objects.values(), ["family", "position", *MEMBER_FIELDS, "updated_at"], batch_size=_CHUNK
    )


def _write_couples(
    records: Sequence[FamilyRecord],
    family_ids: dict[str, int],
    member_ids: dict[str, int],
    stored_member_ids: set[int],
    counts: WriteCounts,
    source: str,
    by_id: int | None,
    today: dt.date,
    now: dt.datetime,
) -> None:
    """Couples follow the cards: the wife of each family's couple (``couple_members``) has one
    open couple; a woman who no longer is that wife (she died, moved, divorced, or another woman
    is the wife now) has hers ended. A reported status new to the history becomes an event."""
    wanted = []  # (family_id, wife_id, husband_id, status record or None, effective_on)
    not_wives: dict[int, dt.date] = {}  # member id -> the day her couple ended
    for record in records:
        wife, husband = record.couple_members()
        for member in record.members:
            if member is not wife:
                not_wives[member_ids[member.nik]] = (
                    member.presence_date or record.collected_on or today
                )
        if wife is None:
            continue
        effective_on = None
        if wife.status is not None:
            effective_on = wife.status.since or record.collected_on or today
        wanted.append(
            (
                family_ids[record.kk_number],
                member_ids[wife.nik],
                member_ids[husband.nik] if husband else None,
                wife.status,
                effective_on,
            )
        )
    existing: dict[int, Couple] = {}
    candidates = [m for m in [w[1] for w in wanted] + list(not_wives) if m in stored_member_ids]
    for chunk in _chunks(candidates):
        existing.update((c.wife_id, c) for c in Couple.objects.filter(wife_id__in=chunk))

    stamp = db_value(Couple, "created_at", now)
    new_rows: list[tuple[object, ...]] = []
    changed: dict[int, Couple] = {}
    events: list[tuple[int, StatusRecord, dt.date]] = []
    older: list[tuple[Couple, StatusRecord, dt.date]] = []
    for wife_id, ended_on in not_wives.items():
        couple = existing.get(wife_id)
        if couple is not None and couple.ended_on is None:
            couple.ended_on = ended_on
            changed[couple.pk] = couple
    for family_id, wife_id, husband_id, status, effective_on in wanted:
        couple = existing.get(wife_id)
        if couple is None:
            current = _status_tuple(status, effective_on) if status else ("", "", "", None, "")
            new_rows.append((family_id, wife_id, husband_id, *current))
            continue
        if (couple.family_id, couple.husband_id, couple.ended_on) != (family_id, husband_id, None):
            couple.family_id, couple.husband_id, couple.ended_on = family_id, husband_id, None
            changed[couple.pk] = couple
        if status is None:
            continue
        reported = _status_tuple(status, effective_on)
        same_status = (status.status, status.method, status.reason, status.place) == (
            couple.status, couple.method, couple.reason, couple.place,
        )  # fmt: skip
        if same_status and (status.since is None or status.since == couple.status_since):
            continue  # nothing new: a file without start dates re-imported on another day
        if couple.status_since is not None and effective_on < couple.status_since:
            older.append((couple, status, effective_on))  # history, if not known yet
            continue
        events.append((couple.pk, status, effective_on))
        couple.status, couple.method, couple.reason, couple.status_since, couple.place = reported
        changed[couple.pk] = couple
    events.extend(_new_to_history(older))
    new_couple_ids = allocate_ids(Couple, len(new_rows))
    bulk_insert(
        Couple,
        ("id", "family", "wife", "husband", "status", "method", "reason", "status_since", "place",
         "created_at", "updated_at"),
        (
            (pk, *row, stamp, stamp)
            for pk, row in zip(new_couple_ids, new_rows, strict=True)
        ),
    )  # fmt: skip
    counts.couples_created = len(new_rows)
    if changed:
        for couple in changed.values():
            couple.updated_at = now
        Couple.objects.bulk_update(
            changed.values(),
            ["family", "husband", "status", "method", "reason", "status_since", "place",
             "ended_on", "updated_at"],
            batch_size=_CHUNK,
        )  # fmt: skip
    # The first status of a new couple is an event too.
    couple_of_wife = dict(zip((row[1] for row in new_rows), new_couple_ids, strict=True))
    events.extend(
        (couple_of_wife[wid], status, effective_on)
        for _fid, wid, _hid, status, effective_on in wanted
        if status is not None and wid in couple_of_wife
    )
    recorded_at = db_value(ContraceptiveEvent, "recorded_at", now)
    bulk_insert(
        ContraceptiveEvent,
        ("couple", "effective_on", "status", "method", "reason", "place", "source",
         "recorded_by", "recorded_at"),
        (
            (cid, eff, s.status, s.method, s.reason, s.place, source, by_id, recorded_at)
            for cid, s, eff in events
        ),
    )  # fmt: skip
    counts.events_created = len(events)


def _new_to_history(
    older: list[tuple[Couple, StatusRecord, dt.date]],
) -> list[tuple[int, StatusRecord, dt.date]]:
    """Reported statuses older than the current one: events unless the history has them."""
    if not older:
        return []
    known = set(
        ContraceptiveEvent.objects.filter(couple__in=[c.pk for c, _s, _d in older]).values_list(
            "couple_id", "effective_on", "status", "method", "reason", "place"
        )
    )
    return [
        (c.pk, s, day)
        for c, s, day in older
        if (c.pk, day, s.status, s.method, s.reason, s.place) not in known
    ]


def couple_status_record(
    *,
    couple: Couple,
    status: StatusRecord,
    effective_on: dt.date,
    source: str,
    by_id: int | None,
) -> ContraceptiveEvent:
    """Record one status change of one couple (a form, a KB service) and keep the couple's
    current status equal to its latest event."""
    if status.status == KBStatus.USING and not status.method:
        raise ValueError("a couple using KB needs a method")
    with transaction.atomic():
        couple = Couple.objects.select_for_update().get(pk=couple.pk)
        event = ContraceptiveEvent.objects.create(
            couple=couple,
            effective_on=effective_on,
            status=status.status,
            method=status.method if status.status == KBStatus.USING else "",
            reason=status.reason if status.status == KBStatus.NOT_USING else "",
            place=status.place,
            source=source,
            recorded_by_id=by_id,
        )
        couple_status_refresh(couple=couple)
    return event


def couple_status_refresh(*, couple: Couple) -> None:
    """Set the couple's current status to its latest event (blank when it has none), as after
    an event was added or removed."""
    latest = couple.events.order_by("-effective_on", "-pk").first()
    if latest is None:
        couple.status = couple.method = couple.reason = couple.place = ""
        couple.status_since = None
    else:
        couple.status, couple.method, couple.reason = latest.status, latest.method, latest.reason
        couple.status_since, couple.place = latest.effective_on, latest.place
    couple.save(update_fields=["status", "method", "reason", "status_since", "place", "updated_at"])
