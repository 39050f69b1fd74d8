"""Errors of the API, in one shape: a service's refusal (Django's ``ValidationError``) is a 400
with the messages by field (``non_field_errors`` for the family as a whole), or a 409 when the
data changed since it was read (the services' ``conflict`` code)."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _

CONFLICT_CODES = frozenset({"conflict"})


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The data changed since you read it. Read it again and redo your change.")
    default_code = "conflict"


def _codes(error: DjangoValidationError) -> set[str]:
    return {e.code or "" for e in error.error_list} if hasattr(error, "error_list") else set()


def as_api_error(error: DjangoValidationError) -> exceptions.APIException:
    """The API's form of a service's refusal."""
    if not hasattr(error, "error_dict") and _codes(error) & CONFLICT_CODES:
        return Conflict(" ".join(error.messages))
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError(
            {field: [str(m) for m in DjangoValidationError(errors).messages]
             for field, errors in error.error_dict.items()}
        )  # fmt: skip
    return exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: error.messages})


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = as_api_error(exc)
    return drf_exception_handler(exc, context)
