"""Property: whatever sequence of edits, back-dated changes, deletions and imports is applied
through Lini's services, the stored counts equal a recomputation from scratch."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django.core.exceptions import ValidationError
from django.db import transaction

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.exchange.registry import get_kind
from lini.exchange.services import import_run
from lini.indicators.services import counts_check, counts_rebuild
from lini.kb.choices import VisitType
from lini.kb.models import Service
from lini.kb.services import service_delete, service_record
from lini.kb.tests.factories import make_couple
from lini.poktan.models import PoktanMember
from lini.poktan.services import (
    meeting_record,
    poktan_member_add,
    poktan_member_remove,
    poktan_save,
)
from lini.regions.models import Region
from lini.regions.tests.places import CIRUAS, PULO, SINGAMERTA
from lini.register.choices import KBStatus, Method, NotUsingReason
from lini.register.records import StatusRecord
from lini.register.services import couple_status_change

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("live_counts")]

days = st.dates(min_value=dt.date(2017, 6, 1), max_value=dt.date(2021, 12, 31))
statuses = st.one_of(
    st.builds(lambda m: StatusRecord(status=KBStatus.USING, method=m), st.sampled_from(Method)),
    st.builds(
        lambda r: StatusRecord(status=KBStatus.NOT_USING, reason=r), st.sampled_from(NotUsingReason)
    ),
)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("status"), st.integers(0, 2), statuses, days),
        st.tuples(
            st.just("service"),
            st.integers(0, 2),
            st.sampled_from(Method),
            st.sampled_from(VisitType),
            days,
        ),
        st.tuples(st.just("delete_service"), st.integers(0, 50)),
        st.tuples(st.just("join"), st.integers(0, 2), days),
        st.tuples(st.just("leave"), st.integers(0, 50), days),
        st.tuples(st.just("meeting"), days),
        st.tuples(st.just("import_service"), st.integers(0, 2), st.sampled_from(Method), days),
    ),
    min_size=1,
    max_size=8,
)


def _apply(op: tuple[Any, ...], world: dict[str, Any], tmp: Path) -> None:
    couples, pkb, group = world["couples"], world["pkb"], world["group"]
    kind = op[0]
    if kind == "status":
        couple_status_change(actor=pkb, couple=couples[op[1]], status=op[2], effective_on=op[3])
    elif kind == "service":
        reason = NotUsingReason.WANTS_TO_DELAY if op[3] == VisitType.REMOVAL else ""
        service_record(actor=pkb, couple=couples[op[1]], served_on=op[4], method=op[2],
                       visit_type=op[3], reason_after=reason)  # fmt: skip
    elif kind == "delete_service":
        services = list(Service.objects.order_by("pk"))
        if services:
            service_delete(actor=pkb, service=services[op[1] % len(services)])
    elif kind == "join":
        family = couples[op[1]].family
        if family.village_id == group.village_id:
            poktan_member_add(actor=pkb, poktan=group, family=family, joined_on=op[2])
    elif kind == "leave":
        members = list(PoktanMember.objects.filter(left_on=None).order_by("pk"))
        if members:
            poktan_member_remove(actor=pkb, member=members[op[1] % len(members)], left_on=op[2])
    elif kind == "meeting":
        meeting_record(actor=pkb, poktan=group, held_on=op[1], topic=f"Pertemuan {op[1]}",
                       attendance=0)  # fmt: skip
    elif kind == "import_service":
        path = tmp / "layanan.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["tanggal", "nik_istri", "metode", "jenis_kunjungan"])
            writer.writerow([f"{op[3]:%d/%m/%Y}", couples[op[1]].wife.nik, op[2], "baru"])
        import_run(kind=get_kind("services"), path=path, user=pkb)


@settings(
    max_examples=25, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
@given(ops=operations)
def test_the_counts_always_equal_a_recomputation(
    ops: list[tuple[Any, ...]], tmp_path: Path
) -> None:
    with transaction.atomic():  # each example starts from the same database
        couples = [
            make_couple(SINGAMERTA, serial=1),
            make_couple(SINGAMERTA, serial=2, status=StatusRecord(
                status=KBStatus.NOT_USING, reason=NotUsingReason.NO_MORE_CHILDREN,
                since=dt.date(2018, 5, 1))),
            make_couple(PULO, serial=3),
        ]  # fmt: skip
        villages = sorted({c.family.village_id for c in couples})
        counts_rebuild(village_ids=villages)  # the register was written in bulk
        world = {
            "couples": couples,
            "pkb": make_user(Role.COUNSELLOR, CIRUAS),
            "group": poktan_save(actor=None, village=Region.objects.get(code=SINGAMERTA),
                                 kind="bkb", name="Melati", formed_on=dt.date(2017, 1, 1)),
        }  # fmt: skip
        for op in ops:
            try:
                with transaction.atomic():
                    _apply(op, world, tmp_path)
            except ValidationError:
                pass  # refused by a service (e.g. a date before the wife's birth): nothing written
        assert counts_check(village_ids=villages) == []
        transaction.set_rollback(True)
