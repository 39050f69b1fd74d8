"""Poktan pages: lists with filters, the group page (masking, warnings, UPPKA status), forms."""

from __future__ import annotations

import datetime as dt

import pytest

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.audit.models import AuditEntry
from lini.poktan import services
from lini.poktan.models import Poktan, PoktanEvent, PoktanMeeting, PoktanMember
from lini.poktan.tests.helpers import family_with, group
from lini.regions.models import Region
from lini.regions.tests.places import (
    BANTEN,
    CIRUAS,
    KAB_SERANG,
    KAB_TANGERANG,
    KUTA_JAYA,
    PULO,
    SINGAMERTA,
)
from lini.register.tests.factories import make_family
from lini.workforce.models import Counsellor

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
KK = "3604091234560001"


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def poktan() -> Poktan:
    poktan = group(SINGAMERTA, kind="uppka", name="Maju Bersama", capital_source="Dana desa")
    family = make_family(
        SINGAMERTA, kk=KK, head_nik="3604090808800012", wife_nik="3604094808820013"
    )
    services.poktan_member_add(actor=None, poktan=poktan, family=family)
    return poktan


def test_the_list_filters_by_region_kind_and_activity(client: Client) -> None:
    active = group(SINGAMERTA, name="Melati")
    family = family_with(SINGAMERTA, TODAY - dt.timedelta(days=100))
    services.poktan_member_add(actor=None, poktan=active, family=family)
    services.meeting_record(actor=None, poktan=active, held_on=TODAY, topic="Gizi", attendance=1)
    group(SINGAMERTA, kind="bkl", name="Lansia Sehat")
    group(PULO, name="Pulo Asri")
    group(KUTA_JAYA, name="Tangerang Jaya")
    client.force_login(make_user(Role.COUNSELLOR, CIRUAS))
    url = reverse("poktan:poktan_list")
    page = client.get(url).content.decode()
    assert "Melati" in page
    assert "Pulo Asri" in page
    assert "Lansia Sehat" in page
    assert "Tangerang Jaya" not in page
    page = client.get(url, {"region": SINGAMERTA}).content.decode()
    assert "Pulo Asri" not in page
    assert "Melati" in page
    page = client.get(url, {"region": SINGAMERTA, "kind": "bkl"}).content.decode()
    assert "Lansia Sehat" in page
    assert "Melati" not in page
    page = client.get(url, {"active": "1"}).content.decode()
    assert "Melati" in page
    assert "Pulo Asri" not in page
    page = client.get(url, {"active": "0"}).content.decode()
    assert "Melati" not in page
    assert "Pulo Asri" in page
    assert client.get(url, {"region": KAB_TANGERANG}).status_code == 403
    assert client.get(url, {"region": "36.99.99"}).status_code == 404


def test_a_cadre_sees_masked_numbers_and_a_counsellor_whole_ones_audited(
    client: Client, poktan: Poktan
) -> None:
    client.force_login(make_user(Role.CADRE, SINGAMERTA))
    page = client.get(poktan.get_absolute_url()).content.decode()
    assert "3604********0001" in page
    assert KK not in page
    assert not AuditEntry.objects.filter(action="view_identity").exists()
    counsellor = make_user(Role.COUNSELLOR, CIRUAS)
    client.force_login(counsellor)
    page = client.get(poktan.get_absolute_url()).content.decode()
    assert KK in page
    assert AuditEntry.objects.filter(action="view_identity", actor=counsellor).exists()


def test_the_uppka_page_shows_the_members_kb_status_and_warnings_for_bkb(
    client: Client, poktan: Poktan
) -> None:
    english(client).force_login(make_user(Role.CADRE, SINGAMERTA))
    page = client.get(poktan.get_absolute_url()).content.decode()
    assert "using: pill" in page
    assert "Dana desa" in page
    bkb = group(SINGAMERTA, name="Melati")
    services.poktan_member_add(actor=None, poktan=bkb, family=poktan.members.get().family)
    page = client.get(bkb.get_absolute_url()).content.decode()
    assert "The family has no child under 5" in page
    assert "Inactive" in page


def test_forming_a_group_on_the_page(client: Client) -> None:
    english(client).force_login(make_user(Role.CADRE, SINGAMERTA))
    url = reverse("poktan:poktan_create", kwargs={"code": SINGAMERTA})
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": "bkr", "name": "Remaja Mandiri", "formed_on": "2019-02-01",
                                 "capital_source": "APBD"})  # fmt: skip
    assert "Only UPPKA groups have a capital source." in response.content.decode()
    response = client.post(
        url, {"kind": "bkr", "name": "Remaja Mandiri", "formed_on": "2019-02-01"}
    )
    poktan = Poktan.objects.get(name="Remaja Mandiri")
    assert response.url == poktan.get_absolute_url()
    assert poktan.events.get().happened_on == dt.date(2019, 2, 1)
    edit = reverse("poktan:poktan_edit", kwargs={"pk": poktan.pk})
    client.post(edit, {"kind": "bkr", "name": "Remaja Mandiri", "chair": "Ibu Ani", "version": "1"})
    poktan.refresh_from_db()
    assert (poktan.chair, poktan.formed_on, poktan.version) == ("Ibu Ani", None, 2)
    # A second person still holding the form of version 1: refused, the first change kept.
    response = client.post(edit, {"kind": "bkr", "name": "Remaja Lain", "version": "1"})
    assert "Someone else changed this group since you opened it" in response.content.decode()
    poktan.refresh_from_db()
    assert (poktan.name, poktan.chair, poktan.version) == ("Remaja Mandiri", "Ibu Ani", 2)
    assert client.get(reverse("poktan:poktan_create", kwargs={"code": CIRUAS})).status_code == 404
    assert client.get(reverse("poktan:poktan_create", kwargs={"code": PULO})).status_code == 403


