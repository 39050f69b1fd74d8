"""The data kinds of this app: the facility registry (``facilities``) and KB services
(``services``). Rows go through the same services as the pages."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.exchange.cells import CellError, is_blank, shown
from lini.exchange.records import (
    CREATED,
    UNCHANGED,
    UPDATED,
    RecordKind,
    RowReader,
    RowRefusedError,
    allowed_values,
    parse_choice_cell,
)
from lini.exchange.registry import Column, register_kind
from lini.kb import services
from lini.kb.choices import (
    PRODUCT_METHOD,
    FacilityKind,
    FacilityLevel,
    Ownership,
    Product,
    VisitType,
)
from lini.kb.models import Facility, Service
from lini.regions.models import RegionLevel
from lini.regions.selectors import subtree_q
from lini.register.choices import EventSource, Method, NotUsingReason
from lini.register.models import Couple

if TYPE_CHECKING:
    from lini.accounts.models import User
    from lini.regions.models import Region


def _flag(value: bool) -> str:
    return "ya" if value else "tidak"


def _day(value: Any) -> str:
    return value.isoformat() if value else ""


def _squash(value: object) -> str:
    """Letters and digits only, lower case: "Suntik 3-Bulan" and "suntik 3 bulan" read alike,
    so do "Cu-T 380A" and "CuT 380A"."""
    return "".join(ch for ch in str(value).lower() if ch.isalnum())


# What people write for a product besides its code and its label (compared squashed).
PRODUCT_WORDS: dict[str, tuple[str, ...]] = {
    Product.INJECTABLE_3M: (
        "suntik 3 bulan", "suntik 3 bulanan", "suntik tiga bulan", "suntik tiga bulanan",
        "suntikan 3 bulan", "suntikan 3 bulanan", "suntik 3", "3 bulan", "3 bulanan",
        "tiga bulanan", "dmpa", "depo", "depo provera", "depo progestin", "triclofem",
        "3 monthly", "3-monthly injection",
    ),
    Product.INJECTABLE_1M: (
        "suntik 1 bulan", "suntik 1 bulanan", "suntik satu bulan", "suntik satu bulanan",
        "suntik sebulan", "suntik bulanan", "suntikan 1 bulan", "suntikan 1 bulanan", "suntik 1",
        "1 bulan", "1 bulanan", "satu bulanan", "bulanan", "cyclofem", "1 monthly",
        "1-monthly injection",
    ),
    Product.IMPLANT_1: (
        "implan 1 batang", "implant 1 batang", "implan satu batang", "implan 1", "1 batang",
        "satu batang", "implanon", "implanon nxt", "implant 1 rod", "implant, 1 rod", "1 rod",
    ),
    Product.IMPLANT_2: (
        "implan 2 batang", "implant 2 batang", "implan dua batang", "implan 2", "2 batang",
        "dua batang", "jadena", "jadelle", "indoplant", "implant 2 rods", "implant, 2 rods",
        "2 rods",
    ),
    Product.IUD_CUT380A: (
        "cut 380a", "cu t 380a", "copper t 380a", "tcu 380a", "iud cut 380a", "akdr cut 380a",
        "akdr cu t 380a", "iud cut", "akdr cut", "spiral cut 380a", "iud akdr cut 380a",
    ),
    Product.IUD_OTHER: (
        "iud lain", "iud lainnya", "iud lain lain", "akdr lain", "akdr lainnya", "spiral lain",
        "nova t", "multiload", "mirena", "lng ius", "other iud", "iud akdr lainnya",
    ),
}  # fmt: skip
_PRODUCT_TABLE = {
    _squash(word): product for product, words in PRODUCT_WORDS.items() for word in words
}


def parse_product(value: object) -> str:
    """A product from its code, its label or what people write for it (``suntik 3 bulan``,
    ``implan 1 batang``, ``CuT 380A``); :class:`CellError` otherwise."""
    found = _PRODUCT_TABLE.get(_squash(value))
    if found is not None:
        return found
    return parse_choice_cell(Product, value)


def _product(cells: RowReader, column: str, method: str) -> str:
    """The product of the row (empty when not given), which must be one of ``method``."""
    raw = cells.raw(column)
    if is_blank(raw):
        return ""
    try:
        product = parse_product(raw)
    except CellError as exc:
        cells.problems.append((column, shown(raw, limit=60), str(exc)))
        return ""
    if method and PRODUCT_METHOD[product] != method:
        cells.problems.append(
            (
                column,
                shown(raw, limit=60),
                _("%(product)s is not a product of the method %(method)s.")
                % {"product": Product(product).label, "method": method},
            )
        )
    return product


def _named_product(value: object, method: str) -> str:
    """The product of ``method`` that a method's cell names (``suntik 3 bulan``), or ""."""
    if is_blank(value):
        return ""
    named = _PRODUCT_TABLE.get(_squash(value), "")
    return named if named and PRODUCT_METHOD[named] == method else ""


