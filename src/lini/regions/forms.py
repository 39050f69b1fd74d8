from django import forms
from django.utils.translation import gettext_lazy as _

from lini.regions.models import RegionKind


class SubunitForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Unit"),
        choices=[
            (RegionKind.DUSUN, RegionKind.DUSUN.label),
            (RegionKind.RW, RegionKind.RW.label),
            (RegionKind.RT, RegionKind.RT.label),
        ],
    )
    name = forms.CharField(label=_("Name (dusun)"), max_length=120, required=False)
    number = forms.IntegerField(
        label=_("Number (RW/RT)"), min_value=1, max_value=999, required=False
    )


class SubunitRenameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