def test_adding_a_member_by_no_kk(client: Client) -> None:
    poktan = group(SINGAMERTA, name="Melati")
    family_with(SINGAMERTA, dt.date(2000, 1, 1), kk="3604091234560005")
    family_with(PULO, TODAY - dt.timedelta(days=10), kk="3604091234560006")
    english(client).force_login(make_user(Role.CADRE, SINGAMERTA))
    url = reverse("poktan:member_add", kwargs={"pk": poktan.pk})
    page = client.post(url, {"kk_number": "3604091234560006"}).content.decode()
    assert "No family with the No. KK 3604091234560006 is registered in Desa Singamerta." in page
    response = client.post(url, {"kk_number": "3604 0912 3456 0005"}, follow=True)
    page = response.content.decode()
    assert "Family 3604********0005 added to the group." in page
    assert "The family has no child under 5" in page  # a warning, the family is still added
    assert PoktanMember.objects.filter(poktan=poktan).count() == 1
    member = PoktanMember.objects.get()
    client.post(reverse("poktan:member_remove", kwargs={"pk": poktan.pk, "member_pk": member.pk}))
    member.refresh_from_db()
    assert member.left_on == TODAY


def test_recording_a_meeting_on_the_phone_form(client: Client) -> None:
    poktan = group(SINGAMERTA, name="Melati")
    families = [family_with(SINGAMERTA, TODAY - dt.timedelta(days=300 + i)) for i in range(3)]
    for family in families:
        services.poktan_member_add(actor=None, poktan=poktan, family=family)
    english(client).force_login(make_user(Role.COUNSELLOR, CIRUAS))
    url = reverse("poktan:meeting_create", kwargs={"pk": poktan.pk})
    page = client.get(url).content.decode()
    assert 'type="date"' in page
    assert 'type="checkbox"' in page
    assert "Kepala" in page
    page = client.post(
        url, {"held_on": TODAY.isoformat(), "topic": "Gizi", "attendance": "9"}
    ).content.decode()
    assert "9 families present, but the group had only 3 member families" in page
    response = client.post(url, {"held_on": TODAY.isoformat(), "topic": "Gizi balita",
                                 "attendees": [families[0].pk, families[2].pk]})  # fmt: skip
    assert response.status_code == 302
    meeting = PoktanMeeting.objects.get()
    assert meeting.attendance == 2
    assert meeting.recorded_by is not None


def test_a_province_officer_may_read_but_not_write(client: Client, poktan: Poktan) -> None:
    client.force_login(make_user(Role.PROVINCE_OFFICER, BANTEN))
    assert client.get(poktan.get_absolute_url()).status_code == 200
    for name in ("poktan_edit", "member_add", "meeting_create", "guidance_create"):
        assert client.get(reverse(f"poktan:{name}", kwargs={"pk": poktan.pk})).status_code == 403
    response = client.post(
        reverse("poktan:meeting_create", kwargs={"pk": poktan.pk}),
        {"held_on": TODAY.isoformat(), "topic": "x", "attendance": "1"},
    )
    assert response.status_code == 403
    assert not PoktanMeeting.objects.exists()


def test_out_of_scope_users_get_404_for_groups(client: Client, poktan: Poktan) -> None:
    client.force_login(make_user(Role.REGENCY_OFFICER, KAB_TANGERANG))
    assert client.get(poktan.get_absolute_url()).status_code == 404
    client.force_login(make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    assert client.get(poktan.get_absolute_url()).status_code == 200


def test_recording_a_guidance_visit(client: Client, poktan: Poktan) -> None:
    counsellor = Counsellor.objects.create(
        name="Pak Ciruas", district=Region.objects.get(code=CIRUAS)
    )
    english(client).force_login(make_user(Role.COUNSELLOR, CIRUAS))
    url = reverse("poktan:guidance_create", kwargs={"pk": poktan.pk})
    assert "Pak Ciruas" in client.get(url).content.decode()
    response = client.post(url, {"counsellor": counsellor.pk, "happened_on": TODAY.isoformat(),
                                 "notes": "Pembukuan"})  # fmt: skip
    assert response.status_code == 302
    event = PoktanEvent.objects.get(kind="pembinaan")
    assert (event.counsellor, event.notes) == (counsellor, "Pembukuan")
    assert "Pak Ciruas" in client.get(poktan.get_absolute_url()).content.decode()