def _facility_by_code(cells: RowReader, column: str) -> Facility | None:
    code = cells.text(column, max_length=20).upper()
    if not code:
        return None
    found = Facility.objects.select_related("region").filter(code=code).first()
    if found is None:
        cells.problems.append(
            (
                column,
                code,
                _("there is no facility with the register number %(code)s") % {"code": code},
            )
        )
    return found


@register_kind
class FacilitiesKind(RecordKind):
    slug = "facilities"
    title = gettext_lazy("KB facilities (faskes KB, network and mobile units)")
    entity = "facility"
    key_columns = ("kode_faskes",)
    field_columns = {
        "code": "kode_faskes", "name": "nama", "kind": "jenis", "level": "tingkat",
        "ownership": "kepemilikan", "region": "kode_wilayah", "parent": "kode_faskes_induk",
        "address": "alamat", "bpjs_agreement": "no_pks_bpjs", "bpjs_until": "pks_berlaku_sampai",
    }  # fmt: skip
    columns = (
        Column("kode_faskes", gettext_lazy("the facility's register number"), required=True),
        Column("nama", gettext_lazy("name of the facility"), required=True),
        Column(
            "jenis",
            gettext_lazy("kind: main facility, network unit or mobile unit"),
            required=True,
            allowed=allowed_values(FacilityKind),
        ),
        Column(
            "tingkat",
            gettext_lazy("level (type) of the facility"),
            required=True,
            allowed=allowed_values(FacilityLevel),
        ),
        Column(
            "kepemilikan",
            gettext_lazy("ownership"),
            required=True,
            allowed=allowed_values(Ownership),
        ),
        Column(
            "kode_wilayah",
            gettext_lazy("code of the regency/city, district or village where it stands"),
            required=True,
        ),
        Column(
            "kode_faskes_induk",
            gettext_lazy("register number of the main facility (network units only)"),
        ),
        Column("alamat", gettext_lazy("address")),
        Column("bpjs", gettext_lazy("works with BPJS"), allowed="ya, tidak"),
        Column("no_pks_bpjs", gettext_lazy("number of the BPJS agreement (PKS)")),
        Column(
            "pks_berlaku_sampai",
            gettext_lazy("the BPJS agreement is valid until (dd/mm/yyyy)"),
        ),
        Column("aktif", gettext_lazy("still active (empty: ya)"), allowed="ya, tidak"),
    )

    def row_save(self, cells: RowReader, user: User | None) -> str:
        code = cells.text("kode_faskes", max_length=20, required=True).upper()
        name = cells.text("nama", max_length=120, required=True)
        kind = cells.choice("jenis", FacilityKind, required=True)
        level = cells.choice("tingkat", FacilityLevel, required=True)
        ownership = cells.choice("kepemilikan", Ownership, required=True)
        region = cells.region(
            "kode_wilayah",
            levels=(RegionLevel.REGENCY, RegionLevel.DISTRICT, RegionLevel.VILLAGE),
        )
        parent = _facility_by_code(cells, "kode_faskes_induk")
        address = cells.text("alamat", max_length=200)
        bpjs = cells.flag("bpjs")
        agreement = cells.text("no_pks_bpjs", max_length=60)
        until = cells.date("pks_berlaku_sampai")
        active = cells.flag("aktif", default=True)
        cells.check()
        if region is None:  # cells.check() raised for an unreadable region
            raise RowRefusedError([("kode_wilayah", "", _("required; the cell is empty"))])
        stored = Facility.objects.filter(code=code).select_related("region").first()
        if stored is not None:
            current = (
                stored.name, stored.kind, stored.level, stored.ownership, stored.region_id,
                stored.parent_id, stored.address, stored.bpjs, stored.bpjs_agreement,
                stored.bpjs_until, stored.active,
            )  # fmt: skip
            wanted = (
                " ".join(name.split()), kind, level, ownership, region.pk,
                parent.pk if parent else None, " ".join(address.split()), bpjs,
                agreement if bpjs else "", until if bpjs else None, active,
            )  # fmt: skip
            if current == wanted and not (not bpjs and (agreement or until)):
                return UNCHANGED
        services.facility_save(
            actor=user, facility=stored, code=code, name=name, kind=kind, level=level,
            ownership=ownership, region=region, parent=parent, address=address, bpjs=bpjs,
            bpjs_agreement=agreement, bpjs_until=until, active=active,
        )  # fmt: skip
        return CREATED if stored is None else UPDATED

    def export_rows(self, *, user: User | None, region: Region) -> Iterator[Sequence[Any]]:
        facilities = Facility.objects.filter(subtree_q([region.code], field="region__code"))
        if user is not None:
            facilities = scope.restrict(facilities, user, Action.VIEW, field="region__code")
        # Main facilities first, so that an import of this file finds every network unit's parent.
        ordered = sorted(
            facilities.select_related("region", "parent"),
            key=lambda f: (f.kind != FacilityKind.MAIN, f.region.code, f.code),
        )
        for f in ordered:
            yield (
                f.code, f.name, f.kind, f.level, f.ownership, f.region.code,
                f.parent.code if f.parent else "", f.address, _flag(f.bpjs), f.bpjs_agreement,
                _day(f.bpjs_until), _flag(f.active),
            )  # fmt: skip


