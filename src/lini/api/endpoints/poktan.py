"""Poktan endpoints: the groups of the user's regions (filtered as the poktan list page filters
them), their meetings, and the recording of a meeting (``poktan.services.meeting_record``, the
meeting form's write path)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.api.endpoints.common import (
    ANY_ID,
    MAX_VERSION,
    ReadModelSerializer,
    WriteSerializer,
    id_field,
)
from lini.core import clock
from lini.poktan import selectors, services
from lini.poktan.filters import MeetingFilter, PoktanFilter
from lini.poktan.models import Poktan, PoktanMeeting
from lini.register.models import Family

NOTES_MAX = 2000


class PoktanSerializer(ReadModelSerializer):
    village = serializers.CharField(source="village.code", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    area = serializers.CharField(source="area.code", read_only=True, allow_null=True)
    last_met = serializers.DateField(read_only=True, allow_null=True)
    member_count = serializers.IntegerField(read_only=True, allow_null=True)
    active = serializers.BooleanField(read_only=True)

    class Meta:
        model = Poktan
        fields = [
            "id", "kind", "name", "village", "village_name", "area", "kampung", "formed_on",
            "decree", "chair", "secretary", "treasurer", "capital_source", "version",
            "last_met", "member_count", "active",
        ]  # fmt: skip


class MeetingSerializer(ReadModelSerializer):
    attendees = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = PoktanMeeting
        fields = ["id", "poktan", "held_on", "topic", "attendance", "attendees", "notes"]


class MeetingWriteSerializer(WriteSerializer):
    """The meeting form's fields: ``attendance`` (the number of families present; when not
    given, the number of ``attendees``), ``attendees`` (ids of member families present)."""

    held_on = serializers.DateField()
    topic = serializers.CharField(max_length=200)
    attendance = serializers.IntegerField(
        min_value=0, max_value=MAX_VERSION, required=False, allow_null=True
    )
    attendees = serializers.ListField(
        child=id_field(), required=False, default=list, max_length=1000
    )
    notes = serializers.CharField(
        max_length=NOTES_MAX, required=False, allow_blank=True, default=""
    )


@extend_schema(tags=["poktan"])
class PoktanViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Poktan]
):
    """Poktan groups of the user's regions, with their last meeting, current member families
    and whether they are active."""

    lookup_value_regex = ANY_ID

    serializer_class = PoktanSerializer
    filterset_class = PoktanFilter

    def get_queryset(self) -> QuerySet[Poktan]:
        groups = selectors.poktan_visible_to(self.request.user).select_related("village", "area")
        return selectors.with_activity(groups, clock.today()).order_by(
            "village__code", "kind", "name", "pk"
        )

    @extend_schema(request=MeetingWriteSerializer, responses={201: MeetingSerializer})
    @action(detail=True, methods=["post"], url_path="meetings")
    def record_meeting(self, request: Request, pk: str | None = None) -> Response:
        """Record a meeting of the group (as the meeting form)."""
        poktan = self.get_object()
        scope.require(request.user, Action.CHANGE, poktan.village)
        given = MeetingWriteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        wanted = set(data["attendees"])
        attendees = list(Family.objects.filter(village=poktan.village, pk__in=wanted))
        if len(attendees) != len(wanted):
            raise serializers.ValidationError(
                {"attendees": [_("Some of these families are not registered in the village.")]}
            )
        meeting = services.meeting_record(
            actor=request.user, poktan=poktan, held_on=data["held_on"], topic=data["topic"],  # type: ignore[arg-type]
            attendance=data.get("attendance"), attendees=attendees, notes=data["notes"],
        )  # fmt: skip
        return Response(MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["poktan"])
class MeetingViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[PoktanMeeting]
):
    """Meetings of the poktan groups of the user's regions, newest first."""

    lookup_value_regex = ANY_ID

    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter

    def get_queryset(self) -> QuerySet[PoktanMeeting]:
        return (
            scope.restrict(
                PoktanMeeting.objects.all(),
                self.request.user,
                Action.VIEW,
                field="poktan__village__code",
            )
            .prefetch_related("attendees")
            .order_by("-held_on", "-pk")
        )
