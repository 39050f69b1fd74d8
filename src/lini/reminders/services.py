"""Writes of the reminders: a couple's consent (recorded, replaced, withdrawn), queueing a week's
messages and sending the outbox through the gateway.

Rules that hold whatever calls these functions:

- Nothing is queued or sent while ``LINI_REMINDERS`` is off (:class:`RemindersOffError`).
- A client's message is queued only under a consent current on the day it is queued, and sent only
  under a consent current on the day it is sent: a consent withdrawn in between cancels it (at
  once, by :func:`consent_withdraw`, and again at the send, which checks before each message).
- Messages to field workers carry counts only (families due, overdue), never a name or a number
  of the register; messages to clients carry a date and the kind of visit, never a name or a NIK.
- One message per recipient, week and kind (unique constraints; queueing twice adds nothing).
- Sending never stops at a bad message: each failure is kept on its row (``last_error``), tried
  again at the next run until ``LINI_REMINDER_MAX_ATTEMPTS``, then marked failed.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lini.accounts import scope
from lini.accounts.models import User
from lini.accounts.roles import Action
from lini.audit.models import AuditAction
from lini.audit.services import audit_change, audit_record, snapshot
from lini.core import clock
from lini.register.choices import Method
from lini.register.models import Couple
from lini.reminders.choices import Channel, RecipientKind, Status
from lini.reminders.gateways import Gateway, GatewayError, OutgoingMessage, gateway_load
from lini.reminders.models import Reminder, ReminderConsent
from lini.reminders.phone import phone_normalise, phone_or_none
from lini.reminders.selectors import consent_current, consents_current_on, worker_region
from lini.visits.choices import RuleKind
from lini.visits.due import DueItem, Week, due_items
from lini.visits.selectors import TooWideError, due_list
from lini.workforce.models import Cadre, Counsellor

logger = logging.getLogger(__name__)

# The due items a client is reminded of: those with a date that is theirs to keep.
CLIENT_KINDS = frozenset({RuleKind.RESUPPLY, RuleKind.DEVICE_CHECK, RuleKind.DEVICE_END})
# Villages whose due items are computed together when queueing the clients' messages.
VILLAGE_CHUNK = 40


class RemindersOffError(Exception):
    def __init__(self) -> None:
        super().__init__(
            _(
                "Reminders are turned off on this server: set LINI_REMINDERS=1 to queue and send them."
            )
        )


def reminders_enabled() -> bool:
    return bool(settings.LINI_REMINDERS)


def _require_on() -> None:
    if not reminders_enabled():
        raise RemindersOffError


# Consent ------------------------------------------------------------------------------------


def _cancel_pending_for_couple(couple_id: int, reason: str) -> int:
    return Reminder.objects.filter(
        kind=RecipientKind.CLIENT, couple_id=couple_id, status=Status.PENDING
    ).update(status=Status.CANCELLED, last_error=reason[:500], updated_at=timezone.now())


def consent_record(
    *,
    actor: User | None,
    couple: Couple,
    phone: str,
    channel: str,
    given_on: dt.date | None = None,
    note: str = "",
) -> ReminderConsent:
    """Record the couple's consent to receive reminders on ``phone`` through ``channel``, from
    ``given_on`` (today by default). A current consent is replaced: it is withdrawn on the new
    one's day. Needs CHANGE on the family's village."""
    today = clock.today()
    given_on = given_on if given_on is not None else today
    couple = Couple.objects.select_related("family__village").get(pk=couple.pk)
    village = couple.family.village
    if actor is not None:
        scope.require(actor, Action.CHANGE, village)
    errors: dict[str, list[str]] = {}
    number = ""
    try:
        number = phone_normalise(phone)
    except ValueError as exc:
        errors["phone"] = [str(exc)]
    if channel not in Channel.values:
        errors["channel"] = [_("Choose SMS or WhatsApp.")]
    if given_on > today:
        errors["given_on"] = [_("The day of the consent is in the future.")]
    if couple.ended_on is not None:
        errors["couple"] = [_("This couple has ended in the register: no reminder can go to it.")]
    with transaction.atomic():
        current = (
            ReminderConsent.objects.select_for_update()
            .filter(couple=couple, withdrawn_on__isnull=True)
            .first()
        )
        if current is not None and given_on < current.given_on:
            errors.setdefault("given_on", []).append(
                _("The current consent was given on %(day)s: a new one cannot start before it.")
                % {"day": f"{current.given_on:%d/%m/%Y}"}
            )
        if errors:
            raise ValidationError(errors)
        if current is not None:
            before = snapshot(current)
            current.withdrawn_on = given_on
            current.withdrawn_by = actor
            current.save(update_fields=["withdrawn_on", "withdrawn_by", "updated_at"])
            audit_change(actor=actor, obj=current, before=before, region_code=village.code)
        consent = ReminderConsent.objects.create(
            couple=couple, phone=number, channel=channel, given_on=given_on,
            note=note.strip()[:200], recorded_by=actor,
        )  # fmt: skip
        audit_change(actor=actor, obj=consent, before=None, region_code=village.code)
    return consent


def consent_withdraw(
    *, actor: User | None, consent: ReminderConsent, withdrawn_on: dt.date | None = None
) -> ReminderConsent:
    """Withdraw the consent from ``withdrawn_on`` (today by default; the consent is no longer
    current on that day) and cancel the couple's messages not sent yet. Needs CHANGE on the
    family's village."""
    today = clock.today()
    withdrawn_on = withdrawn_on if withdrawn_on is not None else today
    consent = ReminderConsent.objects.select_related("couple__family__village").get(pk=consent.pk)
    village = consent.couple.family.village
    if actor is not None:
        scope.require(actor, Action.CHANGE, village)
    if consent.withdrawn_on is not None:
        raise ValidationError(_("This consent was withdrawn already."))
    if withdrawn_on > today:
        raise ValidationError({"withdrawn_on": _("The day of the withdrawal is in the future.")})
    if withdrawn_on < consent.given_on:
        raise ValidationError(
            {"withdrawn_on": _("A consent cannot be withdrawn before the day it was given.")}
        )
    with transaction.atomic():
        locked = ReminderConsent.objects.select_for_update().get(pk=consent.pk)
        if locked.withdrawn_on is not None:
            raise ValidationError(_("This consent was withdrawn already."))
        before = snapshot(consent)
        consent.withdrawn_on = withdrawn_on
        consent.withdrawn_by = actor
        consent.save(update_fields=["withdrawn_on", "withdrawn_by", "updated_at"])
        audit_change(actor=actor, obj=consent, before=before, region_code=village.code)
        _cancel_pending_for_couple(
            consent.couple_id, _("The consent was withdrawn: the message was not sent.")
        )
    return consent


