"""The workforce's data kinds: ``workers`` (field counsellors, PKB/PLKB) and ``cadres`` (PPKBD,
Sub-PPKBD, poktan cadres). Each row goes through the same service as the pages."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.audit.services import snapshot
from lini.exchange.cells import is_blank
from lini.exchange.records import (
    CREATED,
    UNCHANGED,
    UPDATED,
    RecordKind,
    RowReader,
    allowed_values,
)
from lini.exchange.registry import Column, register_kind
from lini.regions.codes import RegionCodeError, normalise_code
from lini.regions.models import Region, RegionLevel
from lini.regions.selectors import subtree_q
from lini.workforce import services
from lini.workforce.models import Cadre, CadreKind, Counsellor, CounsellorKind, IPeKBLevel

if TYPE_CHECKING:
    from lini.accounts.models import User


def _flag_text(value: bool) -> str:
    return "ya" if value else "tidak"


def _account_column(cells: RowReader, column: str, current: Any) -> str:
    """The username of the row; a file without the column keeps the account already linked."""
    if column not in cells.row.values:
        return current.username if current is not None else ""
    return cells.text(column, max_length=150)


def _villages(cells: RowReader, column: str) -> list[Region]:
    """Village codes separated by ``;`` (or ``,``); each must be a village."""
    raw = cells.raw(column)
    if is_blank(raw):
        return []
    codes: list[str] = []
    for part in str(raw).replace(",", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        try:
            codes.append(normalise_code(part))
        except RegionCodeError:
            cells.problems.append(
                (column, part[:60], _("%(code)s is not a village code") % {"code": part[:20]})
            )
    found = {r.code: r for r in Region.objects.filter(code__in=codes)}
    villages = []
    for code in codes:
        region = found.get(code)
        if region is None:
            why = _("there is no region with the code %(code)s") % {"code": code}
            cells.problems.append((column, code, why))
        elif region.level != RegionLevel.VILLAGE:
            why = _("%(code)s is a %(level)s; only villages are looked after") % {
                "code": code,
                "level": region.get_level_display(),
            }
            cells.problems.append((column, code, why))
        else:
            villages.append(region)
    return villages


@register_kind
class WorkersKind(RecordKind):
    """Field counsellors. A row is found by its NIP, or without NIP by name and base district."""

    slug = "workers"
    title = gettext_lazy("Field counsellors (PKB/PLKB)")
    entity = "counsellors"
    personal = True  # names, NIP and phone numbers
    key_columns = ("nip", "nama", "kode_kecamatan")
    field_columns: ClassVar[dict[str, str]] = {
        "name": "nama", "nip": "nip", "kind": "jenis", "district": "kode_kecamatan",
        "villages": "desa_binaan", "phone": "telepon", "ipekb_member": "anggota_ipekb",
        "ipekb_level": "tingkat_pengurus_ipekb", "ipekb_position": "jabatan_ipekb",
        "user": "nama_pengguna", "active": "aktif",
    }  # fmt: skip
    columns = (
        Column("nip", gettext_lazy("employee number (NIP), 18 digits; empty for a PLKB who is "
                                    "not a civil servant (then found by name and district)")),
        Column("nama", gettext_lazy("name"), required=True),
        Column("jenis", gettext_lazy("kind of counsellor"), allowed=allowed_values(CounsellorKind)),
        Column("kode_kecamatan", gettext_lazy("code of the district where the counsellor is based"),
               required=True),
        Column("desa_binaan", gettext_lazy("codes of the villages looked after, separated by ;")),
        Column("telepon", gettext_lazy("phone number")),
        Column("anggota_ipekb", gettext_lazy("member of IPeKB"), allowed="ya; tidak"),
        Column("tingkat_pengurus_ipekb", gettext_lazy("IPeKB board the member sits on (empty: none)"),
               allowed=allowed_values(IPeKBLevel)),
        Column("jabatan_ipekb", gettext_lazy("position on the IPeKB board (e.g. ketua)")),
        Column("nama_pengguna", gettext_lazy("username of the counsellor's Lini account (optional)")),
        Column("aktif", gettext_lazy("still working (empty: ya)"), allowed="ya; tidak"),
    )  # fmt: skip

    def row_save(self, cells: RowReader, user: User | None) -> str:
        nip = services.clean_nip(cells.text("nip", max_length=30))
        if nip and services.nip_problem(nip):
            cells.problems.append(("nip", nip[:60], services.nip_problem(nip)))
        name = cells.text("nama", max_length=100, required=True)
        kind = cells.choice("jenis", CounsellorKind) or CounsellorKind.PKB
        district = cells.region("kode_kecamatan", levels=(RegionLevel.DISTRICT,))
        villages = _villages(cells, "desa_binaan")
        phone = cells.text("telepon", max_length=20)
        member = cells.flag("anggota_ipekb")
        level = cells.choice("tingkat_pengurus_ipekb", IPeKBLevel)
        position = cells.text("jabatan_ipekb", max_length=60)
        active = cells.flag("aktif", default=True)
        cells.check()
        assert district is not None  # noqa: S101 - required: check() refused the row otherwise
        stored = self._find(nip=nip, name=name, district=district)
        username = _account_column(cells, "nama_pengguna", stored.user if stored else None)
        cells.check()  # the username cell is read after the others (it needs the stored record)
        before = services.counsellor_view(stored) if stored is not None else None
        saved = services.counsellor_save(
            actor=user, counsellor=stored, name=name, nip=nip, kind=kind, district=district,
            villages=villages, phone=phone, ipekb_member=member, ipekb_level=level,
            ipekb_position=position, username=username, active=active,
        )  # fmt: skip
        if before is None:
            return CREATED
        return UNCHANGED if services.counsellor_view(saved) == before else UPDATED

    @staticmethod
    def _find(*, nip: str, name: str, district: Region) -> Counsellor | None:
        if nip:
            return Counsellor.objects.filter(nip=nip).first()
        same = list(
            Counsellor.objects.filter(
                nip__isnull=True, district=district, name__iexact=services.clean_name(name)
            )[:2]
        )
        if len(same) > 1:
            why = _("%(district)s has more than one counsellor named %(name)s without NIP")
            raise ValidationError({"nip": why % {"district": district.display_name, "name": name}})
        return same[0] if same else None

    def export_rows(self, *, user: User | None, region: Region) -> Iterator[Sequence[Any]]:
        counsellors = Counsellor.objects.filter(subtree_q([region.code], field="district__code"))
        if user is not None:
            counsellors = scope.restrict(counsellors, user, Action.VIEW, field="district__code")
        counsellors = (
            counsellors.select_related("district", "user")
            .prefetch_related(Prefetch("villages", queryset=Region.objects.order_by("code")))
            .order_by("district__code", "name", "pk")
        )
        for c in counsellors.iterator(chunk_size=1000):
            yield (
                c.nip or "", c.name, c.kind, c.district.code,
                "; ".join(v.code for v in c.villages.all()), c.phone,
                _flag_text(c.ipekb_member), c.ipekb_level, c.ipekb_position,
                c.user.username if c.user else "", _flag_text(c.active),
            )  # fmt: skip


@register_kind
class CadresKind(RecordKind):
    """Village cadres; a row is found by village, kind and name."""

    slug = "cadres"
    title = gettext_lazy("Cadres (PPKBD, Sub-PPKBD, poktan)")
    entity = "cadres"
    personal = True  # names and phone numbers
    key_columns = ("kode_desa", "jenis", "nama")
    field_columns: ClassVar[dict[str, str]] = {
        "name": "nama", "kind": "jenis", "village": "kode_desa", "area": "kode_wilayah_kerja",
        "phone": "telepon", "trained": "terlatih", "since": "sejak", "user": "nama_pengguna",
        "active": "aktif",
    }  # fmt: skip
    columns = (
        Column("nama", gettext_lazy("name"), required=True),
        Column("jenis", gettext_lazy("kind of cadre"), required=True,
               allowed=allowed_values(CadreKind)),
        Column("kode_desa", gettext_lazy("code of the village"), required=True),
        Column("kode_wilayah_kerja", gettext_lazy("code of the dusun or RW a Sub-PPKBD works in "
                                                  "(as Lini shows it, e.g. 36.04.09.2013.D01)")),
        Column("telepon", gettext_lazy("phone number")),
        Column("terlatih", gettext_lazy("has been trained"), allowed="ya; tidak"),
        Column("sejak", gettext_lazy("cadre since (date)")),
        Column("nama_pengguna", gettext_lazy("username of the cadre's Lini account (optional)")),
        Column("aktif", gettext_lazy("still working (empty: ya)"), allowed="ya; tidak"),
    )  # fmt: skip

    def row_save(self, cells: RowReader, user: User | None) -> str:
        name = cells.text("nama", max_length=100, required=True)
        kind = cells.choice("jenis", CadreKind, required=True)
        village = cells.region("kode_desa", levels=(RegionLevel.VILLAGE,))
        area = None
        area_code = cells.text("kode_wilayah_kerja", max_length=40).upper()
        if area_code:
            area = Region.objects.filter(code=area_code).first()
            if area is None:
                why = _("there is no dusun or RW with the code %(code)s") % {"code": area_code}
                cells.problems.append(("kode_wilayah_kerja", area_code, why))
        phone = cells.text("telepon", max_length=20)
        trained = cells.flag("terlatih")
        since = cells.date("sejak")
        active = cells.flag("aktif", default=True)
        cells.check()
        assert village is not None  # noqa: S101 - required: check() refused the row otherwise
        stored = Cadre.objects.filter(
            village=village, kind=kind, name__iexact=services.clean_name(name)
        ).first()
        username = _account_column(cells, "nama_pengguna", stored.user if stored else None)
        cells.check()  # the username cell is read after the others (it needs the stored record)
        before = snapshot(stored) if stored is not None else None
        saved = services.cadre_save(
            actor=user, cadre=stored, name=name, kind=kind, village=village, area=area,
            phone=phone, trained=trained, since=since, username=username, active=active,
        )  # fmt: skip
        if before is None:
            return CREATED
        return UNCHANGED if snapshot(saved) == before else UPDATED

    def export_rows(self, *, user: User | None, region: Region) -> Iterator[Sequence[Any]]:
        cadres = Cadre.objects.filter(subtree_q([region.code], field="village__code"))
        if user is not None:
            cadres = scope.restrict(cadres, user, Action.VIEW, field="village__code")
        cadres = cadres.select_related("village", "area", "user").order_by(
            "village__code", "kind", "name", "pk"
        )
        for c in cadres.iterator(chunk_size=2000):
            yield (
                c.name, c.kind, c.village.code, c.area.code if c.area else "", c.phone,
                _flag_text(c.trained), c.since, c.user.username if c.user else "",
                _flag_text(c.active),
            )  # fmt: skip
