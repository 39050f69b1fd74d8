"""Consents, queueing and sending, through the services, with the webhook gateway talking to a
real local HTTP server."""

from __future__ import annotations

import datetime as dt

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from lini.accounts.roles import Role
from lini.accounts.tests.factories import make_user
from lini.audit.models import AuditAction, AuditEntry
from lini.kb.tests.factories import make_couple
from lini.regions.tests.places import BANTEN, CIRUAS, KUTA_JAYA, PULO, SINGAMERTA
from lini.register.models import Couple
from lini.reminders.choices import Channel, RecipientKind, Status
from lini.reminders.gateways import GatewayError, OutgoingMessage
from lini.reminders.models import Reminder, ReminderConsent
from lini.reminders.services import (
    RemindersOffError,
    consent_record,
    consent_withdraw,
    reminders_queue,
    reminders_send,
)
from lini.reminders.tests.conftest import Webhook
from lini.reminders.tests.helpers import (
    MONDAY,
    NAMES,
    cadre_worker,
    counsellor_worker,
    injectable_user,
)
from lini.visits.due import Week

pytestmark = pytest.mark.django_db

W44 = Week.parse("2019-W44")  # Mon 28 Oct - Sun 3 Nov 2019
TUESDAY = MONDAY + dt.timedelta(days=1)


@pytest.fixture
def today(settings) -> dt.date:  # type: ignore[no-untyped-def]
    settings.LINI_TODAY = MONDAY
    return MONDAY


@pytest.fixture
def singamerta(today: dt.date) -> dict[str, Couple]:
    """Two injectable users of Singamerta in 2019-W44: one due on Thu 31 Oct, one overdue."""
    return {
        "due": injectable_user(SINGAMERTA, dt.date(2019, 8, 1), serial=1),  # due 31 Oct
        "overdue": injectable_user(SINGAMERTA, dt.date(2019, 6, 15), serial=2),  # due 14 Sep
    }


def _consent(couple: Couple, phone: str = "0812-1111-2222", **kwargs: object) -> ReminderConsent:
    kwargs.setdefault("given_on", dt.date(2019, 10, 1))
    return consent_record(
        actor=None, couple=couple, phone=phone, channel=kwargs.pop("channel", Channel.SMS),
        **kwargs,  # type: ignore[arg-type]
    )  # fmt: skip


# Consent ------------------------------------------------------------------------------------


def test_a_consent_is_recorded_with_the_number_normalised_and_audited(today: dt.date) -> None:
    couple = make_couple(SINGAMERTA)
    cadre = make_user(Role.CADRE, SINGAMERTA)
    consent = consent_record(
        actor=cadre, couple=couple, phone="0812 3456 7890", channel=Channel.WHATSAPP,
        note="in person at the posyandu",
    )  # fmt: skip
    assert (consent.phone, consent.channel, consent.given_on) == (
        "+6281234567890", Channel.WHATSAPP, today,
    )  # fmt: skip
    assert consent.recorded_by == cadre
    assert consent.is_current_on(today)
    entry = AuditEntry.objects.get(model="reminders.reminderconsent", object_id=str(consent.pk))
    assert entry.action == AuditAction.CREATE
    assert entry.region_code == SINGAMERTA
    assert entry.actor == cadre


def test_a_consent_needs_the_right_to_change_the_village(today: dt.date) -> None:
    couple = make_couple(SINGAMERTA)
    for outsider in (
        make_user(Role.CADRE, PULO),
        make_user(Role.CADRE, KUTA_JAYA),
        make_user(Role.PROVINCE_OFFICER, BANTEN),  # sees, does not change
    ):
        with pytest.raises(PermissionDenied):
            consent_record(actor=outsider, couple=couple, phone="081234567890", channel="sms")
    assert not ReminderConsent.objects.exists()


