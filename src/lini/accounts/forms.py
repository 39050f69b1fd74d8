"""Forms of the accounts pages."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lini.accounts.roles import Role
from lini.regions.codes import RegionCodeError, normalise_code
from lini.regions.models import Region


class RegionCodesField(forms.CharField):
    """Region codes separated by commas, spaces or new lines, turned into Region objects."""

    def clean(self, value: Any) -> list[Region]:  # type: ignore[override]
        text = super().clean(value) or ""
        codes: list[str] = []
        for raw in re.split(r"[,;\s]+", text.strip()):
            if not raw:
                continue
            try:
                codes.append(normalise_code(raw))
            except RegionCodeError:
                codes.append(raw)  # may be a sub-village code; checked below
        found = {r.code: r for r in Region.objects.filter(code__in=codes)}
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise ValidationError(
                _("Unknown region code(s): %(codes)s") % {"codes": ", ".join(unknown)}
            )
        return [found[c] for c in dict.fromkeys(codes)]


class UserForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    role = forms.ChoiceField(label=_("Role"))
    regions = RegionCodesField(
        label=_("Region codes"),
        required=False,
        help_text=_("Kemendagri codes, e.g. 36.04.09.2013; several separated by commas."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(render_value=False), required=False
    )

    def __init__(self, *args: Any, roles: list[str], creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(v, label) for v, label in Role.choices if v in roles]
        self.fields["password"].required = creating
        if not creating:
            self.fields["username"].disabled = True
            del self.fields["password"]


class PasswordResetForm(forms.Form):
    password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)


class CodeForm(forms.Form):
    """The 6-digit code of an authenticator app (spaces and dashes are ignored)."""

    code = forms.CharField(
        label=_("Code from the authenticator app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "autofocus": True,
                "size": 8,
            }
        ),
    )

    def clean_code(self) -> str:
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"])
        if not re.fullmatch(r"[0-9]{6}", code):
            raise ValidationError(_("Enter the 6 digits the app shows."))
        return code
