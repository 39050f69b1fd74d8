"""Code lists of campaigns: team roles and the keys of a lokus's targets."""

from __future__ import annotations

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lini.kb.choices import VisitType
from lini.poktan.models import PoktanKind
from lini.register.choices import Method


class MemberKind(models.TextChoices):
    COUNSELLOR = "pkb", _("field counsellor (PKB/PLKB)")
    CADRE = "kader", _("cadre")
    PARTNER = "mitra", _("partner")


class TeamRole(models.TextChoices):
    COORDINATOR = "koordinator", _("coordinator")
    COUNSELLING = "konseling", _("counselling (KIE)")
    SERVICE = "pelayanan", _("KB service provider")
    DATA = "data", _("data and Rumah DataKu")
    POKTAN = "poktan", _("poktan guidance")
    SUPPORT = "pendukung", _("support")


# Visit types that put a method in use (a new acceptor, a switch, a transfer): what a campaign's
# service targets count. Repeat visits and removals are recorded and reported, but not targeted.
TARGET_VISITS: tuple[str, ...] = (VisitType.NEW, VisitType.SWITCH, VisitType.TRANSFER)


MKJP_KEY, RUMAH_DATAKU_KEY, FAMILIES_KEY, COUNSELLING_KEY = (
    "mkjp", "rumah_dataku", "families_visited", "counselling",
)  # fmt: skip
POKTAN_KINDS: tuple[str, ...] = tuple(PoktanKind.values)

# Every key a lokus target may have, in the order forms and reports show them:
# ``svc_<method>_<visit>`` (services by method and visit type), ``mkjp`` (long-acting methods put
# in use), ``poktan_<kind>`` (new poktan), ``rumah_dataku`` (Rumah DataKu established),
# ``families_visited`` and ``counselling`` (counselling sessions held).
SERVICE_KEYS: tuple[str, ...] = tuple(
    f"svc_{method}_{visit}" for method in Method.values for visit in TARGET_VISITS
)
TARGET_KEYS: tuple[str, ...] = (
    *SERVICE_KEYS, MKJP_KEY, *(f"poktan_{kind}" for kind in POKTAN_KINDS), RUMAH_DATAKU_KEY,
    FAMILIES_KEY, COUNSELLING_KEY,
)  # fmt: skip


def target_label(key: str) -> str:
    """The words for a target key."""
    if key.startswith("svc_"):
        method, visit = key[4:].rsplit("_", 1)
        return f"{Method(method).label}: {VisitType(visit).label}"
    if key.startswith("poktan_"):
        return _("new %(kind)s group") % {"kind": POKTAN_SHORT.get(key[7:], key[7:])}
    labels: dict[str, Promise] = {
        MKJP_KEY: _("long-acting methods (MKJP) put in use"),
        RUMAH_DATAKU_KEY: _("Rumah DataKu established"),
        FAMILIES_KEY: _("families visited"),
        COUNSELLING_KEY: _("counselling sessions"),
    }
    return str(labels[key])


POKTAN_SHORT = {"bkb": "BKB", "bkr": "BKR", "bkl": "BKL", "uppka": "UPPKA", "pikr": "PIK-R"}
