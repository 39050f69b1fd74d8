"""Forms of the DHIS2 pages. They only read the input; the rules live in the services
(:mod:`lini.dhis2.services`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lini.dhis2.figures import indicator_catalog, report_catalog
from lini.dhis2.models import CODE_LENGTH, Use


def figure_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The figures a mapping may name, grouped: the monthly report's, then the indicators'."""
    indonesian = (get_language() or "").startswith("id")
    return [
        (str(_("Monthly report (exported values)")),
         [(code, f"{code} · {f.label}") for code, f in report_catalog().items()]),
        (str(_("Indicators (imported targets)")),
         [(code, f"{code} · {f.label}")
          for code, f in indicator_catalog(indonesian=indonesian).items()]),
    ]  # fmt: skip


def _code(label: str, *, required: bool = False, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label, max_length=CODE_LENGTH, required=required, help_text=help_text
    )


class FigureMappingForm(forms.Form):
    use = forms.ChoiceField(label=_("use"), choices=Use.choices)
    figure = forms.ChoiceField(label=_("Lini figure"))
    data_set = _code(_("data set code"), help_text=_("Required for exported values."))
    data_element = _code(_("data element code"), required=True)
    category_option_combo = _code(
        _("category option combo code"), help_text=_("Empty: the default combination.")
    )
    adx_categories = forms.CharField(
        label=_("ADX disaggregation"), max_length=200, required=False,
        help_text=_("The same combination as CATEGORY=OPTION codes separated by ';', "
                    "e.g. KB_METODE=IUD."),
    )  # fmt: skip
    attribute_option_combo = _code(
        _("attribute option combo code"), help_text=_("Empty: the default attribute combo.")
    )
    adx_attributes = forms.CharField(
        label=_("ADX attribute categories"), max_length=200, required=False,
        help_text=_("The attribute option combo as CATEGORY=OPTION codes."),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["figure"].choices = figure_choices()  # type: ignore[attr-defined]


class OrgUnitMappingForm(forms.Form):
    region = forms.CharField(
        label=_("region code (Kemendagri)"), max_length=40,
        help_text=_("A province, regency, district or village, e.g. 36.04."),
    )  # fmt: skip
    org_unit = _code(_("org unit code"), required=True)


class MappingImportForm(forms.Form):
    file = forms.FileField(
        label=_("file (.csv or .xlsx)"),
        help_text=_("The columns of the exported file; at most 2 MB."),
    )


class ExportForm(forms.Form):
    """The region and the month of the export page (read from the query string)."""

    region = forms.CharField(label=_("region code"), max_length=40, required=False)
    period = forms.CharField(label=_("month (YYYY-MM)"), max_length=20, required=False)