@register_kind
class ServicesKind(RecordKind):
    slug = "services"
    title = gettext_lazy("KB services")
    entity = "service"
    personal = True
    key_columns = ("tanggal", "nik_istri", "metode", "jenis_kunjungan")
    field_columns = {
        "served_on": "tanggal", "method": "metode", "product": "produk",
        "visit_type": "jenis_kunjungan", "reason_after": "alasan_setelah_cabut",
        "facility": "kode_faskes", "provider": "petugas",
    }  # fmt: skip
    columns = (
        Column("tanggal", gettext_lazy("date of the service (dd/mm/yyyy)"), required=True),
        Column(
            "nik_istri",
            gettext_lazy("NIK of the wife (the couple must be in the family register)"),
            required=True,
        ),
        Column(
            "metode",
            gettext_lazy("method given, continued or removed"),
            required=True,
            allowed=allowed_values(Method),
        ),
        Column(
            "produk",
            gettext_lazy(
                "product of an injectable, an implant or an IUD (empty: not known); also "
                "written as e.g. suntik 3 bulan, 3 bulanan, implan 1 batang, CuT 380A"
            ),
            allowed=allowed_values(Product),
        ),
        Column(
            "jenis_kunjungan",
            gettext_lazy("visit type"),
            required=True,
            allowed=allowed_values(VisitType),
        ),
        Column(
            "alasan_setelah_cabut",
            gettext_lazy("after a removal: why the couple does not use a method now"),
            allowed=allowed_values(NotUsingReason),
        ),
        Column(
            "pasca_persalinan",
            gettext_lazy("post-partum (within 42 days of delivery)"),
            allowed="ya, tidak",
        ),
        Column("informed_consent", gettext_lazy("informed consent given"), allowed="ya, tidak"),
        Column("kode_faskes", gettext_lazy("register number of the facility or mobile unit")),
        Column("petugas", gettext_lazy("provider (midwife, doctor)")),
        Column("catatan", gettext_lazy("notes")),
    )

    def row_save(self, cells: RowReader, user: User | None) -> str:
        served_on = cells.date("tanggal", required=True)
        nik = cells.digits16("nik_istri", what="NIK")
        method = cells.choice("metode", Method, required=True)
        product = _product(cells, "produk", method)
        # Without one, the product the method's cell may name ("suntik 3 bulan") is recorded.
        implied = "" if product else _named_product(cells.raw("metode"), method)
        visit_type = cells.choice("jenis_kunjungan", VisitType, required=True)
        reason_after = cells.choice("alasan_setelah_cabut", NotUsingReason)
        postpartum = cells.flag("pasca_persalinan")
        consent = cells.flag("informed_consent")
        facility = _facility_by_code(cells, "kode_faskes")
        provider = cells.text("petugas", max_length=100)
        notes = cells.text("catatan", max_length=2000)
        couple = None
        if nik:
            # Only couples the user may change are looked at, and one message covers "nowhere"
            # and "elsewhere": an import must not tell whether a NIK is registered out of scope.
            couples = Couple.objects.select_related("family__village", "wife").filter(wife__nik=nik)
            if user is not None:
                couples = scope.restrict(
                    couples, user, Action.CHANGE, field="family__village__code"
                )
            couple = couples.order_by(F("ended_on").desc(nulls_first=True), "-pk").first()
            if couple is None:
                cells.problems.append(
                    (
                        "nik_istri", nik,
                        _("no couple with a wife of this NIK in the regions you may change"),
                    )
                )  # fmt: skip
        cells.check()
        if couple is None or served_on is None:  # cells.check() raised already
            raise RowRefusedError([("nik_istri", "", _("required; the cell is empty"))])
        stored = Service.objects.filter(
            couple=couple, served_on=served_on, method=method, visit_type=visit_type
        ).first()
        if stored is None:
            services.service_record(
                actor=user, couple=couple, served_on=served_on, method=method,
                visit_type=visit_type, product=product or implied, reason_after=reason_after,
                postpartum=postpartum, informed_consent=consent, facility=facility,
                provider=provider, notes=notes, source=EventSource.IMPORT,
            )  # fmt: skip
            return CREATED
        if stored.reason_after != (reason_after if visit_type == VisitType.REMOVAL else ""):
            raise RowRefusedError(
                [(
                    "alasan_setelah_cabut", reason_after,
                    _("this removal is already recorded with another reason; delete it first"),
                )]
            )  # fmt: skip
        # An empty cell keeps the product recorded; a removal records none (as the service).
        if product and visit_type != VisitType.REMOVAL and stored.product != product:
            raise RowRefusedError(
                [(
                    "produk", shown(cells.raw("produk"), limit=60),
                    _("this service is already recorded with another product; delete it first")
                    if stored.product
                    else _("this service is already recorded without a product; delete it and "
                           "import it again to add the product"),
                )]
            )  # fmt: skip
        current = (
            stored.postpartum, stored.informed_consent, stored.facility_id, stored.provider,
            stored.notes,
        )  # fmt: skip
        wanted = (
            postpartum, consent, facility.pk if facility else None, " ".join(provider.split()),
            notes.strip(),
        )  # fmt: skip
        if current == wanted:
            return UNCHANGED
        services.service_details_change(
            actor=user, service=stored, postpartum=postpartum, informed_consent=consent,
            facility=facility, provider=provider, notes=notes,
        )  # fmt: skip
        return UPDATED

    def export_rows(self, *, user: User | None, region: Region) -> Iterator[Sequence[Any]]:
        rows = Service.objects.filter(
            subtree_q([region.code], field="couple__family__village__code")
        )
        if user is not None:
            rows = scope.restrict(rows, user, Action.VIEW, field="couple__family__village__code")
        values = rows.order_by("served_on", "pk").values_list(
            "served_on", "couple__wife__nik", "method", "product", "visit_type", "reason_after",
            "postpartum", "informed_consent", "facility__code", "provider", "notes",
        )  # fmt: skip
        for (
            served_on,
            nik,
            method,
            product,
            visit,
            reason,
            postpartum,
            consent,
            code,
            provider,
            notes,
        ) in values.iterator(chunk_size=2000):
            yield (
                _day(served_on), nik, method, product, visit, reason, _flag(postpartum),
                _flag(consent), code or "", provider, notes,
            )  # fmt: skip
