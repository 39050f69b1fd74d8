"""The poktan pages in the permission walk (see lini/web/tests/walk.py)."""

from __future__ import annotations

import datetime as dt

from lini.poktan.models import Poktan, PoktanEvent, PoktanEventKind, PoktanMeeting, PoktanMember
from lini.poktan.services import meeting_record, poktan_member_add, poktan_save
from lini.regions.models import Region
from lini.regions.tests.places import KAB_TANGERANG, KUTA_JAYA, PASAR_KEMIS
from lini.register.models import Family
from lini.register.tests.factories import make_family
from lini.web.tests.walk import Case, World
from lini.workforce.models import Counsellor

NEW_KK = "3603127777770001"
COUNSELLOR_PK = 990001  # made by prepare, with this key so that the case can name it


def _poktan(w: World) -> Poktan:
    return w.extra["poktan"]


CASES: dict[str, Case] = {
    "poktan:poktan_list": Case(query=f"?region={KAB_TANGERANG}"),
    "poktan:poktan_detail": Case(lambda w: {"pk": _poktan(w).pk}),
    "poktan:poktan_create": Case(
        lambda w: {"code": KUTA_JAYA},
        method="post",
        data={"kind": "bkl", "name": "Lansia Tangguh"},
        effect=lambda w: Poktan.objects.filter(name="Lansia Tangguh").exists(),
    ),
    "poktan:poktan_edit": Case(
        lambda w: {"pk": _poktan(w).pk},
        method="post",
        data={"kind": "bkb", "name": "Melati Baru", "chair": "Ibu Ani", "version": "1"},
        effect=lambda w: Poktan.objects.get(pk=_poktan(w).pk).name == "Melati Baru",
    ),
    "poktan:member_add": Case(
        lambda w: {"pk": _poktan(w).pk},
        method="post",
        data={"kk_number": NEW_KK},
        effect=lambda w: PoktanMember.objects.filter(family__kk_number=NEW_KK).exists(),
    ),
    "poktan:member_remove": Case(
        lambda w: {"pk": _poktan(w).pk, "member_pk": w.extra["member"].pk},
        method="post",
        effect=lambda w: PoktanMember.objects.get(pk=w.extra["member"].pk).left_on is not None,
    ),
    "poktan:meeting_create": Case(
        lambda w: {"pk": _poktan(w).pk},
        method="post",
        data={"held_on": "2019-11-04", "topic": "Gizi balita", "attendance": "1"},
        effect=lambda w: PoktanMeeting.objects.filter(topic="Gizi balita").exists(),
    ),
    "poktan:guidance_create": Case(
        lambda w: {"pk": _poktan(w).pk},
        method="post",
        data={"happened_on": "2019-11-05", "counsellor": str(COUNSELLOR_PK)},
        effect=lambda w: PoktanEvent.objects.filter(kind=PoktanEventKind.GUIDANCE).exists(),
    ),
}


def prepare(world: World) -> None:
    village = Region.objects.get(code=KUTA_JAYA)
    poktan = poktan_save(
        actor=None, village=village, kind="bkb", name="Melati", formed_on=dt.date(2015, 3, 1)
    )
    member, _warnings = poktan_member_add(actor=None, poktan=poktan, family=world.family)
    meeting_record(
        actor=None, poktan=poktan, held_on=dt.date(2019, 10, 7), topic="Tumbuh kembang",
        attendance=1,
    )  # fmt: skip
    make_family(KUTA_JAYA, kk=NEW_KK, head_nik="3603120707700007")
    counsellor = Counsellor.objects.create(
        pk=COUNSELLOR_PK, name="Pak Tangerang", district=Region.objects.get(code=PASAR_KEMIS)
    )
    world.extra.update(poktan=poktan, member=member, counsellor=counsellor)


def snapshot() -> tuple[object, ...]:
    return (
        sorted(Poktan.objects.values_list("pk", "name", "kind", "chair", "version")),
        sorted(PoktanMember.objects.values_list("pk", "family_id", "left_on"), key=str),
        sorted(PoktanMeeting.objects.values_list("pk", "topic", "attendance")),
        sorted(PoktanEvent.objects.values_list("pk", "kind", "happened_on")),
        Family.objects.filter(kk_number=NEW_KK).count(),
    )
