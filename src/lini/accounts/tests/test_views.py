from __future__ import annotations

import pytest

from django.conf import settings
from django.contrib.auth.hashers import identify_hasher
from django.test import Client, override_settings
from django.urls import reverse

from lini.accounts.models import User
from lini.accounts.roles import Role
from lini.accounts.tests.factories import TEST_PASSWORD, make_user
from lini.regions.tests.places import CIRUAS, KAB_SERANG, KUTA_JAYA, SINGAMERTA

pytestmark = pytest.mark.django_db


def test_login_logout_and_home_shows_the_scope(client: Client) -> None:
    user = make_user(Role.CADRE, SINGAMERTA, username="kader")
    response = client.post(
        reverse("accounts:login"), {"username": "kader", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    home = client.get("/").content.decode()
    assert "Singamerta" in home
    assert SINGAMERTA in home
    assert "Kec. Ciruas" in home  # where the village lies
    client.post(reverse("accounts:logout"))
    assert client.get("/").status_code == 302
    assert "_auth_user_id" not in client.session
    user.refresh_from_db()
    assert user.last_login is not None


def test_wrong_password_is_refused_with_a_message(client: Client) -> None:
    make_user(Role.CADRE, SINGAMERTA, username="kader")
    response = client.post(reverse("accounts:login"), {"username": "kader", "password": "wrong"})
    assert response.status_code == 200
    assert "errors" in response.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(
    PASSWORD_HASHERS=[
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
)
def test_passwords_are_hashed_with_argon2() -> None:
    user = make_user(Role.CADRE, SINGAMERTA)
    assert identify_hasher(user.password).algorithm == "argon2"


def test_password_change(client: Client) -> None:
    user = make_user(Role.CADRE, SINGAMERTA)
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "a-fresh-pass-2024",
            "new_password2": "a-fresh-pass-2024",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-fresh-pass-2024")


def test_regency_officer_creates_a_counsellor_in_their_regency(client: Client) -> None:
    client.force_login(make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "pkb2",
            "role": Role.COUNSELLOR,
            "regions": "3604092013, 36.04.09.2003",
            "password": "sandi-baru-2024",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()
    user = User.objects.get(username="pkb2")
    assert user.role == Role.COUNSELLOR
    assert sorted(user.assignments.values_list("region__code", flat=True)) == [
        "36.04.09.2003",
        SINGAMERTA,
    ]


@pytest.mark.parametrize(
    ("role", "regions", "message"),
    [
        (Role.COUNSELLOR, KUTA_JAYA, "may not"),  # outside the regency
        (Role.REGENCY_OFFICER, KAB_SERANG, "Select a valid choice"),  # own rank
        (Role.CADRE, CIRUAS, "assigned to a"),  # a cadre works in a village, not a district
        (Role.CADRE, "36.04.09.9999", "Unknown region code"),
        (Role.CADRE, "", "Assign at least one region"),
    ],
)
def test_user_creation_refuses_what_the_officer_may_not_give(
    client: Client, role: str, regions: str, message: str
) -> None:
    client.force_login(make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    response = client.post(
        reverse("accounts:user_create"),
        {"username": "x1", "role": role, "regions": regions, "password": "sandi-baru-2024"},
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="x1").exists()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.post(
        reverse("accounts:user_create"),
        {"username": "x1", "role": role, "regions": regions, "password": "sandi-baru-2024"},
    )
    assert message in english.content.decode()


def test_officer_edits_and_resets_a_user_in_scope(client: Client) -> None:
    client.force_login(make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    cadre = make_user(Role.CADRE, SINGAMERTA)
    url = reverse("accounts:user_edit", kwargs={"pk": cadre.pk})
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "role": Role.COUNSELLOR,
            "regions": CIRUAS,
            "first_name": "Siti",
            "last_name": "",
            "email": "",
            "is_active": "",
        },
    )
    assert response.status_code == 302
    cadre.refresh_from_db()
    assert (cadre.role, cadre.first_name, cadre.is_active) == (Role.COUNSELLOR, "Siti", False)
    client.post(
        reverse("accounts:user_password", kwargs={"pk": cadre.pk}), {"password": "sandi-reset-2024"}
    )
    cadre.refresh_from_db()
    assert cadre.check_password("sandi-reset-2024")


def test_user_list_shows_only_manageable_users(client: Client) -> None:
    client.force_login(make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    make_user(Role.CADRE, SINGAMERTA, username="in-serang")
    make_user(Role.CADRE, KUTA_JAYA, username="in-tangerang")
    content = client.get(reverse("accounts:user_list")).content.decode()
    assert "in-serang" in content
    assert "in-tangerang" not in content


def test_paging_keeps_the_role_filter(client: Client) -> None:
    client.force_login(make_user(Role.NATIONAL_ADMIN))
    for _ in range(51):
        make_user(Role.CADRE, SINGAMERTA)
    page = client.get(reverse("accounts:user_list"), {"role": Role.CADRE}).content.decode()
    assert "role=cadre&amp;page=2" in page or "page=2&amp;role=cadre" in page


def test_an_account_can_be_created_inactive(client: Client) -> None:
    client.force_login(make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    client.post(
        reverse("accounts:user_create"),
        {
            "username": "later",
            "role": Role.CADRE,
            "regions": SINGAMERTA,
            "password": "sandi-baru-2024",
        },
    )
    assert User.objects.get(username="later").is_active is False


def test_a_demoted_superuser_loses_superuser_powers() -> None:
    from lini.accounts import services
    from lini.regions.models import Region

    root = User.objects.create_superuser("root", password="x" * 12)
    demoted = User.objects.create_superuser("old-root", password="x" * 12)
    services.user_update(
        actor=root,
        user=demoted,
        role=Role.REGENCY_OFFICER,
        regions=[Region.objects.get(code=KAB_SERANG)],
        is_active=True,
        first_name="",
        last_name="",
        email="",
    )
    demoted.refresh_from_db()
    assert (demoted.is_superuser, demoted.is_staff) == (False, False)
