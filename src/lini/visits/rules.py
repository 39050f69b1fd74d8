"""The default due-list rules, their titles and the standard "what to bring" texts.

The numbers are defaults an administrator can change (page "Due-list rules"); each names its
source, or is marked an assumption ([GK] in DOMAIN.md's sense: to be checked with the program).
Migration 0002 seeds a frozen copy of :data:`DEFAULT_RULES`; a test keeps the two equal.
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lini.visits.choices import RuleKind

WHO_HANDBOOK = (
    "WHO/JHU, Family Planning: A Global Handbook for Providers (2022): "
    "re-injection of DMPA every 3 months, up to 4 weeks late; monthly injectables every "
    "4 weeks, up to 7 days late; IUD follow-up 3-6 weeks after insertion"
)
BUKU_KIA = "Buku KIA (KB section, DOMAIN.md [S55]): implant 3 years, IUD up to 10 years; KB pasca persalinan up to 42 days after delivery"
CYP = "USAID CYP factors (DOMAIN.md §7.12 [S40]): CuT-380A a 10-year device, other IUDs 5 years"

DEFAULT_RULES: list[dict[str, Any]] = [
    {"code": "suntik-3", "kind": RuleKind.RESUPPLY, "method": "suntik", "product": "suntik_3",
     "unknown_product": True, "interval_days": 91, "grace_days": 28, "repeat_days": 7,
     "window_days": 180, "per_week": 0, "form": "K/IV/KB", "source": WHO_HANDBOOK,
     "assumption": False, "position": 10},
    {"code": "suntik-1", "kind": RuleKind.RESUPPLY, "method": "suntik", "product": "suntik_1",
     "unknown_product": False, "interval_days": 28, "grace_days": 7, "repeat_days": 7,
     "window_days": 120, "per_week": 0, "form": "K/IV/KB", "source": WHO_HANDBOOK,
     "assumption": False, "position": 20},
    {"code": "pil", "kind": RuleKind.RESUPPLY, "method": "pil", "product": "",
     "unknown_product": True, "interval_days": 28, "grace_days": 14, "repeat_days": 7,
     "window_days": 120, "per_week": 0, "form": "K/IV/KB",
     "source": "Assumption: one cycle per resupply by the PPKBD", "assumption": True,
     "position": 30},
    {"code": "kondom", "kind": RuleKind.RESUPPLY, "method": "kondom", "product": "",
     "unknown_product": True, "interval_days": 30, "grace_days": 14, "repeat_days": 7,
     "window_days": 120, "per_week": 0, "form": "K/IV/KB",
     "source": "Assumption: a month's supply per resupply", "assumption": True, "position": 40},
    {"code": "iud-kontrol", "kind": RuleKind.DEVICE_CHECK, "method": "iud", "product": "",
     "unknown_product": True, "interval_days": 30, "grace_days": 14, "repeat_days": 14,
     "window_days": 90, "per_week": 0, "form": "K/IV/KB", "source": WHO_HANDBOOK,
     "assumption": False, "position": 50},
    {"code": "implan-kontrol", "kind": RuleKind.DEVICE_CHECK, "method": "implan", "product": "",
     "unknown_product": True, "interval_days": 30, "grace_days": 14, "repeat_days": 14,
     "window_days": 90, "per_week": 0, "form": "K/IV/KB",
     "source": "Assumption: one check-up a month after insertion (WHO asks for no routine "
               "follow-up of implants)", "assumption": True, "position": 60},
    {"code": "iud-cut-cabut", "kind": RuleKind.DEVICE_END, "method": "iud", "product": "iud_cut",
     "unknown_product": True, "interval_days": 3650, "grace_days": 90, "repeat_days": 30,
     "window_days": 365, "per_week": 0, "form": "K/IV/KB", "source": f"{BUKU_KIA}; {CYP}",
     "assumption": False, "position": 70},
    {"code": "iud-lain-cabut", "kind": RuleKind.DEVICE_END, "method": "iud",
     "product": "iud_lain", "unknown_product": False, "interval_days": 1825, "grace_days": 90,
     "repeat_days": 30, "window_days": 365, "per_week": 0, "form": "K/IV/KB", "source": CYP,
     "assumption": False, "position": 80},
    {"code": "implan-1-cabut", "kind": RuleKind.DEVICE_END, "method": "implan",
     "product": "implan_1", "unknown_product": True, "interval_days": 1095, "grace_days": 90,
     "repeat_days": 30, "window_days": 365, "per_week": 0, "form": "K/IV/KB",
     "source": BUKU_KIA, "assumption": False, "position": 90},
    {"code": "implan-2-cabut", "kind": RuleKind.DEVICE_END, "method": "implan",
     "product": "implan_2", "unknown_product": False, "interval_days": 1095, "grace_days": 90,
     "repeat_days": 30, "window_days": 365, "per_week": 0, "form": "K/IV/KB",
     "source": f"{BUKU_KIA} (assumption for 2-rod implants, labelled for up to 5 years)",
     "assumption": True, "position": 100},
    {"code": "unmet-need", "kind": RuleKind.UNMET_NEED, "method": "", "product": "",
     "unknown_product": False, "interval_days": 0, "grace_days": 30, "repeat_days": 90,
     "window_days": 0, "per_week": 15, "form": "K/IV/KB",
     "source": "DOMAIN.md §7.3 (unmet need = IAT + TIAL); counselling every 3 months and 15 "
               "a week per village are assumptions", "assumption": True, "position": 110},
    {"code": "pasca-salin", "kind": RuleKind.POSTPARTUM, "method": "", "product": "",
     "unknown_product": False, "interval_days": 0, "grace_days": 14, "repeat_days": 14,
     "window_days": 42, "per_week": 0, "form": "K/IV/KB", "source": BUKU_KIA,
     "assumption": False, "position": 120},
    {"code": "pengantin-baru", "kind": RuleKind.NEWLY_MARRIED, "method": "", "product": "",
     "unknown_product": False, "interval_days": 0, "grace_days": 30, "repeat_days": 180,
     "window_days": 365, "per_week": 10, "form": "",
     "source": "Assumption: a couple that appeared in the register after its family's data "
               "collection (a marriage recorded since), in the last year",
     "assumption": True, "position": 130},
    {"code": "bkb", "kind": RuleKind.POKTAN, "poktan_kind": "bkb", "method": "", "product": "",
     "unknown_product": False, "interval_days": 0, "grace_days": 30, "repeat_days": 365,
     "window_days": 0, "per_week": 10, "form": "R/I/BKB",
     "source": "Assumption: 10 invitations a week per village, again after a year",
     "assumption": True, "position": 140},
    {"code": "bkr", "kind": RuleKind.POKTAN, "poktan_kind": "bkr", "method": "", "product": "",
     "unknown_product": False, "interval_days": 0, "grace_days": 30, "repeat_days": 365,
     "window_days": 0, "per_week": 10, "form": "R/I/BKR",
     "source": "Assumption: 10 invitations a week per village, again after a year",
     "assumption": True, "position": 150},
    {"code": "bkl", "kind": RuleKind.POKTAN, "poktan_kind": "bkl", "method": "", "product": "",
     "unknown_product": False, "interval_days": 0, "grace_days": 30, "repeat_days": 365,
     "window_days": 0, "per_week": 10, "form": "R/I/BKL",
     "source": "Assumption: 10 invitations a week per village, again after a year",
     "assumption": True, "position": 160},
    {"code": "lama-tak-dikunjungi", "kind": RuleKind.NOT_VISITED, "method": "", "product": "",
     "unknown_product": False, "interval_days": 365, "grace_days": 30, "repeat_days": 365,
     "window_days": 0, "per_week": 10, "form": "F/I/PK",
     "source": "Assumption: a family is seen or its data updated at least once a year (the "
               "family data collection is yearly)", "assumption": True, "position": 170},
]  # fmt: skip

TITLES: dict[str, Promise] = {
    "suntik-3": _("3-monthly injection due"),
    "suntik-1": _("1-monthly injection due"),
    "pil": _("Pill resupply"),
    "kondom": _("Condom resupply"),
    "iud-kontrol": _("IUD check-up"),
    "implan-kontrol": _("Implant check-up"),
    "iud-cut-cabut": _("IUD (CuT 380A) reaches the end of its life"),
    "iud-lain-cabut": _("IUD reaches the end of its life"),
    "implan-1-cabut": _("Implant (1 rod) reaches the end of its life"),
    "implan-2-cabut": _("Implant (2 rods) reaches the end of its life"),
    "unmet-need": _("Unmet need: counsel on KB"),
    "pasca-salin": _("Recent birth: post-partum KB"),
    "pengantin-baru": _("Newly married couple"),
    "bkb": _("Child under 5, not in a BKB group"),
    "bkr": _("Adolescent 10-24, not in a BKR group"),
    "bkl": _("Elderly member, not in a BKL group"),
    "lama-tak-dikunjungi": _("Not visited or updated for a long time"),
}

BRING: dict[str, Promise] = {
    RuleKind.RESUPPLY: _("KB participant card; the supply, or a referral to the midwife"),
    RuleKind.DEVICE_CHECK: _("KB participant card; referral for the check-up"),
    RuleKind.DEVICE_END: _("KB participant card; referral for removal or replacement"),
    RuleKind.UNMET_NEED: _("Counselling flipchart (ABPK) and method leaflets"),
    RuleKind.POSTPARTUM: _("Buku KIA and the post-partum KB leaflet"),
    RuleKind.NEWLY_MARRIED: _("Leaflet for newly married couples"),
    RuleKind.POKTAN: _("Invitation to the group's next meeting"),
    RuleKind.NOT_VISITED: _("Family data form to update the register"),
}


def rule_title(rule: Any) -> str:
    title = TITLES.get(rule.code)
    return str(title) if title is not None else str(RuleKind(rule.kind).label)


def rule_bring(rule: Any) -> str:
    return rule.bring or str(BRING[RuleKind(rule.kind)])
