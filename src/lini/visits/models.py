"""Due-list rules (the numbers of each rule, editable by administrators) and home visits (what
came of each visit made from a due list)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lini.core.models import TimeStampedModel
from lini.kb.choices import Product
from lini.poktan.models import PoktanKind
from lini.register.choices import Method
from lini.visits.choices import Outcome, RuleKind


class DueRule(TimeStampedModel):
    """One rule of the due lists. Its kind is computed by code (:mod:`lini.visits.due`); what it
    applies to and its numbers are data. The meaning of each number by kind is in
    ``docs/due-lists.md``; ``interval_days`` counts from the rule's anchor (the last service,
    the insertion, the birth, ...), ``grace_days`` after the due date make an item overdue (for
    a resupply: at risk of dropping out), ``repeat_days`` after a counselled or refused visit
    the item is due again, ``window_days`` after the due date it leaves the list (0: never),
    ``per_week`` caps the items of the rule per village on one week's list, the oldest first
    (0: no cap)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=RuleKind.choices)
    method = models.CharField(_("method"), max_length=12, choices=Method.choices, blank=True)
    product = models.CharField(_("product"), max_length=10, choices=Product.choices, blank=True)
    unknown_product = models.BooleanField(
        _("also for users whose product is not recorded"), default=False
    )
    poktan_kind = models.CharField(
        _("poktan kind"), max_length=6, choices=PoktanKind.choices, blank=True
    )
    interval_days = models.PositiveIntegerField(_("due after (days)"))
    grace_days = models.PositiveIntegerField(_("grace period (days)"))
    repeat_days = models.PositiveIntegerField(_("again after a counselled or refused visit (days)"))
    window_days = models.PositiveIntegerField(_("leaves the list after (days, 0 = never)"))
    per_week = models.PositiveIntegerField(_("at most per village and week (0 = no limit)"))
    bring = models.CharField(
        _("what to bring"), max_length=200, blank=True,
        help_text=_("Leave empty for the standard text."),
    )  # fmt: skip
    form = models.CharField(_("form"), max_length=40, blank=True)
    source = models.CharField(_("source of the default"), max_length=300, blank=True)
    assumption = models.BooleanField(_("default is an assumption"), default=False)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("due-list rule")
        verbose_name_plural = _("due-list rules")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        from lini.visits.rules import rule_title

        return str(rule_title(self))


class Visit(TimeStampedModel):
    """A home visit recorded from a due list (or on its own): the outcome, and the service it
    created when the client was served."""

    family = models.ForeignKey(
        "register.Family", verbose_name=_("family"), on_delete=models.CASCADE,
        related_name="visits",
    )  # fmt: skip
    couple = models.ForeignKey(
        "register.Couple", verbose_name=_("couple"), on_delete=models.CASCADE, null=True,
        blank=True, related_name="visits",
    )  # fmt: skip
    rule = models.ForeignKey(
        DueRule, verbose_name=_("due for"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="visits",
    )  # fmt: skip
    due_on = models.DateField(_("was due on"), null=True, blank=True)
    visited_on = models.DateField(_("visited on"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    member = models.ForeignKey(
        "register.Member", verbose_name=_("person who moved or died"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    service = models.OneToOneField(
        "kb.Service", verbose_name=_("KB service"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="visit",
    )  # fmt: skip
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("home visit")
        verbose_name_plural = _("home visits")
        ordering = ["-visited_on", "-pk"]
        indexes = [
            models.Index(fields=["family", "visited_on"], name="visit_family_date"),
            models.Index(fields=["visited_on"], name="visit_date"),
        ]

    def __str__(self) -> str:
        return f"{self.visited_on:%Y-%m-%d} {self.get_outcome_display()}"
