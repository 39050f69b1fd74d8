"""Forms of the monthly input pages: the F/I/Dal sections (I. institutions, exist and reported
side by side; II. operational activity) and the approver's decisions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lini.monthly.models import INSTITUTIONS, MonthlyInput
from lini.monthly.services import MAX_COUNT, NOTES_MAX, OPERATIONAL_FIELDS


def _count_field(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=MAX_COUNT,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
    )


class MonthlyInputForm(forms.Form):
    """Every count of the input, the notes and the version the user opened (hidden)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in INSTITUTIONS:
            self.fields[f"{key}_exist"] = _count_field(_("%(name)s: exist") % {"name": label})
            self.fields[f"{key}_reported"] = _count_field(_("%(name)s: reported") % {"name": label})
        for name in OPERATIONAL_FIELDS:
            self.fields[name] = _count_field(
                MonthlyInput._meta.get_field(name).verbose_name.capitalize()  # type: ignore[union-attr]
            )
        self.fields["notes"] = forms.CharField(
            label=_("Notes"),
            required=False,
            max_length=NOTES_MAX,
            widget=forms.Textarea(attrs={"rows": 3}),
        )

    def institution_rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        """Section I: (institution, exist field, reported field), for the side-by-side table."""
        return [
            (label, self[f"{key}_exist"], self[f"{key}_reported"]) for key, label in INSTITUTIONS
        ]

    def operational_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in OPERATIONAL_FIELDS]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for key, label in INSTITUTIONS:
            exist, reported = data.get(f"{key}_exist"), data.get(f"{key}_reported")
            if exist is not None and reported is not None and reported > exist:
                self.add_error(
                    f"{key}_reported",
                    _("%(institution)s: %(reported)d reported, but only %(exist)d exist; "
                      "no more can report than exist")
                    % {"institution": label, "reported": reported, "exist": exist},
                )  # fmt: skip
        return data

    def values(self) -> dict[str, Any]:
        return {n: v for n, v in self.cleaned_data.items() if n != "version"}


class DecisionForm(forms.Form):
    """Approve, send back or reopen: the version decided on and the approver's comment."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=NOTES_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
