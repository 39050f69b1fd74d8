"""Filters of the poktan list, shared by the page and the API: region, kind, and whether the
group is active (met within LINI_POKTAN_ACTIVE_MONTHS). The queryset must come from
``selectors.with_activity`` for ``active``."""

from __future__ import annotations

import django_filters

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from lini.poktan import selectors
from lini.poktan.models import Poktan, PoktanKind, PoktanMeeting
from lini.regions.filters import MAX_ID, RegionFilter


class PoktanFilter(django_filters.FilterSet):
    region = RegionFilter(field_name="village__code", label=_("region code: groups in it"))
    kind = django_filters.ChoiceFilter(choices=PoktanKind.choices, label=_("kind"))
    active = django_filters.ChoiceFilter(
        choices=[("1", _("active")), ("0", _("not active"))], method="filter_active",
        label=_("1: active groups (met recently); 0: the others"),
    )  # fmt: skip

    class Meta:
        model = Poktan
        fields: list[str] = []

    def filter_active(self, qs: QuerySet[Poktan], name: str, value: str) -> QuerySet[Poktan]:
        return selectors.filter_active(qs, active=value == "1")


class MeetingFilter(django_filters.FilterSet):
    """The meetings of the groups of a region, or of one group, in a period."""

    region = RegionFilter(field_name="poktan__village__code", label=_("region code: groups in it"))
    poktan = django_filters.NumberFilter(
        field_name="poktan_id", min_value=1, max_value=MAX_ID, label=_("poktan id")
    )
    held_from = django_filters.DateFilter(
        field_name="held_on", lookup_expr="gte", label=_("held on or after (YYYY-MM-DD)")
    )
    held_to = django_filters.DateFilter(
        field_name="held_on", lookup_expr="lte", label=_("held on or before (YYYY-MM-DD)")
    )

    class Meta:
        model = PoktanMeeting
        fields: list[str] = []
