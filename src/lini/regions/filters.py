"""Filters of region lists (the API's), and the ``region`` filter that every list of regional
data shares: ``?region=CODE`` keeps the rows of that region and of every region below it."""

from __future__ import annotations

from typing import Any

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.regions import selectors
from lini.regions.models import Region, RegionLevel

SEARCH_LIMIT = 200  # regions a search returns at most
MAX_ID = 2**63 - 1  # the largest key a row can have: larger ids in filters are refused


def request_user(filterset: Any) -> Any:
    """The user of the request a filter set was given (None without a request)."""
    request = getattr(filterset, "request", None)
    return getattr(request, "user", None)


class RegionCodeField(forms.CharField):
    """A region by its code (dotted or not); an unknown code is a field error."""

    def clean(self, value: Any) -> Region | None:  # type: ignore[override]
        value = super().clean(value)
        if not value:
            return None
        code = str(value).strip()[:40]
        region = selectors.region_get(code=code)
        if region is None:
            # The code goes in as a parameter: a "%" in it must not be read as a format.
            raise forms.ValidationError(
                _("No region has the code %(code)s."), code="unknown", params={"code": code}
            )
        return region


class StrictBooleanField(forms.NullBooleanField):
    """``true`` or ``false`` (``1``, ``0``); empty: not given; anything else is refused."""

    widget = forms.TextInput  # the select of NullBooleanField reads unknown values as empty

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        if value in (True, "true", "True", "1"):
            return True
        if value in (False, "false", "False", "0"):
            return False
        raise forms.ValidationError(_("Give true or false."), code="invalid")

    def validate(self, value: Any) -> None:
        return None


class BooleanFilter(django_filters.BooleanFilter):
    """A yes/no filter that refuses what is neither."""

    field_class = StrictBooleanField


@extend_schema_field(OpenApiTypes.STR)
class RegionCodeFilter(django_filters.Filter):
    """A region given by its code."""

    field_class = RegionCodeField


class RegionFilter(RegionCodeFilter):
    """The rows of a region and of the regions below it, reached through ``field_name`` (e.g.
    ``village__code``). A region outside the user's scope is refused (403), as on the pages."""

    def filter(self, qs: QuerySet[Any], value: Region | None) -> QuerySet[Any]:
        if value is None:
            return qs
        scope.require(request_user(self.parent), Action.VIEW, value)
        return qs.filter(selectors.subtree_q([value.code], field=self.field_name))


class RegionListFilter(django_filters.FilterSet):
    """Walking the tree: the children of ``parent`` (a region the user may open), a search by
    name or code (the region search page's), regions of one ``level``."""

    parent = RegionCodeFilter(
        method="filter_parent",
        label=gettext_lazy("code of the parent region: its children"),
    )  # fmt: skip
    q = django_filters.CharFilter(
        method="filter_q", max_length=100, label=gettext_lazy("name or code to search for")
    )
    level = django_filters.TypedChoiceFilter(
        choices=RegionLevel.choices, coerce=int, label=gettext_lazy("level")
    )

    class Meta:
        model = Region
        fields: list[str] = []

    def filter_parent(
        self, qs: QuerySet[Region], name: str, value: Region | None
    ) -> QuerySet[Region]:
        if value is None:
            return qs
        if not scope.can_navigate(request_user(self), value):
            raise PermissionDenied
        return qs.filter(parent=value)

    def filter_q(self, qs: QuerySet[Region], name: str, value: str) -> QuerySet[Region]:
        if not value.strip():
            return qs
        found = selectors.region_search(
            query=value, within=scope.navigable_q(request_user(self)), limit=SEARCH_LIMIT
        )
        return qs.filter(pk__in=[r.pk for r in found])
