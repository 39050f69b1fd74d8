"""Two-step login (TOTP): enrolment with a QR code and the secret as text, the second login step
with its throttling, turning it off with a code, an administrator's reset, sessions that predate
a change, and LINI_REQUIRE_2FA for officers and administrators."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lini.accounts import totp
from lini.accounts.models import User
from lini.accounts.roles import Role
from lini.accounts.tests.factories import TEST_PASSWORD, make_user
from lini.accounts.views import ENROL_KEY, PENDING_KEY
from lini.audit.models import AuditAction, AuditEntry
from lini.regions.tests.places import CIRUAS, KAB_SERANG, SINGAMERTA

pytestmark = pytest.mark.django_db

TWO_FACTOR = reverse("accounts:two_factor")
LOGIN = reverse("accounts:login")
LOGIN_CODE = reverse("accounts:login_code")


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def next_code(key: str) -> str:
    """The code of the next 30-second step (a code already used is not accepted again; the
    tolerance of one step lets the next one in)."""
    return totp.code_now(key, at=time.time() + 30)


def enrol(client: Client) -> str:
    """Turn on two-step login for the client's user; the secret."""
    client.get(TWO_FACTOR)
    key = client.session[ENROL_KEY]
    response = client.post(TWO_FACTOR, {"code": totp.code_now(key)})
    assert response.status_code == 302, response.content.decode()
    return key


def with_device(user: User) -> str:
    key = totp.new_key()
    TOTPDevice.objects.create(user=user, name="Lini", key=key, confirmed=True)
    return key


def test_enrolment_shows_a_qr_code_and_the_secret_and_needs_a_right_code(client: Client) -> None:
    user = make_user(Role.CADRE, SINGAMERTA, username="kader")
    english(client).force_login(user)
    page = client.get(TWO_FACTOR).content.decode()
    key = client.session[ENROL_KEY]
    assert '<svg class="qr" role="img"' in page
    assert "<path " in page
    assert totp.key_text(key) in page  # the secret as text, for typing into the app
    assert "style=" not in page
    assert totp.key_text(key).replace(" ", "") in totp.provisioning_uri(user, key)
    assert "issuer=Lini" in totp.provisioning_uri(user, key)
    # The same secret is shown until enrolment succeeds (a reload does not break a scan).
    client.get(TWO_FACTOR)
    assert client.session[ENROL_KEY] == key

    wrong = f"{(int(totp.code_now(key)) + 1) % 1_000_000:06d}"
    response = client.post(TWO_FACTOR, {"code": wrong})
    assert response.status_code == 200
    assert "The code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert "Enter the 6 digits" in client.post(TWO_FACTOR, {"code": "12ab"}).content.decode()

    response = client.post(TWO_FACTOR, {"code": totp.code_now(key)}, follow=True)
    assert "Two-step login is on." in response.content.decode()
    device = TOTPDevice.objects.get(user=user)
    assert (device.confirmed, device.key) == (True, key)
    assert ENROL_KEY not in client.session
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get("/").status_code == 200  # this session stays logged in
    entry = AuditEntry.objects.get(action=AuditAction.CHANGE, model="accounts.user")
    assert (entry.actor_name, entry.before, entry.after) == (
        "kader", {"two_factor": False}, {"two_factor": True},
    )  # fmt: skip


def test_login_with_two_steps(client: Client) -> None:
    user = make_user(Role.CADRE, SINGAMERTA, username="kader")
    key = with_device(user)
    english(client)
    target = reverse("regions:region_detail", kwargs={"code": SINGAMERTA})
    response = client.post(LOGIN, {"username": "kader", "password": TEST_PASSWORD, "next": target})
    assert response.status_code == 302
    assert response.url == LOGIN_CODE
    assert "_auth_user_id" not in client.session  # not logged in after the password alone
    assert client.get("/").status_code == 302
    assert not AuditEntry.objects.filter(action=AuditAction.LOGIN).exists()

    page = client.get(LOGIN_CODE).content.decode()
    assert "Second step" in page
    response = client.post(LOGIN_CODE, {"code": next_code(key)})
    assert response.status_code == 302
    assert response.url == target
    assert client.session["_auth_user_id"] == str(user.pk)
    assert PENDING_KEY not in client.session
    assert client.get("/").status_code == 200
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN, actor=user).count() == 1


def test_wrong_codes_are_refused_recorded_and_throttled(client: Client) -> None:
    user = make_user(Role.CADRE, SINGAMERTA, username="kader")
    key = with_device(user)
    english(client).post(LOGIN, {"username": "kader", "password": TEST_PASSWORD})
    right = next_code(key)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post(LOGIN_CODE, {"code": wrong})
    assert response.status_code == 200
    assert "The code is not right" in response.content.decode()
    assert "_auth_user_id" not in client.session
    failed = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert (failed.object_repr, failed.after) == ("kader", {"two_factor_code": "wrong"})

    # Straight after a wrong code even the right one is refused: wait 1, 2, 4 ... seconds.
    response = client.post(LOGIN_CODE, {"code": right})
    assert "Too many wrong codes. Try again in" in response.content.decode()
    assert "_auth_user_id" not in client.session
    device = TOTPDevice.objects.get(user=user)
    assert device.throttling_failure_count == 1
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - dt.timedelta(seconds=2)
    )
    assert client.post(LOGIN_CODE, {"code": right}).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert TOTPDevice.objects.get(pk=device.pk).throttling_failure_count == 0


