"""List pages make a fixed number of queries, however many rows they show (no N+1)."""

from __future__ import annotations

import pytest

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.regions.tests.places import BANTEN, CIRUAS, KAB_SERANG, SINGAMERTA

pytestmark = pytest.mark.django_db


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_region_pages_do_not_grow_with_their_children(client: Client) -> None:
    client.force_login(make_user(Role.NATIONAL_ADMIN))
    detail = lambda code: reverse("regions:region_detail", kwargs={"code": code})  # noqa: E731
    # Pairs of the same level with many and few children: Kab. Serang (29 districts) and
    # Kota Cilegon (8); Kec. Ciruas (15 villages) and Kec. Pulo Ampel (9).
    for big, small in ((KAB_SERANG, "36.72"), (CIRUAS, "36.04.08")):
        assert count_queries(client, detail(big)) == count_queries(client, detail(small))
    assert count_queries(client, detail(BANTEN)) <= 6


def test_user_list_does_not_grow_with_users(client: Client) -> None:
    client.force_login(make_user(Role.NATIONAL_ADMIN))
    url = reverse("accounts:user_list")
    make_user(Role.CADRE, SINGAMERTA)
    few = count_queries(client, url)
    for _ in range(10):
        make_user(Role.COUNSELLOR, CIRUAS, SINGAMERTA)
    assert count_queries(client, url) == few
