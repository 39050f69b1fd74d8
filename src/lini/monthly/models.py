"""The monthly field-control inputs (Dallap, F/I/Dal, DOMAIN.md §4.11) that the register cannot
give: village institutions that exist against those that reported, and the month's operational
activity. Entered per village per month by the counsellor; the regency approves and locks it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lini.core.models import TimeStampedModel

# The village institutions of section I (F/I/Dal): "exist" and "reported" for each.
INSTITUTIONS: tuple[tuple[str, str], ...] = (
    ("ppkbd", "PPKBD"),
    ("sub_ppkbd", "Sub-PPKBD"),
    ("kelompok_kb", "Kelompok KB"),
    ("bkb", "BKB"),
    ("bkr", "BKR"),
    ("bkl", "BKL"),
    ("uppka", "UPPKA"),
)


class MonthlyStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted for approval")
    APPROVED = "approved", _("approved (locked)")
    SENT_BACK = "sent_back", _("sent back for correction")


def _count(label: str) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(label, default=0)


class MonthlyInput(TimeStampedModel):
    village = models.ForeignKey(
        "regions.Region", verbose_name=_("village"), on_delete=models.PROTECT,
        related_name="monthly_inputs",
    )  # fmt: skip
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    # I. Institutions: exist / reported
    ppkbd_exist = _count(_("PPKBD: exist"))
    ppkbd_reported = _count(_("PPKBD: reported"))
    sub_ppkbd_exist = _count(_("Sub-PPKBD: exist"))
    sub_ppkbd_reported = _count(_("Sub-PPKBD: reported"))
    kelompok_kb_exist = _count(_("Kelompok KB: exist"))
    kelompok_kb_reported = _count(_("Kelompok KB: reported"))
    bkb_exist = _count(_("BKB: exist"))
    bkb_reported = _count(_("BKB: reported"))
    bkr_exist = _count(_("BKR: exist"))
    bkr_reported = _count(_("BKR: reported"))
    bkl_exist = _count(_("BKL: exist"))
    bkl_reported = _count(_("BKL: reported"))
    uppka_exist = _count(_("UPPKA: exist"))
    uppka_reported = _count(_("UPPKA: reported"))
    # II. Operational activity
    coordination_meetings = _count(_("village KB coordination meetings"))
    counselling_sessions = _count(_("counselling sessions by the PKB/PLKB"))
    kie_sessions = _count(_("KIE sessions with the KIE kit"))
    kie_leaders_active = _count(_("community and religious leaders active in KIE"))
    notes = models.TextField(_("notes"), blank=True)
    # Approval
    status = models.CharField(
        _("status"), max_length=10, choices=MonthlyStatus.choices, default=MonthlyStatus.DRAFT
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved or sent back by"),
        on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("approver's comment"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("monthly field-control input")
        verbose_name_plural = _("monthly field-control inputs")
        ordering = ["-month", "village__code"]
        constraints = [
            models.UniqueConstraint(fields=["village", "month"], name="monthly_once_per_village"),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{key}_reported__lte": F(f"{key}_exist")}),
                    name=f"monthly_{key}_reported_le_exist",
                )
                for key, _label in INSTITUTIONS
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village} {self.month:%Y-%m}"

    def get_absolute_url(self) -> str:
        return reverse("monthly:input_detail", kwargs={"pk": self.pk})

    @property
    def locked(self) -> bool:
        return self.status == MonthlyStatus.APPROVED
