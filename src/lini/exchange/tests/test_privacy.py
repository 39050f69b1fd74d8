"""Exports and privacy: personal data leaves only with a stated purpose (page, job, command),
kept in the audit trail; the kinds without personal data carry none of a family's identity."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.audit.models import AuditAction, AuditEntry
from lini.exchange.models import DataJob, JobStatus
from lini.exchange.registry import kinds
from lini.exchange.services import export_run
from lini.indicators.models import Indicator
from lini.indicators.targets import target_save
from lini.kampung.services import kampung_save
from lini.kampung.tests.factories import singamerta_values
from lini.kb.tests.factories import make_facility
from lini.monthly.tests.factories import make_input
from lini.poktan.services import meeting_record, poktan_member_add
from lini.poktan.tests.helpers import group
from lini.regions.models import Region
from lini.regions.tests.places import CIRUAS, KAB_SERANG, SINGAMERTA
from lini.register.choices import EventSource, MaritalStatus, Relation, Sex
from lini.register.models import Family
from lini.register.records import FamilyRecord, MemberRecord
from lini.register.writer import register_write

pytestmark = pytest.mark.django_db

KK = "3604091234567801"
HEAD_NIK, WIFE_NIK = "3604090808800071", "3604094808820072"
HEAD, WIFE = "Sukmajaya Prawiranegara", "Nyimas Wulansari"


def _family() -> Family:
    village = Region.objects.get(code=SINGAMERTA)
    members = [
        MemberRecord(nik=HEAD_NIK, name=HEAD, sex=Sex.MALE, birth_date=dt.date(1980, 8, 8),
                     relation=Relation.HEAD, marital_status=MaritalStatus.MARRIED),
        MemberRecord(nik=WIFE_NIK, name=WIFE, sex=Sex.FEMALE, birth_date=dt.date(1982, 8, 8),
                     relation=Relation.SPOUSE, marital_status=MaritalStatus.MARRIED),
    ]  # fmt: skip
    record = FamilyRecord(
        kk_number=KK, village_id=village.pk, village_code=village.code, members=members
    )
    register_write(records=[record], source=EventSource.COLLECTION)
    return Family.objects.get(kk_number=KK)


def _english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _post_export(client: Client, **fields: str):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("exchange:export_start"),
        {"region": CIRUAS, "file_format": ".csv", **fields},
    )


def test_the_page_refuses_personal_data_without_a_purpose(client: Client) -> None:
    _english(client).force_login(make_user(Role.COUNSELLOR, CIRUAS))
    for purpose in ("", "  data  "):  # nothing, or too little to say anything
        response = _post_export(client, kind="register", purpose=purpose)
        assert response.status_code == 200
        page = response.content.decode()
        assert "holds personal data: state the purpose of this export in at least 10" in page
    assert not DataJob.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_a_refusal_of_the_right_comes_before_the_missing_purpose(client: Client) -> None:
    _english(client).force_login(make_user(Role.CADRE, SINGAMERTA))  # may not see identities
    page = _post_export(client, kind="register", region=SINGAMERTA).content.decode()
    assert "You may not export this data of this region." in page
    assert not DataJob.objects.exists()


def test_the_purpose_is_kept_on_the_job_and_in_the_audit_trail(
    client: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    _family()
    officer = make_user(Role.REGENCY_OFFICER, KAB_SERANG, username="kab.serang")
    client.force_login(officer)
    purpose = "Checking   the couples of Singamerta before the baksos"
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_export(client, kind="register", purpose=purpose, purpose_kind="campaign")
    job = DataJob.objects.get()
    assert response.url == job.get_absolute_url()
    assert job.status == JobStatus.DONE
    tidy = "Checking the couples of Singamerta before the baksos"
    assert (job.purpose, job.purpose_kind) == (tidy, "campaign")
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert (entry.actor, entry.model, entry.region_code) == (officer, "register", CIRUAS)
    assert entry.after == {
        "rows": 2, "personal": True, "purpose_kind": "campaign", "purpose": tidy,
    }  # fmt: skip
    job_page = _english(client).get(job.get_absolute_url()).content.decode()
    assert tidy in job_page
    assert "planning a campaign (baksos)" in job_page
    assert tidy in client.get(reverse("audit:entry_list")).content.decode()


def test_an_export_without_personal_data_needs_no_purpose(
    client: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    make_input(SINGAMERTA)
    client.force_login(make_user(Role.PROVINCE_OFFICER, "36"))
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_export(client, kind="monthly-inputs")
    job = DataJob.objects.get()
    assert response.url == job.get_absolute_url()
    assert (job.status, job.purpose) == (JobStatus.DONE, "")
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.after == {"rows": 1, "personal": False}


@translation.override("en")
def test_the_command_refuses_personal_data_without_a_purpose(tmp_path: Path) -> None:
    _family()
    out = tmp_path / "register.csv"
    with pytest.raises(CommandError, match=r"--purpose: .*holds personal data: state the purpose"):
        call_command("export", "register", "--region", CIRUAS, "-o", str(out))
    with pytest.raises(CommandError, match="at least 10 characters"):
        call_command("export", "register", "--region", CIRUAS, "-o", str(out), "--purpose", "x")
    assert not out.exists()
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()

    call_command(
        "export", "register", "--region", CIRUAS, "-o", str(out),
        "--purpose", "audit request of the province", "--purpose-kind", "audit",
    )  # fmt: skip
    assert KK in out.read_text(encoding="utf-8-sig")
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert (entry.after["purpose"], entry.after["purpose_kind"]) == (
        "audit request of the province", "audit",
    )  # fmt: skip
    facilities = tmp_path / "facilities.csv"
    call_command("export", "facilities", "--region", CIRUAS, "-o", str(facilities))
    assert facilities.exists()  # no personal data: no purpose needed


def _every_kind_of_record() -> dict[str, int]:
    """A family of Singamerta reached by every kind of record that may refer to it, and the rows
    each kind without personal data must export."""
    family = _family()
    village = Region.objects.get(code=SINGAMERTA)
    bkb = group(SINGAMERTA, name="Mawar")
    poktan_member_add(actor=None, poktan=bkb, family=family)
    meeting_record(
        actor=None, poktan=bkb, held_on=dt.date(2019, 10, 5), topic="Tumbuh kembang",
        attendees=[family],
    )  # fmt: skip
    make_input(SINGAMERTA)
    kampung_save(actor=None, village=village, values=singamerta_values())
    make_facility(CIRUAS, code="P3604090101")
    target_save(
        actor=None, indicator=Indicator.objects.get(code="cpr"), region=village, year=2019,
        value="60",
    )  # fmt: skip
    return {"meetings": 1, "monthly-inputs": 1, "kampung": 1, "facilities": 1, "targets": 1}


def test_the_kinds_without_personal_data_carry_no_identity(tmp_path: Path) -> None:
    expected = _every_kind_of_record()
    secrets = [KK, HEAD_NIK, WIFE_NIK, HEAD, WIFE, *HEAD.split(), *WIFE.split()]
    aggregate = {slug: kind for slug, kind in kinds().items() if not kind.personal}
    assert set(expected) <= set(aggregate)
    for slug, kind in aggregate.items():
        for suffix in (".csv", ".xlsx"):
            out = tmp_path / f"{slug}{suffix}"
            rows = export_run(kind=kind, region=Region.objects.get(code="36"), path=out, user=None)
            assert rows >= expected.get(slug, 0), slug
            if suffix == ".csv":
                text = out.read_text(encoding="utf-8-sig")
            else:
                from openpyxl import load_workbook

                book = load_workbook(out, read_only=True)
                text = "\n".join(
                    str(value)
                    for sheet in book.worksheets
                    for row in sheet.iter_rows(values_only=True)
                    for value in row
                    if value is not None
                )
                book.close()
            for secret in secrets:
                assert secret not in text, (slug, suffix, secret)
    # The same family is in the personal kinds' files: the check above would see it there.
    out = tmp_path / "poktan.csv"
    export_run(kind=kinds()["poktan"], region=Region.objects.get(code="36"), path=out, user=None)
    assert KK in out.read_text(encoding="utf-8-sig")
