"""Code lists of the Kampung KB profile (DOMAIN.md §4.12 and §7.11, from the 2021 Kampung KB
portal's schema and Perban BKKBN 20/2023)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Criterion(models.TextChoices):
    """Why the village was chosen: the main, area and special criteria (§7.11)."""

    # utama
    POOR_ABOVE_AVERAGE = "utama_miskin", _("main: poor families above the village average")
    KB_BELOW_AVERAGE = "utama_kb", _("main: KB users below the village achievement")
    # wilayah
    SLUM = "kumuh", _("area: slum")
    COASTAL = "pesisir", _("area: coastal")
    RIVER_BASIN = "das", _("area: river basin")
    RAILWAY = "rel", _("area: along a railway")
    POOR_AREA = "miskin", _("area: poor (incl. urban poor)")
    REMOTE = "terpencil", _("area: remote")
    BORDER = "perbatasan", _("area: border")
    INDUSTRIAL = "industri", _("area: industrial")
    TOURISM = "wisata", _("area: tourism")
    DENSE = "padat", _("area: densely populated")
    # khusus
    FAMILY_MAP = "peta", _("special: family data and map per RT/RW")
    LOW_SCHOOLING = "sekolah", _("special: low school participation")
    LOW_PA_MKJP = "pa_mkjp", _("special: active users and MKJP below the village average")
    LOW_PARTICIPATION = "partisipasi", _("special: low community participation")
    LOW_SECTORAL = "sektoral", _("special: low achievement of other sectors")


class FundingSource(models.TextChoices):
    APBD = "apbd", _("regional budget (APBD)")
    APBN = "apbn", _("state budget (APBN)")
    VILLAGE_FUND = "dana_desa", _("village fund (Dana Desa)")
    DONATION = "donasi", _("donations")
    COMPANY = "perusahaan", _("companies (CSR)")
    SELF_HELP = "swadaya", _("community self-help")


class Operation(models.TextChoices):
    PLANNING = "perencanaan", _("planning meeting")
    COORDINATION = "koordinasi", _("coordination meeting")
    SOCIALISATION = "sosialisasi", _("socialisation")
    MONITORING = "monitoring", _("monitoring")
    REPORTING = "laporan", _("report writing")


class DataUse(models.TextChoices):
    FAMILY_DATA = "pk", _("family data update (PK)")
    ROUTINE = "rutin", _("routine data")
    VILLAGE_POTENTIAL = "potensi", _("village potential data")
    SECTORAL = "sektoral", _("sectoral data")
    OTHER = "lainnya", _("other data")


class RumahDataKuStatus(models.TextChoices):
    NONE = "", _("none")
    PLANNED = "rencana", _("being set up")
    ACTIVE = "aktif", _("active")
    INACTIVE = "tidak_aktif", _("not active")


class KampungClass(models.TextChoices):
    DASAR = "dasar", _("Dasar (basic)")
    BERKEMBANG = "berkembang", _("Berkembang (developing)")
    MANDIRI = "mandiri", _("Mandiri (self-reliant)")
    BERKELANJUTAN = "berkelanjutan", _("Berkelanjutan (sustainable)")
