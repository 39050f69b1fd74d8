"""Forms of the campaign (baksos) pages. They only read the fields; the rules (dates within the
campaign, levels of regions, rights) live in the services: :mod:`lini.campaigns.planning`,
:mod:`lini.campaigns.recording`, :mod:`lini.campaigns.photos` and, for the rights,
:mod:`lini.campaigns.services`."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from lini.campaigns.choices import TARGET_KEYS, TeamRole, target_label
from lini.campaigns.planning import AREA_LEVELS, MAX_TARGET
from lini.kb.forms import ServiceForm
from lini.regions.models import Region
from lini.register.forms import DATE_FORMATS, DateInput
from lini.register.identity import mask
from lini.register.models import Couple
from lini.workforce.models import Cadre, Counsellor

_SEPARATORS = re.compile(r"[\s,;]+")


def split_codes(text: str) -> list[str]:
    """Region codes typed in one box, separated by commas, semicolons or spaces."""
    return [code for code in _SEPARATORS.split(text.strip()) if code]


class RegionCodesField(forms.CharField):
    """Region codes (``36.04, 36.03.12``) read into regions. ``levels``: the levels allowed
    (any when empty)."""

    def __init__(self, *, levels: tuple[int, ...] = (), **kwargs: Any) -> None:
        self.levels = levels
        kwargs.setdefault("max_length", 400)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> list[Region]:  # type: ignore[override]
        text = super().clean(value)
        codes = list(dict.fromkeys(split_codes(text or "")))
        found = {r.code: r for r in Region.objects.filter(code__in=codes)}
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise forms.ValidationError(
                _("No region has the code %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        wrong = [found[c] for c in codes if self.levels and found[c].level not in self.levels]
        if wrong:
            raise forms.ValidationError(
                _("%(names)s: give regencies or districts.")
                % {"names": ", ".join(r.display_name for r in wrong)}
            )
        return [found[code] for code in codes]


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=150)
    theme = forms.CharField(label=_("theme"), max_length=300, required=False)
    organisers = forms.CharField(
        label=_("organisers"), max_length=300, required=False,
        help_text=_("e.g. BKKBN Banten, DPD IPeKB Banten"),
    )  # fmt: skip
    region = forms.ChoiceField(label=_("planned by the office of"))
    starts_on = forms.DateField(
        label=_("first day"), input_formats=DATE_FORMATS, widget=DateInput()
    )
    ends_on = forms.DateField(label=_("last day"), input_formats=DATE_FORMATS, widget=DateInput())
    areas = RegionCodesField(
        label=_("regions covered"), required=False,
        help_text=_("Codes of regencies or districts, separated by commas (e.g. 36.04, 36.03)."),
    )  # fmt: skip
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, offices: list[Region] | None, **kwargs: Any) -> None:
        """``offices``: the planning offices to choose from; None: any province or regency,
        typed by its code (national administrators)."""
        super().__init__(*args, **kwargs)
        self.offices = offices
        if offices is None:
            self.fields["region"] = forms.CharField(
                label=_("planned by the office of"), max_length=20,
                help_text=_("The code of a province or a regency (e.g. 36 or 36.04)."),
            )  # fmt: skip
        else:
            self.fields["region"].choices = [  # type: ignore[attr-defined]
                (r.code, f"{r.display_name} ({r.code})") for r in offices
            ]

    def clean_region(self) -> Region:
        code = str(self.cleaned_data["region"]).strip()
        if self.offices is not None:
            return next(r for r in self.offices if r.code == code)
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise forms.ValidationError(_("No region has the code %(code)s.") % {"code": code})
        return region


class SuggestForm(forms.Form):
    regions = RegionCodesField(
        label=_("regencies or districts"), levels=tuple(AREA_LEVELS),
        help_text=_("Codes separated by commas (e.g. 36.04.09, 36.04.11)."),
    )  # fmt: skip
    count = forms.IntegerField(label=_("how many villages"), min_value=1, max_value=50, initial=8)
    year = forms.IntegerField(label=_("targets of the year"), min_value=2000, max_value=2100)


class AcceptForm(forms.Form):
    """The suggested villages ticked to become lokus (recomputed on the server)."""

    accept = forms.MultipleChoiceField(label=_("villages"), choices=())
    year = forms.IntegerField(min_value=2000, max_value=2100, widget=forms.HiddenInput)

    def __init__(self, *args: Any, codes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["accept"].choices = [(c, c) for c in codes]  # type: ignore[attr-defined]


class LokusAddForm(forms.Form):
    code = forms.CharField(
        label=_("village code"), max_length=20,
        widget=forms.TextInput(attrs={"placeholder": "36.04.09.2013", "inputmode": "decimal"}),
    )  # fmt: skip


class LokusPlanForm(forms.Form):
    """One whole number per target key (empty or 0: no target) and the Kampung KB checklist
    items to tidy up."""

    tidy_items = forms.MultipleChoiceField(
        label=_("Kampung KB checklist items to tidy up"), required=False, choices=(),
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, checklist: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key in TARGET_KEYS:
            self.fields[key] = forms.IntegerField(
                label=target_label(key), required=False, min_value=0, max_value=MAX_TARGET,
                widget=forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
            )  # fmt: skip
        self.fields["tidy_items"].choices = checklist  # type: ignore[attr-defined]
        if not checklist:
            self.fields["tidy_items"].widget = forms.MultipleHiddenInput()


class CounsellorField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Counsellor) -> str:  # type: ignore[override]
        return f"{obj.name} ({obj.get_kind_display()})"


class CadreField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Cadre) -> str:  # type: ignore[override]
        return f"{obj.name} ({obj.get_kind_display()})"


class TeamMemberForm(forms.Form):
    counsellor = CounsellorField(
        label=_("a field counsellor (PKB/PLKB)"), queryset=Counsellor.objects.none(),
        required=False,
    )  # fmt: skip
    cadre = CadreField(label=_("or a cadre of the village"), queryset=Cadre.objects.none(),
                       required=False)  # fmt: skip
    name = forms.CharField(
        label=_("or a partner: name"), max_length=100, required=False,
        help_text=_("A person or an office, e.g. Bidan Puskesmas Ciruas, TMKK Kodim 0602."),
    )  # fmt: skip
    organisation = forms.CharField(label=_("organisation"), max_length=120, required=False)
    role = forms.ChoiceField(label=_("role"), choices=TeamRole.choices)

    def __init__(
        self,
        *args: Any,
        counsellors: QuerySet[Counsellor],
        cadres: QuerySet[Cadre],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["counsellor"].queryset = counsellors  # type: ignore[attr-defined]
        self.fields["cadre"].queryset = cadres  # type: ignore[attr-defined]


class CoupleField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Couple) -> str:  # type: ignore[override]
        return f"{obj.wife.name} ({mask(obj.family.kk_number)})"


class CampaignServiceForm(ServiceForm):
    """The KB service form with the couple chosen from the lokus's village."""

    couple = CoupleField(queryset=Couple.objects.none(), widget=forms.HiddenInput)

    def __init__(self, *args: Any, couples: QuerySet[Couple], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["couple"].queryset = couples  # type: ignore[attr-defined]
        self.fields["couple"].error_messages["required"] = _(
            "Find the couple first (No. KK or a name)."
        )
        self.fields["couple"].error_messages["invalid_choice"] = _(
            "This couple is not a PUS couple of the lokus's village."
        )
        self.order_fields(["couple"])


class DayLogForm(forms.Form):
    # Hidden (the day is chosen with the links above the form): its messages say which field.
    day = forms.DateField(
        label=_("day"), widget=forms.HiddenInput, input_formats=DATE_FORMATS,
        error_messages={
            "required": _("The day of the log is missing; choose a day of the campaign."),
            "invalid": _("The day of the log is not a date (YYYY-MM-DD); choose a day of the "
                         "campaign."),
        },
    )  # fmt: skip
    families_visited = forms.IntegerField(label=_("families visited"), min_value=0)
    counselling = forms.IntegerField(label=_("counselling sessions"), min_value=0)
    attendance = forms.IntegerField(label=_("people attending"), min_value=0)
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PhotoForm(forms.Form):
    day = forms.DateField(label=_("day"), input_formats=DATE_FORMATS, widget=DateInput())
    caption = forms.CharField(label=_("caption"), max_length=200, required=False)
    photo = forms.FileField(
        label=_("photo"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
        help_text=_("A JPEG, PNG or WebP image."),
    )
