from __future__ import annotations

import pytest

from django.test import Client
from django.urls import reverse

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.regions.tests.places import SINGAMERTA

pytestmark = pytest.mark.django_db


def test_pages_speak_indonesian_by_default_and_english_on_request(client: Client) -> None:
    client.force_login(make_user(Role.CADRE, SINGAMERTA))
    # An English browser still gets Indonesian until the user switches.
    indonesian = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).content.decode()
    assert 'lang="id"' in indonesian
    assert "Wilayah Anda" in indonesian
    assert "Keluar" in indonesian
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get("/").content.decode()
    assert 'lang="en"' in english
    assert "Your regions" in english
    assert "Log out" in english


def test_numbers_use_indonesian_grouping(client: Client) -> None:
    client.force_login(make_user(Role.NATIONAL_ADMIN))
    page = client.get(reverse("regions:region_index")).content.decode()
    banten_row = page.split(">36</td>")[1].split("</tr>")[0]
    assert ">1.552<" in banten_row  # villages of Banten, grouped the Indonesian way
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("regions:region_index")).content.decode()
    assert ">1,552<" in page.split(">36</td>")[1].split("</tr>")[0]


def test_static_assets_are_vendored_and_served_without_a_cdn(client: Client) -> None:
    client.force_login(make_user(Role.CADRE, SINGAMERTA))
    page = client.get("/").content.decode()
    assert "https://" not in page
    assert "http://" not in page.replace("http://www.w3.org", "")
    for path in (
        "/static/lini/lini.css",
        "/static/vendor/htmx/htmx.min.js",
        "/static/lini/lini.js",
    ):
        assert path in page
        response = client.get(path)
        assert response.status_code == 200, path
