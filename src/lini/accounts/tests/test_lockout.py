"""Login throttling: a username is locked after repeated failed logins, the login page says so
(whether or not the username exists), a successful login resets the count, an administrator
unlocks, and lock-outs and unlocks are in the audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt

from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lini.accounts import selectors
from lini.accounts.roles import Role
from lini.accounts.tests.factories import TEST_PASSWORD, make_user
from lini.audit.models import AuditAction, AuditEntry
from lini.regions.tests.places import KAB_SERANG, KAB_TANGERANG, SINGAMERTA

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def fail(client: Client, username: str, times: int = 1):  # type: ignore[no-untyped-def]
    response = None
    for _ in range(times):
        response = client.post(LOGIN, {"username": username, "password": "wrong-password"})
    return response


def login(client: Client, username: str, password: str = TEST_PASSWORD):  # type: ignore[no-untyped-def]
    return client.post(LOGIN, {"username": username, "password": password})


def test_the_fifth_failure_locks_the_username_and_the_page_says_for_how_long(
    client: Client,
) -> None:
    make_user(Role.CADRE, SINGAMERTA, username="kader")
    english(client)
    for _ in range(settings.LINI_LOGIN_FAILURES - 1):
        response = fail(client, "kader")
        assert response.status_code == 200
        assert "locked" not in response.content.decode()
    response = fail(client, "kader")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed logins with this username" in page
    assert f"locked for {settings.LINI_LOCKOUT_MINUTES} more minutes" in page
    # Even the right password is refused now, with the same page.
    response = login(client, "kader")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "Too many failed logins" in response.content.decode()


def test_an_unknown_username_is_locked_the_same_way(client: Client) -> None:
    """The page does not tell whether the username exists."""
    make_user(Role.CADRE, SINGAMERTA, username="kader")
    english(client)
    known = fail(client, "kader", settings.LINI_LOGIN_FAILURES)
    unknown = fail(client, "nobody-here", settings.LINI_LOGIN_FAILURES)
    assert known.status_code == unknown.status_code == 429

    def message(response) -> str:  # type: ignore[no-untyped-def]
        return response.content.decode().split('role="alert">')[1].split("</div>")[0]

    assert message(known) == message(unknown)


def test_the_lock_is_per_username(client: Client) -> None:
    make_user(Role.CADRE, SINGAMERTA, username="kader")
    make_user(Role.CADRE, SINGAMERTA, username="kader2")
    fail(client, "kader", settings.LINI_LOGIN_FAILURES)
    response = login(client, "kader2")  # same address, another username
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_a_successful_login_resets_the_count(client: Client) -> None:
    make_user(Role.CADRE, SINGAMERTA, username="kader")
    fail(client, "kader", settings.LINI_LOGIN_FAILURES - 1)
    assert login(client, "kader").status_code == 302
    client.post(reverse("accounts:logout"))
    response = fail(client, "kader", settings.LINI_LOGIN_FAILURES - 1)
    assert response.status_code == 200
    assert login(client, "kader").status_code == 302


def test_failures_spread_wider_than_the_window_do_not_add_up(client: Client) -> None:
    make_user(Role.CADRE, SINGAMERTA, username="kader")
    fail(client, "kader", settings.LINI_LOGIN_FAILURES - 1)
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - dt.timedelta(minutes=settings.LINI_LOCKOUT_MINUTES + 1)
    )
    assert fail(client, "kader").status_code == 200  # one recent failure only
    assert login(client, "kader").status_code == 302


def test_the_lock_ends_by_itself_and_attempts_while_locked_do_not_extend_it(
    client: Client,
) -> None:
    make_user(Role.CADRE, SINGAMERTA, username="kader")
    fail(client, "kader", settings.LINI_LOGIN_FAILURES)
    until = selectors.login_locked_until("kader")
    assert until is not None
    fail(client, "kader", 3)  # refused while locked
    assert selectors.login_locked_until("kader") == until
    # Later than the lock-out period after the locking failure: open again.
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - dt.timedelta(minutes=settings.LINI_LOCKOUT_MINUTES, seconds=1)
    )
    assert selectors.login_locked_until("kader") is None
    assert login(client, "kader").status_code == 302


def test_a_lock_out_is_recorded_once_in_the_audit_trail(client: Client) -> None:
    make_user(Role.CADRE, SINGAMERTA, username="kader")
    fail(client, "kader", settings.LINI_LOGIN_FAILURES + 2)
    locks = AuditEntry.objects.filter(
        action=AuditAction.LOGIN_FAILED, after__locked_out_minutes=settings.LINI_LOCKOUT_MINUTES
    )
    assert [e.object_repr for e in locks] == ["kader"]
    assert locks.get().ip == "127.0.0.1"


def test_an_administrator_sees_the_lock_and_unlocks_the_account(client: Client) -> None:
    cadre = make_user(Role.CADRE, SINGAMERTA, username="kader")
    fail(Client(), "kader", settings.LINI_LOGIN_FAILURES)
    officer = make_user(Role.REGENCY_OFFICER, KAB_SERANG, username="admin.serang")
    english(client).force_login(officer)
    edit = reverse("accounts:user_edit", kwargs={"pk": cadre.pk})
    page = client.get(edit).content.decode()
    assert "Locked after too many failed logins" in page
    assert reverse("accounts:user_unlock", kwargs={"pk": cadre.pk}) in page

    response = client.post(reverse("accounts:user_unlock", kwargs={"pk": cadre.pk}), follow=True)
    assert "kader may log in again." in response.content.decode()
    assert "Not locked." in response.content.decode()
    assert selectors.login_locked_until("kader") is None
    entry = AuditEntry.objects.filter(action=AuditAction.CHANGE, model="accounts.user").get()
    assert (entry.actor_name, entry.object_id, entry.region_code) == (
        "admin.serang", str(cadre.pk), SINGAMERTA,
    )  # fmt: skip
    assert entry.before["failed_logins"] == settings.LINI_LOGIN_FAILURES
    assert entry.after == {"failed_logins": 0, "locked_until": None}
    assert login(Client(), "kader").status_code == 302

    # Unlocking an account that is not locked changes and records nothing.
    response = client.post(reverse("accounts:user_unlock", kwargs={"pk": cadre.pk}), follow=True)
    assert "kader was not locked." in response.content.decode()
    assert AuditEntry.objects.filter(action=AuditAction.CHANGE).count() == 1


def test_an_administrator_cannot_unlock_an_account_outside_the_scope(client: Client) -> None:
    cadre = make_user(Role.CADRE, SINGAMERTA, username="kader")
    fail(Client(), "kader", settings.LINI_LOGIN_FAILURES)
    client.force_login(make_user(Role.REGENCY_OFFICER, KAB_TANGERANG))
    response = client.post(reverse("accounts:user_unlock", kwargs={"pk": cadre.pk}))
    assert response.status_code == 404
    assert selectors.login_locked_until("kader") is not None


def test_the_limits_follow_the_settings(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=3)
    make_user(Role.CADRE, SINGAMERTA, username="kader")
    english(client)
    assert fail(client, "kader").status_code == 200
    response = fail(client, "kader")
    assert response.status_code == 429
    assert "locked for 3 more minutes" in response.content.decode()


def test_a_login_without_a_request_is_left_to_the_password_check(client: Client) -> None:
    """Server-side code (the test client's ``login``) may authenticate without a request: it is
    not counted, and the lock of the username does not apply to it."""
    from django.contrib.auth import authenticate

    user = make_user(Role.CADRE, SINGAMERTA, username="kader")
    fail(client, "kader", settings.LINI_LOGIN_FAILURES)
    assert authenticate(username="kader", password=TEST_PASSWORD) == user
    assert authenticate(username="kader", password="wrong-password") is None
    assert login(Client(), "kader").status_code == 429  # the web login stays locked
