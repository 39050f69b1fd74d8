"""Forms of the register pages. Their fields use the importer's cell parsers, and the family as a
whole is checked by the same ``family_problems`` before the same write path."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lini.exchange.cells import CellError, parse_sixteen_digits
from lini.register.choices import (
    Education,
    KBStatus,
    MaritalStatus,
    Method,
    NotUsingReason,
    Occupation,
    Presence,
    Relation,
    Sex,
)

DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]


def _blank(choices: Any) -> list[tuple[str, str]]:
    return [("", "—"), *choices]


class SixteenDigitsField(forms.CharField):
    def __init__(self, *, what: str, **kwargs: Any) -> None:
        self.what = what
        kwargs.setdefault("max_length", 24)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        try:
            return parse_sixteen_digits(value, what=self.what)
        except CellError as exc:
            raise forms.ValidationError(str(exc)) from exc


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class FamilyForm(forms.Form):
    kk_number = SixteenDigitsField(what="No. KK", label=_("family card number (No. KK)"))
    dusun = forms.CharField(label=_("dusun"), max_length=60, required=False)
    rw = forms.IntegerField(label=_("RW"), min_value=1, max_value=999, required=False)
    rt = forms.IntegerField(label=_("RT"), min_value=1, max_value=999, required=False)
    address = forms.CharField(label=_("address"), max_length=200, required=False)
    collected_on = forms.DateField(
        label=_("date of data collection"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=DateInput(),
    )
    collector_name = forms.CharField(
        label=_("collected by (cadre)"), max_length=100, required=False
    )

    def __init__(self, *args: Any, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["kk_number"]


class MemberForm(forms.Form):
    nik = SixteenDigitsField(what="NIK", label=_("NIK"))
    name = forms.CharField(label=_("name"), max_length=100)
    sex = forms.ChoiceField(label=_("sex"), choices=Sex.choices)
    birth_date = forms.DateField(
        label=_("birth date"), input_formats=DATE_FORMATS, widget=DateInput()
    )
    relation = forms.ChoiceField(label=_("relation to the head"), choices=Relation.choices)
    marital_status = forms.ChoiceField(label=_("marital status"), choices=MaritalStatus.choices)
    education = forms.ChoiceField(
        label=_("education"), choices=_blank(Education.choices), required=False
    )
    occupation = forms.ChoiceField(
        label=_("occupation"), choices=_blank(Occupation.choices), required=False
    )
    presence = forms.ChoiceField(
        label=_("presence"), choices=Presence.choices, initial=Presence.PRESENT
    )
    presence_date = forms.DateField(
        label=_("moved or died on"), required=False, input_formats=DATE_FORMATS, widget=DateInput()
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("KB status"), choices=KBStatus.choices, widget=forms.RadioSelect
    )
    method = forms.ChoiceField(label=_("method"), choices=_blank(Method.choices), required=False)
    reason = forms.ChoiceField(
        label=_("reason for not using"), choices=_blank(NotUsingReason.choices), required=False
    )
    effective_on = forms.DateField(label=_("since"), input_formats=DATE_FORMATS, widget=DateInput())
    place = forms.CharField(label=_("place of service"), max_length=120, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("status") == KBStatus.USING and not data.get("method"):
            self.add_error("method", _("a couple using KB needs the method"))
        if data.get("status") == KBStatus.NOT_USING and not data.get("reason"):
            self.add_error(
                "reason",
                _("give the reason for not using: %(allowed)s")
                % {"allowed": ", ".join(NotUsingReason.values)},
            )
        return data