def test_a_consent_is_refused_with_reasons(today: dt.date) -> None:
    couple = make_couple(SINGAMERTA)
    with pytest.raises(ValidationError) as refused:
        consent_record(
            actor=None, couple=couple, phone="021-555-1234", channel="pager",
            given_on=today + dt.timedelta(days=1),
        )  # fmt: skip
    assert set(refused.value.message_dict) == {"phone", "channel", "given_on"}
    assert not ReminderConsent.objects.exists()


def test_a_new_consent_replaces_the_current_one(today: dt.date) -> None:
    couple = make_couple(SINGAMERTA)
    first = _consent(couple, given_on=dt.date(2019, 9, 1))
    second = _consent(couple, "+62 857 0000 1111", given_on=dt.date(2019, 10, 15))
    first.refresh_from_db()
    assert first.withdrawn_on == dt.date(2019, 10, 15)
    assert not first.is_current_on(dt.date(2019, 10, 15))
    assert first.is_current_on(dt.date(2019, 10, 14))
    assert second.is_current_on(today)
    with pytest.raises(ValidationError, match="cannot start before"):
        _consent(couple, given_on=dt.date(2019, 10, 1))


def test_a_couple_has_one_current_consent_in_the_database(today: dt.date) -> None:
    couple = make_couple(SINGAMERTA)
    _consent(couple)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderConsent.objects.create(
            couple=couple, phone="+6281234567890", given_on=dt.date(2019, 10, 2)
        )


def test_a_withdrawal_is_recorded_once_and_not_before_the_consent(today: dt.date) -> None:
    consent = _consent(make_couple(SINGAMERTA))
    cadre = make_user(Role.CADRE, SINGAMERTA)
    with pytest.raises(ValidationError, match="before the day it was given"):
        consent_withdraw(actor=cadre, consent=consent, withdrawn_on=dt.date(2019, 9, 30))
    with pytest.raises(PermissionDenied):
        consent_withdraw(actor=make_user(Role.CADRE, PULO), consent=consent)
    consent_withdraw(actor=cadre, consent=consent)
    consent.refresh_from_db()
    assert (consent.withdrawn_on, consent.withdrawn_by) == (today, cadre)
    assert not consent.is_current_on(today)
    with pytest.raises(ValidationError, match="withdrawn already"):
        consent_withdraw(actor=cadre, consent=consent)
    entry = AuditEntry.objects.filter(model="reminders.reminderconsent").first()
    assert entry.action == AuditAction.CHANGE
    assert entry.after == {"withdrawn_on": today.isoformat(), "withdrawn_by_id": cadre.pk}


# Off by default ---------------------------------------------------------------------------


def test_reminders_are_off_by_default(settings, singamerta: dict[str, Couple]) -> None:  # type: ignore[no-untyped-def]
    assert settings.LINI_REMINDERS is False
    cadre_worker(SINGAMERTA, "081234567890")
    _consent(singamerta["due"])
    with pytest.raises(RemindersOffError, match="LINI_REMINDERS=1"):
        reminders_queue(week=W44)
    with pytest.raises(RemindersOffError):
        reminders_send()
    assert not Reminder.objects.exists()


# Queueing -----------------------------------------------------------------------------------


@pytest.mark.usefixtures("reminders_on")
def test_a_worker_gets_counts_of_their_list_and_no_names(singamerta: dict[str, Couple]) -> None:
    cadre = cadre_worker(SINGAMERTA, "0812-3456-7890")
    result = reminders_queue(week=W44)
    assert (result.workers, result.clients) == (1, 0)
    reminder = Reminder.objects.get()
    assert reminder.kind == RecipientKind.WORKER
    assert reminder.user == cadre
    assert reminder.body == "Lini: your visit list for week 2019-W44: 2 families (1 overdue)."
    assert (reminder.phone, reminder.channel) == ("+6281234567890", Channel.SMS)
    assert (reminder.scheduled_for, reminder.expires_on) == (MONDAY, W44.end)
    assert reminder.region.code == SINGAMERTA
    for couple in singamerta.values():
        for secret in (*NAMES, couple.family.kk_number, couple.wife.nik, couple.family.address):
            assert not secret or secret not in reminder.body


