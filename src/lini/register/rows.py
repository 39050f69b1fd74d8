"""Reading one row of the register template: every cell checked and converted, with a fast
path for rows already in Lini's canonical form and a full path that explains every problem."""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from lini.exchange.cells import (
    CellError,
    ascii_digits,
    is_blank,
    parse_date,
    parse_sixteen_digits,
    text,
    unquote,
)
from lini.exchange.cells import shown as shown_cell
from lini.exchange.readers import Row
from lini.exchange.registry import (
    RowProblem,
)
from lini.regions.codes import RegionCodeError, normalise_code
from lini.regions.models import Region, RegionLevel
from lini.register.choices import (
    Education,
    KBStatus,
    MaritalStatus,
    Method,
    NotUsingReason,
    Occupation,
    Presence,
    Relation,
    Sex,
    choice_table,
    parse_with,
)
from lini.register.records import MemberRecord, StatusRecord

if TYPE_CHECKING:
    from django.db.models import TextChoices

log = logging.getLogger(__name__)
_UNIT_NUMBER = re.compile(r"0*([0-9]{1,3})", re.ASCII)
# The family's columns of a row, as ParsedRow.family holds them.
FAMILY_KEYS = (
    "village_id", "village_code", "dusun", "rw", "rt", "address", "collected_on",
    "collector_name",
)  # fmt: skip


@dataclass
class ParsedRow:
    row: Row
    kk: str | None
    family: dict[str, Any]
    member: MemberRecord | None
    problems: list[RowProblem] = field(default_factory=list)


