from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lini.exchange.registry import kinds


def _kind_choices() -> list[tuple[str, str]]:
    return [(slug, str(kind.title)) for slug, kind in sorted(kinds().items())]


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of data"))
    file = forms.FileField(
        label=_("File (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    dry_run = forms.BooleanField(
        label=_("Check only (nothing is stored; shows the first errors)"),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _kind_choices()


class ExportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of data"))
    region = forms.CharField(label=_("Region code"), max_length=40)
    file_format = forms.ChoiceField(
        label=_("Format"), choices=[(".xlsx", "Excel (.xlsx)"), (".csv", "CSV")]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _kind_choices()
