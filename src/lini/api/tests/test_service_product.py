"""The product of a KB service in the API: read with every service, written through the KB
service (its check that the product is one of the method's), filtered as the service list page
filters it."""

from __future__ import annotations

import datetime as dt

import pytest

from django.test import Client
from django.urls import reverse

from lini.accounts.models import User
from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.api.tests.conftest import Places
from lini.api.tests.helpers import api_for, english
from lini.kb.choices import Product, VisitType
from lini.kb.models import Service
from lini.kb.services import service_record
from lini.regions.tests.places import KAB_TANGERANG
from lini.register.choices import Method

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(places: Places) -> User:
    return make_user(Role.REGENCY_OFFICER, KAB_TANGERANG)


def test_a_service_is_recorded_with_its_product(
    client: Client, places: Places, officer: User
) -> None:
    couple = places.tangerang.couple
    url = reverse("api:couple-record-service", kwargs={"pk": couple.pk})
    api = api_for(english(client), officer)
    data = {"served_on": "2019-11-04", "method": "suntik", "visit_type": "ganti"}
    wrong = api.post(url, {**data, "product": "implan_1"})
    assert wrong.status_code == 400
    assert wrong.json() == {"product": ["implant, 1 rod is not a product of the method suntik."]}
    unknown = api.post(url, {**data, "product": "suntik_6"})
    assert unknown.status_code == 400
    assert set(unknown.json()) == {"product"}
    assert Service.objects.filter(couple=couple).count() == 1  # the fixture's pill visit
    response = api.post(url, {**data, "product": "suntik_3"})
    assert response.status_code == 201, response.content
    assert response.json()["product"] == "suntik_3"
    assert Service.objects.get(pk=response.json()["id"]).product == Product.INJECTABLE_3M
    detail = api.get(reverse("api:service-detail", kwargs={"pk": response.json()["id"]}))
    assert detail.json()["product"] == "suntik_3"


def test_the_product_is_optional_and_read_as_empty(
    client: Client, places: Places, officer: User
) -> None:
    api = api_for(client, officer)
    listed = api.get(reverse("api:service-list"))
    assert [s["product"] for s in listed.json()["results"]] == [""]
    url = reverse("api:couple-record-service", kwargs={"pk": places.tangerang.couple.pk})
    response = api.post(url, {"served_on": "2019-11-04", "method": "iud", "visit_type": "ganti"})
    assert response.status_code == 201, response.content
    assert Service.objects.get(pk=response.json()["id"]).product == ""


def test_the_service_list_filters_by_product(client: Client, places: Places, officer: User) -> None:
    couple = places.tangerang.couple
    service = service_record(
        actor=None, couple=couple, served_on=dt.date(2019, 10, 20), method=Method.INJECTABLE,
        visit_type=VisitType.SWITCH, product=Product.INJECTABLE_1M,
    )  # fmt: skip
    api = api_for(client, officer)
    url = reverse("api:service-list")
    monthly = api.get(url, {"product": "suntik_1"})
    assert [s["id"] for s in monthly.json()["results"]] == [service.pk]
    assert api.get(url, {"product": "suntik_3"}).json()["results"] == []
    assert len(api.get(url).json()["results"]) == 2
    assert api.get(url, {"product": "zzz"}).status_code == 400
    # The page filters the same way.
    client.force_login(officer)
    page = client.get(reverse("kb:service_list"), {"month": "2019-10", "product": "suntik_1"})
    assert [s.pk for s in page.context["page"]] == [service.pk]