class RowParser:
    def __init__(self, *, allowed_village_ids: set[int] | None, today: dt.date) -> None:
        self.villages = dict(
            Region.objects.filter(level=RegionLevel.VILLAGE).values_list("code", "pk")
        )
        self.allowed = allowed_village_ids
        self.today = today
        self.tables = {
            choices: choice_table(choices)
            for choices in (Sex, Relation, MaritalStatus, Education, Occupation, Presence, KBStatus, Method, NotUsingReason)
        }  # fmt: skip

    def parse(self, row: Row) -> ParsedRow:
        """The row read as a member and its family's columns, with every problem found."""
        try:
            return self._fast(row) or self._full(row)
        except Exception:
            # A cell no check foresaw: the row (and so its family) is refused, the error logged
            # for the administrators; the import goes on.
            from lini.exchange.records import unexpected_error_message

            log.exception("register import, row %d", row.line)
            problem = RowProblem(row.line, "", "", unexpected_error_message())
            try:  # the row's own No. KK, so that it fails with its own family only
                kk = parse_sixteen_digits(unquote(row.values.get("no_kk")), what="No. KK")
            except Exception:
                kk = None
            family: dict[str, Any] = dict.fromkeys(FAMILY_KEYS)
            return ParsedRow(row=row, kk=kk, family=family, member=None, problems=[problem])

    def _fast(self, row: Row) -> ParsedRow | None:
        """The common case in one pass with no per-cell calls: text cells already in the canonical
        form Lini exports (16-digit numbers, dotted codes, ISO dates, stored values). Anything
        else returns None and goes through :meth:`_full`, which explains what is wrong."""
        v = row.values
        if row.problems:
            return None  # cells the reader refused: the full path reports them
        if not all((type(x) is str and x[:1] != "'") or x is None for x in v.values()):
            return None  # numbers, dates, quoted text: the full path converts them
        get = v.get
        kk, nik = get("no_kk"), get("nik")
        if not (
            type(kk) is str and len(kk) == 16 and ascii_digits(kk)
            and type(nik) is str and len(nik) == 16 and ascii_digits(nik)
        ):  # fmt: skip
            return None
        code = get("kode_wilayah") or ""
        village_id = None
        if code:
            village_id = self.villages.get(code)
            if village_id is None or (self.allowed is not None and village_id not in self.allowed):
                return None
        tables = self.tables
        sex = tables[Sex].get(get("jenis_kelamin") or "")
        relation = tables[Relation].get(get("hubungan") or "")
        marital = tables[MaritalStatus].get(get("status_kawin") or "")
        name = get("nama")
        if not (
            sex and relation and marital and type(name) is str and name.strip() and len(name) <= 100
        ):
            return None
        education, occupation = get("pendidikan") or "", get("pekerjaan") or ""
        if education and education not in tables[Education]:
            return None
        if occupation and occupation not in tables[Occupation]:
            return None
        presence = get("keberadaan") or Presence.PRESENT
        if presence not in tables[Presence]:
            return None
        dusun, rw, rt = (
            get("dusun") or "",
            get("rw") or "",
            get("rt") or "",
        )
        address, collector = get("alamat") or "", get("pendata") or ""
        if (
            len(dusun) > 60 or len(address) > 200 or len(collector) > 100
            or (rw and not (len(rw) == 3 and ascii_digits(rw) and rw != "000"))
            or (rt and not (len(rt) == 3 and ascii_digits(rt) and rt != "000"))
        ):  # fmt: skip
            return None
        try:
            birth = self._iso(get("tanggal_lahir"))
            collected = self._iso(get("tanggal_pendataan"))
            presence_date = self._iso(get("tanggal_keberadaan"))
        except ValueError:
            return None
        if birth is None or (presence != Presence.PRESENT and presence_date is None):
            return None
        status = None
        kb = get("status_kb") or ""
        if (
            kb
            or get("metode_kb")
            or get("alasan_tidak_kb")
            or get("tanggal_mulai_kb")
            or get("tempat_pelayanan_kb")
        ):
            kb = tables[KBStatus].get(kb)
            method = get("metode_kb") or ""
            reason = get("alasan_tidak_kb") or ""
            place = get("tempat_pelayanan_kb") or ""
            try:
                since = self._iso(get("tanggal_mulai_kb"))
            except ValueError:
                return None
            if kb == KBStatus.USING and method in tables[Method] and not reason:
                method = tables[Method][method]
            elif kb == KBStatus.NOT_USING and not method and reason in tables[NotUsingReason]:
                reason = tables[NotUsingReason][reason]
            else:
                return None
            place = " ".join(place.split())
            if len(place) > 120:
                return None
            status = StatusRecord(status=kb, method=method, reason=reason, since=since, place=place)
        family = {
            "village_id": village_id, "village_code": code, "dusun": " ".join(dusun.split()),
            "rw": rw, "rt": rt, "address": " ".join(address.split()), "collected_on": collected,
            "collector_name": " ".join(collector.split()),
        }  # fmt: skip
        member = MemberRecord(
            nik=nik, name=" ".join(name.split()), sex=sex, birth_date=birth, relation=relation,
            marital_status=marital, education=tables[Education][education] if education else "",
            occupation=tables[Occupation][occupation] if occupation else "",
            presence=tables[Presence][presence], presence_date=presence_date, status=status,
            line=row.line,
        )  # fmt: skip
        return ParsedRow(row=row, kk=kk, family=family, member=member)

    def _iso(self, value: Any) -> dt.date | None:
        """A yyyy-mm-dd text within 1900 and today, or None when empty; ValueError otherwise."""
        if not value:
            return None
        if not (
            type(value) is str and len(value) == 10 and value[4] == "-" and value[7] == "-"
            and ascii_digits(value[:4] + value[5:7] + value[8:])
        ):  # fmt: skip
            raise ValueError(value)  # only yyyy-mm-dd (fromisoformat takes week dates too)
        day = dt.date.fromisoformat(value)
        if day > self.today or day.year < 1900:
            raise ValueError(value)
        return day

    def _full(self, row: Row) -> ParsedRow:
        values = row.values
        problems: list[RowProblem] = []
        refused = dict(row.problems)  # cells the reader refused (too long, control characters)

        def cell(column: str, parse: Any, *, required: bool = False) -> Any:
            value = unquote(values.get(column))
            if column in refused:
                problems.append(RowProblem(row.line, column, shown(value), refused.pop(column)))
                return None
            if value is None or value == "" or (isinstance(value, str) and not value.strip()):
                if required:
                    problems.append(RowProblem(row.line, column, "", _("is empty")))
                return None
            try:
                return parse(value)
            except CellError as exc:
                problems.append(RowProblem(row.line, column, shown(value), str(exc)))
                return None

        def choice(column: str, choices: type[TextChoices], *, required: bool = False) -> str:
            table = self.tables[choices]

            def parse(value: Any) -> str:
                parsed = parse_with(table, value)
                if parsed is None:
                    raise CellError(
                        _("is not one of: %(allowed)s") % {"allowed": ", ".join(choices.values)}
                    )
                return parsed

            return cell(column, parse, required=required) or ""

        kk = cell("no_kk", lambda v: parse_sixteen_digits(v, what="No. KK"), required=True)
        village_id = cell("kode_wilayah", self._village)  # required once per family
        family = {
            "village_id": village_id,
            "village_code": _code(values.get("kode_wilayah")),
            "dusun": cell("dusun", lambda v: text(v, max_length=60)) or "",
            "rw": cell("rw", _unit_number) or "",
            "rt": cell("rt", _unit_number) or "",
            "address": cell("alamat", lambda v: text(v, max_length=200)) or "",
            "collected_on": cell("tanggal_pendataan", self._past_date),
            "collector_name": cell("pendata", lambda v: text(v, max_length=100)) or "",
        }
        nik = cell("nik", lambda v: parse_sixteen_digits(v, what="NIK"), required=True)
        name = cell("nama", lambda v: text(v, max_length=100), required=True)
        sex = choice("jenis_kelamin", Sex, required=True)
        birth_date = cell("tanggal_lahir", self._birth_date, required=True)
        relation = choice("hubungan", Relation, required=True)
        marital = choice("status_kawin", MaritalStatus, required=True)
        education = choice("pendidikan", Education)
        occupation = choice("pekerjaan", Occupation)
        presence = choice("keberadaan", Presence) or Presence.PRESENT
        presence_date = cell("tanggal_keberadaan", self._past_date)
        status = self._status(row, values, cell, choice, problems)
        member = None
        if not problems:
            member = MemberRecord(
                nik=nik, name=name, sex=sex, birth_date=birth_date, relation=relation,
                marital_status=marital, education=education, occupation=occupation,
                presence=presence, presence_date=presence_date, status=status, line=row.line,
            )  # fmt: skip
        return ParsedRow(row=row, kk=kk, family=family, member=member, problems=problems)

    def _status(
        self, row: Row, values: dict[str, Any], cell: Any, choice: Any, problems: list[RowProblem]
    ) -> StatusRecord | None:
        status = choice("status_kb", KBStatus)
        method = choice("metode_kb", Method)
        reason = choice("alasan_tidak_kb", NotUsingReason)
        since = cell("tanggal_mulai_kb", self._past_date)
        place = cell("tempat_pelayanan_kb", lambda v: text(v, max_length=120)) or ""
        if not status:
            if method:
                status = KBStatus.USING
            elif reason:
                status = KBStatus.NOT_USING
            elif since or place:
                problems.append(
                    RowProblem(row.line, "status_kb", "", _("fill status_kb (pakai / tidak_pakai)"))
                )
                return None
            else:
                return None
        if status == KBStatus.USING:
            if not method and not is_blank(values.get("metode_kb")):
                return None  # the method's own problem is reported
            if not method:
                problems.append(
                    RowProblem(row.line, "metode_kb", "", _("a couple using KB needs the method"))
                )
            if reason:
                problems.append(
                    RowProblem(
                        row.line,
                        "alasan_tidak_kb",
                        reason,
                        _("a couple using KB has no reason for not using"),
                    )
                )
        else:
            if method:
                problems.append(
                    RowProblem(
                        row.line, "metode_kb", method, _("a couple not using KB has no method")
                    )
                )
            if not reason and is_blank(values.get("alasan_tidak_kb")):
                problems.append(
                    RowProblem(
                        row.line,
                        "alasan_tidak_kb",
                        "",
                        _("give the reason for not using: %(allowed)s")
                        % {"allowed": ", ".join(NotUsingReason.values)},
                    )
                )
        return StatusRecord(status=status, method=method, reason=reason, since=since, place=place)

    def _village(self, value: Any) -> int:
        try:
            code = normalise_code(str(value).strip())
        except RegionCodeError as exc:
            raise CellError(_("is not a region code")) from exc
        village_id = self.villages.get(code)
        if village_id is None:
            raise CellError(_("no village has the code %(code)s") % {"code": code})
        if self.allowed is not None and village_id not in self.allowed:
            raise CellError(_("village %(code)s is outside your regions") % {"code": code})
        return village_id

    def _past_date(self, value: Any) -> dt.date:
        day = parse_date(value)
        if day > self.today:
            raise CellError(_("%(day)s is in the future") % {"day": day.strftime("%d/%m/%Y")})
        if day.year < 1900:
            raise CellError(_("%(day)s is before 1900") % {"day": day.strftime("%d/%m/%Y")})
        return day

    def _birth_date(self, value: Any) -> dt.date:
        return self._past_date(value)


def shown(value: Any) -> str:
    return shown_cell(value, limit=60)


def _code(value: Any) -> str:
    try:
        return normalise_code(str(value).strip())
    except RegionCodeError:
        return ""


def _unit_number(value: Any) -> str:
    raw = str(value).strip()
    if raw.endswith(".0"):
        raw = raw[:-2]
    match = _UNIT_NUMBER.fullmatch(raw)
    if match is None or not 0 < int(match.group(1)) < 1000:
        raise CellError(_("must be a number from 1 to 999"))
    return f"{int(match.group(1)):03d}"
