"""Filled forms received from ODK Collect (or another OpenRosa client), kept whatever became of
them: applied to Lini's data, waiting for a review, or rejected by a reviewer."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lini.core.models import TimeStampedModel


class SubmissionStatus(models.TextChoices):
    APPLIED = "applied", _("applied")
    NEEDS_REVIEW = "needs_review", _("needs review")
    REJECTED = "rejected", _("rejected")


class Submission(TimeStampedModel):
    """One filled form (an ODK instance), identified by its ``meta/instanceID``. The XML as
    received is kept in a file under ``LINI_HOME/odk/`` with a name Lini chose; ``values`` are
    what was read from it, ``corrected`` what a reviewer changed them to."""

    instance_id = models.CharField(_("instance ID"), max_length=100, unique=True)
    form_id = models.CharField(_("form"), max_length=40)
    form_version = models.CharField(_("form version"), max_length=40, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    xml_file = models.CharField(_("file"), max_length=200)
    xml_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    village = models.ForeignKey(
        "regions.Region", verbose_name=_("village"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=12, choices=SubmissionStatus.choices,
        default=SubmissionStatus.NEEDS_REVIEW,
    )  # fmt: skip
    values = models.JSONField(_("values sent"), default=dict)
    corrected = models.JSONField(_("values corrected"), null=True, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)  # [{"field", "message"}]
    result = models.CharField(_("result"), max_length=200, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reject_reason = models.TextField(_("reason for rejecting"), blank=True)

    class Meta:
        verbose_name = _("ODK submission")
        verbose_name_plural = _("ODK submissions")
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["status", "village"], name="odk_submission_status_village")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=SubmissionStatus.values),
                name="odk_submission_status_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=SubmissionStatus.REJECTED) | ~models.Q(reject_reason=""),
                name="odk_submission_rejected_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.form_id} {self.instance_id}"

    def get_absolute_url(self) -> str:
        return reverse("odk:review_detail", kwargs={"pk": self.pk})

    @property
    def current_values(self) -> dict[str, object]:
        """The values as corrected by a reviewer, or as sent."""
        return self.corrected if self.corrected is not None else self.values
