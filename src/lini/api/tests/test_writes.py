"""Writing through the API: through the same services as the pages (their checks, their audit
entries), 400 with the fields refused, 409 for a stale version, 403 without the right to change,
404 out of scope."""

from __future__ import annotations

import pytest

from django.test import Client
from django.urls import reverse

from lini.accounts.models import User
from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.api.tests.conftest import Places
from lini.api.tests.helpers import api_for, english
from lini.audit.models import AuditAction, AuditEntry
from lini.kb.models import Service
from lini.poktan.models import PoktanMeeting
from lini.regions.tests.places import BANTEN, KAB_SERANG, KAB_TANGERANG, KUTA_JAYA
from lini.register.identity import mask
from lini.register.models import ContraceptiveEvent, Couple, Family, Member

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(places: Places) -> User:
    return make_user(Role.REGENCY_OFFICER, KAB_TANGERANG)


def _family_url(places: Places, action: str = "detail") -> str:
    return reverse(f"api:family-{action}", kwargs={"pk": places.tangerang.family.pk})


def test_a_family_change_goes_through_the_register_service(
    client: Client, places: Places, officer: User
) -> None:
    family = places.tangerang.family
    response = api_for(client, officer).patch(
        _family_url(places), {"version": family.version, "address": "Jl. Melati 4", "rt": 7}
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["address"], data["rt"], data["version"]) == ("Jl. Melati 4", "007", 2)
    family.refresh_from_db()
    assert (family.address, family.rt, family.version) == ("Jl. Melati 4", "007", 2)
    entry = AuditEntry.objects.get(model="register.family", action=AuditAction.CHANGE)
    assert entry.actor_id == officer.pk
    assert entry.after == {"address": "Jl. Melati 4", "rt": "007"}


def test_a_stale_version_is_refused_with_409_and_nothing_changes(
    client: Client, places: Places, officer: User
) -> None:
    api = api_for(english(client), officer)
    assert api.patch(_family_url(places), {"version": 1, "address": "first"}).status_code == 200
    response = api.patch(_family_url(places), {"version": 1, "address": "second"})
    assert response.status_code == 409
    assert "Someone else changed this family" in response.json()["detail"]
    assert Family.objects.get(pk=places.tangerang.family.pk).address == "first"
    assert AuditEntry.objects.filter(model="register.family").count() == 1


def test_invalid_values_are_refused_with_the_fields_named(
    client: Client, places: Places, officer: User
) -> None:
    api = api_for(english(client), officer)
    response = api.patch(_family_url(places), {"version": 1, "rw": 0, "collected_on": "kemarin"})
    assert response.status_code == 400
    assert set(response.json()) == {"rw", "collected_on"}
    assert api.patch(_family_url(places), {"address": "x"}).json() == {
        "version": ["This field is required."]
    }
    assert not AuditEntry.objects.filter(model="register.family").exists()


def test_a_member_is_added_and_changed_through_the_family_service(
    client: Client, places: Places, officer: User
) -> None:
    api = api_for(client, officer)
    child = {
        "nik": "3603120202150003", "name": "Bayu", "sex": "L", "birth_date": "2015-02-02",
        "relation": "anak", "marital_status": "belum_kawin",
    }  # fmt: skip
    response = api.post(_family_url(places, "add-member"), child)
    assert response.status_code == 201, response.content
    assert response.json()["nik"] == mask(child["nik"])
    member = Member.objects.get(nik=child["nik"])
    assert member.family_id == places.tangerang.family.pk
    assert member.position == 3
    assert AuditEntry.objects.filter(model="register.family", action=AuditAction.CHANGE).exists()

    url = reverse("api:member-detail", kwargs={"pk": member.pk})
    changed = api.patch(url, {"name": "Bayu  Saputra", "education": "3"})
    assert changed.status_code == 200, changed.content
    member.refresh_from_db()
    assert (member.name, member.education, member.nik) == ("Bayu Saputra", "3", child["nik"])


def test_a_member_the_family_rules_refuse_is_a_400(
    client: Client, places: Places, officer: User
) -> None:
    api = api_for(english(client), officer)
    second_head = {
        "nik": "3603120202150004", "name": "Ujang", "sex": "L", "birth_date": "1990-02-02",
        "relation": "kepala", "marital_status": "kawin",
    }  # fmt: skip
    response = api.post(_family_url(places, "add-member"), second_head)
    assert response.status_code == 400
    assert "exactly one head" in response.json()["non_field_errors"][0]
    again = api.post(_family_url(places, "add-member"), {**second_head, "nik": "123"})
    assert set(again.json()) == {"nik"}
    taken = api.post(
        _family_url(places, "add-member"),
        {**second_head, "relation": "anak", "nik": places.serang.head.nik},
    )
    assert taken.json() == {"nik": ["A person with this NIK is already registered."]}
    assert not Member.objects.filter(name="Ujang").exists()


