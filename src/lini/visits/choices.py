"""Code lists of the due lists: the kinds of rule (each computed by code, its numbers kept as data
in :class:`~lini.visits.models.DueRule`) and the outcomes of a home visit."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleKind(models.TextChoices):
    RESUPPLY = "resupply", _("repeat visit or resupply")
    DEVICE_CHECK = "device_check", _("check-up after an insertion")
    DEVICE_END = "device_end", _("removal or replacement at the end of the device's life")
    UNMET_NEED = "unmet_need", _("unmet need (IAT, TIAL): counselling")
    POSTPARTUM = "postpartum", _("post-partum KB counselling")
    NEWLY_MARRIED = "newly_married", _("newly married couple")
    POKTAN = "poktan", _("family qualifies for a poktan group but belongs to none")
    NOT_VISITED = "not_visited", _("family not visited or updated for a long time")


# Kinds whose item concerns one couple (the others concern the family).
COUPLE_KINDS = frozenset(
    {
        RuleKind.RESUPPLY,
        RuleKind.DEVICE_CHECK,
        RuleKind.DEVICE_END,
        RuleKind.UNMET_NEED,
        RuleKind.POSTPARTUM,
        RuleKind.NEWLY_MARRIED,
    }
)
# Kinds whose missed visit puts a current user at risk of dropping out.
SUPPLY_KINDS = frozenset({RuleKind.RESUPPLY})


class Outcome(models.TextChoices):
    SERVED = "served", _("visited and served")
    COUNSELLED = "counselled", _("counselled")
    NOT_HOME = "not_home", _("not at home")
    REFUSED = "refused", _("refused")
    MOVED = "moved", _("moved away")
    DIED = "died", _("died")


# Outcomes after which the person is found at home and the item counts as followed through.
CONTACT_OUTCOMES = frozenset({Outcome.SERVED, Outcome.COUNSELLED, Outcome.REFUSED})
