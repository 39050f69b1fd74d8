"""The Kemendagri hierarchy (province, regency/city, district, village) and the sub-village units
(dusun, RW, RT) that users add under a village."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lini.core.models import TimeStampedModel


class RegionLevel(models.IntegerChoices):
    PROVINCE = 1, _("province")
    REGENCY = 2, _("regency/city")
    DISTRICT = 3, _("district")
    VILLAGE = 4, _("village")
    DUSUN = 5, _("dusun")
    RW = 6, _("RW")
    RT = 7, _("RT")


class RegionKind(models.TextChoices):
    PROVINSI = "provinsi", _("Province")
    KABUPATEN = "kabupaten", _("Regency")
    KOTA = "kota", _("City")
    KECAMATAN = "kecamatan", _("District")
    DESA = "desa", _("Village (desa)")
    KELURAHAN = "kelurahan", _("Urban village (kelurahan)")
    DESA_ADAT = "desa_adat", _("Customary village (desa adat)")
    DUSUN = "dusun", _("Dusun")
    RW = "rw", _("RW")
    RT = "rt", _("RT")


KIND_LEVEL: dict[str, int] = {
    RegionKind.PROVINSI: RegionLevel.PROVINCE,
    RegionKind.KABUPATEN: RegionLevel.REGENCY,
    RegionKind.KOTA: RegionLevel.REGENCY,
    RegionKind.KECAMATAN: RegionLevel.DISTRICT,
    RegionKind.DESA: RegionLevel.VILLAGE,
    RegionKind.KELURAHAN: RegionLevel.VILLAGE,
    RegionKind.DESA_ADAT: RegionLevel.VILLAGE,
    RegionKind.DUSUN: RegionLevel.DUSUN,
    RegionKind.RW: RegionLevel.RW,
    RegionKind.RT: RegionLevel.RT,
}

# Which sub-village unit may stand under which level.
SUBUNIT_PARENT_LEVELS: dict[str, tuple[int, ...]] = {
    RegionKind.DUSUN: (RegionLevel.VILLAGE,),
    RegionKind.RW: (RegionLevel.VILLAGE, RegionLevel.DUSUN),
    RegionKind.RT: (RegionLevel.RW,),
}


class Region(TimeStampedModel):
    """One administrative unit. Its ``code`` is the official dotted Kemendagri code (or, for a
    sub-village unit, a code below its village), which doubles as its materialised path."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    search_name = models.CharField(
        _("search key"),
        max_length=120,
        editable=False,
        help_text=_("Name without case or accents."),
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=RegionLevel.choices, db_index=True)
    kind = models.CharField(_("kind"), max_length=12, choices=RegionKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(level=RegionLevel.PROVINCE, parent__isnull=True))
                | (models.Q(level__gt=RegionLevel.PROVINCE, parent__isnull=False)),
                name="region_only_provinces_are_roots",
            ),
            models.CheckConstraint(
                condition=models.Q(level__gte=RegionLevel.PROVINCE, level__lte=RegionLevel.RT),
                name="region_level_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("regions:region_detail", kwargs={"code": self.code})

    @property
    def display_name(self) -> str:
        """The name with its kind where the name alone is ambiguous (``Kec. Ciruas``)."""
        prefix = {
            RegionKind.KECAMATAN: _("Kec."),
            RegionKind.DESA: _("Desa"),
            RegionKind.KELURAHAN: _("Kel."),
            RegionKind.DESA_ADAT: _("Desa Adat"),
        }.get(self.kind)
        return f"{prefix} {self.name}" if prefix else self.name

    @property
    def is_subunit(self) -> bool:
        return self.level > RegionLevel.VILLAGE
