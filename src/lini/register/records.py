"""A family as it arrives from a form or an import row group, before it is written, and the rules a
family must satisfy. Forms and imports build the same records and pass the same checks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from operator import attrgetter

from django.utils.translation import gettext as _

from lini.register.choices import KBStatus, MaritalStatus, Presence, Relation, Sex


@dataclass
class StatusRecord:
    """The couple's contraceptive status as reported (on the wife's row)."""

    status: str
    method: str = ""
    reason: str = ""
    since: dt.date | None = None
    place: str = ""


@dataclass
class MemberRecord:
    nik: str
    name: str
    sex: str
    birth_date: dt.date
    relation: str
    marital_status: str
    education: str = ""
    occupation: str = ""
    presence: str = Presence.PRESENT
    presence_date: dt.date | None = None
    status: StatusRecord | None = None
    line: int = 0  # where it came from (row number of an import), for messages

    def fields(self) -> tuple[object, ...]:
        """The stored fields, in the order of ``MEMBER_FIELDS``."""
        return _member_fields(self)


MEMBER_FIELDS = (
    "name",
    "sex",
    "birth_date",
    "relation",
    "marital_status",
    "education",
    "occupation",
    "presence",
    "presence_date",
)
_member_fields = attrgetter(*MEMBER_FIELDS)


@dataclass
class FamilyRecord:
    kk_number: str
    village_id: int
    village_code: str
    dusun: str = ""
    rw: str = ""
    rt: str = ""
    address: str = ""
    collected_on: dt.date | None = None
    collector_name: str = ""
    members: list[MemberRecord] = field(default_factory=list)

    def fields(self) -> tuple[object, ...]:
        """The stored fields, in the order of ``FAMILY_FIELDS`` (the village by its id)."""
        return _family_fields(self)

    def couple_members(self) -> tuple[MemberRecord | None, MemberRecord | None]:
        """``(wife, husband)``: the married, present woman and man among head and spouse."""

        def pick(sex: str) -> MemberRecord | None:
            for member in self.members:
                if (
                    member.sex == sex
                    and member.relation in (Relation.HEAD, Relation.SPOUSE)
                    and member.marital_status == MaritalStatus.MARRIED
                    and member.presence == Presence.PRESENT
                ):
                    return member
            return None

        return pick(Sex.FEMALE), pick(Sex.MALE)


FAMILY_FIELDS = ("village", "dusun", "rw", "rt", "address", "collected_on", "collector_name")
_family_fields = attrgetter("village_id", *FAMILY_FIELDS[1:])


@dataclass(frozen=True)
class Problem:
    """Why a family (or one of its rows) cannot be stored."""

    line: int
    column: str
    value: str
    message: str


def family_problems(record: FamilyRecord) -> list[Problem]:
    """The rules every family must meet, whichever way it arrives."""
    problems: list[Problem] = []
    first_line = record.members[0].line if record.members else 0
    present = [m for m in record.members if m.presence == Presence.PRESENT]
    heads = [m for m in present if m.relation == Relation.HEAD]
    if present and len(heads) != 1:
        problems.append(
            Problem(
                first_line,
                "hubungan",
                ", ".join(m.name for m in heads),
                _("a family has exactly one head living in it; found %(n)d") % {"n": len(heads)},
            )
        )
    spouses = [m for m in present if m.relation == Relation.SPOUSE]
    if len(spouses) > 1:
        problems.append(
            Problem(
                spouses[1].line,
                "hubungan",
                spouses[1].name,
                _(
                    "a family card holds one married couple; record a second wife "
                    "on her own family card"
                ),
            )
        )
    seen: dict[str, int] = {}
    for member in record.members:
        if member.nik in seen:
            problems.append(
                Problem(
                    member.line,
                    "nik",
                    member.nik,
                    _("the same NIK stands twice in this family (also row %(line)d)")
                    % {"line": seen[member.nik]},
                )
            )
        seen[member.nik] = member.line
    wife, _husband = record.couple_members()
    for member in record.members:
        if member.status is not None and member is not wife:
            problems.append(
                Problem(
                    member.line,
                    "status_kb",
                    member.status.status,
                    _(
                        "the KB status goes on the row of the wife of the couple (a married woman, "
                        "head or spouse, living in the family)"
                    ),
                )
            )
        if member.presence != Presence.PRESENT and member.presence_date is None:
            problems.append(
                Problem(
                    member.line,
                    "tanggal_keberadaan",
                    "",
                    _("give the date the member moved away or died"),
                )
            )
    if wife is not None and wife.status is not None:
        status = wife.status
        if status.status == KBStatus.USING and not status.method:
            problems.append(
                Problem(wife.line, "metode_kb", "", _("a couple using KB needs the method"))
            )
        if status.status == KBStatus.NOT_USING and status.method:
            problems.append(
                Problem(
                    wife.line,
                    "metode_kb",
                    status.method,
                    _("a couple not using KB has no method; leave metode_kb empty"),
                )
            )
    return problems
