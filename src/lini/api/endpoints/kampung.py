"""Kampung KB endpoints: the profiles of the user's regions with their class and what is still
missing, as the Kampung KB pages compute them (``kampung.selectors.kampung_assessments``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from django.db.models import QuerySet

from lini.api.endpoints.common import ANY_ID, ReadModelSerializer
from lini.kampung import selectors
from lini.kampung.filters import KampungFilter
from lini.kampung.models import KampungKB
from lini.kampung.selectors import KampungAssessment


class ScoreSerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField()
    label = serializers.CharField()
    value = serializers.IntegerField()
    basis = serializers.CharField()


class IndexSerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField()
    label = serializers.CharField()
    value = serializers.CharField(source="shown")
    reached = serializers.BooleanField()
    scores = ScoreSerializer(many=True)


class ChecklistItemSerializer(serializers.Serializer):  # type: ignore[type-arg]
    code = serializers.CharField()
    label = serializers.CharField()
    done = serializers.BooleanField()


class AssessmentSerializer(serializers.Serializer):  # type: ignore[type-arg]
    kampung_class = serializers.CharField()
    indices = IndexSerializer(many=True, source="classification.indices")
    checklist = ChecklistItemSerializer(many=True)
    missing = serializers.SerializerMethodField()

    def get_missing(self, assessment: KampungAssessment) -> list[str]:
        return [item.code for item in assessment.missing]


class KampungSerializer(ReadModelSerializer):
    village = serializers.CharField(source="village.code", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    assessment = serializers.SerializerMethodField()

    class Meta:
        model = KampungKB
        fields = [
            "id", "village", "village_name", "name", "launched_on", "criteria", "pokja_exists",
            "pokja_decree", "pokja_decree_on", "pokja_members", "pokja_trained", "regulation",
            "work_plan", "partners", "funding_sources", "operations", "data_uses", "secretariat",
            "rumah_dataku", "rumah_dataku_since", "rumah_dataku_data", "rumah_dataku_updated_on",
            "version", "assessment",
        ]  # fmt: skip

    @extend_schema_field(AssessmentSerializer)
    def get_assessment(self, kampung: KampungKB) -> dict[str, Any]:
        assessed: dict[int, KampungAssessment] = self.context.get("assessments", {})
        found = assessed.get(kampung.pk) or selectors.kampung_assess(kampung)
        return AssessmentSerializer(found).data  # type: ignore[return-value]


@extend_schema(tags=["kampung"])
class KampungViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[KampungKB]
):
    """Kampung KB profiles of the user's regions, each with its class (dasar, berkembang,
    mandiri, berkelanjutan), its scores and its checklist."""

    lookup_value_regex = ANY_ID

    serializer_class = KampungSerializer
    filterset_class = KampungFilter

    def get_queryset(self) -> QuerySet[KampungKB]:
        return selectors.kampung_visible_to(self.request.user).order_by("village__code", "pk")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        assert page is not None  # noqa: S101 - the API always paginates
        assessed = {a.kampung.pk: a for a in selectors.kampung_assessments(page)}
        context = {**self.get_serializer_context(), "assessments": assessed}
        data = self.get_serializer(page, many=True, context=context).data
        return self.get_paginated_response(data)
