"""The Kampung KB pages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from django.test import Client
from django.urls import reverse
from django.utils import translation

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.kampung import services
from lini.kampung.models import KampungKB
from lini.kampung.tests.factories import singamerta_values, singamerta_world
from lini.regions.models import Region
from lini.regions.tests.places import CIRUAS, KAB_SERANG, KUTA_JAYA, PULO, SINGAMERTA

pytestmark = pytest.mark.django_db

LIST = reverse("kampung:kampung_list")


@pytest.fixture(autouse=True)
def _english(client: Client) -> Iterator[None]:
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def profiles() -> dict[str, KampungKB]:
    singamerta = Region.objects.get(code=SINGAMERTA)
    singamerta_world(singamerta)
    return {
        "singamerta": services.kampung_save(
            actor=None, village=singamerta, values=singamerta_values()
        ),
        "pulo": services.kampung_save(
            actor=None, village=Region.objects.get(code=PULO), values=services.KampungValues()
        ),
        "kuta_jaya": services.kampung_save(
            actor=None,
            village=Region.objects.get(code=KUTA_JAYA),
            values=services.KampungValues(name="Kampung KB Kuta Jaya"),
        ),
    }


def test_the_list_shows_the_scope_most_missing_first(
    client: Client, profiles: dict[str, KampungKB]
) -> None:
    client.force_login(make_user(Role.DISTRICT_OFFICER, CIRUAS))
    response = client.get(LIST)
    assert response.status_code == 200
    rows = [a.kampung.village.code for a in response.context["page"]]
    assert rows == [PULO, SINGAMERTA]  # Pulo lacks all 20 items, Singamerta 6; no Kuta Jaya
    assert [len(a.missing) for a in response.context["page"]] == [20, 6]
    body = response.content.decode()
    assert "Kuta Jaya" not in body
    assert "Mandiri (self-reliant)" in body

    only = client.get(LIST, {"region": CIRUAS, "kampung_class": "mandiri"})
    assert [a.kampung.village.code for a in only.context["page"]] == [SINGAMERTA]


def test_the_list_of_a_region_outside_the_scope_is_refused(
    client: Client, profiles: dict[str, KampungKB]
) -> None:
    client.force_login(make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    assert client.get(LIST, {"region": "36.03"}).status_code == 403
    assert client.get(LIST, {"region": "36.99.99"}).status_code == 404


def test_the_detail_shows_scores_indices_class_and_checklist(
    client: Client, profiles: dict[str, KampungKB]
) -> None:
    client.force_login(make_user(Role.CADRE, SINGAMERTA))
    response = client.get(profiles["singamerta"].get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert "Classification: Mandiri (self-reliant)" in body
    assert "58.3% (7/12)" in body  # CPR and its input
    assert "2.60" in body
    assert "3.00" in body
    assert "3.75" in body
    assert "BKL group present" in body
    assert "village fund (Dana Desa)" in body  # codes shown by their labels
    assert client.get(profiles["kuta_jaya"].get_absolute_url()).status_code == 403
    assert client.get(reverse("kampung:kampung_detail", args=[999999])).status_code == 404


def test_a_profile_is_created_for_a_village(client: Client) -> None:
    client.force_login(make_user(Role.COUNSELLOR, CIRUAS))
    url = reverse("kampung:kampung_create", args=[SINGAMERTA])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "", "launched_on": "2018-05-02", "criteria": ["kumuh"], "pokja_exists": "on",
            "pokja_members": "5", "pokja_trained": "2", "partners": "Puskesmas\nKUA; Babinsa",
            "funding_sources": ["apbd", "swadaya"], "rumah_dataku": "aktif",
            "rumah_dataku_data": ["pk"], "version": "0",
        },
    )  # fmt: skip
    kampung = KampungKB.objects.get(village__code=SINGAMERTA)
    assert response.status_code == 302
    assert response.url == kampung.get_absolute_url()
    assert kampung.name == "Kampung KB Singamerta"
    assert kampung.partners == ["Puskesmas", "KUA", "Babinsa"]
    assert kampung.funding_sources == ["apbd", "swadaya"]
    # A second create for the same village goes to the edit page.
    again = client.get(url)
    assert again.status_code == 302
    assert again.url == reverse("kampung:kampung_edit", args=[kampung.pk])
    # Not a village, or unknown: 404; outside the scope: 403.
    assert client.get(reverse("kampung:kampung_create", args=[CIRUAS])).status_code == 404
    assert client.get(reverse("kampung:kampung_create", args=["36.04.09.9999"])).status_code == 404
    assert client.get(reverse("kampung:kampung_create", args=[KUTA_JAYA])).status_code == 403


def test_edit_shows_errors_on_their_fields_and_refuses_a_stale_form(
    client: Client, profiles: dict[str, KampungKB]
) -> None:
    kampung = profiles["singamerta"]
    client.force_login(make_user(Role.COUNSELLOR, CIRUAS))
    url = reverse("kampung:kampung_edit", args=[kampung.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, False, "")}
    data["pokja_exists"] = "on"
    data["pokja_trained"] = "12"
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors["pokja_trained"] == [
        "More members trained (12) than the pokja has (9)."
    ]
    data["pokja_trained"] = "3"
    assert client.post(url, data).status_code == 302
    kampung.refresh_from_db()
    assert (kampung.pokja_trained, kampung.version) == (3, 2)
    # The same form again (version 1) is now stale.
    data["pokja_trained"] = "4"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Someone else changed this Kampung KB" in response.content.decode()
    kampung.refresh_from_db()
    assert kampung.pokja_trained == 3


def test_a_province_officer_may_look_but_not_change(
    client: Client, profiles: dict[str, KampungKB]
) -> None:
    client.force_login(make_user(Role.PROVINCE_OFFICER, "36"))
    kampung = profiles["singamerta"]
    response = client.get(kampung.get_absolute_url())
    assert response.status_code == 200
    assert not response.context["can_change"]
    assert client.get(reverse("kampung:kampung_edit", args=[kampung.pk])).status_code == 403
    assert client.post(reverse("kampung:kampung_edit", args=[kampung.pk]), {}).status_code == 403
