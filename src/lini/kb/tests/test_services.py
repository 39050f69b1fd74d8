"""KB services change the couple's status through the register's dated history, at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.audit.models import AuditEntry
from lini.kb.choices import FacilityKind, FacilityLevel, Ownership, VisitType
from lini.kb.models import Facility, Service
from lini.kb.services import facility_save, service_delete, service_record
from lini.kb.tests.factories import day, make_couple, make_facility
from lini.regions.models import Region
from lini.regions.tests.places import (
    CIRUAS,
    KAB_SERANG,
    KAB_TANGERANG,
    KUTA_JAYA,
    PASAR_KEMIS,
    SINGAMERTA,
)
from lini.register.choices import EventSource, KBStatus, Method, NotUsingReason
from lini.register.models import ContraceptiveEvent, Couple
from lini.register.records import StatusRecord

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _history(couple: Couple) -> list[tuple[dt.date, str, str]]:
    return [
        (e.effective_on, e.status, e.method or e.reason)
        for e in ContraceptiveEvent.objects.filter(couple=couple).order_by("effective_on", "pk")
    ]


def _fresh(couple: Couple) -> Couple:
    return Couple.objects.get(pk=couple.pk)


def test_a_new_method_changes_status_and_history_at_once() -> None:
    couple = make_couple(SINGAMERTA)
    puskesmas = make_facility(CIRUAS, code="P3604090101")
    counsellor = make_user(Role.COUNSELLOR, CIRUAS)
    service = service_record(
        actor=counsellor, couple=couple, served_on=day("2019-11-05"), method=Method.IMPLANT,
        visit_type=VisitType.SWITCH, informed_consent=True, facility=puskesmas,
        provider="Bidan Lilis",
    )  # fmt: skip
    couple = _fresh(couple)
    assert (couple.status, couple.method, couple.status_since) == (
        KBStatus.USING, Method.IMPLANT, day("2019-11-05"),
    )  # fmt: skip
    assert couple.place == "Puskesmas Ciruas"
    assert _history(couple) == [
        (day("2018-01-01"), KBStatus.USING, Method.PILL),
        (day("2019-11-05"), KBStatus.USING, Method.IMPLANT),
    ]
    assert service.event is not None
    assert service.event.source == EventSource.SERVICE
    assert service.event.recorded_by_id == counsellor.pk
    assert service.recorded_by_id == counsellor.pk


def test_a_back_dated_service_lands_before_a_later_event_without_overriding_it() -> None:
    couple = make_couple(SINGAMERTA)  # pill since 2018-01-01
    service_record(
        actor=None, couple=couple, served_on=day("2019-06-01"), method=Method.IUD,
        visit_type=VisitType.SWITCH,
    )  # fmt: skip
    # entered later, but given earlier: an injectable from March 2019
    back = service_record(
        actor=None, couple=couple, served_on=day("2019-03-10"), method=Method.INJECTABLE,
        visit_type=VisitType.SWITCH,
    )  # fmt: skip
    couple = _fresh(couple)
    assert (couple.method, couple.status_since) == (Method.IUD, day("2019-06-01"))
    assert _history(couple) == [
        (day("2018-01-01"), KBStatus.USING, Method.PILL),
        (day("2019-03-10"), KBStatus.USING, Method.INJECTABLE),
        (day("2019-06-01"), KBStatus.USING, Method.IUD),
    ]
    assert back.event is not None
    # a repeat injection in April 2019 matches the status of that day: no event
    repeat = service_record(
        actor=None, couple=couple, served_on=day("2019-04-10"), method=Method.INJECTABLE,
        visit_type=VisitType.REPEAT,
    )  # fmt: skip
    assert repeat.event is None
    assert len(_history(couple)) == 3


def test_a_repeat_visit_of_a_current_user_adds_no_event() -> None:
    couple = make_couple(SINGAMERTA)
    service = service_record(
        actor=None, couple=couple, served_on=day("2019-02-01"), method=Method.PILL,
        visit_type=VisitType.REPEAT,
    )  # fmt: skip
    assert service.event is None
    assert ContraceptiveEvent.objects.filter(couple=couple).count() == 1
    assert _fresh(couple).status_since == day("2018-01-01")


def test_a_removal_means_not_using_with_the_reason() -> None:
    couple = make_couple(SINGAMERTA, status=StatusRecord(
        status=KBStatus.USING, method=Method.IUD, since=day("2015-05-05")))  # fmt: skip
    service_record(
        actor=None, couple=couple, served_on=day("2019-08-01"), method=Method.IUD,
        visit_type=VisitType.REMOVAL, reason_after=NotUsingReason.WANTS_CHILD_SOON,
    )  # fmt: skip
    couple = _fresh(couple)
    assert (couple.status, couple.method, couple.reason) == (
        KBStatus.NOT_USING, "", NotUsingReason.WANTS_CHILD_SOON,
    )  # fmt: skip


def test_bad_services_are_refused_field_by_field() -> None:
    couple = make_couple(SINGAMERTA)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    cases = [
        ({"served_on": tomorrow}, "served_on", "The date of service is in the future."),
        ({"served_on": day("1980-01-01")}, "served_on", "before the wife's birth"),
        ({"visit_type": VisitType.REMOVAL}, "reason_after", "A removal needs the reason"),
        ({"reason_after": NotUsingReason.PREGNANT}, "reason_after", "only for a removal"),
        ({"method": "spiral"}, "method", "Choose the method."),
    ]
    for change, field, message in cases:
        args = {
            "served_on": day("2019-03-01"),
            "method": Method.IUD,
            "visit_type": VisitType.SWITCH,
        }
        args.update(change)
        with pytest.raises(ValidationError) as caught:
            service_record(actor=None, couple=couple, **args)  # type: ignore[arg-type]
        assert any(message in m for m in caught.value.message_dict[field]), (change, caught.value)
    Couple.objects.filter(pk=couple.pk).update(ended_on=day("2019-01-01"))
    with pytest.raises(ValidationError) as caught:
        service_record(
            actor=None, couple=couple, served_on=day("2019-03-01"), method=Method.IUD,
            visit_type=VisitType.NEW,
        )  # fmt: skip
    assert "no longer a couple" in caught.value.message_dict["served_on"][0]
    assert not Service.objects.exists()
    assert ContraceptiveEvent.objects.filter(couple=couple).count() == 1


def test_the_same_service_twice_is_refused() -> None:
    couple = make_couple(SINGAMERTA)
    args = {"served_on": day("2019-03-01"), "method": Method.IUD, "visit_type": VisitType.SWITCH}
    service_record(actor=None, couple=couple, **args)  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as caught:
        service_record(actor=None, couple=couple, **args)  # type: ignore[arg-type]
    assert "already recorded" in caught.value.message_dict["served_on"][0]


def test_services_for_a_couple_outside_the_scope_are_refused() -> None:
    tangerang = make_couple(KUTA_JAYA)
    for actor in (
        make_user(Role.REGENCY_OFFICER, KAB_SERANG),
        make_user(Role.CADRE, SINGAMERTA),
        make_user(Role.PROVINCE_OFFICER, "36"),  # may view, not change
    ):
        with pytest.raises(PermissionDenied):
            service_record(
                actor=actor, couple=tangerang, served_on=day("2019-03-01"), method=Method.IUD,
                visit_type=VisitType.SWITCH,
            )  # fmt: skip
    assert not Service.objects.exists()
    assert _fresh(tangerang).method == Method.PILL


def test_delete_removes_the_event_and_derives_the_status_again() -> None:
    couple = make_couple(SINGAMERTA)
    officer = make_user(Role.DISTRICT_OFFICER, CIRUAS)
    early = service_record(
        actor=officer, couple=couple, served_on=day("2019-03-01"), method=Method.INJECTABLE,
        visit_type=VisitType.SWITCH,
    )  # fmt: skip
    late = service_record(
        actor=officer, couple=couple, served_on=day("2019-09-01"), method=Method.IUD,
        visit_type=VisitType.SWITCH,
    )  # fmt: skip
    service_delete(actor=officer, service=late)
    couple = _fresh(couple)
    assert (couple.method, couple.status_since) == (Method.INJECTABLE, day("2019-03-01"))
    assert not Service.objects.filter(pk=late.pk).exists()
    assert len(_history(couple)) == 2
    service_delete(actor=officer, service=early)
    couple = _fresh(couple)
    assert (couple.method, couple.status_since) == (Method.PILL, day("2018-01-01"))
    deleted = AuditEntry.objects.filter(action="delete", actor=officer)
    assert sorted(deleted.values_list("model", flat=True)) == [
        "kb.service", "kb.service", "register.contraceptiveevent", "register.contraceptiveevent",
    ]  # fmt: skip


def test_delete_is_refused_outside_the_scope() -> None:
    couple = make_couple(KUTA_JAYA)
    service = service_record(
        actor=None, couple=couple, served_on=day("2019-03-01"), method=Method.IUD,
        visit_type=VisitType.SWITCH,
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        service_delete(actor=make_user(Role.REGENCY_OFFICER, KAB_SERANG), service=service)
    assert Service.objects.filter(pk=service.pk).exists()
    assert _fresh(couple).method == Method.IUD


def test_a_service_is_audited_with_its_status_change() -> None:
    couple = make_couple(SINGAMERTA)
    cadre = make_user(Role.CADRE, SINGAMERTA)
    service = service_record(
        actor=cadre, couple=couple, served_on=day("2019-03-01"), method=Method.IUD,
        visit_type=VisitType.SWITCH,
    )  # fmt: skip
    entries = AuditEntry.objects.filter(actor=cadre, action="create")
    assert set(entries.values_list("model", "object_id")) == {
        ("kb.service", str(service.pk)),
        ("register.contraceptiveevent", str(service.event_id)),
    }
    assert set(entries.values_list("region_code", flat=True)) == {SINGAMERTA}
    assert entries.get(model="kb.service").after["method"] == Method.IUD


# Facilities -------------------------------------------------------------------------------------


def test_facility_with_a_network_unit_and_bpjs() -> None:
    officer = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    main = facility_save(
        actor=officer, code="p3604090101", name="  Puskesmas   Ciruas ", kind=FacilityKind.MAIN,
        level=FacilityLevel.PUSKESMAS, ownership=Ownership.REGENCY,
        region=Region.objects.get(code=CIRUAS), bpjs=True, bpjs_agreement="PKS/12/2019",
        bpjs_until=day("2020-12-31"),
    )  # fmt: skip
    assert (main.code, main.name) == ("P3604090101", "Puskesmas Ciruas")
    pustu = facility_save(
        actor=officer, code="P3604090102", name="Pustu Singamerta", kind=FacilityKind.NETWORK,
        level=FacilityLevel.PUSTU, ownership=Ownership.REGENCY,
        region=Region.objects.get(code=SINGAMERTA), parent=main,
    )  # fmt: skip
    assert list(main.network.all()) == [pustu]
    entry = AuditEntry.objects.get(model="kb.facility", object_id=str(main.pk))
    assert entry.after["bpjs_agreement"] == "PKS/12/2019"
    # a change is audited with what changed only
    facility_save(
        actor=officer, facility=pustu, code="P3604090102", name="Pustu Singamerta Baru",
        kind=FacilityKind.NETWORK, level=FacilityLevel.PUSTU, ownership=Ownership.REGENCY,
        region=pustu.region, parent=main,
    )  # fmt: skip
    change = AuditEntry.objects.get(model="kb.facility", action="change")
    assert change.before == {"name": "Pustu Singamerta"}
    assert change.after == {"name": "Pustu Singamerta Baru"}


def test_facility_rules() -> None:
    main = make_facility(CIRUAS, code="P1")
    pustu = make_facility(
        SINGAMERTA, code="P2", name="Pustu", kind=FacilityKind.NETWORK,
        level=FacilityLevel.PUSTU, parent=main,
    )  # fmt: skip
    tangerang_main = make_facility(PASAR_KEMIS, code="T1", name="Puskesmas Pasar Kemis")
    base = {
        "actor": None, "code": "N1", "name": "Unit", "ownership": Ownership.PRIVATE,
        "region": Region.objects.get(code=SINGAMERTA),
    }  # fmt: skip
    cases = [
        ({"kind": FacilityKind.NETWORK, "level": FacilityLevel.PUSTU}, "parent", "needs its main"),
        ({"kind": FacilityKind.NETWORK, "level": FacilityLevel.PUSTU, "parent": pustu}, "parent",
         "not a main facility"),
        ({"kind": FacilityKind.NETWORK, "level": FacilityLevel.PUSTU, "parent": tangerang_main},
         "parent", "another regency"),
        ({"kind": FacilityKind.MAIN, "level": FacilityLevel.PUSTU}, "level", "has one of the levels"),
        ({"kind": FacilityKind.MAIN, "level": FacilityLevel.MIDWIFE, "bpjs_agreement": "PKS 1"},
         "bpjs_agreement", "only for a facility that works with BPJS"),
        ({"kind": FacilityKind.MAIN, "level": FacilityLevel.MIDWIFE, "code": "p1"}, "code",
         "Another facility"),
    ]  # fmt: skip
    for change, field, message in cases:
        with pytest.raises(ValidationError) as caught:
            facility_save(**{**base, **change})  # type: ignore[arg-type]
        assert any(message in m for m in caught.value.message_dict[field]), (change, caught.value)
    assert Facility.objects.count() == 3


def test_facility_scope() -> None:
    with pytest.raises(PermissionDenied):
        facility_save(
            actor=make_user(Role.REGENCY_OFFICER, KAB_SERANG), code="T9", name="Klinik",
            kind=FacilityKind.MAIN, level=FacilityLevel.PRIMARY_CLINIC,
            ownership=Ownership.PRIVATE, region=Region.objects.get(code=KAB_TANGERANG),
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        facility_save(
            actor=make_user(Role.PROVINCE_OFFICER, "36"), code="T9", name="Klinik",
            kind=FacilityKind.MAIN, level=FacilityLevel.PRIMARY_CLINIC,
            ownership=Ownership.PRIVATE, region=Region.objects.get(code=KAB_TANGERANG),
        )  # fmt: skip
    assert not Facility.objects.exists()


def test_a_service_needs_an_active_facility_of_the_couples_province() -> None:
    couple = make_couple(SINGAMERTA)
    closed = make_facility(CIRUAS, code="TUTUP")
    Facility.objects.filter(pk=closed.pk).update(active=False)
    closed.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        service_record(actor=None, couple=couple, served_on=day("2019-03-05"), method=Method.IUD,
                       visit_type=VisitType.SWITCH, facility=closed)  # fmt: skip
    assert set(refused.value.message_dict) == {"facility"}
    jakarta = Region.objects.create(code="31", name="DKI JAKARTA", level=1, kind="provinsi")
    far = make_facility(CIRUAS, code="JKT")
    Facility.objects.filter(pk=far.pk).update(region=jakarta)
    far.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        service_record(actor=None, couple=couple, served_on=day("2019-03-05"), method=Method.IUD,
                       visit_type=VisitType.SWITCH, facility=far)  # fmt: skip
    assert set(refused.value.message_dict) == {"facility"}
    assert not Service.objects.exists()


def test_a_service_that_later_repeat_visits_rely_on_cannot_be_deleted_alone() -> None:
    couple = make_couple(SINGAMERTA)  # a pill user since 2018
    first = service_record(actor=None, couple=couple, served_on=day("2019-03-05"),
                           method=Method.INJECTABLE, visit_type=VisitType.SWITCH)  # fmt: skip
    repeat = service_record(actor=None, couple=couple, served_on=day("2019-06-05"),
                            method=Method.INJECTABLE, visit_type=VisitType.REPEAT)  # fmt: skip
    assert repeat.event is None  # nothing changed: it relies on the first service's event
    with pytest.raises(ValidationError):
        service_delete(actor=None, service=first)
    assert Couple.objects.get(pk=couple.pk).method == Method.INJECTABLE
    service_delete(actor=None, service=repeat)
    service_delete(actor=None, service=first)
    assert Couple.objects.get(pk=couple.pk).method == Method.PILL  # back to the earlier status