@pytest.mark.usefixtures("reminders_on")
def test_workers_without_a_phone_a_list_or_a_small_enough_scope_get_nothing(
    settings,  # type: ignore[no-untyped-def]
    singamerta: dict[str, Couple],
) -> None:
    settings.LINI_DUE_MAX_VILLAGES = 5
    cadre_worker(SINGAMERTA, "021-555-1234")  # a landline
    cadre_worker(PULO, "081200000001")  # nothing due in Pulo
    counsellor_worker(CIRUAS, "081200000002", username="pkb.ciruas")  # Ciruas: > 5 villages
    result = reminders_queue(week=W44)
    assert result.workers == 0
    assert (result.no_phone, result.nothing_due, result.too_wide) == (1, 1, ["pkb.ciruas"])
    assert not Reminder.objects.exists()


@pytest.mark.usefixtures("reminders_on")
def test_a_client_is_reminded_only_with_a_current_consent(singamerta: dict[str, Couple]) -> None:
    due, overdue = singamerta["due"], singamerta["overdue"]
    _consent(due, channel=Channel.WHATSAPP)
    withdrawn = _consent(overdue, "081233334444", given_on=dt.date(2019, 9, 1))
    consent_withdraw(actor=None, consent=withdrawn, withdrawn_on=dt.date(2019, 10, 20))
    result = reminders_queue(week=W44)
    assert (result.workers, result.clients, result.consents) == (0, 1, 1)
    reminder = Reminder.objects.get()
    assert reminder.couple == due
    assert reminder.body == (
        "Reminder from your KB cadre: your next injection is due on 31/10/2019."
    )
    assert (reminder.phone, reminder.channel) == ("+6281211112222", Channel.WHATSAPP)
    assert reminder.due_on == dt.date(2019, 10, 31)
    assert reminder.scheduled_for == dt.date(2019, 10, 29)  # two days before
    for secret in (*NAMES, due.family.kk_number, due.wife.nik):
        assert secret not in reminder.body


@pytest.mark.usefixtures("reminders_on")
def test_a_consent_given_after_the_queue_day_does_not_count(
    settings,  # type: ignore[no-untyped-def]
    singamerta: dict[str, Couple],
) -> None:
    settings.LINI_TODAY = dt.date(2019, 11, 1)
    _consent(singamerta["due"], given_on=dt.date(2019, 11, 1))
    result = reminders_queue(week=W44, today=dt.date(2019, 10, 31))
    assert result.clients == 0
    assert not Reminder.objects.exists()


@pytest.mark.usefixtures("reminders_on")
def test_an_overdue_client_is_told_the_visit_was_due(singamerta: dict[str, Couple]) -> None:
    _consent(singamerta["overdue"])
    reminders_queue(week=W44)
    reminder = Reminder.objects.get()
    assert reminder.body == (
        "Reminder from your KB cadre: your KB visit was due on 14/09/2019. Please see your cadre "
        "or your clinic."
    )
    assert reminder.scheduled_for == MONDAY


@pytest.mark.usefixtures("reminders_on")
def test_queueing_twice_adds_nothing(singamerta: dict[str, Couple]) -> None:
    cadre_worker(SINGAMERTA, "081234567890")
    _consent(singamerta["due"])
    first = reminders_queue(week=W44)
    assert (first.workers, first.clients, first.already) == (1, 1, 0)
    rows = list(Reminder.objects.order_by("pk").values_list("pk", "body"))
    again = reminders_queue(week=W44)
    assert (again.workers, again.clients, again.already) == (0, 0, 2)
    assert list(Reminder.objects.order_by("pk").values_list("pk", "body")) == rows
    # The next week is another message.
    assert reminders_queue(week=W44.shifted(1)).workers == 1
    assert AuditEntry.objects.filter(model="reminders.reminder").count() == 2


@pytest.mark.usefixtures("reminders_on")
def test_a_dry_run_counts_and_queues_nothing(singamerta: dict[str, Couple]) -> None:
    cadre_worker(SINGAMERTA, "081234567890")
    result = reminders_queue(week=W44, dry_run=True)
    assert result.workers == 1
    assert not Reminder.objects.exists()


