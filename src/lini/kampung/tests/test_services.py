"""Saving a profile: scope, validation, the version check and the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.utils import timezone, translation

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.audit.models import AuditEntry
from lini.kampung import services
from lini.kampung.models import KampungKB
from lini.kampung.tests.factories import singamerta_values
from lini.regions.models import Region
from lini.regions.tests.places import CIRUAS, KAB_SERANG, KUTA_JAYA, SINGAMERTA

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def village() -> Region:
    return Region.objects.get(code=SINGAMERTA)


def test_a_counsellor_creates_then_changes_a_profile_with_audit_entries(village: Region) -> None:
    user = make_user(Role.COUNSELLOR, SINGAMERTA)
    kampung = services.kampung_save(actor=user, village=village, values=singamerta_values())
    assert kampung.version == 1
    assert kampung.funding_sources == ["apbd", "dana_desa"]
    created = AuditEntry.objects.get(model="kampung.kampungkb", action="create")
    assert created.actor == user
    assert created.region_code == SINGAMERTA
    assert created.after["name"] == "Kampung KB Singamerta Sejahtera"

    changed = services.kampung_save(
        actor=user, village=village, values=singamerta_values(pokja_trained=4), version=1
    )
    assert changed.pk == kampung.pk
    assert changed.version == 2
    assert changed.pokja_trained == 4
    entry = AuditEntry.objects.get(model="kampung.kampungkb", action="change")
    assert entry.before == {"pokja_trained": 0, "version": 1}
    assert entry.after == {"pokja_trained": 4, "version": 2}


def test_saving_the_same_values_changes_nothing(village: Region) -> None:
    services.kampung_save(actor=None, village=village, values=singamerta_values())
    # The same lists in another order, spaces around a partner: the same profile.
    again = singamerta_values(
        funding_sources=["dana_desa", "apbd"],
        partners=["  Puskesmas   Ciruas", "KUA Ciruas", "Dinas Sosial", "PKK Desa", "kua ciruas"],
    )
    assert services.kampung_unchanged(KampungKB.objects.get(), again)
    kampung = services.kampung_save(actor=None, village=village, values=again)
    assert kampung.version == 1
    assert AuditEntry.objects.filter(model="kampung.kampungkb").count() == 1


def test_a_stale_form_is_refused(village: Region) -> None:
    services.kampung_save(actor=None, village=village, values=singamerta_values())
    services.kampung_save(
        actor=None, village=village, values=singamerta_values(pokja_members=10), version=1
    )
    with pytest.raises(ValidationError) as caught:
        services.kampung_save(
            actor=None, village=village, values=singamerta_values(work_plan=False), version=1
        )
    message = caught.value.message_dict[NON_FIELD_ERRORS][0]
    assert "Someone else changed this Kampung KB" in message
    assert "version 2" in message
    stored = KampungKB.objects.get()
    assert stored.work_plan is True
    assert stored.version == 2


def test_a_form_for_a_new_profile_is_refused_when_one_was_created_meanwhile(
    village: Region,
) -> None:
    first = services.kampung_save(
        actor=None, village=village, values=singamerta_values(), version=0
    )
    with pytest.raises(ValidationError):
        services.kampung_save(
            actor=None, village=village, values=singamerta_values(work_plan=False), version=0
        )
    assert KampungKB.objects.get() == first
    assert KampungKB.objects.get().work_plan is True


def test_scope_and_role_are_checked(village: Region) -> None:
    tangerang = make_user(Role.REGENCY_OFFICER, "36.03")
    with pytest.raises(PermissionDenied):
        services.kampung_save(actor=tangerang, village=village, values=singamerta_values())
    province = make_user(Role.PROVINCE_OFFICER, "36")  # may view and approve, not change
    with pytest.raises(PermissionDenied):
        services.kampung_save(actor=province, village=village, values=singamerta_values())
    serang = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    kuta_jaya = Region.objects.get(code=KUTA_JAYA)
    with pytest.raises(PermissionDenied):
        services.kampung_save(actor=serang, village=kuta_jaya, values=singamerta_values())
    assert not KampungKB.objects.exists()
    assert not AuditEntry.objects.filter(model="kampung.kampungkb").exists()


def test_bad_values_are_refused_field_by_field(village: Region) -> None:
    bad = singamerta_values(
        pokja_members=3,
        pokja_trained=5,
        funding_sources=["apbd", "lotre"],
        launched_on=timezone.localdate() + dt.timedelta(days=30),
        rumah_dataku="",
        rumah_dataku_since=dt.date(2019, 1, 1),
    )
    with pytest.raises(ValidationError) as caught:
        services.kampung_save(actor=None, village=village, values=bad)
    errors = caught.value.message_dict
    assert errors["pokja_trained"] == ["More members trained (5) than the pokja has (3)."]
    assert errors["funding_sources"][0].startswith("Unknown code(s) lotre; allowed: apbd, apbn")
    assert errors["launched_on"] == ["The date is in the future."]
    assert errors["rumah_dataku"] == ["Rumah DataKu details are given, but its status is none."]
    with pytest.raises(ValidationError) as caught:
        services.kampung_save(
            actor=None, village=village, values=singamerta_values(pokja_exists=False)
        )
    assert "no pokja exists" in caught.value.message_dict["pokja_exists"][0]
    with pytest.raises(ValidationError) as caught:
        services.kampung_save(
            actor=None, village=Region.objects.get(code=CIRUAS), values=singamerta_values()
        )
    assert caught.value.message_dict["village"] == ["A Kampung KB belongs to a village."]
    assert not KampungKB.objects.exists()


def test_an_empty_name_becomes_the_village_name(village: Region) -> None:
    kampung = services.kampung_save(actor=None, village=village, values=singamerta_values(name=""))
    assert kampung.name == "Kampung KB Singamerta"
