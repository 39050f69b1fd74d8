"""Kampung KB (Kampung Keluarga Berkualitas) profiles, one per village, with its Rumah DataKu."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lini.core.models import TimeStampedModel
from lini.kampung.choices import RumahDataKuStatus


class KampungKB(TimeStampedModel):
    """The profile of a village's Kampung KB (DOMAIN.md §4.12). Lists of codes (criteria, funding
    sources, activities, data uses) are kept as JSON lists of the code values in ``choices``;
    the poktan it has and its figures come from the poktan groups and the register."""

    village = models.OneToOneField(
        "regions.Region",
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="kampung_kb",
    )
    name = models.CharField(_("name"), max_length=120)
    launched_on = models.DateField(_("launched on"), null=True, blank=True)
    criteria = models.JSONField(_("criteria met"), default=list, blank=True)
    # Working group (pokja)
    pokja_exists = models.BooleanField(_("working group (pokja) exists"), default=False)
    pokja_decree = models.CharField(_("pokja decree (SK) number"), max_length=80, blank=True)
    pokja_decree_on = models.DateField(_("pokja decree date"), null=True, blank=True)
    pokja_members = models.PositiveSmallIntegerField(_("pokja members"), default=0)
    pokja_trained = models.PositiveSmallIntegerField(_("pokja members trained"), default=0)
    regulation = models.BooleanField(_("village regulation supports it"), default=False)
    work_plan = models.BooleanField(_("community work plan (RKM)"), default=False)
    partners = models.JSONField(_("sector partners"), default=list, blank=True)
    funding_sources = models.JSONField(_("funding sources"), default=list, blank=True)
    operations = models.JSONField(_("operational activities"), default=list, blank=True)
    data_uses = models.JSONField(_("uses of data"), default=list, blank=True)
    secretariat = models.BooleanField(_("secretariat exists"), default=False)
    # Rumah DataKu
    rumah_dataku = models.CharField(
        _("Rumah DataKu"), max_length=12, choices=RumahDataKuStatus.choices, blank=True
    )
    rumah_dataku_since = models.DateField(_("Rumah DataKu since"), null=True, blank=True)
    rumah_dataku_data = models.JSONField(_("data kept up to date"), default=list, blank=True)
    rumah_dataku_updated_on = models.DateField(
        _("Rumah DataKu data last updated"), null=True, blank=True
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("Kampung KB")
        verbose_name_plural = _("Kampung KB")
        ordering = ["village__code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("kampung:kampung_detail", kwargs={"pk": self.pk})

    @property
    def has_rumah_dataku(self) -> bool:
        return self.rumah_dataku == RumahDataKuStatus.ACTIVE