def test_a_code_is_accepted_once(client: Client) -> None:
    user = make_user(Role.CADRE, SINGAMERTA, username="kader")
    key = with_device(user)
    code = next_code(key)
    client.post(LOGIN, {"username": "kader", "password": TEST_PASSWORD})
    assert client.post(LOGIN_CODE, {"code": code}).status_code == 302
    other = english(Client())
    other.post(LOGIN, {"username": "kader", "password": TEST_PASSWORD})
    response = other.post(LOGIN_CODE, {"code": code})
    assert "The code is not right" in response.content.decode()
    assert "_auth_user_id" not in other.session


def test_the_code_page_needs_the_password_first_and_a_recent_one(client: Client) -> None:
    user = make_user(Role.CADRE, SINGAMERTA, username="kader")
    key = with_device(user)
    response = client.get(LOGIN_CODE)
    assert (response.status_code, response.url) == (302, LOGIN)
    client.post(LOGIN, {"username": "kader", "password": TEST_PASSWORD})
    session = client.session
    session[PENDING_KEY] = {**session[PENDING_KEY], "at": int(time.time()) - 301}
    session.save()
    response = client.post(LOGIN_CODE, {"code": next_code(key)})
    assert (response.status_code, response.url) == (302, LOGIN)
    assert "_auth_user_id" not in client.session


def test_the_code_page_does_not_follow_an_outside_next(client: Client) -> None:
    user = make_user(Role.CADRE, SINGAMERTA, username="kader")
    key = with_device(user)
    client.post(
        LOGIN, {"username": "kader", "password": TEST_PASSWORD, "next": "https://evil.example/"}
    )
    response = client.post(LOGIN_CODE, {"code": next_code(key)})
    assert response.url == reverse("web:home")


def test_turning_it_off_needs_a_right_code_and_is_recorded(client: Client) -> None:
    user = make_user(Role.CADRE, SINGAMERTA, username="kader")
    english(client).force_login(user)
    key = enrol(client)
    response = client.post(reverse("accounts:two_factor_disable"), {"code": "000000"})
    assert response.status_code == 400
    assert "The code is not right" in response.content.decode()
    assert TOTPDevice.objects.filter(user=user).exists()
    TOTPDevice.objects.update(throttling_failure_timestamp=None, throttling_failure_count=0)

    response = client.post(
        reverse("accounts:two_factor_disable"), {"code": next_code(key)}, follow=True
    )
    assert "Two-step login is off." in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert client.get("/").status_code == 200  # still logged in
    changes = AuditEntry.objects.filter(action=AuditAction.CHANGE).order_by("pk")
    assert [e.after for e in changes] == [{"two_factor": True}, {"two_factor": False}]


def test_other_sessions_end_when_two_step_login_is_turned_on(client: Client) -> None:
    user = make_user(Role.CADRE, SINGAMERTA, username="kader")
    other = Client()
    other.force_login(user)
    assert other.get("/").status_code == 200
    client.force_login(user)
    enrol(client)
    response = other.get("/")
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)
    assert "_auth_user_id" not in other.session
    assert client.get("/").status_code == 200


def test_an_administrator_turns_it_off_and_the_user_s_sessions_end(client: Client) -> None:
    cadre = make_user(Role.CADRE, SINGAMERTA, username="kader")
    own = Client()
    own.force_login(cadre)
    enrol(own)
    officer = make_user(Role.REGENCY_OFFICER, KAB_SERANG, username="admin.serang")
    english(client).force_login(officer)
    edit = reverse("accounts:user_edit", kwargs={"pk": cadre.pk})
    assert "Two-step login is on." in client.get(edit).content.decode()
    response = client.post(
        reverse("accounts:user_two_factor_reset", kwargs={"pk": cadre.pk}), follow=True
    )
    assert "Two-step login of kader is off." in response.content.decode()
    assert not TOTPDevice.objects.filter(user=cadre).exists()
    entry = AuditEntry.objects.filter(action=AuditAction.CHANGE).order_by("pk").last()
    assert entry is not None
    assert (entry.actor_name, entry.object_id, entry.after) == (
        "admin.serang", str(cadre.pk), {"two_factor": False},
    )  # fmt: skip
    assert own.get("/").status_code == 302  # the lost phone's session ends


def test_officers_must_enrol_when_required(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.LINI_REQUIRE_2FA = True
    officer = make_user(Role.DISTRICT_OFFICER, CIRUAS)
    english(client).force_login(officer)
    for url in ("/", reverse("regions:region_detail", kwargs={"code": CIRUAS})):
        response = client.get(url)
        assert (response.status_code, response.url) == (302, TWO_FACTOR)
    page = client.get(TWO_FACTOR).content.decode()
    assert "Your role must log in with two steps" in page
    key = enrol(client)
    assert client.get("/").status_code == 200
    page = client.get(TWO_FACTOR).content.decode()
    assert "cannot be turned off here" in page
    response = client.post(reverse("accounts:two_factor_disable"), {"code": next_code(key)})
    assert "Your role must log in with two steps" in response.content.decode()
    assert TOTPDevice.objects.filter(user=officer).exists()
    # Logging out stays possible before enrolling.
    other = make_user(Role.NATIONAL_ADMIN)
    client.force_login(other)
    assert client.get("/").status_code == 302
    assert client.post(reverse("accounts:logout")).status_code == 302


def test_cadres_are_not_required_to_enrol(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.LINI_REQUIRE_2FA = True
    client.force_login(make_user(Role.CADRE, SINGAMERTA))
    assert client.get("/").status_code == 200


def test_the_qr_code_is_an_svg_element_without_style() -> None:
    svg = totp.qr_svg("otpauth://totp/Lini:kader?secret=ABC")
    assert svg.startswith('<svg class="qr" role="img" ')
    assert "<?xml" not in svg
    assert not re.search(r"\sstyle=", svg)
