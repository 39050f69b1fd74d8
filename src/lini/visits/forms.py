"""Forms of the due-list pages. They only read the fields; the rules live in
:func:`lini.visits.services.visit_record` and the services it calls."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from lini.core import clock
from lini.kb.choices import PRODUCT_METHOD, Product, VisitType
from lini.register.choices import Method
from lini.register.forms import DATE_FORMATS, DateInput
from lini.register.models import Member
from lini.visits.choices import Outcome

ISO_DATE = ["%Y-%m-%d"]


class OutcomeForm(forms.Form):
    """One tap on an item's outcome button: which item (hidden fields) and what came of it.
    ``week`` and ``region`` say which list to go back to."""

    family = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    couple = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    rule = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    due_on = forms.DateField(input_formats=ISO_DATE, required=False, widget=forms.HiddenInput)
    week = forms.CharField(max_length=10, required=False, widget=forms.HiddenInput)
    region = forms.CharField(max_length=40, required=False, widget=forms.HiddenInput)
    back = forms.ChoiceField(
        choices=[("", ""), ("family", "family")], required=False, widget=forms.HiddenInput
    )
    outcome = forms.ChoiceField(
        choices=Outcome.choices,
        error_messages={
            "required": _("Choose what came of the visit."),
            "invalid_choice": _("Choose what came of the visit."),
        },
    )


class _ItemForm(forms.Form):
    """The hidden fields of the family page's forms: which item of the week's list."""

    item = forms.CharField(max_length=40, widget=forms.HiddenInput)
    week = forms.CharField(max_length=10, required=False, widget=forms.HiddenInput)
    region = forms.CharField(max_length=40, required=False, widget=forms.HiddenInput)


def _product_choices() -> list[tuple[str, object]]:
    """The products grouped by their method, so that the list says which goes with which."""
    grouped: dict[str, list[tuple[str, object]]] = {}
    for value, label in Product.choices:
        grouped.setdefault(PRODUCT_METHOD[value], []).append((value, label))
    return [("", "—"), *((Method(method).label, choices) for method, choices in grouped.items())]


# A removal needs a reason for not using afterwards, which a visit from the list does not ask:
# it is recorded on the KB service page.
SERVE_VISIT_TYPES = [(v, label) for v, label in VisitType.choices if v != VisitType.REMOVAL]


class ServeForm(_ItemForm):
    """ "Visited and served" with a method chosen on the spot (unmet need, post-partum, newly
    married, end of a device's life)."""

    method = forms.ChoiceField(label=_("method given"), choices=[("", "—"), *Method.choices])
    product = forms.ChoiceField(
        label=_("product"),
        choices=_product_choices,
        required=False,
        help_text=_("For injections, implants and IUDs."),
    )
    visit_type = forms.ChoiceField(
        label=_("visit type"), choices=SERVE_VISIT_TYPES, widget=forms.RadioSelect
    )
    visited_on = forms.DateField(
        label=_("date of the visit and service"), input_formats=DATE_FORMATS, widget=DateInput()
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("visited_on", clock.today())
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        method, product = data.get("method"), data.get("product")
        if method and product and PRODUCT_METHOD.get(product) != method:
            self.add_error(
                "product",
                _("%(product)s is not a product of the method %(method)s.")
                % {"product": Product(product).label, "method": Method(method).label},
            )
        return data


class MemberModelChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Member) -> str:  # type: ignore[override]
        return f"{obj.name} ({obj.get_relation_display()})"


class DiedForm(_ItemForm):
    """ "Died" on a family's item: who died, and when the visit learnt it."""

    member = MemberModelChoiceField(
        label=_("who died"), queryset=Member.objects.none(), empty_label="—"
    )
    visited_on = forms.DateField(
        label=_("date of the visit"), input_formats=DATE_FORMATS, widget=DateInput()
    )

    def __init__(self, *args: Any, members: QuerySet[Member], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("visited_on", clock.today())
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members  # type: ignore[attr-defined]
