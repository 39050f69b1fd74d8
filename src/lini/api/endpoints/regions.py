"""Region endpoints: the tree as the region pages show it (the user's regions, what lies below
them, and the regions above them on the way down), its children and the search."""

from __future__ import annotations

import re

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets

from django.db.models import QuerySet
from django.http import Http404

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.api.endpoints.common import ANY_ID, ReadModelSerializer
from lini.regions.filters import RegionListFilter
from lini.regions.models import Region

CODE = re.compile(r"^[0-9A-Za-z.]{1,40}$")


class RegionSerializer(ReadModelSerializer):
    parent = serializers.CharField(source="parent.code", read_only=True, allow_null=True)
    level_name = serializers.CharField(source="get_level_display", read_only=True)
    in_scope = serializers.SerializerMethodField(
        help_text="True for the user's regions and those below them; false for a region above "
        "them (shown to find the way down)."
    )

    class Meta:
        model = Region
        fields = [
            "code", "name", "display_name", "level", "level_name", "kind", "parent", "in_scope",
        ]  # fmt: skip

    def get_in_scope(self, region: Region) -> bool:
        return scope.can(self.context["request"].user, Action.VIEW, region)


@extend_schema(tags=["regions"])
class RegionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Region]
):
    """The regions the user may open: ``?parent=CODE`` lists a region's children, ``?q=`` searches
    by name or code, as the region pages do."""

    serializer_class = RegionSerializer
    filterset_class = RegionListFilter
    lookup_field = "code"
    lookup_value_regex = ANY_ID

    def get_queryset(self) -> QuerySet[Region]:
        return (
            Region.objects.filter(scope.navigable_q(self.request.user))
            .select_related("parent")
            .order_by("code")
        )

    def get_object(self) -> Region:
        if not CODE.match(self.kwargs.get("code", "")):
            raise Http404
        return super().get_object()
