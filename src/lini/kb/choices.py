"""Code lists of KB facilities and services (DOMAIN.md §4.7, §4.8, §7.2, §7.6, §7.7)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class FacilityKind(models.TextChoices):
    MAIN = "faskes", _("facility (faskes induk)")
    NETWORK = "jaringan", _("network / satellite (jaringan/jejaring)")
    MOBILE = "keliling", _("mobile service unit")


class FacilityLevel(models.TextChoices):
    GENERAL_HOSPITAL = "rs_umum", _("general hospital")
    SPECIAL_HOSPITAL = "rs_khusus", _("special hospital")
    MAIN_CLINIC = "klinik_utama", _("main clinic (klinik utama)")
    PUSKESMAS = "puskesmas", _("Puskesmas")
    DOCTOR = "praktik_dokter", _("doctor's practice")
    PRIMARY_CLINIC = "klinik_pratama", _("primary clinic (klinik pratama)")
    HOSPITAL_D = "rs_d_pratama", _("type D primary hospital")
    MIDWIFE = "pmb", _("independent midwife practice (PMB)")
    PUSTU = "pustu", _("sub-health centre (Pustu)")
    PUSLING = "pusling", _("mobile health centre (Pusling)")
    POSKESDES = "poskesdes", _("village health post (Poskesdes/Polindes)")
    MIDWIFE_NETWORK = "pmb_jejaring", _("network midwife practice (PMB jejaring)")
    MOBILE_UNIT = "muyan", _("mobile KB service unit (MUYAN)")


class Ownership(models.TextChoices):
    CENTRAL = "pusat", _("central government")
    PROVINCE = "provinsi", _("province government")
    REGENCY = "kabkota", _("regency/city government")
    ARMY = "tni", _("army (TNI)")
    POLICE = "polri", _("police (POLRI)")
    STATE_COMPANY = "bumn", _("state/regional company (BUMN/BUMD)")
    PRIVATE = "swasta", _("private")
    NGO = "lsom", _("NGO (LSOM)")
    INDIVIDUAL = "perorangan", _("individual")


class VisitType(models.TextChoices):
    NEW = "baru", _("new acceptor")
    REPEAT = "ulang", _("repeat visit")
    SWITCH = "ganti", _("switch of method")
    TRANSFER = "pindahan", _("transfer from another facility")
    REMOVAL = "cabut", _("removal / stop")
