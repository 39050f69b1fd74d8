"""Filters of the register's lists, shared by the family page and the API: the region and the
search of the family list (``family_search``: numbers match whole only for users who may not
see identity numbers), and the API's filters of members and couples."""

from __future__ import annotations

import django_filters

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.regions.filters import MAX_ID, BooleanFilter, RegionFilter, request_user
from lini.register import selectors
from lini.register.choices import KBStatus, Method
from lini.register.models import Couple, Family, Member


class FamilyFilter(django_filters.FilterSet):
    region = RegionFilter(field_name="village__code", label=_("region code: families in it"))
    q = django_filters.CharFilter(
        method="filter_q", max_length=100,
        label=_("name of a member, address, No. KK or NIK (whole, without the right to see "
                "identity numbers)"),
    )  # fmt: skip

    class Meta:
        model = Family
        fields: list[str] = []

    def filter_q(self, qs: QuerySet[Family], name: str, value: str) -> QuerySet[Family]:
        # The rows are already cut to the user's scope: the right to see identity numbers
        # there is the role's.
        identity = scope.role_allows(request_user(self), Action.VIEW_IDENTITY)
        return selectors.family_search(families=qs, query=value, whole_numbers_only=not identity)


class MemberFilter(django_filters.FilterSet):
    region = RegionFilter(
        field_name="family__village__code", label=_("region code: members of families in it")
    )
    family = django_filters.NumberFilter(
        field_name="family_id", min_value=1, max_value=MAX_ID, label=_("family id")
    )
    name = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", max_length=100, label=_("part of the name")
    )

    class Meta:
        model = Member
        fields = ["sex", "relation", "presence"]


class CoupleFilter(django_filters.FilterSet):
    region = RegionFilter(
        field_name="family__village__code", label=_("region code: couples of families in it")
    )
    family = django_filters.NumberFilter(
        field_name="family_id", min_value=1, max_value=MAX_ID, label=_("family id")
    )
    status = django_filters.ChoiceFilter(choices=KBStatus.choices, label=_("current KB status"))
    method = django_filters.ChoiceFilter(choices=Method.choices, label=_("current method"))
    current = BooleanFilter(
        field_name="ended_on", lookup_expr="isnull",
        label=_("true: couples not ended; false: ended couples"),
    )  # fmt: skip

    class Meta:
        model = Couple
        fields: list[str] = []
