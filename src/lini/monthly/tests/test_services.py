"""The monthly input workflow: save, submit, approve (locks), send back, reopen; versions, scope,
validation and the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.audit.models import AuditAction, AuditEntry
from lini.monthly import services
from lini.monthly.models import MonthlyInput, MonthlyStatus
from lini.monthly.tests.factories import GOOD, make_input
from lini.poktan.models import Poktan
from lini.regions.models import Region
from lini.regions.tests.places import (
    BANTEN,
    CIRUAS,
    KAB_SERANG,
    KAB_TANGERANG,
    KUTA_JAYA,
    PULO,
    SINGAMERTA,
)
from lini.workforce.models import Cadre

pytestmark = pytest.mark.django_db

NOV = dt.date(2019, 11, 1)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def singamerta() -> Region:
    return Region.objects.get(code=SINGAMERTA)


@pytest.fixture
def counsellor():  # type: ignore[no-untyped-def]
    return make_user(Role.COUNSELLOR, CIRUAS)


@pytest.fixture
def officer():  # type: ignore[no-untyped-def]
    return make_user(Role.REGENCY_OFFICER, KAB_SERANG)


def _entries(item: MonthlyInput) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(model="monthly.monthlyinput", object_id=str(item.pk)).order_by(
            "pk"
        )
    )


def _save(actor, village: Region, version: int | None = None, **values):  # type: ignore[no-untyped-def]
    return services.monthly_save(
        actor=actor, village=village, month=NOV, values={**GOOD, **values}, version=version
    )


def test_the_whole_workflow_is_audited_and_the_approval_locks_the_month(
    counsellor, officer, singamerta
) -> None:
    item = _save(counsellor, singamerta)
    assert (item.status, item.version, item.bkb_exist) == (MonthlyStatus.DRAFT, 1, 2)

    item = services.monthly_submit(actor=counsellor, monthly_input=item, version=1)
    assert item.status == MonthlyStatus.SUBMITTED
    assert item.submitted_by == counsellor
    assert item.submitted_at is not None

    item = services.monthly_approve(actor=officer, monthly_input=item, version=item.version)
    assert item.status == MonthlyStatus.APPROVED
    assert item.locked
    assert item.decided_by == officer

    with pytest.raises(ValidationError, match="approved and locked"):
        _save(counsellor, singamerta, version=item.version, bkb_exist=3)
    with pytest.raises(ValidationError, match="approved and locked"):
        _save(officer, singamerta, version=item.version, bkb_exist=3)
    assert MonthlyInput.objects.get(pk=item.pk).bkb_exist == 2

    actions = [e.action for e in _entries(item)]
    assert actions == [
        AuditAction.CREATE, AuditAction.CHANGE, AuditAction.APPROVE,
    ]  # fmt: skip
    approve = _entries(item)[-1]
    assert approve.actor == officer
    assert approve.region_code == SINGAMERTA
    assert approve.before["status"] == "submitted"
    assert approve.after["status"] == "approved"


def test_send_back_needs_a_comment_and_returns_the_input_for_correction(
    counsellor, officer, singamerta
) -> None:
    item = make_input(SINGAMERTA, NOV, status="submitted")
    with pytest.raises(ValidationError) as refused:
        services.monthly_send_back(actor=officer, monthly_input=item, comment="  ")
    assert "comment is required" in refused.value.message_dict["comment"][0]
    assert MonthlyInput.objects.get(pk=item.pk).status == MonthlyStatus.SUBMITTED

    item = services.monthly_send_back(actor=officer, monthly_input=item, comment="BKR: cek lagi")
    assert (item.status, item.comment) == (MonthlyStatus.SENT_BACK, "BKR: cek lagi")
    assert _entries(item)[-1].action == AuditAction.SEND_BACK

    item = _save(counsellor, singamerta, version=item.version, bkr_reported=1)
    assert item.status == MonthlyStatus.SENT_BACK  # corrected, waiting to be submitted again
    item = services.monthly_submit(actor=counsellor, monthly_input=item)
    assert item.status == MonthlyStatus.SUBMITTED


def test_the_approver_reopens_a_locked_month_and_it_is_recorded(
    counsellor, officer, singamerta
) -> None:
    item = make_input(SINGAMERTA, NOV, status="approved")
    with pytest.raises(PermissionDenied):
        services.monthly_reopen(actor=counsellor, monthly_input=item)
    item = services.monthly_reopen(actor=officer, monthly_input=item, comment="PPKBD salah")
    assert item.status == MonthlyStatus.DRAFT
    entry = _entries(item)[-1]
    assert (entry.action, entry.actor, entry.after["status"]) == (
        AuditAction.REOPEN, officer, "draft",
    )  # fmt: skip
    item = _save(counsellor, singamerta, version=item.version, ppkbd_reported=0)
    assert item.ppkbd_reported == 0


def test_the_counsellor_cannot_approve_send_back_or_reopen(counsellor, singamerta) -> None:
    item = make_input(SINGAMERTA, NOV, status="submitted")
    with pytest.raises(PermissionDenied):
        services.monthly_approve(actor=counsellor, monthly_input=item)
    with pytest.raises(PermissionDenied):
        services.monthly_send_back(actor=counsellor, monthly_input=item, comment="x")
    assert MonthlyInput.objects.get(pk=item.pk).status == MonthlyStatus.SUBMITTED


def test_a_province_officer_approves_but_may_not_enter(singamerta) -> None:
    province = make_user(Role.PROVINCE_OFFICER, BANTEN)
    with pytest.raises(PermissionDenied):
        _save(province, singamerta)
    item = make_input(SINGAMERTA, NOV, status="submitted")
    assert services.monthly_approve(actor=province, monthly_input=item).locked


def test_steps_out_of_order_are_refused(officer, counsellor) -> None:
    draft = make_input(SINGAMERTA, NOV)
    with pytest.raises(ValidationError, match="Only a submitted input can be approved"):
        services.monthly_approve(actor=officer, monthly_input=draft)
    with pytest.raises(ValidationError, match="Only an approved input can be reopened"):
        services.monthly_reopen(actor=officer, monthly_input=draft)
    submitted = make_input(PULO, NOV, status="submitted")
    with pytest.raises(ValidationError, match="Only a draft or an input sent back"):
        services.monthly_submit(actor=counsellor, monthly_input=submitted)


def test_a_stale_version_is_refused_and_the_first_save_is_kept(counsellor, singamerta) -> None:
    item = _save(counsellor, singamerta)
    other = make_user(Role.COUNSELLOR, SINGAMERTA)
    # Both opened version 1; the other counsellor saves first.
    _save(other, singamerta, version=1, kie_sessions=7)
    with pytest.raises(ValidationError, match="changed by someone else since you opened it"):
        _save(counsellor, singamerta, version=1, kie_sessions=3)
    stored = MonthlyInput.objects.get(pk=item.pk)
    assert (stored.kie_sessions, stored.version) == (7, 2)
    # A second "new" input for the same village and month is a conflict too.
    with pytest.raises(ValidationError, match="changed by someone else"):
        _save(counsellor, singamerta, version=None)


def test_an_approver_who_opened_an_older_version_cannot_approve_it(
    counsellor, officer, singamerta
) -> None:
    item = make_input(SINGAMERTA, NOV, status="submitted")
    opened = item.version
    _save(counsellor, singamerta, version=opened, notes="koreksi")  # corrected while submitted
    with pytest.raises(ValidationError, match="changed by someone else"):
        services.monthly_approve(actor=officer, monthly_input=item, version=opened)
    assert MonthlyInput.objects.get(pk=item.pk).status == MonthlyStatus.SUBMITTED


def test_saving_the_same_values_writes_nothing(counsellor, singamerta) -> None:
    item = _save(counsellor, singamerta)
    again = _save(counsellor, singamerta, version=1)
    assert again.version == 1
    assert len(_entries(item)) == 1


def test_reported_more_than_exist_is_refused_naming_the_institution(counsellor, singamerta) -> None:
    with pytest.raises(ValidationError) as refused:
        _save(counsellor, singamerta, bkb_exist=2, bkb_reported=3, uppka_exist=0, uppka_reported=1)
    errors = refused.value.message_dict
    assert errors["bkb_reported"] == [
        "BKB: 3 reported, but only 2 exist; no more can report than exist"
    ]
    assert "UPPKA" in errors["uppka_reported"][0]
    assert not MonthlyInput.objects.exists()


def test_bad_months_and_numbers_are_refused(counsellor, singamerta) -> None:
    future = (timezone.localdate().replace(day=1) + dt.timedelta(days=40)).replace(day=1)
    with pytest.raises(ValidationError) as refused:
        services.monthly_save(
            actor=counsellor, village=singamerta, month=future, values=GOOD, version=None
        )
    assert "in the future" in refused.value.message_dict["month"][0]
    with pytest.raises(ValidationError, match="first day"):
        services.monthly_save(
            actor=counsellor, village=singamerta, month=dt.date(2019, 11, 5), values=GOOD,
            version=None,
        )  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        _save(counsellor, singamerta, kie_sessions=-1)
    assert "kie_sessions" in refused.value.message_dict
    with pytest.raises(ValidationError, match="for a village"):
        services.monthly_save(
            actor=None, village=Region.objects.get(code=CIRUAS), month=NOV, values=GOOD,
            version=None,
        )  # fmt: skip


def test_users_cannot_write_outside_their_scope(counsellor, officer) -> None:
    kuta_jaya = Region.objects.get(code=KUTA_JAYA)
    with pytest.raises(PermissionDenied):
        _save(counsellor, kuta_jaya)
    with pytest.raises(PermissionDenied):
        _save(officer, kuta_jaya)
    tangerang_input = make_input(KUTA_JAYA, NOV, status="submitted")
    with pytest.raises(PermissionDenied):
        services.monthly_approve(actor=officer, monthly_input=tangerang_input)
    with pytest.raises(PermissionDenied):
        services.monthly_submit(
            actor=counsellor, monthly_input=make_input(KUTA_JAYA, dt.date(2019, 10, 1))
        )
    assert MonthlyInput.objects.get(pk=tangerang_input.pk).status == MonthlyStatus.SUBMITTED
    tangerang_officer = make_user(Role.REGENCY_OFFICER, KAB_TANGERANG)
    assert services.monthly_approve(actor=tangerang_officer, monthly_input=tangerang_input).locked


def test_prefill_counts_cadres_and_poktan_and_keeps_last_months_kelompok_kb(
    singamerta,
) -> None:
    Cadre.objects.create(name="Ibu Ani", kind="ppkbd", village=singamerta)
    Cadre.objects.create(name="Ibu Bea", kind="sub_ppkbd", village=singamerta)
    Cadre.objects.create(name="Ibu Cici", kind="sub_ppkbd", village=singamerta)
    Cadre.objects.create(name="Ibu Dedeh", kind="sub_ppkbd", village=singamerta, active=False)
    Cadre.objects.create(name="Ibu Euis", kind="ppkbd", village=Region.objects.get(code=PULO))
    Poktan.objects.create(kind="bkb", name="Melati", village=singamerta)
    Poktan.objects.create(kind="bkb", name="Mawar", village=singamerta, formed_on=NOV)
    Poktan.objects.create(kind="bkb", name="Anggrek", village=singamerta,
                          formed_on=dt.date(2019, 12, 1))  # fmt: skip
    Poktan.objects.create(kind="uppka", name="Maju", village=singamerta)
    Poktan.objects.create(kind="pikr", name="Genre", village=singamerta)
    make_input(SINGAMERTA, dt.date(2019, 9, 1), kelompok_kb_exist=12, kelompok_kb_reported=2)

    initial = services.monthly_prefill(village=singamerta, month=NOV)

    assert initial["ppkbd_exist"] == 1
    assert initial["sub_ppkbd_exist"] == 2
    assert initial["bkb_exist"] == 2
    assert initial["uppka_exist"] == 1
    assert initial["bkr_exist"] == initial["bkl_exist"] == 0
    assert initial["kelompok_kb_exist"] == 12
    assert initial["bkb_reported"] == 0


def test_nobody_approves_what_they_submitted_themselves() -> None:
    officer = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    item = make_input(SINGAMERTA, NOV)
    submitted = services.monthly_submit(actor=officer, monthly_input=item, version=item.version)
    with pytest.raises(ValidationError) as refused:
        services.monthly_approve(actor=officer, monthly_input=submitted, version=submitted.version)
    assert refused.value.code == "own"
    other = make_user(Role.REGENCY_OFFICER, KAB_SERANG)
    approved = services.monthly_approve(
        actor=other, monthly_input=submitted, version=submitted.version
    )
    assert approved.locked
