"""Reminders: a couple's consent to receive them, and the outbox of messages to field workers (their
weekly due list, as counts) and to clients (a revisit date), sent through a gateway
(:mod:`lini.reminders.gateways`) by :func:`lini.reminders.services.reminders_send`."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from lini.core.models import TimeStampedModel
from lini.reminders.choices import Channel, RecipientKind, Status


class ReminderConsent(TimeStampedModel):
    """A couple's recorded consent to receive reminders on a phone number through a channel.
    Current from ``given_on`` until the day before ``withdrawn_on``; a couple has at most one
    consent that is not withdrawn. Rows are kept for ever (they are the evidence of what was
    consented to when a message was sent)."""

    couple = models.ForeignKey(
        "register.Couple", verbose_name=_("couple"), on_delete=models.CASCADE,
        related_name="reminder_consents",
    )  # fmt: skip
    phone = models.CharField(_("mobile number"), max_length=16)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.SMS
    )
    given_on = models.DateField(_("given on"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("withdrawal recorded by"),
        on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("reminder consent")
        verbose_name_plural = _("reminder consents")
        ordering = ["-given_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["couple"],
                condition=Q(withdrawn_on__isnull=True),
                name="reminderconsent_one_current_per_couple",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=F("given_on")),
                name="reminderconsent_withdrawn_after_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.given_on:%Y-%m-%d}"

    def is_current_on(self, day: dt.date) -> bool:
        return self.given_on <= day and (self.withdrawn_on is None or self.withdrawn_on > day)


class Reminder(TimeStampedModel):
    """One message of the outbox: to a field worker (``user``) about their week's list, or to a
    client (``couple``, under ``consent``) about a revisit date. Queued once per recipient, week
    and kind; sent from ``scheduled_for`` until the week is over (``expires_on``)."""

    uuid = models.UUIDField(_("message id"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("recipient kind"), max_length=10, choices=RecipientKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("field worker"), on_delete=models.CASCADE,
        null=True, blank=True, related_name="reminders",
    )  # fmt: skip
    couple = models.ForeignKey(
        "register.Couple", verbose_name=_("couple"), on_delete=models.CASCADE, null=True,
        blank=True, related_name="reminders",
    )  # fmt: skip
    consent = models.ForeignKey(
        ReminderConsent, verbose_name=_("consent"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="reminders",
    )  # fmt: skip
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="+",
        help_text=_("The client's village, or the region the worker's list covers."),
    )  # fmt: skip
    week = models.CharField(_("week"), max_length=8)
    due_on = models.DateField(_("revisit date"), null=True, blank=True)
    phone = models.CharField(_("mobile number"), max_length=16)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    body = models.CharField(_("text"), max_length=500)
    scheduled_for = models.DateField(_("send from"))
    expires_on = models.DateField(_("send until"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    gateway_id = models.CharField(_("gateway's message id"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-scheduled_for", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "week"],
                condition=Q(kind=RecipientKind.WORKER),
                name="reminder_one_per_worker_week",
            ),
            models.UniqueConstraint(
                fields=["couple", "week"],
                condition=Q(kind=RecipientKind.CLIENT),
                name="reminder_one_per_client_week",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind=RecipientKind.WORKER, user__isnull=False, couple__isnull=True)
                    | Q(kind=RecipientKind.CLIENT, couple__isnull=False, user__isnull=True)
                ),
                name="reminder_recipient_matches_kind",
            ),
        ]
        indexes = [models.Index(fields=["status", "scheduled_for"], name="reminder_to_send")]

    def __str__(self) -> str:
        return f"{self.week} {self.get_kind_display()} {self.get_status_display()}"
