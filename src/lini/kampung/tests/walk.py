"""The Kampung KB pages in the permission walk (lini/web/tests/test_permission_walk.py)."""

from __future__ import annotations

from lini.kampung import services
from lini.kampung.models import KampungKB
from lini.regions.models import Region, RegionLevel
from lini.regions.tests.places import KAB_TANGERANG, KUTA_JAYA, PASAR_KEMIS
from lini.web.tests.walk import Case, World

NEW_NAME = "Kampung KB Kuta Jaya Baru"


def prepare(world: World) -> None:
    village = Region.objects.get(code=KUTA_JAYA)
    world.extra["kampung"] = services.kampung_save(
        actor=None, village=village, values=services.KampungValues(name="Kampung KB Kuta Jaya")
    )
    other = (
        Region.objects.filter(parent__code=PASAR_KEMIS, level=RegionLevel.VILLAGE)
        .exclude(code=KUTA_JAYA)
        .order_by("code")
        .first()
    )
    assert other is not None
    world.extra["kampung_village"] = other


def snapshot() -> tuple[object, ...]:
    return (list(KampungKB.objects.order_by("pk").values_list("village__code", "name", "version")),)


CASES: dict[str, Case] = {
    "kampung:kampung_list": Case(query=f"?region={KAB_TANGERANG}"),
    "kampung:kampung_detail": Case(lambda w: {"pk": w.extra["kampung"].pk}),
    "kampung:kampung_create": Case(
        lambda w: {"code": w.extra["kampung_village"].code},
        method="post",
        data={"name": "Kampung KB Baru", "version": "0"},
        effect=lambda w: KampungKB.objects.filter(village=w.extra["kampung_village"]).exists(),
    ),
    "kampung:kampung_edit": Case(
        lambda w: {"pk": w.extra["kampung"].pk},
        method="post",
        data={"name": NEW_NAME, "version": "1"},
        effect=lambda w: KampungKB.objects.get(pk=w.extra["kampung"].pk).name == NEW_NAME,
    ),
}
