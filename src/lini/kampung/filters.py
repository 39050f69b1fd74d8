"""Filters of the Kampung KB list (the API's): the page's region and class. The class is the
one the list page shows (``selectors.kampung_assessments``: computed from the register, the
poktan and the workforce), so filtering by it assesses every profile of the region."""

from __future__ import annotations

import django_filters

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from lini.kampung import selectors
from lini.kampung.choices import KampungClass
from lini.kampung.models import KampungKB
from lini.regions.filters import RegionFilter


class KampungFilter(django_filters.FilterSet):
    region = RegionFilter(field_name="village__code", label=_("region code: profiles in it"))
    kampung_class = django_filters.ChoiceFilter(
        choices=KampungClass.choices, method="filter_class", label=_("class")
    )

    class Meta:
        model = KampungKB
        fields: list[str] = []

    def filter_class(self, qs: QuerySet[KampungKB], name: str, value: str) -> QuerySet[KampungKB]:
        wanted = [
            a.kampung.pk for a in selectors.kampung_assessments(qs) if a.kampung_class == value
        ]
        return qs.filter(pk__in=wanted)
