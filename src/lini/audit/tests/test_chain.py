"""The audit trail: entries are chained, and a changed or removed entry is found."""

from __future__ import annotations

import pytest

from django.core.management import CommandError, call_command
from django.test import Client

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.audit.context import current_ip
from lini.audit.models import AuditAction, AuditEntry
from lini.audit.services import audit_change, audit_record, chain_verify, snapshot
from lini.regions.models import Region
from lini.regions.tests.places import SINGAMERTA

pytestmark = pytest.mark.django_db


def _three_entries() -> list[AuditEntry]:
    user = make_user(Role.COUNSELLOR, SINGAMERTA)
    village = Region.objects.get(code=SINGAMERTA)
    return [
        audit_record(actor=user, action=AuditAction.CHANGE, obj=village, after={"n": i})
        for i in range(3)
    ]


def test_entries_link_to_the_one_before() -> None:
    first, second, third = _three_entries()
    assert second.previous_hash == first.hash
    assert third.previous_hash == second.hash
    assert chain_verify() == (3, [])


def test_a_changed_entry_is_found() -> None:
    _first, second, _third = _three_entries()
    AuditEntry.objects.filter(pk=second.pk).update(after={"n": 99})  # behind the app's back
    count, problems = chain_verify()
    assert count == 3
    assert problems == [f"entry {second.pk}: its content was changed after it was written"]
    with pytest.raises(CommandError, match="damaged"):
        call_command("audit", "verify")


def test_a_removed_entry_is_found_in_the_middle_and_at_the_end() -> None:
    _first, second, third = _three_entries()
    AuditEntry.objects.filter(pk=second.pk).delete()
    _count, problems = chain_verify()
    assert any(f"entry {third.pk}: the entry before it is missing" in p for p in problems)
    AuditEntry.objects.filter(pk=third.pk).delete()
    _count, problems = chain_verify()
    assert "the newest entries were removed" in " ".join(problems)


def test_entries_cannot_be_changed_through_the_model() -> None:
    entry = _three_entries()[0]
    entry.object_repr = "changed"
    with pytest.raises(ValueError, match="cannot be changed"):
        entry.save()
    with pytest.raises(ValueError, match="cannot be deleted"):
        entry.delete()


def test_a_change_records_only_what_changed_and_nothing_when_nothing_did() -> None:
    village = Region.objects.get(code=SINGAMERTA)
    before = snapshot(village)
    assert audit_change(actor=None, obj=village, before=before, region_code=village.code) is None
    village.name = "Singamerta Baru"
    entry = audit_change(actor=None, obj=village, before=before, region_code=village.code)
    assert entry is not None
    assert entry.before == {"name": before["name"]}
    assert entry.after == {"name": "Singamerta Baru"}
    assert entry.actor_name == "system"


def test_the_address_of_the_request_is_kept() -> None:
    token = current_ip.set("10.1.2.3")
    try:
        entry = audit_record(actor=None, action=AuditAction.EXPORT, model="register.family")
    finally:
        current_ip.reset(token)
    assert AuditEntry.objects.get(pk=entry.pk).ip == "10.1.2.3"


def test_logins_and_failed_logins_are_recorded(client: Client) -> None:
    user = make_user(Role.CADRE, SINGAMERTA, username="kader.audit")
    user.set_password("a-good-pass-2019")
    user.save()
    client.post("/akun/masuk/", {"username": "kader.audit", "password": "wrong-one"})
    client.post("/akun/masuk/", {"username": "kader.audit", "password": "a-good-pass-2019"})
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", "actor_name"))
    assert actions[-2:] == [
        (AuditAction.LOGIN_FAILED, "system"),
        (AuditAction.LOGIN, "kader.audit"),
    ]
    call_command("audit", "verify")  # intact
