"""API tokens: only a hash is stored, the key is shown once, revoked keys and inactive users are
refused (401 with WWW-Authenticate), the pages to create and revoke, and the audit trail."""

from __future__ import annotations

import pytest

from django.test import Client
from django.urls import reverse

from lini.accounts.models import User
from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.api.models import ApiToken
from lini.api.services import key_hash, token_create, token_revoke
from lini.api.tests.helpers import Api, english, key_for
from lini.audit.models import AuditAction, AuditEntry
from lini.regions.tests.places import KAB_SERANG, KAB_TANGERANG, KUTA_JAYA, SINGAMERTA

pytestmark = pytest.mark.django_db

REGIONS = reverse("api:region-list")


@pytest.fixture
def cadre() -> User:
    return make_user(Role.CADRE, SINGAMERTA)


def test_only_a_hash_of_the_key_is_stored(cadre: User) -> None:
    token, key = token_create(actor=cadre, name="laptop")
    assert key.startswith("lini_")
    assert len(key) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == key_hash(key) != key
    assert stored.prefix == key[:12]
    row = ApiToken.objects.filter(pk=token.pk).values()[0]
    assert all(key not in str(value) for value in row.values())


def test_a_valid_key_authenticates_and_its_use_is_noted(client: Client, cadre: User) -> None:
    key = key_for(cadre)
    response = Api(client, key).get(REGIONS)
    assert response.status_code == 200
    assert ApiToken.objects.get(user=cadre).last_used_at is not None
    bearer = client.get(REGIONS, headers={"Authorization": f"Bearer {key}"})
    assert bearer.status_code == 200


@pytest.mark.parametrize("header", [None, "Token wrong-key", "Token", "Bearer a b", "Token é"])
def test_missing_or_wrong_keys_get_401_with_www_authenticate(
    client: Client, cadre: User, header: str | None
) -> None:
    key_for(cadre)
    headers = {"Authorization": header} if header else {}
    response = client.get(REGIONS, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Token")
    assert "detail" in response.json()


def test_a_revoked_key_is_refused(client: Client, cadre: User) -> None:
    token, key = token_create(actor=cadre, name="old")
    token_revoke(actor=cadre, token=token)
    assert Api(client, key).get(REGIONS).status_code == 401


def test_the_key_of_an_inactive_user_is_refused(client: Client, cadre: User) -> None:
    key = key_for(cadre)
    User.objects.filter(pk=cadre.pk).update(is_active=False)
    assert Api(client, key).get(REGIONS).status_code == 401


def test_session_login_works_for_reading_and_needs_csrf_for_writing(cadre: User) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cadre)
    assert browser.get(REGIONS).status_code == 200
    response = browser.post(
        reverse("api:member-reveal", kwargs={"pk": 1}), content_type="application/json"
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_the_page_creates_a_token_and_shows_the_key_once(client: Client, cadre: User) -> None:
    english(client).force_login(cadre)
    response = client.post(reverse("api:token_list"), {"name": "Dashboard kecamatan"})
    token = ApiToken.objects.get(user=cadre)
    body = response.content.decode()
    key = body.split('id="new-key" type="text" value="')[1].split('"')[0]
    assert key_hash(key) == token.key_hash
    assert "shown only this once" in body
    assert response.headers["Cache-Control"].startswith("max-age=0")
    again = client.get(reverse("api:token_list")).content.decode()
    assert key not in again
    assert token.prefix in again
    assert "Dashboard kecamatan" in again
    entry = AuditEntry.objects.get(model="api.apitoken", action=AuditAction.CREATE)
    assert entry.actor_id == cadre.pk
    assert key not in str(entry.after)
    assert token.key_hash not in str(entry.after)


def test_a_token_needs_a_name(client: Client, cadre: User) -> None:
    english(client).force_login(cadre)
    response = client.post(reverse("api:token_list"), {"name": "   "})
    assert "This field is required." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_user_revokes_their_own_token_on_the_page(client: Client, cadre: User) -> None:
    token, key = token_create(actor=cadre, name="phone")
    client.force_login(cadre)
    response = client.post(reverse("api:token_revoke", kwargs={"pk": token.pk}))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.revoked_by_id == cadre.pk
    assert AuditEntry.objects.filter(model="api.apitoken", action=AuditAction.CHANGE).count() == 1
    assert Api(client, key).get(REGIONS).status_code == 401


def test_an_administrator_lists_and_revokes_the_tokens_of_an_account_they_manage(
    client: Client,
) -> None:
    officer = make_user(Role.REGENCY_OFFICER, KAB_TANGERANG)
    managed = make_user(Role.CADRE, KUTA_JAYA)
    token, _key = token_create(actor=managed, name="kader laptop")
    client.force_login(officer)
    page = client.get(reverse("api:user_tokens", kwargs={"pk": managed.pk}))
    assert page.status_code == 200
    assert "kader laptop" in page.content.decode()
    response = client.post(reverse("api:token_revoke", kwargs={"pk": token.pk}))
    assert response.url == reverse("api:user_tokens", kwargs={"pk": managed.pk})
    token.refresh_from_db()
    assert token.revoked_by_id == officer.pk


def test_an_administrator_of_another_regency_neither_sees_nor_revokes_the_tokens() -> None:
    client = Client()
    stranger = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    managed = make_user(Role.CADRE, KUTA_JAYA)
    token, _key = token_create(actor=managed, name="kader laptop")
    client.force_login(stranger)
    assert client.get(reverse("api:user_tokens", kwargs={"pk": managed.pk})).status_code == 404
    assert client.post(reverse("api:token_revoke", kwargs={"pk": token.pk})).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_pages_need_a_login(client: Client) -> None:
    response = client.get(reverse("api:token_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("reset", ["password", "two-step login"])
def test_an_administrators_reset_of_the_account_ends_its_tokens(
    client: Client, cadre: User, reset: str
) -> None:
    """A reset is made when the account may be in other hands: its keys must stop too."""
    from lini.accounts import totp
    from lini.accounts.services import two_factor_enrol, two_factor_reset, user_set_password

    admin = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    key = key_for(cadre)
    assert Api(client, key).get(REGIONS).status_code == 200
    if reset == "password":
        user_set_password(actor=admin, user=cadre, password="Baru-Sekali-2019!")
    else:
        secret = totp.new_key()
        two_factor_enrol(user=cadre, key=secret, code=totp.code_now(secret))
        assert two_factor_reset(actor=admin, user=cadre)
    assert Api(client, key).get(REGIONS).status_code == 401
    token = ApiToken.objects.get(user=cadre)
    assert token.revoked_by == admin
    assert AuditEntry.objects.filter(
        action=AuditAction.CHANGE, object_id=str(token.pk), actor=admin
    ).exists()
