from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lini.exchange.models import ExportPurpose
from lini.exchange.registry import get_kind, kinds
from lini.exchange.services import PURPOSE_MAX_CHARS, export_purpose_clean


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
    purpose_kind = forms.ChoiceField(
        label=_("Kind of purpose"),
        choices=[("", "—"), *ExportPurpose.choices],
        required=False,
    )
    purpose = forms.CharField(
        label=_("Purpose of the export"),
        required=False,
        max_length=PURPOSE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Required for personal data: who needs the data and why, e.g. “checking the "
            "families of Desa Singamerta before the baksos of 12 November”. Kept with the export "
            "in the audit trail."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _kind_choices()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        slug = data.get("kind")
        if not slug:
            return data
        kind = get_kind(slug)
        try:
            data["purpose"] = export_purpose_clean(
                kind=kind, purpose=data.get("purpose", ""),
                purpose_kind=data.get("purpose_kind", ""),
            )  # fmt: skip
        except ValidationError as error:
            self.add_error("purpose", error)
        return data
