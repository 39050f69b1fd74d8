"""Workforce pages: lists, the counsellor's page with what is due, the forms and refusals."""

from __future__ import annotations

import pytest

from django.conf import settings
from django.test import Client
from django.urls import reverse

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.audit.models import AuditEntry
from lini.poktan.models import Poktan
from lini.regions.models import RegionKind
from lini.regions.services import subunit_create
from lini.regions.tests.places import (
    CIRUAS,
    KAB_SERANG,
    KAB_TANGERANG,
    KUTA_JAYA,
    PASAR_KEMIS,
    PULO,
    SINGAMERTA,
)
from lini.workforce.models import Cadre, CadreKind, Counsellor
from lini.workforce.tests.factories import NIP, make_cadre, make_counsellor, region

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_list_shows_only_the_users_counsellors_and_searches(english: Client) -> None:
    make_counsellor(CIRUAS, SINGAMERTA, name="Siti Hasanah", nip=NIP)
    make_counsellor(CIRUAS, PULO, name="Budi Santoso")
    make_counsellor(PASAR_KEMIS, KUTA_JAYA, name="Yayan Tangerang")
    english.force_login(make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    url = reverse("workforce:counsellor_list")
    page = english.get(url).content.decode()
    assert "Siti Hasanah" in page
    assert "Budi Santoso" in page
    assert "Yayan" not in page
    assert "2 counsellors" in page
    page = english.get(url, {"q": "siti"}).content.decode()
    assert "Siti Hasanah" in page
    assert "Budi" not in page
    page = english.get(url, {"region": PULO}).content.decode()
    assert "Budi Santoso" in page
    assert "Siti" not in page
    assert english.get(url, {"region": KAB_TANGERANG}).status_code == 403
    assert english.get(url, {"region": "36.99"}).status_code == 404


def test_the_counsellor_page_shows_villages_people_and_what_is_due(english: Client) -> None:
    counsellor = make_counsellor(CIRUAS, SINGAMERTA, PULO, name="Siti Hasanah")
    make_cadre(SINGAMERTA, name="Euis PPKBD")
    Poktan.objects.create(kind="bkb", name="Mawar", village=region(SINGAMERTA))
    english.force_login(make_user(Role.DISTRICT_OFFICER, CIRUAS))
    page = english.get(counsellor.get_absolute_url()).content.decode()
    assert "Desa Singamerta" in page
    assert "Euis PPKBD" in page
    assert "BKB Mawar: no meeting recorded." in page
    assert "No Kampung KB profile." in page
    assert page.count("monthly report of") == 2
    assert reverse("workforce:counsellor_edit", args=[counsellor.pk]) in page
    # A cadre of Singamerta sees him, but only her own village, and cannot edit.
    english.force_login(make_user(Role.CADRE, SINGAMERTA))
    page = english.get(counsellor.get_absolute_url()).content.decode()
    assert "Desa Singamerta" in page
    assert "Desa Pulo" not in page
    assert "1 more village outside your regions." in page
    assert reverse("workforce:counsellor_edit", args=[counsellor.pk]) not in page


def test_out_of_scope_counsellor_and_cadre_pages_are_refused(client: Client) -> None:
    counsellor = make_counsellor(PASAR_KEMIS, KUTA_JAYA)
    cadre = make_cadre(KUTA_JAYA)
    client.force_login(make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    assert client.get(counsellor.get_absolute_url()).status_code == 404
    assert client.get(reverse("workforce:counsellor_edit", args=[counsellor.pk])).status_code == 404
    assert client.get(reverse("workforce:cadre_edit", args=[cadre.pk])).status_code == 404
    assert client.get(reverse("workforce:cadre_list", args=[KUTA_JAYA])).status_code == 403
    assert client.get(reverse("workforce:village_people", args=[KUTA_JAYA])).status_code == 403
    assert client.get(reverse("workforce:village_people", args=[CIRUAS])).status_code == 404
    create = reverse("workforce:counsellor_create") + f"?kecamatan={PASAR_KEMIS}"
    assert client.get(create).status_code == 403


def test_a_province_officer_sees_but_may_not_add(client: Client) -> None:
    make_counsellor(CIRUAS, SINGAMERTA, name="Siti Hasanah")
    client.force_login(make_user(Role.PROVINCE_OFFICER, "36"))
    page = client.get(reverse("workforce:counsellor_list")).content.decode()
    assert "Siti Hasanah" in page
    assert reverse("workforce:counsellor_create") not in page
    assert client.get(reverse("workforce:counsellor_create")).status_code == 403
    url = reverse("workforce:counsellor_create") + f"?kecamatan={CIRUAS}"
    assert client.post(url, {"name": "X", "kind": "pkb", "district": CIRUAS}).status_code == 403
    assert client.get(reverse("workforce:cadre_create", args=[SINGAMERTA])).status_code == 403
    assert list(Counsellor.objects.values_list("name", flat=True)) == ["Siti Hasanah"]


def test_adding_and_editing_a_counsellor_through_the_forms(english: Client) -> None:
    make_user(Role.COUNSELLOR, CIRUAS, username="pkb.ciruas")
    english.force_login(make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    picker = english.get(reverse("workforce:counsellor_create")).content.decode()
    assert f'value="{CIRUAS}"' in picker
    assert PASAR_KEMIS not in picker
    url = reverse("workforce:counsellor_create") + f"?kecamatan={CIRUAS}"
    form = english.get(url).content.decode()
    assert f'value="{SINGAMERTA}"' in form  # the villages of Ciruas to tick
    data = {
        "name": "Siti Hasanah", "nip": "19850312 201001 2 003", "kind": "pkb",
        "district": CIRUAS, "villages": [SINGAMERTA, PULO], "phone": "08123456789",
        "ipekb_member": "on", "ipekb_level": "dpc", "ipekb_position": "ketua",
        "user": "pkb.ciruas", "active": "on",
    }  # fmt: skip
    response = english.post(url, data)
    counsellor = Counsellor.objects.get()
    assert response.status_code == 302
    assert response.url == counsellor.get_absolute_url()
    assert counsellor.nip == NIP
    assert counsellor.user.username == "pkb.ciruas"
    assert set(counsellor.villages.values_list("code", flat=True)) == {SINGAMERTA, PULO}
    # A bad NIP comes back on its field; nothing changes.
    edit = reverse("workforce:counsellor_edit", args=[counsellor.pk])
    page = english.post(edit, {**data, "nip": "123", "name": "Changed"}).content.decode()
    assert "an NIP has 18 digits" in page
    assert Counsellor.objects.get().name == "Siti Hasanah"
    # A village of Tangerang is not among the choices.
    page = english.post(edit, {**data, "villages": [KUTA_JAYA]}).content.decode()
    assert "Select a valid choice" in page
    response = english.post(edit, {**data, "villages": [SINGAMERTA], "active": ""})
    assert response.status_code == 302
    counsellor.refresh_from_db()
    assert not counsellor.active
    assert list(counsellor.villages.values_list("code", flat=True)) == [SINGAMERTA]
    assert AuditEntry.objects.filter(model="workforce.counsellor", action="change").count() == 1


def test_cadres_of_a_village_through_the_forms(english: Client) -> None:
    dusun = subunit_create(
        actor=None, parent=region(SINGAMERTA), kind=RegionKind.DUSUN, name="Krajan"
    )
    english.force_login(make_user(Role.CADRE, SINGAMERTA))
    create = reverse("workforce:cadre_create", args=[SINGAMERTA])
    page = english.post(create, {"name": "Imas", "kind": "sub_ppkbd"}).content.decode()
    assert "A Sub-PPKBD works in a dusun or RW: choose it." in page
    response = english.post(
        create,
        {"name": "Imas", "kind": "sub_ppkbd", "area": dusun.code, "trained": "on",
         "since": "2015-03-01", "active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    cadre = Cadre.objects.get()
    assert (cadre.kind, cadre.area, cadre.trained) == (CadreKind.SUB_PPKBD, dusun, True)
    listing = english.get(reverse("workforce:cadre_list", args=[SINGAMERTA])).content.decode()
    assert "Imas" in listing
    assert "Krajan" in listing
    people = english.get(reverse("workforce:village_people", args=[SINGAMERTA])).content.decode()
    assert "No counsellor looks after this village." in people
    assert "Imas" in people
    edit = reverse("workforce:cadre_edit", args=[cadre.pk])
    response = english.post(edit, {"name": "Imas Rosita", "kind": "poktan", "active": "on"})
    assert response.status_code == 302
    cadre.refresh_from_db()
    assert (cadre.name, cadre.kind, cadre.area) == ("Imas Rosita", "poktan", None)
    response = english.post(reverse("workforce:cadre_delete", args=[cadre.pk]))
    assert response.status_code == 302
    assert not Cadre.objects.exists()


def test_the_village_include_renders_with_the_people_dict(client: Client) -> None:
    from django.template.loader import render_to_string

    from lini.workforce.selectors import village_people

    make_counsellor(CIRUAS, SINGAMERTA, name="Siti Hasanah")
    make_cadre(SINGAMERTA, name="Euis")
    html = render_to_string(
        "workforce/includes/village_people.html",
        {"people": village_people(region(SINGAMERTA))},
    )
    assert "Siti Hasanah" in html
    assert "Euis" in html
    assert reverse("workforce:cadre_list", args=[SINGAMERTA]) in html


def test_the_nip_is_masked_for_roles_that_may_not_see_identities(client: Client) -> None:
    counsellor = make_counsellor(CIRUAS, SINGAMERTA, nip=NIP)
    masked = NIP[:4] + "*" * 10 + NIP[-4:]
    for role, code, shown in (
        (Role.CADRE, SINGAMERTA, masked),
        (Role.PROVINCE_OFFICER, "36", masked),
        (Role.DISTRICT_OFFICER, CIRUAS, NIP),
    ):
        client.force_login(make_user(role, code))
        for url in (counsellor.get_absolute_url(), reverse("workforce:counsellor_list")):
            page = client.get(url).content.decode()
            assert shown in page, (role, url)
            if shown == masked:
                assert NIP not in page, (role, url)
