"""The family register (Pendataan Keluarga, kept in each village's Rumah DataKu): families, their
members, married couples and every change of a couple's contraceptive status."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lini.core.models import TimeStampedModel
from lini.register.choices import (
    Education,
    EventSource,
    KBStatus,
    MaritalStatus,
    Method,
    NotUsingReason,
    Occupation,
    Presence,
    Relation,
    Sex,
)
from lini.register.identity import mask


class Family(TimeStampedModel):
    """A family (keluarga) as on its family card (Kartu Keluarga), in one village."""

    kk_number = models.CharField(_("family card number (No. KK)"), max_length=16, unique=True)
    village = models.ForeignKey(
        "regions.Region",
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="families",
    )
    dusun = models.CharField(_("dusun"), max_length=60, blank=True)
    rw = models.CharField(_("RW"), max_length=3, blank=True)
    rt = models.CharField(_("RT"), max_length=3, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    collected_on = models.DateField(_("date of data collection"), null=True, blank=True)
    collector_name = models.CharField(_("collected by (cadre)"), max_length=100, blank=True)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("collected by (account)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("family")
        verbose_name_plural = _("families")
        ordering = ["village", "dusun", "rw", "rt", "kk_number"]
        indexes = [models.Index(fields=["village", "rw", "rt"], name="family_village_rw_rt")]
        constraints = [
            models.CheckConstraint(
                condition=Exact(Length("kk_number"), 16), name="family_kk_has_16_characters"
            ),
        ]

    def __str__(self) -> str:
        return mask(self.kk_number)

    def get_absolute_url(self) -> str:
        return reverse("register:family_detail", kwargs={"pk": self.pk})


class Member(TimeStampedModel):
    """A person on a family card (Blok I Kependudukan)."""

    family = models.ForeignKey(
        Family, verbose_name=_("family"), on_delete=models.CASCADE, related_name="members"
    )
    position = models.PositiveSmallIntegerField(_("order on the card"), default=1)
    nik = models.CharField(_("NIK"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=100)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    relation = models.CharField(_("relation to the head"), max_length=10, choices=Relation.choices)
    marital_status = models.CharField(
        _("marital status"), max_length=12, choices=MaritalStatus.choices
    )
    education = models.CharField(
        _("education"), max_length=2, choices=Education.choices, blank=True
    )
    occupation = models.CharField(
        _("occupation"), max_length=2, choices=Occupation.choices, blank=True
    )
    presence = models.CharField(
        _("presence"), max_length=10, choices=Presence.choices, default=Presence.PRESENT
    )
    presence_date = models.DateField(_("moved or died on"), null=True, blank=True)

    class Meta:
        verbose_name = _("family member")
        verbose_name_plural = _("family members")
        ordering = ["family", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Exact(Length("nik"), 16), name="member_nik_has_16_characters"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({mask(self.nik)})"

    def age_on(self, day: dt.date) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


class Couple(TimeStampedModel):
    """A married couple of the family, identified by the wife. It is a PUS (pasangan usia subur)
    while the wife's age lies within the configured limits (15-49 by default).

    The current contraceptive status is kept here for fast reading and always equals the latest of
    the couple's :class:`ContraceptiveEvent` rows (written in the same transaction)."""

    family = models.ForeignKey(
        Family, verbose_name=_("family"), on_delete=models.CASCADE, related_name="couples"
    )
    wife = models.OneToOneField(
        Member, verbose_name=_("wife"), on_delete=models.PROTECT, related_name="couple_as_wife"
    )
    husband = models.ForeignKey(
        Member,
        verbose_name=_("husband"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="couples_as_husband",
    )
    status = models.CharField(_("KB status"), max_length=12, choices=KBStatus.choices, blank=True)
    method = models.CharField(_("method"), max_length=12, choices=Method.choices, blank=True)
    reason = models.CharField(
        _("reason for not using"), max_length=8, choices=NotUsingReason.choices, blank=True
    )
    status_since = models.DateField(_("since"), null=True, blank=True)
    place = models.CharField(_("place of service"), max_length=120, blank=True)
    ended_on = models.DateField(
        _("no longer a couple of this family since"),
        null=True,
        blank=True,
        help_text=_("The wife died, moved away, divorced or is no longer the wife on the card."),
    )

    class Meta:
        verbose_name = _("couple")
        verbose_name_plural = _("couples")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(status="")
                    | models.Q(status=KBStatus.USING, reason="") & ~models.Q(method="")
                    | models.Q(status=KBStatus.NOT_USING, method="")
                ),
                name="couple_status_consistent",
            ),
        ]

    def __str__(self) -> str:
        return str(self.wife)


class ContraceptiveEvent(models.Model):
    """One change of a couple's contraceptive status, kept for ever: from these Lini tells, for
    any month, the status at month end, the new acceptors, the dropouts and the switches."""

    couple = models.ForeignKey(
        Couple, verbose_name=_("couple"), on_delete=models.PROTECT, related_name="events"
    )
    effective_on = models.DateField(_("effective on"))
    status = models.CharField(_("KB status"), max_length=12, choices=KBStatus.choices)
    method = models.CharField(_("method"), max_length=12, choices=Method.choices, blank=True)
    reason = models.CharField(
        _("reason for not using"), max_length=8, choices=NotUsingReason.choices, blank=True
    )
    place = models.CharField(_("place of service"), max_length=120, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=EventSource.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("contraceptive status change")
        verbose_name_plural = _("contraceptive status changes")
        ordering = ["couple", "effective_on", "pk"]
        indexes = [
            models.Index(fields=["couple", "effective_on"], name="event_couple_date"),
            models.Index(fields=["effective_on"], name="event_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(status=KBStatus.USING, reason="") & ~models.Q(method="")
                    | models.Q(status=KBStatus.NOT_USING, method="")
                ),
                name="event_status_consistent",
            ),
        ]

    def __str__(self) -> str:
        what = self.method if self.status == KBStatus.USING else self.reason or self.status
        return f"{self.effective_on:%Y-%m-%d} {what}"
