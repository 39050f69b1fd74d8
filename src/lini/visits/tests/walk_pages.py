"""The due-list pages in the permission walk (see lini/web/tests/walk.py): a family of Kuta Jaya
(Kab. Tangerang) with a couple not using a method that wants no more children (unmet need: due
for counselling every week since 2019). Its list, its family page and its outcomes are refused to
the users out of scope, who change nothing; the officer of Kab. Tangerang records them."""

from __future__ import annotations

import datetime as dt

from lini.core import clock
from lini.kb.models import Service
from lini.regions.models import Region
from lini.regions.tests.places import KUTA_JAYA
from lini.register.choices import (
    EventSource,
    KBStatus,
    MaritalStatus,
    Method,
    NotUsingReason,
    Relation,
    Sex,
)
from lini.register.models import Couple, Family
from lini.register.records import FamilyRecord, MemberRecord, StatusRecord
from lini.register.writer import register_write
from lini.visits.models import DueRule, Visit
from lini.web.tests.walk import Case, World

KK = "3603129090900001"
SINCE = dt.date(2019, 1, 1)


def _couple(world: World) -> Couple:
    return world.extra["pages_couple"]


def _hidden(world: World) -> dict[str, str]:
    couple = _couple(world)
    return {
        "family": str(couple.family_id), "couple": str(couple.pk),
        "rule": str(DueRule.objects.get(code="unmet-need").pk), "due_on": SINCE.isoformat(),
        "week": "", "region": KUTA_JAYA,
    }  # fmt: skip


def _item(world: World) -> str:
    couple = _couple(world)
    return f"{DueRule.objects.get(code='unmet-need').pk}-{couple.family_id}-{couple.pk}"


def _visited(world: World, outcome: str) -> bool:
    return Visit.objects.filter(family_id=_couple(world).family_id, outcome=outcome).exists()


CASES: dict[str, Case] = {
    "visits:due_list": Case(query=f"?wilayah={KUTA_JAYA}"),
    "visits:due_family": Case(
        lambda w: {"family_id": _couple(w).family_id},
        method="post",
        data=lambda w: {
            "action": "serve",
            "item": _item(w),
            "region": KUTA_JAYA,
            "method": Method.PILL,
            "visit_type": "baru",
            "visited_on": clock.today().isoformat(),
        },
        effect=lambda w: (
            _visited(w, "served") and Service.objects.filter(couple=_couple(w)).exists()
        ),
    ),
    "visits:visit_outcome": Case(
        method="post",
        data=lambda w: {**_hidden(w), "outcome": "counselled"},
        effect=lambda w: _visited(w, "counselled"),
    ),
}


def prepare(world: World) -> None:
    village = Region.objects.get(code=KUTA_JAYA)
    members = [
        MemberRecord(
            nik="3603120909800091", name="Asep Tangerang", sex=Sex.MALE,
            birth_date=dt.date(1980, 9, 9), relation=Relation.HEAD,
            marital_status=MaritalStatus.MARRIED,
        ),
        MemberRecord(
            nik="3603124909850092", name="Lilis Tangerang", sex=Sex.FEMALE,
            birth_date=dt.date(1985, 9, 9), relation=Relation.SPOUSE,
            marital_status=MaritalStatus.MARRIED,
            status=StatusRecord(
                status=KBStatus.NOT_USING, reason=NotUsingReason.NO_MORE_CHILDREN, since=SINCE
            ),
        ),
    ]  # fmt: skip
    register_write(
        records=[
            FamilyRecord(
                kk_number=KK, village_id=village.pk, village_code=village.code, dusun="Krajan",
                rw="001", rt="002", members=members,
            )
        ],
        source=EventSource.COLLECTION,
    )  # fmt: skip
    world.extra["pages_couple"] = Couple.objects.get(family=Family.objects.get(kk_number=KK))


def snapshot() -> object:
    return (
        sorted(Visit.objects.values_list("pk", "family_id", "couple_id", "outcome", "service_id")),
        Service.objects.filter(couple__family__kk_number=KK).count(),
        Couple.objects.filter(family__kk_number=KK).values_list("status", "method").first(),
    )
