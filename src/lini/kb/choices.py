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


# Which levels go with which kind of facility (DOMAIN.md §7.6): a main facility (faskes induk) is
# one of the facility levels, a network unit one of the jaringan/jejaring levels, a mobile unit a
# MUYAN or a Pusling.
MAIN_LEVELS = frozenset(
    {
        FacilityLevel.GENERAL_HOSPITAL,
        FacilityLevel.SPECIAL_HOSPITAL,
        FacilityLevel.MAIN_CLINIC,
        FacilityLevel.PUSKESMAS,
        FacilityLevel.DOCTOR,
        FacilityLevel.PRIMARY_CLINIC,
        FacilityLevel.HOSPITAL_D,
        FacilityLevel.MIDWIFE,
    }
)
NETWORK_LEVELS = frozenset(
    {
        FacilityLevel.PUSTU,
        FacilityLevel.PUSLING,
        FacilityLevel.POSKESDES,
        FacilityLevel.MIDWIFE_NETWORK,
    }
)
MOBILE_LEVELS = frozenset({FacilityLevel.MOBILE_UNIT, FacilityLevel.PUSLING})
KIND_LEVELS: dict[str, frozenset[str]] = {
    FacilityKind.MAIN: MAIN_LEVELS,
    FacilityKind.NETWORK: NETWORK_LEVELS,
    FacilityKind.MOBILE: MOBILE_LEVELS,
}


def _register_synonyms() -> None:
    """What people type in spreadsheets for these lists, added to the register's synonym table
    (read by ``cells.choice`` through ``register.choices.parse_choice``)."""
    from lini.register.choices import SYNONYMS

    SYNONYMS.setdefault(
        VisitType,
        {
            "baru": VisitType.NEW,
            "peserta baru": VisitType.NEW,
            "pb": VisitType.NEW,
            "bp": VisitType.NEW,
            "new": VisitType.NEW,
            "ulang": VisitType.REPEAT,
            "lama": VisitType.REPEAT,
            "kunjungan ulang": VisitType.REPEAT,
            "peserta lama": VisitType.REPEAT,
            "repeat": VisitType.REPEAT,
            "ganti": VisitType.SWITCH,
            "ganti cara": VisitType.SWITCH,
            "gc": VisitType.SWITCH,
            "switch": VisitType.SWITCH,
            "pindahan": VisitType.TRANSFER,
            "pindah": VisitType.TRANSFER,
            "transfer": VisitType.TRANSFER,
            "cabut": VisitType.REMOVAL,
            "pencabutan": VisitType.REMOVAL,
            "lepas": VisitType.REMOVAL,
            "berhenti": VisitType.REMOVAL,
            "removal": VisitType.REMOVAL,
        },
    )
    SYNONYMS.setdefault(
        FacilityKind,
        {
            "faskes": FacilityKind.MAIN,
            "induk": FacilityKind.MAIN,
            "faskes induk": FacilityKind.MAIN,
            "jaringan": FacilityKind.NETWORK,
            "jejaring": FacilityKind.NETWORK,
            "jaringan/jejaring": FacilityKind.NETWORK,
            "keliling": FacilityKind.MOBILE,
            "mobile": FacilityKind.MOBILE,
            "muyan": FacilityKind.MOBILE,
        },
    )
    SYNONYMS.setdefault(
        FacilityLevel,
        {
            "rs": FacilityLevel.GENERAL_HOSPITAL,
            "rsu": FacilityLevel.GENERAL_HOSPITAL,
            "rsud": FacilityLevel.GENERAL_HOSPITAL,
            "rs umum": FacilityLevel.GENERAL_HOSPITAL,
            "rs khusus": FacilityLevel.SPECIAL_HOSPITAL,
            "rsia": FacilityLevel.SPECIAL_HOSPITAL,
            "klinik utama": FacilityLevel.MAIN_CLINIC,
            "puskesmas": FacilityLevel.PUSKESMAS,
            "praktik dokter": FacilityLevel.DOCTOR,
            "praktek dokter": FacilityLevel.DOCTOR,
            "dokter": FacilityLevel.DOCTOR,
            "klinik": FacilityLevel.PRIMARY_CLINIC,
            "klinik pratama": FacilityLevel.PRIMARY_CLINIC,
            "rs tipe d pratama": FacilityLevel.HOSPITAL_D,
            "rs d pratama": FacilityLevel.HOSPITAL_D,
            "pmb": FacilityLevel.MIDWIFE,
            "bpm": FacilityLevel.MIDWIFE,
            "praktik mandiri bidan": FacilityLevel.MIDWIFE,
            "praktek mandiri bidan": FacilityLevel.MIDWIFE,
            "bidan praktik mandiri": FacilityLevel.MIDWIFE,
            "pustu": FacilityLevel.PUSTU,
            "puskesmas pembantu": FacilityLevel.PUSTU,
            "pusling": FacilityLevel.PUSLING,
            "puskesmas keliling": FacilityLevel.PUSLING,
            "poskesdes": FacilityLevel.POSKESDES,
            "polindes": FacilityLevel.POSKESDES,
            "pmb jejaring": FacilityLevel.MIDWIFE_NETWORK,
            "bidan jejaring": FacilityLevel.MIDWIFE_NETWORK,
            "muyan": FacilityLevel.MOBILE_UNIT,
            "mobil pelayanan kb": FacilityLevel.MOBILE_UNIT,
        },
    )
    SYNONYMS.setdefault(
        Ownership,
        {
            "pemerintah pusat": Ownership.CENTRAL,
            "kemenkes": Ownership.CENTRAL,
            "pemerintah provinsi": Ownership.PROVINCE,
            "pemprov": Ownership.PROVINCE,
            "pemkab": Ownership.REGENCY,
            "pemkot": Ownership.REGENCY,
            "pemkab/pemkot": Ownership.REGENCY,
            "pemerintah kabupaten/kota": Ownership.REGENCY,
            "dinkes": Ownership.REGENCY,
            "tni": Ownership.ARMY,
            "polri": Ownership.POLICE,
            "bumn": Ownership.STATE_COMPANY,
            "bumd": Ownership.STATE_COMPANY,
            "bumn/bumd": Ownership.STATE_COMPANY,
            "swasta": Ownership.PRIVATE,
            "lsom": Ownership.NGO,
            "lsm": Ownership.NGO,
            "perorangan": Ownership.INDIVIDUAL,
            "pribadi": Ownership.INDIVIDUAL,
        },
    )


_register_synonyms()


class Product(models.TextChoices):
    """Which product of a method was given (DOMAIN.md §7.2, the New SIGA "jenis tindakan"): the
    due lists need it for the interval of an injectable and the life of an implant or IUD.
    Blank when not recorded."""

    INJECTABLE_1M = "suntik_1", _("1-monthly injection")
    INJECTABLE_3M = "suntik_3", _("3-monthly injection")
    IMPLANT_1 = "implan_1", _("implant, 1 rod")
    IMPLANT_2 = "implan_2", _("implant, 2 rods")
    IUD_CUT380A = "iud_cut", _("IUD CuT 380A")
    IUD_OTHER = "iud_lain", _("other IUD")


# The method each product belongs to.
PRODUCT_METHOD: dict[str, str] = {
    Product.INJECTABLE_1M: "suntik",
    Product.INJECTABLE_3M: "suntik",
    Product.IMPLANT_1: "implan",
    Product.IMPLANT_2: "implan",
    Product.IUD_CUT380A: "iud",
    Product.IUD_OTHER: "iud",
}