# Queueing -----------------------------------------------------------------------------------


@dataclass
class QueueResult:
    week: Week
    dry_run: bool = False
    workers: int = 0  # messages queued to field workers
    clients: int = 0  # messages queued to clients
    already: int = 0  # recipients who have their message of the week already
    nothing_due: int = 0  # workers whose list is empty this week
    no_phone: int = 0  # workers without a mobile number Lini can use
    too_wide: list[str] = field(default_factory=list)  # workers whose scope is too wide
    consents: int = 0  # consents current today
    no_date: int = 0  # clients with a consent but no revisit due this week


def _worker_text(week: Week, families: int, overdue: int) -> str:
    return ngettext(
        "Lini: your visit list for week %(week)s: %(count)s family (%(overdue)s overdue).",
        "Lini: your visit list for week %(week)s: %(count)s families (%(overdue)s overdue).",
        families,
    ) % {"week": str(week), "count": families, "overdue": overdue}


def _client_text(item: DueItem, today: dt.date) -> str:
    values = {"date": f"{item.due_on:%d/%m/%Y}"}
    if item.due_on < today:
        return (
            _(
                "Reminder from your KB cadre: your KB visit was due on %(date)s. Please see your "
                "cadre or your clinic."
            )
            % values
        )
    kind, method = item.rule.kind, item.method
    if kind == RuleKind.RESUPPLY and method == Method.INJECTABLE:
        text = _("Reminder from your KB cadre: your next injection is due on %(date)s.")
    elif kind == RuleKind.RESUPPLY and method == Method.PILL:
        text = _("Reminder from your KB cadre: your next pack of pills is due on %(date)s.")
    elif kind == RuleKind.RESUPPLY and method == Method.CONDOM:
        text = _("Reminder from your KB cadre: your next supply of condoms is due on %(date)s.")
    elif kind == RuleKind.DEVICE_CHECK:
        text = _("Reminder from your KB cadre: your KB check-up is due on %(date)s.")
    elif kind == RuleKind.DEVICE_END and method == Method.IMPLANT:
        text = _("Reminder from your KB cadre: your implant is due for removal or replacement on %(date)s.")  # fmt: skip
    elif kind == RuleKind.DEVICE_END and method == Method.IUD:
        text = _("Reminder from your KB cadre: your IUD is due for removal or replacement on %(date)s.")  # fmt: skip
    else:
        text = _("Reminder from your KB cadre: your next KB visit is due on %(date)s.")
    return text % values


