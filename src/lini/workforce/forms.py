"""Forms of the workforce pages. They only read what was typed; the services check it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from lini.regions.models import Region
from lini.workforce.models import CadreKind, CounsellorKind, IPeKBLevel

DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Region) -> str:  # type: ignore[override]
        return obj.display_name


class VillagesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Region) -> str:  # type: ignore[override]
        return f"{obj.display_name} ({obj.code})"


class CounsellorForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    nip = forms.CharField(
        label=_("employee number (NIP)"),
        max_length=24,
        required=False,
        help_text=_("18 digits; leave empty for a PLKB who is not a civil servant."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(label=_("kind"), choices=CounsellorKind.choices)
    district = RegionChoiceField(
        label=_("district (base)"), queryset=Region.objects.none(), to_field_name="code"
    )
    villages = VillagesField(
        label=_("villages looked after"),
        queryset=Region.objects.none(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    phone = forms.CharField(label=_("phone"), max_length=20, required=False)
    ipekb_member = forms.BooleanField(label=_("IPeKB member"), required=False)
    ipekb_level = forms.ChoiceField(
        label=_("IPeKB board level"), choices=IPeKBLevel.choices, required=False
    )
    ipekb_position = forms.CharField(label=_("IPeKB board position"), max_length=60, required=False)
    user = forms.CharField(
        label=_("account (username)"),
        max_length=150,
        required=False,
        help_text=_("The counsellor's own Lini account, if they log in."),
    )
    active = forms.BooleanField(label=_("active"), required=False, initial=True)

    def __init__(
        self,
        *args: Any,
        districts: QuerySet[Region],
        villages: QuerySet[Region],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts  # type: ignore[attr-defined]
        self.fields["villages"].queryset = villages  # type: ignore[attr-defined]


class CadreForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    kind = forms.ChoiceField(label=_("kind"), choices=CadreKind.choices)
    area = RegionChoiceField(
        label=_("dusun/RW"),
        queryset=Region.objects.none(),
        to_field_name="code",
        required=False,
        help_text=_("Required for a Sub-PPKBD; empty for a PPKBD."),
    )
    phone = forms.CharField(label=_("phone"), max_length=20, required=False)
    trained = forms.BooleanField(label=_("trained"), required=False)
    since = forms.DateField(
        label=_("cadre since"), required=False, input_formats=DATE_FORMATS, widget=DateInput()
    )
    user = forms.CharField(
        label=_("account (username)"),
        max_length=150,
        required=False,
        help_text=_("The cadre's own Lini account, if they log in."),
    )
    active = forms.BooleanField(label=_("active"), required=False, initial=True)

    def __init__(self, *args: Any, areas: QuerySet[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas  # type: ignore[attr-defined]
