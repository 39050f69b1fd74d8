"""The Kampung KB profile form. The service checks everything again (the same rules as an
import); the form only turns the page's fields into values."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lini.kampung.choices import (
    Criterion,
    DataUse,
    FundingSource,
    KampungClass,
    Operation,
    RumahDataKuStatus,
)
from lini.kampung.services import KampungValues
from lini.register.forms import DATE_FORMATS, DateInput


def _date(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, input_formats=DATE_FORMATS, widget=DateInput()
    )


def _codes(label: Any, choices: Any) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class KampungForm(forms.Form):
    name = forms.CharField(
        label=_("name"),
        max_length=120,
        required=False,
        help_text=_("Leave empty for “Kampung KB” and the village's name."),
    )
    launched_on = _date(_("launched on"))
    criteria = _codes(_("criteria met"), Criterion.choices)
    pokja_exists = forms.BooleanField(label=_("working group (pokja) exists"), required=False)
    pokja_decree = forms.CharField(
        label=_("pokja decree (SK) number"), max_length=80, required=False
    )
    pokja_decree_on = _date(_("pokja decree date"))
    pokja_members = forms.IntegerField(
        label=_("pokja members"), min_value=0, max_value=32767, initial=0, required=False
    )
    pokja_trained = forms.IntegerField(
        label=_("pokja members trained"), min_value=0, max_value=32767, initial=0, required=False
    )
    regulation = forms.BooleanField(label=_("village regulation supports it"), required=False)
    work_plan = forms.BooleanField(label=_("community work plan (RKM)"), required=False)
    partners = forms.CharField(
        label=_("sector partners"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One institution per line (e.g. Puskesmas, KUA, Dinas Sosial)."),
    )
    funding_sources = _codes(_("funding sources"), FundingSource.choices)
    operations = _codes(_("operational activities"), Operation.choices)
    data_uses = _codes(_("uses of data"), DataUse.choices)
    secretariat = forms.BooleanField(label=_("secretariat exists"), required=False)
    rumah_dataku = forms.ChoiceField(
        label=_("Rumah DataKu"), choices=RumahDataKuStatus.choices, required=False
    )
    rumah_dataku_since = _date(_("Rumah DataKu since"))
    rumah_dataku_data = _codes(_("data kept up to date"), DataUse.choices)
    rumah_dataku_updated_on = _date(_("Rumah DataKu data last updated"))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def values(self) -> KampungValues:
        data = self.cleaned_data
        partners = [
            p for line in data["partners"].splitlines() for p in line.split(";") if p.strip()
        ]
        return KampungValues(
            name=data["name"], launched_on=data["launched_on"], criteria=data["criteria"],
            pokja_exists=data["pokja_exists"], pokja_decree=data["pokja_decree"],
            pokja_decree_on=data["pokja_decree_on"], pokja_members=data["pokja_members"] or 0,
            pokja_trained=data["pokja_trained"] or 0, regulation=data["regulation"],
            work_plan=data["work_plan"], partners=partners,
            funding_sources=data["funding_sources"], operations=data["operations"],
            data_uses=data["data_uses"], secretariat=data["secretariat"],
            rumah_dataku=data["rumah_dataku"] or "",
            rumah_dataku_since=data["rumah_dataku_since"],
            rumah_dataku_data=data["rumah_dataku_data"],
            rumah_dataku_updated_on=data["rumah_dataku_updated_on"],
        )  # fmt: skip

    @staticmethod
    def initial_from(values: KampungValues, *, version: int) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(values, name) for name in KampungForm.base_fields if name != "version"
        }
        initial["partners"] = "\n".join(values.partners)
        initial["version"] = version
        return initial


class ClassFilterForm(forms.Form):
    kampung_class = forms.ChoiceField(
        label=_("class"), choices=[("", _("all classes")), *KampungClass.choices], required=False
    )