def _worker_accounts() -> dict[int, tuple[User, str]]:
    """Active accounts linked to an active counsellor or cadre record, with the record's phone
    (a counsellor's first when an account has both)."""
    found: dict[int, tuple[User, str]] = {}
    for model in (Counsellor, Cadre):
        rows = (
            model.objects.filter(active=True, user__isnull=False, user__is_active=True)
            .select_related("user")
            .order_by("pk")
        )
        for record in rows:
            user = record.user
            known = found.get(user.pk)
            if known is None or (not phone_or_none(known[1]) and phone_or_none(record.phone)):
                found[user.pk] = (user, record.phone)
    return found


def _plan_workers(week: Week, today: dt.date, result: QueueResult) -> list[Reminder]:
    existing = set(
        Reminder.objects.filter(kind=RecipientKind.WORKER, week=str(week)).values_list(
            "user_id", flat=True
        )
    )
    planned: list[Reminder] = []
    for user, raw_phone in sorted(_worker_accounts().values(), key=lambda v: v[0].username):
        if user.pk in existing:
            result.already += 1
            continue
        phone = phone_or_none(raw_phone)
        if phone is None:
            result.no_phone += 1
            continue
        try:
            listed = due_list(user=user, week=week, today=today)
        except TooWideError:
            result.too_wide.append(user.username)
            continue
        families = [f for group in listed.groups for f in group.families]
        if not families:
            result.nothing_due += 1
            continue
        overdue = sum(1 for f in families if f.overdue)
        planned.append(
            Reminder(
                kind=RecipientKind.WORKER, user=user, region=worker_region(user), week=str(week),
                phone=phone, channel=settings.LINI_REMINDER_WORKER_CHANNEL,
                body=_worker_text(week, len(families), overdue)[:500],
                scheduled_for=max(today, week.start), expires_on=week.end,
            )
        )  # fmt: skip
    return planned


