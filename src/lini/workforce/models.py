"""The people of the program at the field line: field counsellors (PKB/PLKB) and village cadres
(PPKBD, Sub-PPKBD, poktan cadres), optionally linked to the accounts they log in with."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lini.core.models import TimeStampedModel


class CounsellorKind(models.TextChoices):
    PKB = "pkb", _("PKB (Penyuluh KB, civil servant)")
    PLKB = "plkb", _("PLKB (Petugas Lapangan KB)")


class IPeKBLevel(models.TextChoices):
    """Board level of an IPeKB member who sits on a board (pengurus)."""

    NONE = "", _("member, no board")
    NATIONAL = "pusat", _("national board (DPP)")
    PROVINCE = "dpd", _("province board (DPD)")
    REGENCY = "dpc", _("regency/city board (DPC)")


class Counsellor(TimeStampedModel):
    """A field counsellor (PKB/PLKB), based in a district, looking after some villages."""

    name = models.CharField(_("name"), max_length=100)
    nip = models.CharField(
        _("employee number (NIP)"), max_length=18, unique=True, null=True, blank=True
    )
    kind = models.CharField(
        _("kind"), max_length=4, choices=CounsellorKind.choices, default=CounsellorKind.PKB
    )
    district = models.ForeignKey(
        "regions.Region",
        verbose_name=_("district (base)"),
        on_delete=models.PROTECT,
        related_name="counsellors_based",
    )
    villages = models.ManyToManyField(
        "regions.Region",
        verbose_name=_("villages looked after"),
        related_name="counsellors",
        blank=True,
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    ipekb_member = models.BooleanField(_("IPeKB member"), default=False)
    ipekb_level = models.CharField(
        _("IPeKB board level"), max_length=5, choices=IPeKBLevel.choices, blank=True
    )
    ipekb_position = models.CharField(_("IPeKB board position"), max_length=60, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="counsellor",
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("field counsellor")
        verbose_name_plural = _("field counsellors")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("workforce:counsellor_detail", kwargs={"pk": self.pk})


class CadreKind(models.TextChoices):
    PPKBD = "ppkbd", _("PPKBD (village)")
    SUB_PPKBD = "sub_ppkbd", _("Sub-PPKBD (dusun/RW)")
    POKTAN = "poktan", _("poktan cadre")


class Cadre(TimeStampedModel):
    """A volunteer cadre of a village: PPKBD for the village, Sub-PPKBD for a dusun or RW, or a
    cadre of a poktan group."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=CadreKind.choices)
    village = models.ForeignKey(
        "regions.Region",
        verbose_name=_("village"),
        on_delete=models.PROTECT,
        related_name="cadres",
    )
    area = models.ForeignKey(
        "regions.Region",
        verbose_name=_("dusun/RW"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="area_cadres",
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    trained = models.BooleanField(_("trained"), default=False)
    since = models.DateField(_("cadre since"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cadre",
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("cadre")
        verbose_name_plural = _("cadres")
        ordering = ["village", "kind", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "kind", "name"], name="cadre_unique_name_per_village_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    def get_absolute_url(self) -> str:
        return reverse("workforce:cadre_edit", kwargs={"pk": self.pk})
