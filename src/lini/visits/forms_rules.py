"""The form of the due-list rules page: a rule's numbers and texts, each with its default, and the
bounds that keep a rule sensible (:func:`rule_problems`, named by field with the reason). The
write itself is :func:`lini.visits.services.rule_change` (national administrators, optimistic
version, audited)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lini.visits.choices import RuleKind
from lini.visits.models import DueRule
from lini.visits.rule_checks import NUMBERS, rule_problems
from lini.visits.rules import BRING, DEFAULT_RULES
from lini.visits.services import RULE_FIELDS


def rule_defaults(rule: DueRule) -> dict[str, Any] | None:
    """The shipped values of the rule's editable fields (``rules.DEFAULT_RULES``), or None for a
    rule Lini does not ship. ``active`` is not restored: switching a rule off stays a choice of
    its own."""
    found = next((d for d in DEFAULT_RULES if d["code"] == rule.code), None)
    if found is None:
        return None
    return {
        "interval_days": found["interval_days"], "grace_days": found["grace_days"],
        "repeat_days": found["repeat_days"], "window_days": found["window_days"],
        "per_week": found["per_week"], "bring": "", "form": found["form"],
    }  # fmt: skip


def _label(name: str) -> Any:
    return DueRule._meta.get_field(name).verbose_name


# What each number means (docs/due-lists.md), shown under its field.
MEANINGS = {
    "interval_days": gettext_lazy(
        "Days from the anchor (the last service, the insertion, the birth, ...) to the due date."
    ),
    "grace_days": gettext_lazy(
        "Days after the due date before the item is overdue (for a resupply: at risk of "
        "dropping out)."
    ),
    "repeat_days": gettext_lazy(
        "A visit recorded as counselled, refused, moved or died brings the item back that many "
        "days later."
    ),
    "window_days": gettext_lazy("Days after the due date when the item leaves the list."),
    "per_week": gettext_lazy("The oldest items of the rule in the village first."),
}


class RuleForm(forms.Form):
    """A rule's editable values (:data:`lini.visits.services.RULE_FIELDS`) and the version read."""

    active = forms.BooleanField(label=_label("active"), required=False)
    interval_days = forms.IntegerField(label=_label("interval_days"), min_value=0)
    grace_days = forms.IntegerField(label=_label("grace_days"), min_value=0)
    repeat_days = forms.IntegerField(label=_label("repeat_days"), min_value=0)
    window_days = forms.IntegerField(label=_label("window_days"), min_value=0)
    per_week = forms.IntegerField(label=_label("per_week"), min_value=0)
    bring = forms.CharField(
        label=_label("bring"), max_length=200, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    form = forms.CharField(label=_label("form"), max_length=40, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, rule: DueRule, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rule = rule
        defaults = rule_defaults(rule)
        standard = str(BRING[RuleKind(rule.kind)])
        self.fields["bring"].help_text = _("Leave empty for the standard text: %(text)s") % {
            "text": standard
        }
        for name in NUMBERS:
            default = (
                _("Default: %(value)s.") % {"value": defaults[name]} if defaults is not None else ""
            )
            self.fields[name].help_text = f"{MEANINGS[name]} {default}".strip()
        if defaults is not None and defaults["form"]:
            self.fields["form"].help_text = _("Default: %(value)s.") % {"value": defaults["form"]}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name, messages in rule_problems(kind=self.rule.kind, values=data).items():
            for message in messages:
                self.add_error(name, message)
        return data

    def values(self) -> dict[str, Any]:
        """The values for :func:`~lini.visits.services.rule_change`."""
        data = self.cleaned_data
        values = {name: data[name] for name in RULE_FIELDS}
        values["bring"] = " ".join(values["bring"].split())
        values["form"] = values["form"].strip()
        return values


class RestoreForm(forms.Form):
    """The "restore the defaults" button: only the version read."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "restore_%s")  # beside the rule's form on the same page
        super().__init__(*args, **kwargs)
