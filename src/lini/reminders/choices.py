"""Code lists of the reminders: channels, who a message is for, and where it stands."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")


class RecipientKind(models.TextChoices):
    WORKER = "worker", _("field worker (weekly list)")
    CLIENT = "client", _("client (revisit date)")


class Status(models.TextChoices):
    PENDING = "pending", _("pending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("cancelled")