def test_a_couple_status_is_recorded_as_a_dated_event(
    client: Client, places: Places, officer: User
) -> None:
    couple = places.tangerang.couple
    url = reverse("api:couple-record-status", kwargs={"pk": couple.pk})
    api = api_for(english(client), officer)
    refused = api.post(url, {"status": "pakai", "effective_on": "2019-11-05"})
    assert refused.status_code == 400
    assert set(refused.json()) == {"method"}
    response = api.post(url, {"status": "pakai", "method": "implan", "effective_on": "2019-11-05"})
    assert response.status_code == 201, response.content
    couple.refresh_from_db()
    assert (couple.method, str(couple.status_since)) == ("implan", "2019-11-05")
    event = ContraceptiveEvent.objects.get(pk=response.json()["id"])
    assert event.recorded_by_id == officer.pk
    assert AuditEntry.objects.filter(
        model="register.contraceptiveevent", object_id=str(event.pk)
    ).exists()


def test_a_kb_service_is_recorded_through_the_kb_service(
    client: Client, places: Places, officer: User
) -> None:
    couple = places.tangerang.couple
    url = reverse("api:couple-record-service", kwargs={"pk": couple.pk})
    api = api_for(english(client), officer)
    future = api.post(url, {"served_on": "2999-01-01", "method": "suntik", "visit_type": "ganti"})
    assert future.status_code == 400
    assert future.json() == {"served_on": ["The date of service is in the future."]}
    response = api.post(url, {"served_on": "2019-11-04", "method": "suntik", "visit_type": "ganti"})
    assert response.status_code == 201, response.content
    service = Service.objects.get(pk=response.json()["id"])
    assert service.event is not None
    assert service.recorded_by_id == officer.pk
    assert Couple.objects.get(pk=couple.pk).method == "suntik"
    assert AuditEntry.objects.filter(model="kb.service", object_id=str(service.pk)).exists()
    twice = api.post(url, {"served_on": "2019-11-04", "method": "suntik", "visit_type": "ganti"})
    assert twice.status_code == 400
    assert set(twice.json()) == {"served_on"}


def test_a_poktan_meeting_is_recorded_through_the_poktan_service(
    client: Client, places: Places, officer: User
) -> None:
    poktan = places.tangerang.poktan
    url = reverse("api:poktan-record-meeting", kwargs={"pk": poktan.pk})
    api = api_for(english(client), officer)
    crowded = api.post(url, {"held_on": "2019-11-04", "topic": "Gizi", "attendance": 9})
    assert crowded.status_code == 400
    assert set(crowded.json()) == {"attendance"}
    response = api.post(
        url, {"held_on": "2019-11-04", "topic": "Gizi", "attendees": [places.tangerang.family.pk]}
    )
    assert response.status_code == 201, response.content
    meeting = PoktanMeeting.objects.get(pk=response.json()["id"])
    assert meeting.attendance == 1
    assert meeting.recorded_by_id == officer.pk
    assert (
        AuditEntry.objects.filter(
            model="poktan.poktanmeeting", action=AuditAction.CREATE, actor=officer
        ).count()
        == 1
    )
    stranger = api.post(
        url, {"held_on": "2019-11-05", "topic": "Gizi", "attendees": [places.serang.family.pk]}
    )
    assert stranger.status_code == 400
    assert set(stranger.json()) == {"attendees"}


WRITES = [
    ("patch", "api:family-detail", lambda p: {"pk": p.family.pk}, {"version": 1, "address": "x"}),
    ("post", "api:family-add-member", lambda p: {"pk": p.family.pk},
     {"nik": "3603120202150009", "name": "X", "sex": "L", "birth_date": "2015-02-02",
      "relation": "anak", "marital_status": "belum_kawin"}),
    ("patch", "api:member-detail", lambda p: {"pk": p.wife.pk}, {"name": "X"}),
    ("post", "api:couple-record-status", lambda p: {"pk": p.couple.pk},
     {"status": "tidak_pakai", "reason": "hamil", "effective_on": "2019-11-05"}),
    ("post", "api:couple-record-service", lambda p: {"pk": p.couple.pk},
     {"served_on": "2019-11-04", "method": "suntik", "visit_type": "ganti"}),
    ("post", "api:poktan-record-meeting", lambda p: {"pk": p.poktan.pk},
     {"held_on": "2019-11-04", "topic": "Gizi", "attendance": 1}),
]  # fmt: skip


def _state() -> tuple[object, ...]:
    return (
        list(Family.objects.order_by("pk").values_list("address", "version")),
        list(Member.objects.order_by("pk").values_list("nik", "name")),
        ContraceptiveEvent.objects.count(), Service.objects.count(),
        PoktanMeeting.objects.count(), AuditEntry.objects.exclude(model="api.apitoken").count(),
    )  # fmt: skip


@pytest.mark.parametrize(("method", "name", "kwargs", "data"), WRITES)
def test_writes_need_the_right_to_change_the_village(
    client: Client, places: Places, method: str, name: str, kwargs: object, data: dict[str, object]
) -> None:
    url = reverse(name, kwargs=kwargs(places.tangerang))  # type: ignore[operator]
    before = _state()
    watcher = api_for(client, make_user(Role.PROVINCE_OFFICER, BANTEN))  # sees, may not change
    assert getattr(watcher, method)(url, data).status_code == 403
    stranger = api_for(client, make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    assert getattr(stranger, method)(url, data).status_code == 404
    assert _state() == before
    cadre = api_for(client, make_user(Role.CADRE, KUTA_JAYA))
    assert getattr(cadre, method)(url, data).status_code in (200, 201)
