"""The audit trail: who did what to which data, when and from where, with the data before and
after. Entries are only ever added; each carries a hash chained to the previous entry's, so that
``lini audit verify`` finds an entry changed or removed behind the application's back."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("created")
    CHANGE = "change", _("changed")
    DELETE = "delete", _("deleted")
    IMPORT = "import", _("imported")
    EXPORT = "export", _("exported")
    APPROVE = "approve", _("approved")
    SEND_BACK = "send_back", _("sent back")
    REOPEN = "reopen", _("reopened")
    VIEW_IDENTITY = "view_identity", _("viewed identity")
    LOGIN = "login", _("logged in")
    LOGIN_FAILED = "login_failed", _("failed login")


class AuditEntry(models.Model):
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(_("user name"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=AuditAction.choices)
    model = models.CharField(_("kind of data"), max_length=60, blank=True)
    object_id = models.CharField(_("record"), max_length=40, blank=True)
    object_repr = models.CharField(_("description"), max_length=200, blank=True)
    region_code = models.CharField(_("region"), max_length=40, blank=True, db_index=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-pk"]
        indexes = [models.Index(fields=["model", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.model}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("audit entries cannot be changed")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("audit entries cannot be deleted")


class AuditHead(models.Model):
    """One row: the hash of the newest entry. Locking it orders concurrent writers, so that the
    chain has no forks."""

    last_hash = models.CharField(max_length=64, default="0" * 64)
    entries = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.entries} entries, last {self.last_hash[:12]}"
