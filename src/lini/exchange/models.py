"""Long imports and exports are rows: the page polls the row, a worker runs it."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lini.core.models import TimeStampedModel


class JobStatus(models.TextChoices):
    PENDING = "pending", _("waiting")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class Direction(models.TextChoices):
    IMPORT = "import", _("import")
    EXPORT = "export", _("export")


class ExportPurpose(models.TextChoices):
    """Common reasons to export personal data (the stated purpose says more)."""

    VERIFICATION = "verification", _("verification of the register")
    FOLLOW_UP = "follow_up", _("follow-up of couples (dropouts, unmet need, services)")
    CAMPAIGN = "campaign", _("planning a campaign (baksos)")
    AUDIT = "audit", _("a request of an auditor or of the data protection officer")
    OTHER = "other", _("other")


class DataJob(TimeStampedModel):
    """One import or export of a kind of data, run in the background for one user."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    direction = models.CharField(_("direction"), max_length=6, choices=Direction.choices)
    kind = models.CharField(_("kind of data"), max_length=40)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=JobStatus.choices, default=JobStatus.PENDING
    )
    dry_run = models.BooleanField(_("check only"), default=False)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, null=True, blank=True
    )
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    input_path = models.CharField(max_length=300, blank=True, editable=False)
    output_path = models.CharField(max_length=300, blank=True, editable=False)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    rows_total = models.PositiveIntegerField(_("rows in all (estimate)"), default=0)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    # Why personal data is exported (required for kinds that hold it; see exchange.services).
    purpose_kind = models.CharField(
        _("kind of purpose"), max_length=20, choices=ExportPurpose.choices, blank=True
    )
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    # Written every few seconds by the worker running the job: a running job whose beat stopped
    # belongs to a worker that died (killed, machine restarted) and is marked failed.
    beat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import or export")
        verbose_name_plural = _("imports and exports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(direction="export") | models.Q(region__isnull=False),
                name="datajob_export_has_region",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.kind} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("exchange:job_detail", kwargs={"token": self.token})

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, round(100 * self.rows_done / self.rows_total))

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)
