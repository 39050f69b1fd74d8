"""The due-list rules page (issue 9): what makes a family due, readable by every user; its
numbers and texts changed by national administrators.

- ``visits:rule_list`` — every rule: title, kind, what it applies to, its numbers, what to bring,
  the form, the source of its default (or that the default is an assumption), active or not.
- ``visits:rule_edit`` — one rule's form (national administrators only, others 403), each field
  with its default; saved through :func:`lini.visits.services.rule_change` (a hidden version: a
  form read before someone else's save is refused and nothing is written; audited there).
  ``restore`` in the POST puts the shipped defaults back, through the same service.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from lini.kb.choices import Product
from lini.poktan.models import PoktanKind
from lini.register.choices import Method
from lini.visits import selectors
from lini.visits.forms_rules import RestoreForm, RuleForm, rule_defaults
from lini.visits.models import DueRule
from lini.visits.rules import rule_bring, rule_title
from lini.visits.services import can_change_rules, rule_change
from lini.web.forms import errors_into


@dataclass
class RuleRow:
    rule: DueRule
    title: str
    applies_to: str
    bring: str
    defaults: dict[str, Any]  # the shipped values of the editable fields ({}: none shipped)

    @property
    def changed(self) -> list[str]:
        """The fields whose value is not the shipped default."""
        return [n for n, value in self.defaults.items() if getattr(self.rule, n) != value]


def _applies_to(rule: DueRule) -> str:
    """Which couples or families the rule looks at: the method and product, or the poktan
    group, or "" (the kind says it)."""
    parts: list[str] = []
    if rule.method:
        parts.append(str(Method(rule.method).label))
    if rule.product:
        parts.append(str(Product(rule.product).label))
        if rule.unknown_product:
            parts.append(_("also when the product is not recorded"))
    if rule.poktan_kind:
        parts.append(str(PoktanKind(rule.poktan_kind).label))
    return " · ".join(parts)


@require_GET
def rule_list(request: HttpRequest) -> HttpResponse:
    rules = selectors.rules_all()
    rows = [
        RuleRow(
            rule, rule_title(rule), _applies_to(rule), rule_bring(rule), rule_defaults(rule) or {}
        )
        for rule in rules
    ]
    return render(
        request,
        "visits/rule_list.html",
        {"rows": rows, "can_change": can_change_rules(request.user)},
    )


def _initial(rule: DueRule) -> dict[str, Any]:
    return {
        "active": rule.active, "interval_days": rule.interval_days,
        "grace_days": rule.grace_days, "repeat_days": rule.repeat_days,
        "window_days": rule.window_days, "per_week": rule.per_week, "bring": rule.bring,
        "form": rule.form, "version": rule.version,
    }  # fmt: skip


@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if not can_change_rules(request.user):
        raise PermissionDenied
    rule = get_object_or_404(DueRule, pk=pk)
    defaults = rule_defaults(rule)
    restoring = request.method == "POST" and "restore" in request.POST
    post = request.POST if request.method == "POST" and not restoring else None
    form = RuleForm(post, rule=rule, initial=_initial(rule))
    restore = RestoreForm(request.POST if restoring else None, initial={"version": rule.version})
    stale = False
    if restoring and defaults is None:
        restore.add_error(None, _("Lini ships no defaults for this rule."))
    elif restoring and defaults is not None and restore.is_valid():
        try:
            rule_change(
                actor=request.user,  # type: ignore[arg-type]
                rule=rule, version=restore.cleaned_data["version"], **defaults,
            )  # fmt: skip
        except ValidationError as error:
            stale = _is_conflict(error)
            errors_into(restore, error)
        else:
            messages.success(
                request, _("The defaults of %(rule)s are back.") % {"rule": rule_title(rule)}
            )
            return redirect(f"{reverse('visits:rule_list')}#rule-{rule.pk}")
    if post is not None and form.is_valid():
        try:
            rule_change(
                actor=request.user,  # type: ignore[arg-type]
                rule=rule, version=form.cleaned_data["version"], **form.values(),
            )  # fmt: skip
        except ValidationError as error:
            stale = _is_conflict(error)
            errors_into(form, error)
        else:
            messages.success(request, _("Saved: %(rule)s.") % {"rule": rule_title(rule)})
            return redirect(f"{reverse('visits:rule_list')}#rule-{rule.pk}")
    return render(
        request,
        "visits/rule_edit.html",
        {
            "row": RuleRow(
                rule, rule_title(rule), _applies_to(rule), rule_bring(rule), defaults or {}
            ),
            "form": form,
            "restore": restore,
            "stale": stale,
        },
    )


def _is_conflict(error: ValidationError) -> bool:
    """Whether the service refused the save because someone else saved the rule since it was
    read (its ``version``)."""
    return not hasattr(error, "error_dict") and any(e.code == "conflict" for e in error.error_list)