def _plan_clients(week: Week, today: dt.date, result: QueueResult) -> list[Reminder]:
    consents = {c.couple_id: c for c in consents_current_on(today).select_related("couple__family")}
    result.consents = len(consents)
    existing = set(
        Reminder.objects.filter(
            kind=RecipientKind.CLIENT, week=str(week), couple_id__in=list(consents)
        ).values_list("couple_id", flat=True)
    )
    result.already += len(existing)
    waiting = {couple_id: c for couple_id, c in consents.items() if couple_id not in existing}
    by_village: dict[int, set[int]] = defaultdict(set)
    for consent in waiting.values():
        by_village[consent.couple.family.village_id].add(consent.couple.family_id)
    villages = sorted(by_village)
    items: dict[int, list[DueItem]] = defaultdict(list)
    for start in range(0, len(villages), VILLAGE_CHUNK):
        chunk = villages[start : start + VILLAGE_CHUNK]
        family_ids = {f for v in chunk for f in by_village[v]}
        for item in due_items(village_ids=chunk, week=week, family_ids=family_ids, today=today):
            if item.couple_id in waiting and item.rule.kind in CLIENT_KINDS:
                items[item.couple_id].append(item)
    planned: list[Reminder] = []
    days_before = dt.timedelta(days=settings.LINI_REMINDER_DAYS_BEFORE)
    for couple_id, consent in sorted(waiting.items()):
        if not items[couple_id]:
            result.no_date += 1
            continue
        item = min(items[couple_id], key=lambda i: (i.due_on, i.rule.position))
        planned.append(
            Reminder(
                kind=RecipientKind.CLIENT, couple_id=couple_id, consent=consent,
                region_id=consent.couple.family.village_id, week=str(week), due_on=item.due_on,
                phone=consent.phone, channel=consent.channel,
                body=_client_text(item, today)[:500],
                scheduled_for=max(today, item.due_on - days_before), expires_on=week.end,
            )
        )  # fmt: skip
    return planned


def reminders_queue(
    *, week: Week, today: dt.date | None = None, dry_run: bool = False
) -> QueueResult:
    """Queue the messages of ``week``: to every field worker (an active account linked to a
    counsellor or cadre record with a mobile number) whose list has families, and to every
    client with a consent current today and a revisit due in the week. Idempotent."""
    _require_on()
    today = today if today is not None else clock.today()
    if week.end < today:
        raise ValueError(
            _("Week %(week)s is over: choose this week or a later one.") % {"week": week}
        )
    result = QueueResult(week=week, dry_run=dry_run)
    with translation.override(settings.LINI_REMINDER_LANGUAGE):
        planned = _plan_workers(week, today, result) + _plan_clients(week, today, result)
    if dry_run:
        for reminder in planned:
            if reminder.kind == RecipientKind.WORKER:
                result.workers += 1
            else:
                result.clients += 1
        return result
    with transaction.atomic():
        for reminder in planned:
            try:
                with transaction.atomic():
                    reminder.save()
            except IntegrityError:  # queued meanwhile by another run
                result.already += 1
                continue
            if reminder.kind == RecipientKind.WORKER:
                result.workers += 1
            else:
                result.clients += 1
        if result.workers or result.clients:
            audit_record(
                actor=None, action=AuditAction.CREATE, model=Reminder._meta.label_lower,
                description=f"reminders queued for {week}",
                after={"week": str(week), "workers": result.workers, "clients": result.clients},
            )  # fmt: skip
    return result


# Sending ------------------------------------------------------------------------------------


@dataclass
class SendResult:
    dry_run: bool = False
    sent: int = 0
    retrying: int = 0  # failed this time, tried again at the next run
    failed: int = 0  # failed for the last allowed time
    cancelled: int = 0  # client messages without a current consent
    expired: int = 0  # not sent before the end of their week
    ready: int = 0  # (dry run) messages that would be tried
    errors: list[str] = field(default_factory=list)  # "<message id>: <error>"


def _cancel(reminder: Reminder, reason: str) -> bool:
    return bool(
        Reminder.objects.filter(pk=reminder.pk, status=Status.PENDING).update(
            status=Status.CANCELLED, last_error=reason[:500], updated_at=timezone.now()
        )
    )


