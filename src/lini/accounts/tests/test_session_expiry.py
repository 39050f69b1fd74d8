"""Sessions end after LINI_SESSION_IDLE_MINUTES without a request and SESSION_COOKIE_AGE seconds
after the login; the last-seen stamp is written at most once a minute."""

from __future__ import annotations

import time

import pytest

from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from lini.accounts.middleware import SEEN_KEY, STARTED_KEY
from lini.accounts.roles import Role
from lini.accounts.tests.factories import TEST_PASSWORD, make_user
from lini.regions.tests.places import SINGAMERTA

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


@pytest.fixture
def logged_in(client: Client) -> Client:
    make_user(Role.CADRE, SINGAMERTA, username="kader")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(LOGIN, {"username": "kader", "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client


def shift(client: Client, **seconds_ago: int) -> None:
    """Move the session's stamps into the past (``started=…``, ``seen=…`` seconds ago)."""
    session = client.session
    now = int(time.time())
    for name, ago in seconds_ago.items():
        session[{"started": STARTED_KEY, "seen": SEEN_KEY}[name]] = now - ago
    session.save()


def test_a_login_starts_both_clocks(logged_in: Client) -> None:
    now = int(time.time())
    assert now - 5 <= logged_in.session[STARTED_KEY] <= now
    assert now - 5 <= logged_in.session[SEEN_KEY] <= now


def test_an_idle_session_ends(logged_in: Client) -> None:
    shift(logged_in, seen=settings.LINI_SESSION_IDLE_MINUTES * 60 + 1)
    response = logged_in.get("/")
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)
    assert "_auth_user_id" not in logged_in.session
    page = logged_in.get(response.url).content.decode()
    assert "You were logged out after a long time without activity." in page


def test_a_used_session_goes_on_and_its_stamp_moves(logged_in: Client) -> None:
    shift(logged_in, seen=settings.LINI_SESSION_IDLE_MINUTES * 60 - 5)
    assert logged_in.get("/").status_code == 200
    assert int(time.time()) - logged_in.session[SEEN_KEY] <= 5


def test_the_stamp_is_written_at_most_once_a_minute(logged_in: Client) -> None:
    shift(logged_in, seen=20)
    key = logged_in.session.session_key
    expiry = Session.objects.get(session_key=key).expire_date
    stamp = logged_in.session[SEEN_KEY]
    assert logged_in.get("/").status_code == 200
    assert logged_in.session[SEEN_KEY] == stamp
    assert Session.objects.get(session_key=key).expire_date == expiry  # not saved again
    shift(logged_in, seen=61)
    assert logged_in.get("/").status_code == 200
    assert logged_in.session[SEEN_KEY] > stamp


def test_a_session_ends_at_its_age_however_busy(logged_in: Client) -> None:
    shift(logged_in, started=settings.SESSION_COOKIE_AGE + 1, seen=1)
    response = logged_in.get("/")
    assert response.status_code == 302
    assert "_auth_user_id" not in logged_in.session
    assert "Your session has ended" in logged_in.get(response.url).content.decode()


def test_the_idle_limit_follows_the_setting(logged_in: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.LINI_SESSION_IDLE_MINUTES = 5
    shift(logged_in, seen=5 * 60 + 1)
    assert logged_in.get("/").status_code == 302
