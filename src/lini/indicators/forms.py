"""Forms of the indicator pages. They only read the input; the rules live in the services
(:mod:`lini.indicators.targets`)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lini.indicators.models import Direction, Indicator


def field_name(code: str) -> str:
    return f"target_{code}"


class TargetForm(forms.Form):
    """Every indicator's target for one region and year (empty: no target)."""

    def __init__(
        self,
        *args: Any,
        indicators: Sequence[Indicator],
        current: dict[str, Decimal],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        for indicator in self.indicators:
            unit = f" ({indicator.unit})" if indicator.unit else ""
            value = current.get(indicator.code)
            self.fields[field_name(indicator.code)] = forms.CharField(
                label=f"{indicator.display_name}{unit}",  # type: ignore[attr-defined]
                required=False,
                max_length=20,
                initial="" if value is None else value.normalize(),
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                help_text=indicator.code,
            )


class IndicatorForm(forms.Form):
    """An indicator of the catalog, from the existing count keys and their weights."""

    code = forms.SlugField(label=_("code"), max_length=40)
    name_id = forms.CharField(label=_("name (Indonesian)"), max_length=120)
    name_en = forms.CharField(label=_("name (English)"), max_length=120)
    numerator = forms.JSONField(
        label=_("numerator: count keys and their weights"),
        help_text=_('A JSON object, e.g. {"pa_iud": 1, "pa_implan": 1}; a weight may be a '
                    'fraction such as "1/15".'),
    )  # fmt: skip
    denominator = forms.JSONField(
        label=_("denominator: count keys and their weights"), required=False,
        help_text=_('Empty for a plain count, e.g. {"pus": 1} for a share of PUS.'),
    )  # fmt: skip
    factor = forms.DecimalField(
        label=_("factor"), max_digits=12, decimal_places=4, initial=1,
        help_text=_("100 for a percentage."),
    )  # fmt: skip
    unit = forms.CharField(label=_("unit"), max_length=20, required=False)
    direction = forms.ChoiceField(label=_("direction"), choices=Direction.choices)
    definition = forms.CharField(label=_("definition"), widget=forms.Textarea, required=False)
    source = forms.CharField(label=_("source"), max_length=200, required=False)
    position = forms.IntegerField(label=_("order"), min_value=0, max_value=32767, initial=1000)

    def clean_denominator(self) -> dict[str, Any]:
        return self.cleaned_data.get("denominator") or {}
