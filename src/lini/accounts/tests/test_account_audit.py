"""An administrator's account changes and every password change are in the audit trail, without
the password hash; accounts the system creates (demo, setup) are not."""

from __future__ import annotations

import pytest

from django.test import Client
from django.urls import reverse

from lini.accounts.models import User
from lini.accounts.roles import Role
from lini.accounts.tests.factories import TEST_PASSWORD, make_user
from lini.audit.models import AuditAction, AuditEntry
from lini.regions.tests.places import CIRUAS, KAB_SERANG, SINGAMERTA

pytestmark = pytest.mark.django_db


def entries() -> list[AuditEntry]:
    changes = (AuditAction.CREATE, AuditAction.CHANGE)
    return list(AuditEntry.objects.filter(model="accounts.user", action__in=changes).order_by("pk"))


def test_creation_change_and_reset_by_an_administrator_are_recorded(client: Client) -> None:
    client.force_login(make_user(Role.REGENCY_OFFICER, KAB_SERANG, username="admin.serang"))
    assert entries() == []  # make_user is the system: not recorded
    client.post(
        reverse("accounts:user_create"),
        {"username": "pkb2", "role": Role.COUNSELLOR, "regions": SINGAMERTA,
         "password": "sandi-baru-2024", "is_active": "on"},
    )  # fmt: skip
    user = User.objects.get(username="pkb2")
    client.post(
        reverse("accounts:user_edit", kwargs={"pk": user.pk}),
        {"role": Role.COUNSELLOR, "regions": CIRUAS, "first_name": "Siti", "is_active": "on"},
    )
    client.post(
        reverse("accounts:user_password", kwargs={"pk": user.pk}), {"password": "sandi-reset-2024"}
    )
    created, changed, reset = entries()
    assert (created.action, created.actor_name, created.region_code) == (
        AuditAction.CREATE, "admin.serang", SINGAMERTA,
    )  # fmt: skip
    assert created.after["role"] == Role.COUNSELLOR
    assert created.after["regions"] == [SINGAMERTA]
    assert changed.action == AuditAction.CHANGE
    assert changed.before == {"first_name": "", "regions": [SINGAMERTA]}
    assert changed.after == {"first_name": "Siti", "regions": [CIRUAS]}
    assert reset.after == {"password": "reset"}
    for entry in (created, changed, reset):
        assert user.password not in str(entry.before) + str(entry.after)
        assert "md5$" not in str(entry.after)


def test_saving_an_unchanged_account_records_nothing(client: Client) -> None:
    client.force_login(make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    cadre = make_user(Role.CADRE, SINGAMERTA)
    client.post(
        reverse("accounts:user_edit", kwargs={"pk": cadre.pk}),
        {"role": Role.CADRE, "regions": SINGAMERTA, "is_active": "on"},
    )
    assert entries() == []


def test_a_user_s_own_password_change_is_recorded(client: Client) -> None:
    user = make_user(Role.CADRE, SINGAMERTA, username="kader")
    client.force_login(user)
    client.post(
        reverse("accounts:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "a-fresh-pass-2024",
         "new_password2": "a-fresh-pass-2024"},
    )  # fmt: skip
    (entry,) = entries()
    assert (entry.actor_name, entry.after) == ("kader", {"password": "changed"})
