"""Campaign (baksos) endpoints: the campaigns the user sees (planned in their regions or with a
lokus there: ``campaigns.selectors.campaigns_visible_to``), each with the lokus the user may open
(``lokus_visible_to``), as the campaign pages show them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from lini.api.endpoints.common import ANY_ID, ReadModelSerializer
from lini.campaigns import selectors
from lini.campaigns.models import Campaign, Lokus


class CampaignFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(
        method="filter_year", label=_("campaigns with days in this year")
    )

    class Meta:
        model = Campaign
        fields: list[str] = []

    def filter_year(self, qs: QuerySet[Campaign], name: str, value: Any) -> QuerySet[Campaign]:
        year = int(value)
        if not 1900 <= year <= 2999:
            return qs.none()
        return qs.filter(starts_on__lte=dt.date(year, 12, 31), ends_on__gte=dt.date(year, 1, 1))


class LokusSerializer(ReadModelSerializer):
    village = serializers.CharField(source="village.code", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)

    class Meta:
        model = Lokus
        fields = [
            "id", "village", "village_name", "score", "reasons", "users_needed", "targets",
            "tidy_items", "version",
        ]  # fmt: skip


class CampaignSerializer(ReadModelSerializer):
    region = serializers.CharField(source="region.code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    areas = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")

    class Meta:
        model = Campaign
        fields = [
            "id", "name", "theme", "organisers", "region", "region_name", "areas", "starts_on",
            "ends_on", "notes", "version",
        ]  # fmt: skip


class CampaignDetailSerializer(CampaignSerializer):
    lokus = serializers.SerializerMethodField(
        help_text="The lokus the user may open: all of them in the planning office's regions, "
        "else those in the user's own."
    )

    class Meta(CampaignSerializer.Meta):
        fields = [*CampaignSerializer.Meta.fields, "lokus"]

    @extend_schema_field(LokusSerializer(many=True))
    def get_lokus(self, campaign: Campaign) -> list[dict[str, Any]]:
        lokus = selectors.lokus_visible_to(self.context["request"].user, campaign)
        return LokusSerializer(lokus.order_by("village__code", "pk"), many=True).data  # type: ignore[return-value]


@extend_schema(tags=["campaigns"])
class CampaignViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Campaign]
):
    """Baksos campaigns the user sees, newest first; one campaign with its lokus."""

    lookup_value_regex = ANY_ID

    filterset_class = CampaignFilter

    def get_queryset(self) -> QuerySet[Campaign]:
        return (
            selectors.campaigns_visible_to(self.request.user)
            .select_related("region")
            .prefetch_related("areas")
            .order_by("-starts_on", "name", "pk")
        )

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:  # type: ignore[type-arg]
        return CampaignDetailSerializer if self.action == "retrieve" else CampaignSerializer
