"""What the register and the exchange write into the audit trail."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from django.test import Client

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.audit.models import AuditAction, AuditEntry
from lini.audit.services import chain_verify
from lini.exchange.registry import get_kind
from lini.exchange.services import export_run, import_run
from lini.regions.models import Region
from lini.regions.tests.places import CIRUAS, SINGAMERTA
from lini.register.choices import KBStatus, NotUsingReason
from lini.register.records import StatusRecord
from lini.register.services import couple_status_change, family_record, family_save
from lini.register.tests.factories import make_family

pytestmark = pytest.mark.django_db

KK, HEAD, WIFE = "3604091234560001", "3604090808800012", "3604094808820013"


def test_a_family_edit_records_who_changed_what_from_what() -> None:
    family = make_family(SINGAMERTA, kk=KK, head_nik=HEAD, wife_nik=WIFE)
    counsellor = make_user(Role.COUNSELLOR, CIRUAS, username="pkb.ciruas")
    record = dataclasses.replace(family_record(family), address="Kp. Baru 7")
    family_save(actor=counsellor, record=record)
    entry = AuditEntry.objects.get(action=AuditAction.CHANGE, model="register.family")
    assert (entry.actor_name, entry.object_id) == ("pkb.ciruas", str(family.pk))
    assert entry.region_code == SINGAMERTA
    assert entry.before == {"address": family.address}
    assert entry.after == {"address": "Kp. Baru 7"}
    family_save(actor=counsellor, record=record)  # the same again: nothing changed, no entry
    assert AuditEntry.objects.filter(action=AuditAction.CHANGE).count() == 1


def test_a_status_change_is_recorded_with_the_new_status() -> None:
    family = make_family(SINGAMERTA, kk=KK, head_nik=HEAD, wife_nik=WIFE)
    counsellor = make_user(Role.COUNSELLOR, CIRUAS)
    status = StatusRecord(status=KBStatus.NOT_USING, reason=NotUsingReason.WANTS_TO_DELAY)
    event = couple_status_change(
        actor=counsellor, couple=family.couples.get(), status=status,
        effective_on=family.couples.get().status_since,
    )  # fmt: skip
    entry = AuditEntry.objects.get(model="register.contraceptiveevent")
    assert entry.object_id == str(event.pk)
    assert entry.after["reason"] == "iat"


def test_seeing_whole_identity_numbers_is_recorded_but_masked_views_are_not(
    client: Client,
) -> None:
    family = make_family(SINGAMERTA, kk=KK, head_nik=HEAD, wife_nik=WIFE)
    client.force_login(make_user(Role.CADRE, SINGAMERTA))
    client.get(family.get_absolute_url())
    assert not AuditEntry.objects.filter(action=AuditAction.VIEW_IDENTITY).exists()
    client.force_login(make_user(Role.COUNSELLOR, CIRUAS, username="pkb.lihat"))
    client.get(family.get_absolute_url())
    entry = AuditEntry.objects.get(action=AuditAction.VIEW_IDENTITY)
    assert (entry.actor_name, entry.object_id) == ("pkb.lihat", str(family.pk))


def test_exports_and_imports_are_recorded(tmp_path: Path) -> None:
    make_family(SINGAMERTA, kk=KK, head_nik=HEAD, wife_nik=WIFE)
    officer = make_user(Role.REGENCY_OFFICER, "36.04", username="kab.serang")
    out = tmp_path / "register.csv"
    rows = export_run(
        kind=get_kind("register"), region=Region.objects.get(code=CIRUAS), path=out, user=officer
    )
    export = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert (export.actor_name, export.model, export.region_code) == (
        "kab.serang",
        "register",
        CIRUAS,
    )
    assert export.after == {"rows": rows, "personal": True}
    import_run(kind=get_kind("register"), path=out, user=officer, dry_run=True)
    assert not AuditEntry.objects.filter(action=AuditAction.IMPORT).exists()  # a check only
    import_run(kind=get_kind("register"), path=out, user=officer)
    started, entry = AuditEntry.objects.filter(action=AuditAction.IMPORT).order_by("pk")
    assert started.after == {"state": "started"}  # before the first row is written
    assert entry.after["state"] == "finished"
    assert entry.after["rows_read"] == rows
    assert chain_verify() == (AuditEntry.objects.count(), [])
