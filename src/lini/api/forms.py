"""The token page's form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lini.api.services import NAME_MAX


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("name"), max_length=NAME_MAX,
        help_text=_("What the token is for, e.g. the district dashboard or a spreadsheet script."),
    )  # fmt: skip
