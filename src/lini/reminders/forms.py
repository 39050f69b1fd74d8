"""Forms of the reminders' pages. They only read the input; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lini.register.forms import DATE_FORMATS, DateInput
from lini.register.models import Couple
from lini.reminders.choices import Channel, RecipientKind, Status


class CoupleField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Couple) -> str:
        if obj.husband is not None:
            return f"{obj.wife.name} & {obj.husband.name}"
        return obj.wife.name


class ConsentForm(forms.Form):
    couple = CoupleField(label=_("couple"), queryset=Couple.objects.none(), empty_label=None)
    phone = forms.CharField(
        label=_("mobile number"), max_length=25,
        help_text=_("The number the client chose for reminders, e.g. 0812-3456-7890."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )  # fmt: skip
    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices)
    given_on = forms.DateField(
        label=_("consent given on"), input_formats=DATE_FORMATS, widget=DateInput()
    )
    note = forms.CharField(
        label=_("note"), max_length=200, required=False,
        help_text=_("Optional: how the consent was given (in person, on a form)."),
    )  # fmt: skip
    confirmed = forms.BooleanField(
        label=_(
            "The client agreed to receive reminders of KB visits on this number, and knows they "
            "can withdraw at any time."
        ),
    )

    def __init__(self, *args: Any, couples: list[Couple], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: CoupleField = self.fields["couple"]  # type: ignore[assignment]
        field.queryset = Couple.objects.filter(pk__in=[c.pk for c in couples]).select_related(
            "wife", "husband"
        )


class OutboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("status"), required=False, choices=[("", _("All statuses")), *Status.choices]
    )
    kind = forms.ChoiceField(
        label=_("recipient kind"), required=False,
        choices=[("", _("Workers and clients")), *RecipientKind.choices],
    )  # fmt: skip
    week = forms.RegexField(
        label=_("week"), required=False, regex=r"^\d{4}-W\d{2}$",
        widget=forms.TextInput(attrs={"placeholder": "2019-W44"}),
    )  # fmt: skip
