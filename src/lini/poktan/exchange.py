"""The data kinds of this app: poktan groups (with their member families) and their meetings.

Each row goes through the same services as the pages, so scope, checks and the audit trail are
the same; a member family that does not fit the group's kind is a warning, never a refusal."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.core import clock
from lini.exchange.cells import CellError, is_blank, parse_sixteen_digits, shown
from lini.exchange.records import (
    CREATED,
    UNCHANGED,
    UPDATED,
    RecordKind,
    RowReader,
    RowRefusedError,
    allowed_values,
)
from lini.exchange.registry import Column, register_kind
from lini.poktan import selectors, services
from lini.poktan.models import Poktan, PoktanKind, PoktanMeeting, PoktanMember
from lini.regions.codes import RegionCodeError, normalise_code
from lini.regions.models import Region, RegionLevel
from lini.regions.selectors import subtree_q
from lini.register.identity import mask
from lini.register.models import Family

if TYPE_CHECKING:
    from lini.accounts.models import User

# What people write for a kind, squeezed to letters: "PIK-R", "PIK R", "UPPKS" (the old name).
_KIND_SYNONYMS = {"bkb": "bkb", "bkr": "bkr", "bkl": "bkl", "uppka": "uppka", "uppks": "uppka",
                  "pikr": "pikr", "pikrm": "pikr", "pikm": "pikr"}  # fmt: skip


def _read_kind(cells: RowReader, column: str) -> str:
    raw = cells.raw(column)
    if not is_blank(raw):
        found = _KIND_SYNONYMS.get(re.sub(r"[^a-z]", "", str(raw).lower()))
        if found:
            return found
    return cells.choice(column, PoktanKind, required=True)


def _read_village(cells: RowReader, column: str) -> Region | None:
    """``cells.region`` for a village, which lets a text that is no code at all crash the
    import (RegionCodeError is not a CellError): such a cell is a problem of the row here."""
    raw = cells.raw(column)
    if not is_blank(raw):
        try:
            normalise_code(str(raw).strip())
        except RegionCodeError as exc:
            cells.problems.append((column, shown(raw, limit=60), shown(exc, limit=200)))
            return None
    return cells.region(column, levels=(RegionLevel.VILLAGE,))


def _visible(user: User | None, region: Region) -> Any:
    groups = Poktan.objects.all() if user is None else selectors.poktan_visible_to(user)
    return groups.filter(subtree_q([region.code], field="village__code"))


def _require_change(user: User | None, village: Region) -> None:
    if user is not None:
        scope.require(user, Action.CHANGE, village)


def _find_poktan(cells: RowReader, village: Region, kind: str, column: str, name: str) -> Poktan:
    poktan = Poktan.objects.filter(village=village, kind=kind, name__iexact=name).first()
    if poktan is None:
        raise RowRefusedError(
            [(column, name, _("%(village)s has no %(kind)s group with this name")
              % {"village": village.display_name, "kind": kind.upper()})]
        )  # fmt: skip
    return poktan


def _read_area(village: Region, code: str) -> Region | None:
    """A dusun or RW of ``village`` by its full code or by the part below the village
    (``RW004``, ``D01``)."""
    if not code:
        return None
    code = code.replace(" ", "").upper()
    full = code if code.startswith(village.code + ".") else f"{village.code}.{code}"
    area = Region.objects.filter(code=full, level__in=(RegionLevel.DUSUN, RegionLevel.RW)).first()
    if area is None:
        raise RowRefusedError(
            [("kode_wilayah", code, _("%(village)s has no dusun or RW with the code %(code)s")
              % {"village": village.display_name, "code": code})]
        )  # fmt: skip
    return area


def _kk_numbers(cells: RowReader, column: str) -> list[str] | None:
    """The No. KK list of a cell (None when the cell is empty)."""
    raw = cells.raw(column)
    if is_blank(raw):
        return None
    parts = [raw] if isinstance(raw, int | float) else re.split(r"[;,\n]", str(raw))
    numbers: list[str] = []
    for part in parts:
        if is_blank(part):
            continue
        try:
            numbers.append(parse_sixteen_digits(part, what="No. KK"))
        except CellError as exc:
            raise RowRefusedError([(column, str(part).strip()[:60], str(exc))]) from None
    return sorted(set(numbers))


@register_kind
class PoktanKindData(RecordKind):
    slug = "poktan"
    title = gettext_lazy("Poktan groups (BKB, BKR, BKL, UPPKA, PIK-R) and their member families")
    entity = "poktan"
    personal = True  # the No. KK of the member families
    key_columns = ("kode_desa", "jenis", "nama")
    field_columns = {
        "village": "kode_desa", "kind": "jenis", "name": "nama", "area": "kode_wilayah",
        "formed_on": "tanggal_bentuk", "capital_source": "sumber_modal",
        "kk_number": "anggota_no_kk", "joined_on": "anggota_no_kk", "left_on": "anggota_no_kk",
    }  # fmt: skip
    columns = (
        Column("kode_desa", gettext_lazy("Kemendagri code of the village (36.04.09.2013)"), True),
        Column("jenis", gettext_lazy("Kind of group"), True, allowed_values(PoktanKind)),
        Column("nama", gettext_lazy("Name of the group (unique per village and kind)"), True),
        Column("kode_wilayah", gettext_lazy("Code of the dusun or RW when the group is of one (optional)")),
        Column("tanggal_bentuk", gettext_lazy("Date the group was formed (dd/mm/yyyy)")),
        Column("no_sk", gettext_lazy("Number of the decree (SK) that formed it")),
        Column("ketua", gettext_lazy("Chair")),
        Column("sekretaris", gettext_lazy("Secretary")),
        Column("bendahara", gettext_lazy("Treasurer")),
        Column("sumber_modal", gettext_lazy("Capital source (UPPKA only)")),
        Column("anggota_no_kk", gettext_lazy(
            "No. KK of all the member families, separated by ; (families of the village). Empty: "
            "the members stay as they are; otherwise families not listed leave the group today."
        )),
    )  # fmt: skip

    def row_save(self, cells: RowReader, user: User | None) -> str:
        village = _read_village(cells, "kode_desa")
        kind = _read_kind(cells, "jenis")
        name = cells.text("nama", max_length=120, required=True)
        area_code = cells.text("kode_wilayah", max_length=40)
        formed_on = cells.date("tanggal_bentuk")
        decree = cells.text("no_sk", max_length=80)
        chair = cells.text("ketua", max_length=100)
        secretary = cells.text("sekretaris", max_length=100)
        treasurer = cells.text("bendahara", max_length=100)
        capital_source = cells.text("sumber_modal", max_length=120)
        cells.check()
        if village is None:  # cells.check() refused the row already; for the type checker
            raise RowRefusedError([("kode_desa", "", _("required; the cell is empty"))])
        _require_change(user, village)
        area = _read_area(village, area_code)
        numbers = _kk_numbers(cells, "anggota_no_kk")
        families: list[Family] = []
        if numbers is not None:
            families = list(Family.objects.filter(village=village, kk_number__in=numbers))
            missing = sorted(set(numbers) - {f.kk_number for f in families})
            if missing:
                raise RowRefusedError(
                    [("anggota_no_kk", ";".join(missing)[:60],
                      _("not registered in %(village)s: %(numbers)s")
                      % {"village": village.display_name, "numbers": ", ".join(missing[:5])})]
                )  # fmt: skip
        existing = Poktan.objects.filter(village=village, kind=kind, name__iexact=name).first()
        version = existing.version if existing else 0
        poktan = services.poktan_save(
            actor=user, village=village, poktan=existing, kind=kind, name=name, area=area,
            kampung=existing.kampung if existing else None, formed_on=formed_on, decree=decree,
            chair=chair, secretary=secretary, treasurer=treasurer, capital_source=capital_source,
            cadres=list(existing.cadres.all()) if existing else [],
        )  # fmt: skip
        changed = existing is None or poktan.version != version
        if numbers is not None:
            changed = self._members_sync(cells, user, poktan, families) or changed
        if existing is None:
            return CREATED
        return UPDATED if changed else UNCHANGED

    def _members_sync(
        self, cells: RowReader, user: User | None, poktan: Poktan, families: list[Family]
    ) -> bool:
        current = {m.family_id: m for m in PoktanMember.objects.filter(poktan=poktan, left_on=None)}
        wanted = {f.pk: f for f in families}
        changed = False
        for family_id, member in current.items():
            if family_id not in wanted:
                services.poktan_member_remove(actor=user, member=member)
                changed = True
        for family_id, family in wanted.items():
            if family_id not in current:
                services.poktan_member_add(actor=user, poktan=poktan, family=family)
                changed = True
        fitting = selectors.qualifying_family_ids(poktan.kind, wanted, clock.today())
        if fitting is not None:
            for family in families:
                if family.pk not in fitting:
                    cells.warn(
                        "anggota_no_kk",
                        f"{mask(family.kk_number)}: {selectors.not_qualified_message(poktan.kind)}",
                    )
        return changed

    def export_rows(self, *, user: User | None, region: Region) -> Iterator[Sequence[Any]]:
        groups = _visible(user, region)
        numbers: dict[int, list[str]] = defaultdict(list)
        memberships = PoktanMember.objects.filter(poktan__in=groups.values("pk"), left_on=None)
        for poktan_id, kk in memberships.values_list("poktan_id", "family__kk_number").order_by(
            "poktan_id", "family__kk_number"
        ):
            numbers[poktan_id].append(kk)
        rows = groups.select_related("village", "area").order_by("village__code", "kind", "name")
        for p in rows.iterator(chunk_size=2000):
            yield (
                p.village.code, p.kind, p.name, p.area.code if p.area else "", p.formed_on,
                p.decree, p.chair, p.secretary, p.treasurer, p.capital_source,
                ";".join(numbers.get(p.pk, [])),
            )  # fmt: skip


@register_kind
class MeetingKindData(RecordKind):
    slug = "meetings"
    title = gettext_lazy("Poktan meetings")
    entity = "meetings"
    key_columns = ("kode_desa", "jenis", "nama_poktan", "tanggal", "topik")
    field_columns = {"held_on": "tanggal", "topic": "topik", "attendance": "jumlah_hadir"}
    columns = (
        Column("kode_desa", gettext_lazy("Kemendagri code of the group's village"), True),
        Column("jenis", gettext_lazy("Kind of group"), True, allowed_values(PoktanKind)),
        Column("nama_poktan", gettext_lazy("Name of the group, as recorded in Lini"), True),
        Column("tanggal", gettext_lazy("Date of the meeting (dd/mm/yyyy), not in the future"), True),
        Column("topik", gettext_lazy("Topic of the meeting"), True),
        Column("jumlah_hadir", gettext_lazy(
            "Number of families present (at most the number of member families that day)"
        ), True),
        Column("catatan", gettext_lazy("Notes")),
    )  # fmt: skip

    def row_save(self, cells: RowReader, user: User | None) -> str:
        village = _read_village(cells, "kode_desa")
        kind = _read_kind(cells, "jenis")
        name = cells.text("nama_poktan", max_length=120, required=True)
        held_on = cells.date("tanggal", required=True)
        topic = cells.text("topik", max_length=200, required=True)
        attendance = cells.number("jumlah_hadir", required=True)
        notes = cells.text("catatan", max_length=2000)
        cells.check()
        if village is None or held_on is None:  # refused by cells.check(); for the type checker
            raise RowRefusedError([("kode_desa", "", _("required; the cell is empty"))])
        _require_change(user, village)
        poktan = _find_poktan(cells, village, kind, "nama_poktan", name)
        existing = PoktanMeeting.objects.filter(
            poktan=poktan, held_on=held_on, topic__iexact=topic
        ).first()
        same_notes = existing is not None and " ".join(existing.notes.split()) == notes
        if existing is not None and existing.attendance == attendance and same_notes:
            return UNCHANGED
        services.meeting_record(
            actor=user, poktan=poktan, held_on=held_on, topic=topic, attendance=attendance,
            notes=notes, meeting=existing,
        )  # fmt: skip
        return CREATED if existing is None else UPDATED

    def export_rows(self, *, user: User | None, region: Region) -> Iterator[Sequence[Any]]:
        meetings = PoktanMeeting.objects.filter(poktan__in=_visible(user, region).values("pk"))
        rows = meetings.order_by(
            "poktan__village__code", "poktan__kind", "poktan__name", "held_on", "topic"
        ).values_list(
            "poktan__village__code", "poktan__kind", "poktan__name", "held_on", "topic",
            "attendance", "notes",
        )  # fmt: skip
        yield from rows.iterator(chunk_size=5000)
