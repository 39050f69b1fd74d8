"""KB facilities (faskes KB, with their network and mobile units) and KB service records. A
service changes the couple's contraceptive status through the register's dated history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lini.core.models import TimeStampedModel
from lini.kb.choices import FacilityKind, FacilityLevel, Ownership, Product, VisitType
from lini.register.choices import Method, NotUsingReason


class Facility(TimeStampedModel):
    code = models.CharField(_("register number"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=FacilityKind.choices)
    level = models.CharField(_("level"), max_length=16, choices=FacilityLevel.choices)
    ownership = models.CharField(_("ownership"), max_length=10, choices=Ownership.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT,
        related_name="facilities",
    )  # fmt: skip
    parent = models.ForeignKey(
        "self", verbose_name=_("main facility"), on_delete=models.PROTECT, null=True,
        blank=True, related_name="network",
    )  # fmt: skip
    address = models.CharField(_("address"), max_length=200, blank=True)
    bpjs = models.BooleanField(_("works with BPJS"), default=False)
    bpjs_agreement = models.CharField(_("BPJS agreement (PKS) number"), max_length=60, blank=True)
    bpjs_until = models.DateField(_("BPJS agreement valid until"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("KB facility")
        verbose_name_plural = _("KB facilities")
        ordering = ["region__code", "name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("kb:facility_detail", kwargs={"pk": self.pk})


class Service(TimeStampedModel):
    """One KB service given to a couple (K/IV/KB). Saving it records the couple's status change
    (``event``) in the same transaction."""

    served_on = models.DateField(_("date of service"))
    couple = models.ForeignKey(
        "register.Couple", verbose_name=_("couple"), on_delete=models.PROTECT,
        related_name="services",
    )  # fmt: skip
    method = models.CharField(_("method"), max_length=12, choices=Method.choices)
    product = models.CharField(
        _("product"), max_length=10, choices=Product.choices, blank=True,
        help_text=_("Injectable (1- or 3-monthly), implant (1 or 2 rods) or IUD type."),
    )  # fmt: skip
    visit_type = models.CharField(_("visit type"), max_length=8, choices=VisitType.choices)
    reason_after = models.CharField(
        _("after removal: reason for not using"), max_length=8,
        choices=NotUsingReason.choices, blank=True,
    )  # fmt: skip
    postpartum = models.BooleanField(_("post-partum (within 42 days of delivery)"), default=False)
    informed_consent = models.BooleanField(_("informed consent given"), default=False)
    facility = models.ForeignKey(
        Facility, verbose_name=_("facility or mobile unit"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="services",
    )  # fmt: skip
    provider = models.CharField(_("provider"), max_length=100, blank=True)
    event = models.OneToOneField(
        "register.ContraceptiveEvent", verbose_name=_("status change"),
        on_delete=models.SET_NULL, null=True, blank=True, related_name="service",
    )  # fmt: skip
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("KB service")
        verbose_name_plural = _("KB services")
        ordering = ["-served_on", "-pk"]
        indexes = [models.Index(fields=["served_on"], name="service_date")]
        constraints = [
            models.UniqueConstraint(
                fields=["couple", "served_on", "method", "visit_type"],
                name="service_once_per_day_method_visit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.served_on:%Y-%m-%d} {self.get_method_display()} ({self.get_visit_type_display()})"
