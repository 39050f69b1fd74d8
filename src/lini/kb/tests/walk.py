"""The KB pages in the permission walk (see lini/web/tests/walk.py)."""

from __future__ import annotations

from lini.kb.choices import FacilityKind, FacilityLevel, Ownership, VisitType
from lini.kb.models import Facility, Service
from lini.kb.services import facility_save, service_record
from lini.regions.models import Region
from lini.regions.tests.places import KAB_TANGERANG, KUTA_JAYA, PASAR_KEMIS
from lini.register.choices import Method
from lini.register.models import Couple
from lini.web.tests.walk import Case, World


def prepare(world: World) -> None:
    facility = facility_save(
        actor=None, code="P3603120101", name="Puskesmas Pasar Kemis", kind=FacilityKind.MAIN,
        level=FacilityLevel.PUSKESMAS, ownership=Ownership.REGENCY,
        region=Region.objects.get(code=PASAR_KEMIS),
    )  # fmt: skip
    couple = world.family.couples.get()
    service = service_record(
        actor=None, couple=couple, served_on=Couple.objects.get(pk=couple.pk).status_since,
        method=Method.PILL, visit_type=VisitType.REPEAT, facility=facility,
    )  # fmt: skip
    world.extra["kb_facility"] = facility
    world.extra["kb_couple"] = couple
    world.extra["kb_service"] = service


def snapshot() -> tuple[object, ...]:
    return (
        list(Facility.objects.order_by("pk").values_list("code", "name", "active", "region_id")),
        list(Service.objects.order_by("pk").values_list("pk", "served_on", "method", "event_id")),
    )


CASES: dict[str, Case] = {
    "kb:facility_list": Case(query=f"?region={KAB_TANGERANG}"),
    "kb:facility_detail": Case(lambda w: {"pk": w.extra["kb_facility"].pk}),
    "kb:facility_create": Case(
        lambda w: {"code": PASAR_KEMIS},
        method="post",
        data={
            "code": "K3603120201",
            "name": "Klinik Sehat",
            "kind": "faskes",
            "level": "klinik_pratama",
            "ownership": "swasta",
            "active": "on",
        },
        effect=lambda w: Facility.objects.filter(code="K3603120201").exists(),
    ),
    "kb:facility_edit": Case(
        lambda w: {"pk": w.extra["kb_facility"].pk},
        method="post",
        data={
            "code": "P3603120101",
            "name": "Puskesmas Pasar Kemis Baru",
            "kind": "faskes",
            "level": "puskesmas",
            "ownership": "kabkota",
            "active": "on",
        },
        effect=lambda w: (
            Facility.objects.get(pk=w.extra["kb_facility"].pk).name == "Puskesmas Pasar Kemis Baru"
        ),
    ),
    "kb:service_list": Case(query=f"?region={KUTA_JAYA}"),
    "kb:service_create": Case(
        lambda w: {"couple_pk": w.extra["kb_couple"].pk},
        method="post",
        data={"served_on": "2019-11-05", "method": "implan", "visit_type": "ganti"},
        effect=lambda w: Couple.objects.get(pk=w.extra["kb_couple"].pk).method == "implan",
    ),
    "kb:service_detail": Case(lambda w: {"pk": w.extra["kb_service"].pk}),
    "kb:service_delete": Case(
        lambda w: {"pk": w.extra["kb_service"].pk},
        method="post",
        effect=lambda w: not Service.objects.filter(pk=w.extra["kb_service"].pk).exists(),
    ),
}
