"""Forms of the poktan pages. They only read the input; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lini.core import clock
from lini.kampung.models import KampungKB
from lini.poktan.models import PoktanKind
from lini.regions.models import Region, RegionLevel
from lini.regions.selectors import subtree_q
from lini.register.forms import DATE_FORMATS, DateInput, SixteenDigitsField
from lini.register.identity import mask
from lini.register.models import Family
from lini.workforce.models import Cadre, Counsellor


class AreaField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Region) -> str:
        return f"{obj.get_kind_display()} {obj.name}"


class CadreField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Cadre) -> str:
        return str(obj)


class PoktanForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=PoktanKind.choices)
    name = forms.CharField(label=_("name"), max_length=120)
    area = AreaField(
        label=_("dusun/RW"), queryset=Region.objects.none(), required=False,
        help_text=_("Leave empty for a group of the whole village."),
    )  # fmt: skip
    kampung = forms.ModelChoiceField(
        label=_("Kampung KB"), queryset=KampungKB.objects.none(), required=False
    )
    formed_on = forms.DateField(
        label=_("formed on"), required=False, input_formats=DATE_FORMATS, widget=DateInput()
    )
    decree = forms.CharField(label=_("decree (SK) number"), max_length=80, required=False)
    chair = forms.CharField(label=_("chair"), max_length=100, required=False)
    secretary = forms.CharField(label=_("secretary"), max_length=100, required=False)
    treasurer = forms.CharField(label=_("treasurer"), max_length=100, required=False)
    capital_source = forms.CharField(
        label=_("capital source (UPPKA)"), max_length=120, required=False,
        help_text=_("Only for UPPKA groups."),
    )  # fmt: skip
    cadres = CadreField(
        label=_("cadres"), queryset=Cadre.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, village: Region, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Region.objects.filter(  # type: ignore[attr-defined]
            subtree_q([village.code]), level__in=(RegionLevel.DUSUN, RegionLevel.RW)
        ).order_by("code")
        self.fields["kampung"].queryset = KampungKB.objects.filter(village=village)  # type: ignore[attr-defined]
        self.fields["cadres"].queryset = Cadre.objects.filter(  # type: ignore[attr-defined]
            village=village, active=True
        ).order_by("kind", "name")


class MemberAddForm(forms.Form):
    kk_number = SixteenDigitsField(what="No. KK", label=_("family card number (No. KK)"))
    joined_on = forms.DateField(
        label=_("joined on"), required=False, input_formats=DATE_FORMATS, widget=DateInput()
    )


class FamilyChoices(forms.ModelMultipleChoiceField):
    """Member families, shown by the head's name and the No. KK (masked unless allowed)."""

    def __init__(self, *args: Any, identity: bool = False, **kwargs: Any) -> None:
        self.identity = identity
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Family) -> str:
        number = obj.kk_number if self.identity else mask(obj.kk_number)
        head = getattr(obj, "head_name", None) or "—"
        return f"{head} ({number})"


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("date"), input_formats=DATE_FORMATS, widget=DateInput())
    topic = forms.CharField(label=_("topic"), max_length=200)
    attendance = forms.IntegerField(
        label=_("families present"), min_value=0, required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("Leave empty to count the families ticked below."),
    )  # fmt: skip
    attendees = FamilyChoices(
        label=_("member families present"), queryset=Family.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, families: Any, identity: bool, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"held_on": clock.today()})
        super().__init__(*args, **kwargs)
        field = self.fields["attendees"]
        field.queryset = families  # type: ignore[attr-defined]
        field.identity = identity  # type: ignore[attr-defined]
        if not families.exists():
            del self.fields["attendees"]


class GuidanceForm(forms.Form):
    counsellor = forms.ModelChoiceField(label=_("counsellor"), queryset=Counsellor.objects.none())
    happened_on = forms.DateField(label=_("date"), input_formats=DATE_FORMATS, widget=DateInput())
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, village: Region, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"happened_on": clock.today()})
        super().__init__(*args, **kwargs)
        self.fields["counsellor"].queryset = (  # type: ignore[attr-defined]
            Counsellor.objects.filter(Q(villages=village) | Q(district_id=village.parent_id))
            .filter(active=True)
            .distinct()
            .order_by("name")
        )
