"""Baksos campaigns (bakti sosial): the plan (lokus villages, teams, targets), the daily log of
each lokus with its photos, and the KB services given in the campaign (linked here, recorded in
the register through the KB service mechanism)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lini.campaigns.choices import MemberKind, TeamRole
from lini.core.models import TimeStampedModel


class Campaign(TimeStampedModel):
    """A campaign planned by the office of ``region`` (a province or a regency): every lokus lies
    in that region, and its planners are the users who may plan there."""

    name = models.CharField(_("name"), max_length=150)
    theme = models.CharField(_("theme"), max_length=300, blank=True)
    organisers = models.CharField(
        _("organisers"), max_length=300, blank=True,
        help_text=_("e.g. BKKBN Banten, DPD IPeKB Banten"),
    )  # fmt: skip
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("planned by the office of"), on_delete=models.PROTECT,
        related_name="campaigns",
    )  # fmt: skip
    areas = models.ManyToManyField(
        "regions.Region", verbose_name=_("regions covered"), related_name="campaigns_covering",
        blank=True,
    )  # fmt: skip
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("campaigns:campaign_detail", kwargs={"pk": self.pk})

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


class Lokus(TimeStampedModel):
    """A village where the campaign works, with why it was chosen, its planned activities
    (Kampung KB checklist items to tidy up) and its targets (``{key: number}``, keys in
    :data:`lini.campaigns.choices.TARGET_KEYS`)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="lokus"
    )
    village = models.ForeignKey(
        "regions.Region", verbose_name=_("village"), on_delete=models.PROTECT,
        related_name="campaign_lokus",
    )  # fmt: skip
    score = models.DecimalField(
        _("gap score when chosen"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    users_needed = models.PositiveIntegerField(
        _("more couples using a modern method needed to reach the target"), null=True, blank=True
    )
    targets = models.JSONField(_("targets"), default=dict, blank=True)
    tidy_items = models.JSONField(_("Kampung KB checklist items to tidy up"), default=list,
                                  blank=True)  # fmt: skip
    # What the lokus had when it was planned: achievements count what is new since.
    baseline = models.JSONField(_("state when planned"), default=dict, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("lokus")
        verbose_name_plural = _("lokus")
        ordering = ["campaign", "village__code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "village"], name="lokus_once_per_campaign")
        ]

    def __str__(self) -> str:
        return f"{self.campaign}: {self.village.name}"

    def get_absolute_url(self) -> str:
        return reverse("campaigns:lokus_detail", kwargs={"pk": self.pk})


class TeamMember(TimeStampedModel):
    """A member of a lokus team: a counsellor or a cadre of the workforce registry, or a partner
    (the health office, TMKK ...). Members with an account (``user``) record in their lokus."""

    lokus = models.ForeignKey(
        Lokus, verbose_name=_("lokus"), on_delete=models.CASCADE, related_name="team"
    )
    kind = models.CharField(_("kind"), max_length=6, choices=MemberKind.choices)
    counsellor = models.ForeignKey(
        "workforce.Counsellor", verbose_name=_("counsellor"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="campaign_teams",
    )  # fmt: skip
    cadre = models.ForeignKey(
        "workforce.Cadre", verbose_name=_("cadre"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="campaign_teams",
    )  # fmt: skip
    # A partner's own account; counsellors and cadres record through the account linked to their
    # record (so that relinking or deactivating the record moves or ends the right at once).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="campaign_teams",
    )  # fmt: skip
    name = models.CharField(_("name"), max_length=100)
    organisation = models.CharField(_("organisation"), max_length=120, blank=True)
    role = models.CharField(_("role"), max_length=12, choices=TeamRole.choices)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["lokus", "role", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["lokus", "counsellor"], name="team_counsellor_once",
                condition=models.Q(counsellor__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["lokus", "cadre"], name="team_cadre_once",
                condition=models.Q(cadre__isnull=False),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"

    @property
    def account(self) -> Any:
        """The account that records for this member: the one linked to the counsellor or cadre
        record now (None when that record is inactive), or a partner's own."""
        if self.counsellor_id is not None:
            return self.counsellor.user if self.counsellor.active else None
        if self.cadre_id is not None:
            return self.cadre.user if self.cadre.active else None
        return self.user


class DayLog(TimeStampedModel):
    """What a lokus team did on one day of the campaign (one entry per lokus and day)."""

    lokus = models.ForeignKey(
        Lokus, verbose_name=_("lokus"), on_delete=models.CASCADE, related_name="days"
    )
    day = models.DateField(_("day"))
    families_visited = models.PositiveIntegerField(_("families visited"), default=0)
    counselling = models.PositiveIntegerField(_("counselling sessions"), default=0)
    attendance = models.PositiveIntegerField(_("people attending"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("day log")
        verbose_name_plural = _("day logs")
        ordering = ["lokus", "day"]
        constraints = [
            models.UniqueConstraint(fields=["lokus", "day"], name="day_log_once_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.lokus} {self.day:%Y-%m-%d}"


class Photo(TimeStampedModel):
    """A photo of a lokus's day. The file lies under LINI_HOME/media/campaigns with a name Lini
    chose (never one a user typed), and is served only through a page that checks the scope."""

    lokus = models.ForeignKey(
        Lokus, verbose_name=_("lokus"), on_delete=models.CASCADE, related_name="photos"
    )
    day = models.DateField(_("day"))
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    file_name = models.CharField(max_length=80, unique=True, editable=False)
    content_type = models.CharField(max_length=20, editable=False)
    size = models.PositiveIntegerField(editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["lokus", "day", "pk"]

    def __str__(self) -> str:
        return self.caption or self.file_name


class CampaignService(models.Model):
    """A KB service given in a campaign's lokus (the service itself, and the couple's dated
    status change it made, are in the KB and register apps)."""

    lokus = models.ForeignKey(
        Lokus, verbose_name=_("lokus"), on_delete=models.PROTECT, related_name="services"
    )
    service = models.OneToOneField(
        "kb.Service", verbose_name=_("KB service"), on_delete=models.CASCADE,
        related_name="campaign_link",
    )  # fmt: skip

    class Meta:
        verbose_name = _("campaign service")
        verbose_name_plural = _("campaign services")

    def __str__(self) -> str:
        return f"{self.lokus}: {self.service}"
