"""Pieces the endpoints share."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from django.utils.translation import gettext as _

from lini.register.identity import mask

# A record's id in a URL: any segment, so that one that is no number is the API's own 404
# (JSON), not the HTML page of a URL that matches nothing.
ANY_ID = r"[^/]+"
MAX_ID = 2**63 - 1  # the largest key a database row can have (a 64-bit integer)
MAX_VERSION = 2**31 - 1


def id_field(**kwargs: Any) -> serializers.IntegerField:
    """The id of a record, as the database can hold it."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def version_field(**kwargs: Any) -> serializers.IntegerField:
    """The version of a record as read (a change made since is refused with 409)."""
    return serializers.IntegerField(min_value=1, max_value=MAX_VERSION, **kwargs)


@extend_schema_field(OpenApiTypes.STR)
class MaskedField(serializers.Field):  # type: ignore[type-arg]
    """A NIK or No. KK as the pages show it to everyone: ``3604********0001``. The whole
    number is given only by a record's ``reveal`` action, to users who may see identities."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: str) -> str:
        return mask(value)


class UnitField(serializers.IntegerField):
    """An RW or RT number as the forms take it (1-999; stored as three digits, ``007``)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=999, required=False, allow_null=True, **kwargs)


def unit(value: int | None) -> str:
    return f"{value:03d}" if value else ""


class ReadModelSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    """A record as the API shows it: every field read-only, with the blank and null values the
    model allows (so the schema's choices admit the empty value that a record may hold)."""

    def get_fields(self) -> dict[str, serializers.Field]:  # type: ignore[type-arg]
        fields = super().get_fields()
        for field in fields.values():
            field.read_only, field.required = True, False
        return fields


def _json_type_error(field: serializers.Field, value: Any) -> str | None:  # type: ignore[type-arg]
    """Why ``value`` is not of the JSON type ``field`` takes (None when it is)."""
    if value is None:
        return None  # the field itself says whether null is allowed
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else _("Give true or false.")
    if isinstance(field, serializers.IntegerField):
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else _("Give a whole number.")
    if isinstance(field, serializers.CharField | serializers.ChoiceField | serializers.DateField):
        return None if isinstance(value, str) else _("Give a text (in quotes).")
    return None


class WriteSerializer(serializers.Serializer):  # type: ignore[type-arg]
    """A request body, read strictly: each value must have the JSON type the field takes (a
    number sent for a text, or a text for a number, is refused rather than converted)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            errors = {}
            for name, field in self.fields.items():
                if name in data and not field.read_only:
                    problem = _json_type_error(field, data[name])
                    if isinstance(field, serializers.ListField) and isinstance(data[name], list):
                        child = field.child
                        problems = [_json_type_error(child, item) for item in data[name]]
                        problem = next((p for p in problems if p), None)
                    if problem:
                        errors[name] = [problem]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)
