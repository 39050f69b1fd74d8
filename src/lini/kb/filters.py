"""Filters of the KB service list: the service list page's (region, month, method, visit type,
product), applied by the same selector (``selectors.service_list``) for the page and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.exchange.cells import CellError
from lini.exchange.records import parse_month
from lini.kb import selectors
from lini.kb.choices import Product, VisitType
from lini.kb.models import Service
from lini.regions.filters import RegionFilter, request_user
from lini.register.choices import Method


class MonthField(forms.CharField):
    """A month as ``YYYY-MM`` (the first day of it)."""

    def clean(self, value: Any) -> dt.date | None:  # type: ignore[override]
        value = super().clean(value)
        if not value:
            return None
        try:
            return parse_month(str(value)[:10])
        except CellError as error:
            raise forms.ValidationError(str(error)) from None


@extend_schema_field(OpenApiTypes.STR)
class MonthFilter(django_filters.Filter):
    field_class = MonthField


class ServiceFilter(django_filters.FilterSet):
    region = RegionFilter(label=_("region code: services of couples in it"))
    month = MonthFilter(label=_("month of service, YYYY-MM"))
    method = django_filters.ChoiceFilter(choices=Method.choices, label=_("method"))
    visit_type = django_filters.ChoiceFilter(choices=VisitType.choices, label=_("visit type"))
    product = django_filters.ChoiceFilter(choices=Product.choices, label=_("product"))

    class Meta:
        model = Service
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet[Service]) -> QuerySet[Service]:
        """The services of ``selectors.service_list`` (which starts from what the user may see,
        as ``queryset`` does) for the values given."""
        data = self.form.cleaned_data
        user = request_user(self)
        region = data.get("region")
        if region is not None:
            scope.require(user, Action.VIEW, region)
        services = selectors.service_list(
            user=user, region=region, month=data.get("month"), method=data.get("method") or "",
            visit_type=data.get("visit_type") or "",
        )  # fmt: skip
        product = data.get("product") or ""
        return services.filter(product=product) if product else services
