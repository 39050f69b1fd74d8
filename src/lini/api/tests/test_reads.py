"""Reading through the API: every list and record cut to the user's regions (out of scope: not
listed, 404), the region filter (403 outside the scope, as on the pages), the same rows as the
page lists for the same filters, masked identity numbers and their audited reveal, pages."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from django.test import Client
from django.urls import reverse

from lini.accounts.models import User
from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.api.tests.conftest import Place, Places
from lini.api.tests.helpers import api_for, english
from lini.audit.models import AuditAction, AuditEntry
from lini.regions.tests.places import (
    KAB_SERANG,
    KAB_TANGERANG,
    KUTA_JAYA,
    PASAR_KEMIS,
    SINGAMERTA,
)
from lini.register.identity import mask
from lini.register.tests.factories import make_family

pytestmark = pytest.mark.django_db

# list URL name -> the id (or code) of a place's object in it
LISTS: dict[str, Callable[[Place], object]] = {
    "api:family-list": lambda p: p.family.pk,
    "api:member-list": lambda p: p.wife.pk,
    "api:couple-list": lambda p: p.couple.pk,
    "api:service-list": lambda p: p.service.pk,
    "api:poktan-list": lambda p: p.poktan.pk,
    "api:meeting-list": lambda p: p.meeting.pk,
    "api:kampung-list": lambda p: p.kampung.pk,
    "api:campaign-list": lambda p: p.campaign.pk,
    "api:region-list": lambda p: p.village.code,
}
DETAILS: dict[str, Callable[[Place], dict[str, object]]] = {
    "api:family-detail": lambda p: {"pk": p.family.pk},
    "api:member-detail": lambda p: {"pk": p.wife.pk},
    "api:couple-detail": lambda p: {"pk": p.couple.pk},
    "api:service-detail": lambda p: {"pk": p.service.pk},
    "api:poktan-detail": lambda p: {"pk": p.poktan.pk},
    "api:meeting-detail": lambda p: {"pk": p.meeting.pk},
    "api:kampung-detail": lambda p: {"pk": p.kampung.pk},
    "api:campaign-detail": lambda p: {"pk": p.campaign.pk},
    "api:region-detail": lambda p: {"code": p.village.code},
}


def _ids(response: object) -> list[object]:
    body = response.json()  # type: ignore[attr-defined]
    return [row.get("id", row.get("code")) for row in body["results"]]


@pytest.fixture
def officer(places: Places) -> User:
    """In scope for Kab. Tangerang; may see identities."""
    return make_user(Role.REGENCY_OFFICER, KAB_TANGERANG)


@pytest.fixture
def serang_cadre(places: Places) -> User:
    return make_user(Role.CADRE, SINGAMERTA)


@pytest.mark.parametrize("name", sorted(LISTS))
def test_lists_hold_only_the_users_regions(
    client: Client, places: Places, officer: User, serang_cadre: User, name: str
) -> None:
    of = LISTS[name]
    tangerang = _ids(api_for(client, officer).get(reverse(name), {"page_size": 500}))
    assert of(places.tangerang) in tangerang
    assert of(places.serang) not in tangerang
    serang = _ids(api_for(client, serang_cadre).get(reverse(name), {"page_size": 500}))
    assert of(places.serang) in serang
    assert of(places.tangerang) not in serang


@pytest.mark.parametrize("name", sorted(DETAILS))
def test_records_out_of_scope_are_not_found(
    client: Client, places: Places, officer: User, serang_cadre: User, name: str
) -> None:
    url = reverse(name, kwargs=DETAILS[name](places.tangerang))
    assert api_for(client, officer).get(url).status_code == 200
    response = api_for(client, serang_cadre).get(url)
    assert response.status_code == 404
    assert "tangerang" not in response.content.decode().lower()


@pytest.mark.parametrize(
    "name", ["api:family-list", "api:member-list", "api:couple-list", "api:service-list",
             "api:poktan-list", "api:meeting-list", "api:kampung-list"],
)  # fmt: skip
def test_a_region_outside_the_scope_is_refused_and_an_unknown_one_named(
    client: Client, places: Places, serang_cadre: User, name: str
) -> None:
    api = api_for(english(client), serang_cadre)
    assert api.get(reverse(name), {"region": KAB_TANGERANG}).status_code == 403
    response = api.get(reverse(name), {"region": "99.99"})
    assert response.status_code == 400
    assert response.json() == {"region": ["No region has the code 99.99."]}
    mine = api.get(reverse(name), {"region": SINGAMERTA})
    assert mine.status_code == 200
    assert mine.json()["count"] == (2 if name == "api:member-list" else 1)  # head and wife


def test_the_family_list_has_the_pages_rows_for_the_same_search(
    client: Client, places: Places, officer: User
) -> None:
    make_family(KUTA_JAYA, kk="3603129999990001", head_nik="3603120101700001")
    api = api_for(client, officer)
    client.force_login(officer)
    page_url = reverse("register:family_list", kwargs={"code": PASAR_KEMIS})
    for query in ("", "Euis", "Dadang", "360312123456", "3603120101700001", "zzz"):
        page = client.get(page_url, {"q": query}).context["page"]
        listed = api.get(reverse("api:family-list"), {"region": PASAR_KEMIS, "q": query})
        assert _ids(listed) == [f.pk for f in page.object_list], query


def test_without_the_right_to_see_identities_numbers_match_only_whole(
    client: Client, places: Places
) -> None:
    cadre = make_user(Role.CADRE, KUTA_JAYA)
    api = api_for(client, cadre)
    whole = places.tangerang.family.kk_number
    assert api.get(reverse("api:family-list"), {"q": whole[:10]}).json()["count"] == 0
    assert api.get(reverse("api:family-list"), {"q": whole}).json()["count"] == 1


def test_the_poktan_list_has_the_pages_rows_for_the_same_filters(
    client: Client, places: Places, officer: User
) -> None:
    api = api_for(client, officer)
    client.force_login(officer)
    for params in ({}, {"kind": "bkb"}, {"kind": "bkl"}, {"active": "1"}, {"active": "0"},
                   {"region": KUTA_JAYA, "kind": "bkb", "active": "0"}):  # fmt: skip
        page = client.get(reverse("poktan:poktan_list"), params).context["page"]
        listed = api.get(reverse("api:poktan-list"), params)
        assert _ids(listed) == [p.pk for p in page.object_list], params


def test_the_service_list_has_the_pages_rows_for_the_same_filters(
    client: Client, places: Places, officer: User
) -> None:
    api = api_for(client, officer)
    client.force_login(officer)
    for params in ({"month": "2019-10"}, {"month": "2019-10", "method": "pil"},
                   {"month": "2019-10", "visit_type": "baru"}, {"month": "2019-09"},
                   {"month": "2019-10", "region": KUTA_JAYA}):  # fmt: skip
        page = client.get(reverse("kb:service_list"), params).context["page"]
        listed = api.get(reverse("api:service-list"), params)
        assert _ids(listed) == [s.pk for s in page.object_list], params
        assert listed.json()["count"] == page.paginator.count


def test_identity_numbers_are_masked_everywhere(
    client: Client, places: Places, officer: User
) -> None:
    api = api_for(client, officer)
    family = places.tangerang.family
    for url in (reverse("api:family-list"), reverse("api:family-detail", kwargs={"pk": family.pk}),
                reverse("api:member-list"), reverse("api:couple-list")):  # fmt: skip
        body = api.get(url).content.decode()
        assert family.kk_number not in body
        assert places.tangerang.wife.nik not in body
    detail = api.get(reverse("api:family-detail", kwargs={"pk": family.pk})).json()
    assert detail["kk_number"] == mask(family.kk_number)
    assert {m["nik"] for m in detail["members"]} == {
        mask(places.tangerang.head.nik),
        mask(places.tangerang.wife.nik),
    }


def test_a_user_who_may_see_identities_reveals_one_record_and_it_is_audited(
    client: Client, places: Places, officer: User
) -> None:
    api = api_for(client, officer)
    wife, family = places.tangerang.wife, places.tangerang.family
    response = api.post(reverse("api:member-reveal", kwargs={"pk": wife.pk}))
    assert response.status_code == 200
    assert response.json() == {"id": wife.pk, "nik": wife.nik}
    entry = AuditEntry.objects.get(action=AuditAction.VIEW_IDENTITY, model="register.member")
    assert (entry.actor_id, entry.object_id, entry.region_code) == (
        officer.pk,
        str(wife.pk),
        KUTA_JAYA,
    )
    revealed = api.post(reverse("api:family-reveal", kwargs={"pk": family.pk})).json()
    assert revealed["kk_number"] == family.kk_number
    assert {m["nik"] for m in revealed["members"]} == {wife.nik, places.tangerang.head.nik}
    assert AuditEntry.objects.filter(
        action=AuditAction.VIEW_IDENTITY, model="register.family", object_id=str(family.pk)
    ).exists()


def test_a_cadre_may_not_reveal_and_nothing_is_recorded(client: Client, places: Places) -> None:
    api = api_for(client, make_user(Role.CADRE, KUTA_JAYA))
    wife = places.tangerang.wife
    assert api.post(reverse("api:member-reveal", kwargs={"pk": wife.pk})).status_code == 403
    family = places.tangerang.family
    assert api.post(reverse("api:family-reveal", kwargs={"pk": family.pk})).status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.VIEW_IDENTITY).exists()


def test_an_out_of_scope_reveal_is_not_found(
    client: Client, places: Places, serang_cadre: User
) -> None:
    officer = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    url = reverse("api:member-reveal", kwargs={"pk": places.tangerang.wife.pk})
    assert api_for(client, officer).post(url).status_code == 404


def test_lists_come_in_pages(client: Client, places: Places, officer: User) -> None:
    for serial in range(2, 5):
        make_family(KUTA_JAYA, kk=f"360312888888{serial:04d}", head_nik=f"360312010170{serial:04d}")
    api = api_for(client, officer)
    first = api.get(reverse("api:family-list"), {"page_size": 2}).json()
    assert first["count"] == 4
    assert len(first["results"]) == 2
    assert "page=2" in first["next"]
    assert first["previous"] is None
    second = api.get(reverse("api:family-list"), {"page_size": 2, "page": 2}).json()
    assert {r["id"] for r in first["results"]}.isdisjoint({r["id"] for r in second["results"]})
    assert second["next"] is None
    assert api.get(reverse("api:family-list"), {"page": 9}).status_code == 404
    default = api.get(reverse("api:family-list")).json()
    assert len(default["results"]) == 4


def test_the_page_size_has_a_maximum(client: Client, places: Places, officer: User) -> None:
    from lini.api.pagination import MAX_PAGE_SIZE, PageNumberPagination

    assert PageNumberPagination.max_page_size == MAX_PAGE_SIZE == 500
    api = api_for(client, make_user(Role.NATIONAL_ADMIN))
    body = api.get(reverse("api:region-list"), {"page_size": 100000}).json()
    assert body["count"] > MAX_PAGE_SIZE  # Banten's regions
    assert len(body["results"]) == MAX_PAGE_SIZE


def test_regions_walk_the_tree_as_the_pages_do(
    client: Client, places: Places, serang_cadre: User
) -> None:
    api = api_for(client, serang_cadre)
    children = api.get(reverse("api:region-list"), {"parent": "36"}).json()["results"]
    assert [(r["code"], r["in_scope"]) for r in children] == [(KAB_SERANG, False)]
    assert api.get(reverse("api:region-list"), {"parent": KAB_TANGERANG}).status_code == 403
    found = api.get(reverse("api:region-list"), {"q": "singamerta"}).json()["results"]
    assert [r["code"] for r in found] == [SINGAMERTA]
    assert api.get(reverse("api:region-list"), {"q": "kuta jaya"}).json()["count"] == 0


def test_a_couple_comes_with_its_history(client: Client, places: Places, officer: User) -> None:
    couple = places.tangerang.couple
    body = api_for(client, officer).get(reverse("api:couple-detail", kwargs={"pk": couple.pk}))
    data = body.json()
    assert data["status"] == "pakai"
    assert data["method"] == "pil"
    assert [(e["effective_on"], e["status"]) for e in data["events"]] == [("2018-01-01", "pakai")]
    assert data["wife_name"] == "Euis"
    assert data["husband_name"] == "Dadang"


def test_a_campaign_shows_the_lokus_the_user_may_open(
    client: Client, places: Places, officer: User
) -> None:
    campaign = places.tangerang.campaign
    data = (
        api_for(client, officer)
        .get(reverse("api:campaign-detail", kwargs={"pk": campaign.pk}))
        .json()
    )
    assert [lokus["village"] for lokus in data["lokus"]] == [KUTA_JAYA]


def test_a_kampung_profile_comes_with_its_class_and_checklist(
    client: Client, places: Places, officer: User
) -> None:
    api = api_for(client, officer)
    listed = api.get(reverse("api:kampung-list")).json()["results"][0]
    assert listed["assessment"]["kampung_class"] == "dasar"
    assert "launch_date" in listed["assessment"]["missing"]
    filtered = api.get(reverse("api:kampung-list"), {"kampung_class": "mandiri"}).json()
    assert filtered["count"] == 0


@pytest.mark.parametrize("code", ["%", "36%s", "%(code)s", "%d.%%"])
def test_a_region_code_with_percent_signs_is_an_unknown_code_not_a_crash(
    client: Client, code: str
) -> None:
    """Schemathesis found it: the code went into the message before the message was formatted."""
    api = api_for(english(client), make_user(Role.NATIONAL_ADMIN))
    response = api.get(reverse("api:member-list"), {"region": code})
    assert response.status_code == 400
    assert response.json()["region"] == [f"No region has the code {code}."]