def _send_one(reminder: Reminder, *, gateway: Gateway, today: dt.date, max_attempts: int) -> str:
    """Try one message; returns its outcome: a Status, "retry" or "skipped" (taken by another
    run)."""
    if reminder.kind == RecipientKind.CLIENT:
        consent = consent_current(couple_id=reminder.couple_id, day=today)  # type: ignore[arg-type]
        if consent is None:
            done = _cancel(reminder, _("No consent is current today: the message was not sent."))
            return Status.CANCELLED if done else "skipped"
        if (consent.pk, consent.phone, consent.channel) != (
            reminder.consent_id, reminder.phone, reminder.channel,
        ):  # fmt: skip
            # The consent was replaced (a new number or channel): send where it now says.
            reminder.consent, reminder.phone, reminder.channel = (
                consent, consent.phone, consent.channel,
            )  # fmt: skip
            reminder.save(update_fields=["consent", "phone", "channel", "updated_at"])
    claimed = Reminder.objects.filter(
        pk=reminder.pk, status=Status.PENDING, attempts=reminder.attempts
    ).update(attempts=F("attempts") + 1, updated_at=timezone.now())
    if not claimed:
        return "skipped"
    reminder.attempts += 1
    message = OutgoingMessage(
        id=str(reminder.uuid), to=reminder.phone, channel=reminder.channel, text=reminder.body
    )
    try:
        gateway_id = gateway.send(message)
    except Exception as exc:  # a gateway's failure, or a bug in it: never stop the others
        error = str(exc) if isinstance(exc, GatewayError) else f"{type(exc).__name__}: {exc}"
        reminder.status = Status.FAILED if reminder.attempts >= max_attempts else Status.PENDING
        reminder.last_error = error[:500] or type(exc).__name__
        reminder.save(update_fields=["status", "last_error", "updated_at"])
        logger.warning(
            "reminder %s: attempt %s of %s failed: %s",
            reminder.uuid, reminder.attempts, max_attempts, reminder.last_error,
        )  # fmt: skip
        return Status.FAILED if reminder.status == Status.FAILED else "retry"
    reminder.status = Status.SENT
    reminder.sent_at = timezone.now()
    reminder.gateway_id = str(gateway_id or "")[:100]
    reminder.last_error = ""
    reminder.save(update_fields=["status", "sent_at", "gateway_id", "last_error", "updated_at"])
    return Status.SENT


def reminders_send(
    *,
    today: dt.date | None = None,
    limit: int | None = None,
    dry_run: bool = False,
    gateway: Gateway | None = None,
) -> SendResult:
    """Send the pending messages whose day has come (at most ``limit``), oldest first, through
    ``gateway`` (by default the one of ``LINI_REMINDER_GATEWAY``); messages of a week that is
    over are cancelled. ``dry_run``: count only, change nothing, call no gateway."""
    _require_on()
    today = today if today is not None else clock.today()
    result = SendResult(dry_run=dry_run)
    pending = Reminder.objects.filter(status=Status.PENDING)
    expired = pending.filter(expires_on__lt=today)
    ready = pending.filter(scheduled_for__lte=today, expires_on__gte=today).order_by(
        "scheduled_for", "pk"
    )
    if dry_run:
        result.expired = expired.count()
        result.ready = ready.count() if limit is None else min(ready.count(), limit)
        return result
    result.expired = expired.update(
        status=Status.CANCELLED,
        last_error=_("Not sent before the end of its week."),
        updated_at=timezone.now(),
    )
    if gateway is None:
        gateway = gateway_load()
    max_attempts = settings.LINI_REMINDER_MAX_ATTEMPTS
    sent_to_clients: list[int] = []
    for reminder in list(ready[:limit] if limit is not None else ready):
        outcome = _send_one(reminder, gateway=gateway, today=today, max_attempts=max_attempts)
        if outcome == Status.SENT:
            result.sent += 1
            if reminder.kind == RecipientKind.CLIENT:
                sent_to_clients.append(reminder.pk)
        elif outcome == Status.CANCELLED:
            result.cancelled += 1
        elif outcome in (Status.FAILED, "retry"):
            if outcome == Status.FAILED:
                result.failed += 1
            else:
                result.retrying += 1
            result.errors.append(f"{reminder.uuid}: {reminder.last_error}")
    if result.sent or result.failed or result.retrying:
        # Phone numbers and texts left Lini: one entry per run, like an export.
        audit_record(
            actor=None, action=AuditAction.EXPORT, model=Reminder._meta.label_lower,
            description=f"reminders sent through {gateway!r}",
            after={
                "sent": result.sent, "failed": result.failed, "retrying": result.retrying,
                "cancelled": result.cancelled, "client_messages_sent": sent_to_clients,
            },
        )  # fmt: skip
    return result
