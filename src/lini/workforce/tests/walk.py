"""The workforce's pages in the permission walk (see lini/web/tests/walk.py)."""

from __future__ import annotations

from lini.regions.models import Region
from lini.regions.tests.places import KUTA_JAYA, PASAR_KEMIS
from lini.web.tests.walk import Case, World
from lini.workforce.models import Cadre, CadreKind, Counsellor
from lini.workforce.services import cadre_save, counsellor_save


def _counsellor(w: World) -> Counsellor:
    return w.extra["workforce_counsellor"]


def _cadre(w: World) -> Cadre:
    return w.extra["workforce_cadre"]


CASES: dict[str, Case] = {
    "workforce:counsellor_list": Case(denied=False),
    "workforce:counsellor_create": Case(
        query=f"?kecamatan={PASAR_KEMIS}",
        method="post",
        data={"name": "Rina Baru", "kind": "plkb", "district": PASAR_KEMIS, "villages": KUTA_JAYA},
        effect=lambda w: Counsellor.objects.filter(
            name="Rina Baru", villages__code=KUTA_JAYA
        ).exists(),
    ),
    "workforce:counsellor_detail": Case(lambda w: {"pk": _counsellor(w).pk}),
    "workforce:counsellor_edit": Case(
        lambda w: {"pk": _counsellor(w).pk},
        method="post",
        data={"name": "Yayan Edit", "kind": "pkb", "district": PASAR_KEMIS, "villages": KUTA_JAYA},
        effect=lambda w: Counsellor.objects.get(pk=_counsellor(w).pk).name == "Yayan Edit",
    ),
    "workforce:counsellor_delete": Case(
        lambda w: {"pk": _counsellor(w).pk},
        method="post",
        effect=lambda w: not Counsellor.objects.filter(pk=_counsellor(w).pk).exists(),
    ),
    "workforce:village_people": Case(lambda w: {"code": KUTA_JAYA}),
    "workforce:cadre_list": Case(lambda w: {"code": KUTA_JAYA}),
    "workforce:cadre_create": Case(
        lambda w: {"code": KUTA_JAYA},
        method="post",
        data={"name": "Imas Baru", "kind": "poktan", "active": "on"},
        effect=lambda w: Cadre.objects.filter(name="Imas Baru", village__code=KUTA_JAYA).exists(),
    ),
    "workforce:cadre_edit": Case(
        lambda w: {"pk": _cadre(w).pk},
        method="post",
        data={"name": "Euis Edit", "kind": "ppkbd", "active": "on"},
        effect=lambda w: Cadre.objects.get(pk=_cadre(w).pk).name == "Euis Edit",
    ),
    "workforce:cadre_delete": Case(
        lambda w: {"pk": _cadre(w).pk},
        method="post",
        effect=lambda w: not Cadre.objects.filter(pk=_cadre(w).pk).exists(),
    ),
}


def prepare(world: World) -> None:
    village = Region.objects.get(code=KUTA_JAYA)
    world.extra["workforce_counsellor"] = counsellor_save(
        actor=None, name="Yayan Suhendi", district=Region.objects.get(code=PASAR_KEMIS),
        villages=[village], phone="081234567890",
    )  # fmt: skip
    world.extra["workforce_cadre"] = cadre_save(
        actor=None, name="Euis Jubaedah", kind=CadreKind.PPKBD, village=village
    )


def snapshot() -> tuple[object, ...]:
    return (
        sorted(Counsellor.objects.values_list("pk", "name", "nip", "district_id", "active")),
        sorted(Counsellor.villages.through.objects.values_list("counsellor_id", "region_id")),
        sorted(Cadre.objects.values_list("pk", "name", "kind", "village_id", "area_id", "active")),
    )