@pytest.mark.usefixtures("reminders_on")
def test_a_past_week_is_refused(today: dt.date) -> None:
    with pytest.raises(ValueError, match="is over"):
        reminders_queue(week=W44.shifted(-1))


# Sending ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("reminders_on")
def test_messages_are_sent_from_their_day_through_the_webhook(
    settings,  # type: ignore[no-untyped-def]
    webhook: Webhook,
    singamerta: dict[str, Couple],
) -> None:
    cadre_worker(SINGAMERTA, "081234567890")
    _consent(singamerta["due"], channel=Channel.WHATSAPP)
    reminders_queue(week=W44)
    on_monday = reminders_send()
    assert (on_monday.sent, on_monday.failed) == (1, 0)  # the client's is for Tuesday
    (worker_request,) = webhook.requests
    worker = Reminder.objects.get(kind=RecipientKind.WORKER)
    assert worker_request.json() == {
        "to": "+6281234567890", "channel": "sms", "id": str(worker.uuid),
        "text": "Lini: your visit list for week 2019-W44: 2 families (1 overdue).",
    }  # fmt: skip
    assert (worker.status, worker.attempts, worker.gateway_id) == (Status.SENT, 1, "gw-1")
    assert worker.sent_at is not None
    settings.LINI_TODAY = TUESDAY
    assert reminders_send().sent == 1
    client = Reminder.objects.get(kind=RecipientKind.CLIENT)
    assert webhook.requests[1].json() == {
        "to": "+6281211112222", "channel": "whatsapp", "id": str(client.uuid),
        "text": "Reminder from your KB cadre: your next injection is due on 31/10/2019.",
    }  # fmt: skip
    assert client.status == Status.SENT
    assert client.consent is not None
    assert reminders_send().sent == 0  # nothing is sent twice
    assert len(webhook.requests) == 2
    export = AuditEntry.objects.filter(action=AuditAction.EXPORT).first()
    assert export.after["client_messages_sent"] == [client.pk]


@pytest.mark.usefixtures("reminders_on")
def test_a_consent_withdrawn_after_queueing_cancels_the_message(
    settings,  # type: ignore[no-untyped-def]
    webhook: Webhook,
    singamerta: dict[str, Couple],
) -> None:
    consent = _consent(singamerta["due"])
    reminders_queue(week=W44)
    consent_withdraw(actor=make_user(Role.CADRE, SINGAMERTA), consent=consent)
    reminder = Reminder.objects.get()
    assert reminder.status == Status.CANCELLED
    assert "withdrawn" in reminder.last_error
    settings.LINI_TODAY = TUESDAY
    result = reminders_send()
    assert (result.sent, result.cancelled) == (0, 0)
    assert webhook.requests == []


@pytest.mark.usefixtures("reminders_on")
def test_the_send_checks_the_consent_again_on_its_own_day(
    settings,  # type: ignore[no-untyped-def]
    webhook: Webhook,
    singamerta: dict[str, Couple],
) -> None:
    """A consent that stopped being current by any path (here written straight to the table,
    withdrawn from Tuesday) stops the message at the send."""
    consent = _consent(singamerta["due"])
    reminders_queue(week=W44)
    ReminderConsent.objects.filter(pk=consent.pk).update(withdrawn_on=TUESDAY)
    assert Reminder.objects.get().status == Status.PENDING
    settings.LINI_TODAY = TUESDAY
    result = reminders_send()
    assert (result.sent, result.cancelled) == (0, 1)
    assert webhook.requests == []
    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.attempts) == (Status.CANCELLED, 0)
    assert "No consent is current" in reminder.last_error


