"""The OpenAPI schema's Lini parts: the token scheme, and the error answers every operation can
give (documented, so that clients and the schema tests know them)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from django.utils.translation import gettext_lazy as _


class DetailSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """An error with one message."""

    detail = serializers.CharField()


VALIDATION_ERROR = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description=_(
        "The request was refused: the messages by field name (non_field_errors: the record as a "
        'whole), e.g. {"served_on": ["The date of service is in the future."]}.'
    ),
)
ERRORS: dict[str, OpenApiResponse] = {
    "400": VALIDATION_ERROR,
    "401": OpenApiResponse(
        DetailSerializer, description=_("No key, or a key that is unknown or revoked.")
    ),
    "403": OpenApiResponse(
        DetailSerializer,
        description=_("Outside the user's regions, or a right the user's role does not have."),
    ),
    "404": OpenApiResponse(
        DetailSerializer, description=_("No such record among those the user may see.")
    ),
}
CONFLICT = OpenApiResponse(
    DetailSerializer,
    description=_("The record was changed since the version given: read it again."),
)


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, with the error answers of every operation."""

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:  # type: ignore[override]
        responses = super()._get_response_bodies(direction)  # type: ignore[arg-type]
        errors = dict(ERRORS)
        if self.method in ("POST", "PUT", "PATCH"):
            errors["409"] = CONFLICT
        for code, response in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses


class ApiTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "lini.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(
                _("A key from the API token page: Authorization: Token <key> (or Bearer <key>).")
            ),
        }


def empty_query_values(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Every optional query parameter may be sent empty: it then counts as not given (the filters
    of HTML forms send empty fields too)."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
    return result
