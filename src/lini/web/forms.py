"""Form helpers shared by every app's pages."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def errors_into(form: forms.Form, error: ValidationError) -> None:
    """Put a service's refusal into the form: each message on its field when the form shows that
    field, else at the top of the form (hidden fields such as ``version`` too)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            visible = field in form.fields and not form.fields[field].widget.is_hidden
            form.add_error(field if visible else None, errors)
    else:
        for message in error.messages:
            form.add_error(None, message)
