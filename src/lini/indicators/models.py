"""Always-fresh counts per village and month, the indicator catalog built on them, and the
performance-agreement (Perjanjian Kinerja) targets."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from lini.core.models import TimeStampedModel


class VillageMonthCount(models.Model):
    """One count of one village for one month (``month`` is its first day), e.g. ``pus`` = 412.

    States (``pus``, ``pa_iud``, ``poktan_active_bkb`` ...) are as at the month's last day; flows
    (``pb_iud``, ``dropout``, ``svc_baru`` ...) are what happened during the month. The keys are
    listed in ``lini.indicators.counts.KEYS``. Zero counts are not stored. Rows are rewritten in
    the same transaction as every change that affects them; totals of larger regions are sums
    over their villages."""

    village = models.ForeignKey(
        "regions.Region", on_delete=models.CASCADE, related_name="month_counts"
    )
    month = models.DateField()
    key = models.CharField(max_length=40)
    value = models.IntegerField()

    class Meta:
        verbose_name = _("village month count")
        verbose_name_plural = _("village month counts")
        constraints = [
            models.UniqueConstraint(fields=["village", "month", "key"], name="count_once")
        ]
        indexes = [models.Index(fields=["month", "key"], name="count_month_key")]

    def __str__(self) -> str:
        return f"{self.village_id} {self.month:%Y-%m} {self.key}={self.value}"


class RegionMonthCount(models.Model):
    """The sum of one count over the villages of a district, regency or province for one month,
    kept beside :class:`VillageMonthCount` so that a province table reads a few hundred rows
    instead of adding up every village's.

    Every rewrite of a village's counts adds the difference (new minus old) to the rows of its
    district, regency and province in the same transaction; a full rebuild recomputes them from
    the village rows (``lini rebuild-aggregates``, whose ``--check`` compares both). Zero sums are
    not stored."""

    region = models.ForeignKey(
        "regions.Region", on_delete=models.CASCADE, related_name="total_counts"
    )
    month = models.DateField()
    key = models.CharField(max_length=40)
    value = models.IntegerField()

    class Meta:
        verbose_name = _("region month count")
        verbose_name_plural = _("region month counts")
        constraints = [
            models.UniqueConstraint(fields=["region", "month", "key"], name="total_once")
        ]
        indexes = [models.Index(fields=["month", "key"], name="total_month_key")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.month:%Y-%m} {self.key}={self.value}"


class PendingCounts(models.Model):
    """A village whose counts an import has yet to rewrite. An import writes its families batch
    by batch and rewrites each touched village's counts once, at its end; each batch marks its
    villages here in its own transaction, and each rewrite clears the mark in its. An import
    killed half-way thus leaves the list of villages whose counts are behind: the next import,
    or ``lini rebuild-aggregates --pending``, rewrites them, and ``--check`` names them."""

    village = models.OneToOneField(
        "regions.Region", on_delete=models.CASCADE, related_name="pending_counts"
    )
    since = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("village with counts to rewrite")
        verbose_name_plural = _("villages with counts to rewrite")

    def __str__(self) -> str:
        return f"{self.village_id} since {self.since:%Y-%m-%d %H:%M}"


class Direction(models.TextChoices):
    HIGHER = "naik", _("higher is better")
    LOWER = "turun", _("lower is better")


class Indicator(TimeStampedModel):
    """An indicator defined from the counts: (weighted sum of the numerator keys) / (weighted sum
    of the denominator keys) x factor; with no denominator, the numerator sum x factor. Keys and
    weights are a JSON object (``{"pa": 1}``; couple-years of protection weigh services by
    method). Flow keys are summed over the months of the period, state keys are taken at the
    period's last month."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_id = models.CharField(_("name (Indonesian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    numerator = models.JSONField(_("numerator: count keys and their weights"), default=dict)
    denominator = models.JSONField(
        _("denominator: count keys and their weights"), default=dict, blank=True
    )
    factor = models.DecimalField(_("factor"), max_digits=12, decimal_places=4, default=1)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    direction = models.CharField(
        _("direction"), max_length=5, choices=Direction.choices, default=Direction.HIGHER
    )
    definition = models.TextField(_("definition"), blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    builtin = models.BooleanField(_("part of Lini"), default=False, editable=False)
    position = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.code


class Target(TimeStampedModel):
    """A performance-agreement target of an indicator for a region and a year."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="targets"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT,
        related_name="targets",
    )  # fmt: skip
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("target"), max_digits=14, decimal_places=4)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["year", "region__code", "indicator__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "region", "year"], name="target_once_per_region_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.region.code} {self.year}: {self.value}"
