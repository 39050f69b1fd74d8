"""Forms of the KB pages. The rules live in the services; the forms only read the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from lini.core import clock
from lini.kb.choices import (
    PRODUCT_METHOD,
    FacilityKind,
    FacilityLevel,
    Ownership,
    Product,
    VisitType,
)
from lini.kb.models import Facility
from lini.register.choices import Method, NotUsingReason
from lini.register.forms import DATE_FORMATS, DateInput


def _blank(choices: Any) -> list[tuple[str, str]]:
    return [("", "—"), *choices]


def product_choices() -> list[tuple[Any, Any]]:
    """The products grouped by their method (an injectable's, an implant's, an IUD's), after
    "—" (not known)."""
    groups: dict[str, list[tuple[str, Any]]] = {}
    for value, label in Product.choices:
        groups.setdefault(PRODUCT_METHOD[value], []).append((value, label))
    return [("", "—"), *((Method(method).label, items) for method, items in groups.items())]


class FacilityChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Facility) -> str:  # type: ignore[override]
        return f"{obj.name} ({obj.get_level_display()})"


class FacilityForm(forms.Form):
    code = forms.CharField(label=_("register number"), max_length=20)
    name = forms.CharField(label=_("name"), max_length=120)
    kind = forms.ChoiceField(label=_("kind"), choices=FacilityKind.choices)
    level = forms.ChoiceField(label=_("level"), choices=FacilityLevel.choices)
    ownership = forms.ChoiceField(label=_("ownership"), choices=Ownership.choices)
    parent = FacilityChoiceField(
        label=_("main facility (for a network unit)"),
        queryset=Facility.objects.none(),
        required=False,
    )
    address = forms.CharField(label=_("address"), max_length=200, required=False)
    bpjs = forms.BooleanField(label=_("works with BPJS"), required=False)
    bpjs_agreement = forms.CharField(
        label=_("BPJS agreement (PKS) number"), max_length=60, required=False
    )
    bpjs_until = forms.DateField(
        label=_("BPJS agreement valid until"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=DateInput(),
    )
    active = forms.BooleanField(label=_("active"), required=False, initial=True)

    def __init__(self, *args: Any, parents: QuerySet[Facility], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]


class ServiceForm(forms.Form):
    """The phone-first service form: the few fields a midwife or counsellor fills in."""

    served_on = forms.DateField(
        label=_("date of service"), input_formats=DATE_FORMATS, widget=DateInput()
    )
    method = forms.ChoiceField(label=_("method"), choices=_blank(Method.choices))
    product = forms.ChoiceField(
        label=_("product"),
        choices=product_choices,
        required=False,
        help_text=_(
            "For an injectable, an implant or an IUD: which one (the due lists count the next "
            "visit from it). Leave it empty when not known."
        ),
    )
    visit_type = forms.ChoiceField(
        label=_("visit type"), choices=VisitType.choices, widget=forms.RadioSelect
    )
    reason_after = forms.ChoiceField(
        label=_("after removal: reason for not using"),
        choices=_blank(NotUsingReason.choices),
        required=False,
    )
    postpartum = forms.BooleanField(
        label=_("post-partum (within 42 days of delivery)"), required=False
    )
    informed_consent = forms.BooleanField(label=_("informed consent given"), required=False)
    facility = FacilityChoiceField(
        label=_("facility or mobile unit"), queryset=Facility.objects.none(), required=False
    )
    provider = forms.CharField(label=_("provider"), max_length=100, required=False)
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, facilities: QuerySet[Facility], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("served_on", clock.today())
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = facilities  # type: ignore[attr-defined]
