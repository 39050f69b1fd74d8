"""The audit trail page: administrators only, and only the entries of their scope."""

from __future__ import annotations

import pytest

from django.test import Client
from django.urls import reverse

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.audit.models import AuditAction
from lini.audit.services import audit_record
from lini.regions.tests.places import KAB_SERANG, KAB_TANGERANG, KUTA_JAYA, SINGAMERTA

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries() -> None:
    audit_record(actor=None, action=AuditAction.EXPORT, model="poktan", description="serang-x",
                 region_code=SINGAMERTA)  # fmt: skip
    audit_record(actor=None, action=AuditAction.EXPORT, model="poktan", description="tangerang-y",
                 region_code=KUTA_JAYA)  # fmt: skip
    audit_record(actor=None, action=AuditAction.LOGIN_FAILED, description="nobody-z")


def test_a_regency_officer_sees_only_their_regency(client: Client, entries: None) -> None:
    client.force_login(make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    page = client.get(reverse("audit:entry_list")).content.decode()
    assert "serang-x" in page
    assert "tangerang-y" not in page
    assert "nobody-z" not in page  # entries of no region are the national administrator's


def test_a_national_administrator_sees_everything_and_filters(
    client: Client, entries: None
) -> None:
    client.force_login(make_user(Role.NATIONAL_ADMIN))
    page = client.get(reverse("audit:entry_list")).content.decode()
    assert all(word in page for word in ("serang-x", "tangerang-y", "nobody-z"))
    page = client.get(reverse("audit:entry_list"), {"region": KAB_TANGERANG}).content.decode()
    assert "tangerang-y" in page
    assert "serang-x" not in page
    page = client.get(reverse("audit:entry_list"), {"action": "login_failed"}).content.decode()
    assert "nobody-z" in page
    assert "serang-x" not in page


@pytest.mark.parametrize("role", [Role.CADRE, Role.COUNSELLOR, Role.PROVINCE_OFFICER])
def test_roles_that_administer_no_one_may_not_open_it(client: Client, role: str) -> None:
    code = {Role.PROVINCE_OFFICER: "36"}.get(role, SINGAMERTA)
    client.force_login(make_user(role, code))
    assert client.get(reverse("audit:entry_list")).status_code == 403


def test_identity_numbers_in_the_entries_are_masked_on_the_page(client: Client) -> None:
    audit_record(actor=None, action=AuditAction.CHANGE, model="register.family",
                 region_code=SINGAMERTA, before={"member 3604094808820013": {"name": "Euis"}},
                 after={"nip": "198503122010012003"})  # fmt: skip
    client.force_login(make_user(Role.REGENCY_OFFICER, KAB_SERANG))
    page = client.get(reverse("audit:entry_list")).content.decode()
    assert "3604********0013" in page
    assert "1985**********2003" in page
    assert "3604094808820013" not in page
    assert "198503122010012003" not in page
