"""Poktan (kelompok kegiatan): the BKB, BKR, BKL, UPPKA and PIK-R groups of a village, their
member families, meetings and the events of their life (formed, guidance visits)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lini.core.models import TimeStampedModel


class PoktanKind(models.TextChoices):
    BKB = "bkb", _("BKB (families with under-fives)")
    BKR = "bkr", _("BKR (families with adolescents)")
    BKL = "bkl", _("BKL (families with elderly)")
    UPPKA = "uppka", _("UPPKA (income-generating group of acceptors)")
    PIKR = "pikr", _("PIK-R (youth information and counselling)")


class Poktan(TimeStampedModel):
    kind = models.CharField(_("kind"), max_length=5, choices=PoktanKind.choices)
    name = models.CharField(_("name"), max_length=120)
    village = models.ForeignKey(
        "regions.Region", verbose_name=_("village"), on_delete=models.PROTECT,
        related_name="poktan",
    )  # fmt: skip
    area = models.ForeignKey(
        "regions.Region", verbose_name=_("dusun/RW"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="area_poktan",
    )  # fmt: skip
    kampung = models.ForeignKey(
        "kampung.KampungKB", verbose_name=_("Kampung KB"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="poktan",
    )  # fmt: skip
    formed_on = models.DateField(_("formed on"), null=True, blank=True)
    decree = models.CharField(_("decree (SK) number"), max_length=80, blank=True)
    chair = models.CharField(_("chair"), max_length=100, blank=True)
    secretary = models.CharField(_("secretary"), max_length=100, blank=True)
    treasurer = models.CharField(_("treasurer"), max_length=100, blank=True)
    cadres = models.ManyToManyField(
        "workforce.Cadre", verbose_name=_("cadres"), related_name="poktan", blank=True
    )
    capital_source = models.CharField(_("capital source (UPPKA)"), max_length=120, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("poktan")
        verbose_name_plural = _("poktan")
        ordering = ["village", "kind", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "kind", "name"], name="poktan_unique_name_per_village_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display().split(' ')[0]} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("poktan:poktan_detail", kwargs={"pk": self.pk})


class PoktanMember(models.Model):
    """A family that belongs to a group."""

    poktan = models.ForeignKey(
        Poktan, verbose_name=_("poktan"), on_delete=models.CASCADE, related_name="members"
    )
    family = models.ForeignKey(
        "register.Family", verbose_name=_("family"), on_delete=models.CASCADE,
        related_name="poktan_memberships",
    )  # fmt: skip
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("poktan member family")
        verbose_name_plural = _("poktan member families")
        constraints = [
            models.UniqueConstraint(fields=["poktan", "family"], name="poktan_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.poktan}: {self.family}"


class PoktanMeeting(TimeStampedModel):
    poktan = models.ForeignKey(
        Poktan, verbose_name=_("poktan"), on_delete=models.CASCADE, related_name="meetings"
    )
    held_on = models.DateField(_("held on"))
    topic = models.CharField(_("topic"), max_length=200)
    attendance = models.PositiveIntegerField(_("families present"), default=0)
    attendees = models.ManyToManyField(
        "register.Family", verbose_name=_("families present"), related_name="+", blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("poktan meeting")
        verbose_name_plural = _("poktan meetings")
        ordering = ["-held_on", "-pk"]
        indexes = [models.Index(fields=["poktan", "held_on"], name="meeting_poktan_date")]
        constraints = [
            models.UniqueConstraint(
                fields=["poktan", "held_on", "topic"], name="meeting_unique_per_day_topic"
            )
        ]

    def __str__(self) -> str:
        return f"{self.poktan} {self.held_on:%Y-%m-%d}: {self.topic}"


class PoktanEventKind(models.TextChoices):
    FORMED = "dibentuk", _("group formed")
    GUIDANCE = "pembinaan", _("guidance visit by a counsellor")


class PoktanEvent(models.Model):
    """A recorded event in a group's life: its formation, a counsellor's guidance visit."""

    poktan = models.ForeignKey(
        Poktan, verbose_name=_("poktan"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("event"), max_length=10, choices=PoktanEventKind.choices)
    happened_on = models.DateField(_("date"))
    counsellor = models.ForeignKey(
        "workforce.Counsellor", verbose_name=_("counsellor"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="poktan_events",
    )  # fmt: skip
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("poktan event")
        verbose_name_plural = _("poktan events")
        ordering = ["-happened_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.poktan} {self.happened_on:%Y-%m-%d} {self.get_kind_display()}"
