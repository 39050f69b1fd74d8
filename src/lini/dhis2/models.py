"""The mapping between Lini's figures and DHIS2's identifiers, which national administrators edit.

- :class:`FigureMapping`: one Lini figure (a figure of the monthly report, or an indicator of the
  catalog for targets) and the DHIS2 value it is: data element, category option combo and
  attribute option combo codes (for a dataValueSet), the same disaggregation as ADX attributes
  (``CATEGORY=OPTION`` pairs named after DHIS2 category codes) and the data set.
- :class:`OrgUnitMapping`: the DHIS2 org unit code of a region where it differs from the region's
  Kemendagri code (the default: a region without a row is sent under its own code).

Codes are DHIS2 *codes* (not UIDs): files are loaded with ``idScheme=CODE``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from lini.core.models import TimeStampedModel

CODE_LENGTH = 50  # DHIS2 codes are at most 50 characters


class Use(models.TextChoices):
    EXPORT = "export", _("exported value (monthly report figure)")
    TARGET = "target", _("imported target (indicator)")


class FigureMapping(TimeStampedModel):
    """One Lini figure as one DHIS2 data value.

    ``figure`` is ``<section>.<line>`` for a figure of the month in sections I, II and V of the
    monthly report (``I.pa_iud``), ``<section>.<line>.<column>`` in sections III and IV
    (``III.bkb.exist``), or ``indicator.<code>`` for the target of a catalog indicator."""

    use = models.CharField(_("use"), max_length=6, choices=Use.choices, default=Use.EXPORT)
    figure = models.CharField(_("Lini figure"), max_length=60)
    data_set = models.CharField(_("data set code"), max_length=CODE_LENGTH, blank=True)
    data_element = models.CharField(_("data element code"), max_length=CODE_LENGTH)
    category_option_combo = models.CharField(
        _("category option combo code"), max_length=CODE_LENGTH, blank=True,
        help_text=_("Empty: the default combination (no disaggregation)."),
    )  # fmt: skip
    adx_categories = models.CharField(
        _("ADX disaggregation"), max_length=200, blank=True,
        help_text=_("The same combination as CATEGORY=OPTION codes, separated by ';' "
                    "(e.g. KB_METODE=IUD)."),
    )  # fmt: skip
    attribute_option_combo = models.CharField(
        _("attribute option combo code"), max_length=CODE_LENGTH, blank=True,
        help_text=_("Empty: the default attribute option combo."),
    )  # fmt: skip
    adx_attributes = models.CharField(
        _("ADX attribute categories"), max_length=200, blank=True,
        help_text=_("The attribute option combo as CATEGORY=OPTION codes, separated by ';'."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("DHIS2 figure mapping")
        verbose_name_plural = _("DHIS2 figure mappings")
        ordering = ["use", "figure"]
        constraints = [
            models.UniqueConstraint(fields=["use", "figure"], name="dhis2_figure_once_per_use")
        ]

    def __str__(self) -> str:
        return f"{self.figure} -> {self.data_element}/{self.category_option_combo or 'default'}"


class OrgUnitMapping(TimeStampedModel):
    """The DHIS2 org unit code of a region, where it is not the region's Kemendagri code."""

    region = models.OneToOneField(
        "regions.Region", verbose_name=_("region"), on_delete=models.CASCADE,
        related_name="dhis2_org_unit",
    )  # fmt: skip
    org_unit = models.CharField(_("org unit code"), max_length=CODE_LENGTH)

    class Meta:
        verbose_name = _("DHIS2 org unit mapping")
        verbose_name_plural = _("DHIS2 org unit mappings")
        ordering = ["region__code"]

    def __str__(self) -> str:
        return f"{self.region.code} -> {self.org_unit}"