@pytest.mark.usefixtures("reminders_on")
def test_a_consent_replaced_before_the_send_sends_to_the_new_number(
    settings,  # type: ignore[no-untyped-def]
    webhook: Webhook,
    singamerta: dict[str, Couple],
) -> None:
    _consent(singamerta["due"], "081211112222")
    reminders_queue(week=W44)
    new = _consent(singamerta["due"], "085700001111", channel=Channel.WHATSAPP, given_on=MONDAY)
    settings.LINI_TODAY = TUESDAY
    assert reminders_send().sent == 1
    assert webhook.requests[0].json()["to"] == "+6285700001111"
    assert webhook.requests[0].json()["channel"] == "whatsapp"
    assert Reminder.objects.get().consent == new


@pytest.mark.usefixtures("reminders_on")
def test_failures_are_kept_and_retried_up_to_the_maximum(
    settings,  # type: ignore[no-untyped-def]
    webhook: Webhook,
    singamerta: dict[str, Couple],
) -> None:
    settings.LINI_REMINDER_MAX_ATTEMPTS = 2
    cadre_worker(SINGAMERTA, "081234567890")
    reminders_queue(week=W44)
    webhook.answer(500, "provider down")
    webhook.answer(503, "still down")
    first = reminders_send()
    assert (first.sent, first.retrying, first.failed) == (0, 1, 0)
    reminder = Reminder.objects.get()
    assert (reminder.status, reminder.attempts) == (Status.PENDING, 1)
    assert reminder.last_error == "HTTP 500: provider down"
    second = reminders_send()
    assert (second.retrying, second.failed) == (0, 1)
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == (Status.FAILED, 2)
    assert reminder.last_error == "HTTP 503: still down"
    assert reminders_send().failed == 0  # a failed message is not tried again
    assert len(webhook.requests) == 2


@pytest.mark.usefixtures("reminders_on")
def test_a_timeout_is_a_failure_kept_on_the_row(
    settings,  # type: ignore[no-untyped-def]
    webhook: Webhook,
    singamerta: dict[str, Couple],
) -> None:
    settings.LINI_REMINDER_WEBHOOK_TIMEOUT = 0.3
    cadre_worker(SINGAMERTA, "081234567890")
    reminders_queue(week=W44)
    webhook.delay = 10
    result = reminders_send()
    assert result.retrying == 1
    assert Reminder.objects.get().last_error == "no answer within 0.3 s"


class _Picky:
    """A gateway that breaks on one number (a bug, not a GatewayError) and takes the others."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, message: OutgoingMessage) -> str:
        if message.to == "+6281200000001":
            raise KeyError("boom")
        if message.to == "+6281200000002":
            raise GatewayError("number blocked")
        self.sent.append(message.to)
        return f"p-{len(self.sent)}"


@pytest.mark.usefixtures("reminders_on")
def test_one_bad_message_does_not_stop_the_others(singamerta: dict[str, Couple]) -> None:
    cadre_worker(SINGAMERTA, "081200000001")
    cadre_worker(SINGAMERTA, "081200000002")
    cadre_worker(SINGAMERTA, "081200000003")
    reminders_queue(week=W44)
    gateway = _Picky()
    result = reminders_send(gateway=gateway)
    assert (result.sent, result.retrying) == (1, 2)
    assert gateway.sent == ["+6281200000003"]
    errors = dict(Reminder.objects.values_list("phone", "last_error"))
    assert errors == {
        "+6281200000001": "KeyError: 'boom'",
        "+6281200000002": "number blocked",
        "+6281200000003": "",
    }


@pytest.mark.usefixtures("reminders_on")
def test_messages_of_a_week_that_is_over_are_cancelled(
    settings,  # type: ignore[no-untyped-def]
    webhook: Webhook,
    singamerta: dict[str, Couple],
) -> None:
    cadre_worker(SINGAMERTA, "081234567890")
    reminders_queue(week=W44)
    settings.LINI_TODAY = W44.end + dt.timedelta(days=1)
    dry = reminders_send(dry_run=True)
    assert (dry.ready, dry.expired) == (0, 1)
    assert Reminder.objects.get().status == Status.PENDING
    result = reminders_send()
    assert result.expired == 1
    assert Reminder.objects.get().status == Status.CANCELLED
    assert webhook.requests == []
