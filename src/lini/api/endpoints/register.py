"""Register endpoints: families (with their members), members, couples with their contraceptive
history. Writes go through the register's services, as the family, member and KB status forms
do (``family_save``, ``couple_status_change``); a KB service is recorded through
``kb.services.service_record``, as the service form does. NIK and No. KK are masked; the
``reveal`` actions give them whole to users who may see identities, and are audited."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.api.endpoints.common import (
    ANY_ID,
    MaskedField,
    ReadModelSerializer,
    UnitField,
    WriteSerializer,
    unit,
    version_field,
)
from lini.api.endpoints.kb import ServiceSerializer, ServiceWriteSerializer, service_record
from lini.audit.models import AuditAction
from lini.audit.services import audit_record
from lini.core import clock
from lini.exchange.cells import CellError, parse_sixteen_digits
from lini.register import selectors, services
from lini.register.choices import (
    Education,
    KBStatus,
    MaritalStatus,
    Method,
    NotUsingReason,
    Occupation,
    Presence,
    Relation,
    Sex,
)
from lini.register.filters import CoupleFilter, FamilyFilter, MemberFilter
from lini.register.models import ContraceptiveEvent, Couple, Family, Member
from lini.register.records import MemberRecord, StatusRecord

MEMBER_FIELDS = (
    "name", "sex", "birth_date", "relation", "marital_status", "education", "occupation",
    "presence", "presence_date",
)  # fmt: skip


# Reading -----------------------------------------------------------------------------------------


class MemberSerializer(ReadModelSerializer):
    nik = MaskedField()

    class Meta:
        model = Member
        fields = ["id", "family", "position", "nik", *MEMBER_FIELDS]


class FamilyMemberSerializer(MemberSerializer):
    class Meta(MemberSerializer.Meta):
        fields = ["id", "position", "nik", *MEMBER_FIELDS]


class FamilySerializer(ReadModelSerializer):
    kk_number = MaskedField()
    village = serializers.CharField(source="village.code", read_only=True)
    village_name = serializers.CharField(source="village.name", read_only=True)
    members = FamilyMemberSerializer(many=True, read_only=True)
    couples = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Family
        fields = [
            "id", "kk_number", "village", "village_name", "dusun", "rw", "rt", "address",
            "collected_on", "collector_name", "version", "members", "couples", "updated_at",
        ]  # fmt: skip


class EventSerializer(ReadModelSerializer):
    class Meta:
        model = ContraceptiveEvent
        fields = [
            "id", "couple", "effective_on", "status", "method", "reason", "place", "source",
            "recorded_at",
        ]  # fmt: skip


class CoupleSerializer(ReadModelSerializer):
    wife_name = serializers.CharField(source="wife.name", read_only=True)
    husband_name = serializers.CharField(source="husband.name", read_only=True, allow_null=True)
    village = serializers.CharField(source="family.village.code", read_only=True)
    events = EventSerializer(many=True, read_only=True)

    class Meta:
        model = Couple
        fields = [
            "id", "family", "village", "wife", "wife_name", "husband", "husband_name", "status",
            "method", "reason", "status_since", "place", "ended_on", "events",
        ]  # fmt: skip


class FamilyRevealSerializer(serializers.Serializer):  # type: ignore[type-arg]
    class MemberNik(serializers.Serializer):  # type: ignore[type-arg]
        id = serializers.IntegerField()
        nik = serializers.CharField()

    id = serializers.IntegerField()
    kk_number = serializers.CharField()
    members = MemberNik(many=True)


class MemberRevealSerializer(serializers.Serializer):  # type: ignore[type-arg]
    id = serializers.IntegerField()
    nik = serializers.CharField()


# Writing -----------------------------------------------------------------------------------------


class FamilyUpdateSerializer(WriteSerializer):
    """The family form's fields; only those given change. ``version``: the family's version
    as read (a family changed since is refused with 409)."""

    version = version_field()
    dusun = serializers.CharField(max_length=60, required=False, allow_blank=True)
    rw = UnitField()
    rt = UnitField()
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    collected_on = serializers.DateField(required=False, allow_null=True)
    collector_name = serializers.CharField(max_length=100, required=False, allow_blank=True)

    def validate_collected_on(self, value: dt.date | None) -> dt.date | None:
        if value is not None and value > clock.today():
            raise serializers.ValidationError(_("The date is in the future."))
        return value


class MemberWriteSerializer(WriteSerializer):
    """The member form's fields. ``version`` (optional): the family's version as read."""

    nik = serializers.CharField(max_length=24)
    name = serializers.CharField(max_length=100)
    sex = serializers.ChoiceField(choices=Sex.choices)
    birth_date = serializers.DateField()
    relation = serializers.ChoiceField(choices=Relation.choices)
    marital_status = serializers.ChoiceField(choices=MaritalStatus.choices)
    education = serializers.ChoiceField(
        choices=Education.choices, required=False, allow_blank=True, default=""
    )
    occupation = serializers.ChoiceField(
        choices=Occupation.choices, required=False, allow_blank=True, default=""
    )
    presence = serializers.ChoiceField(
        choices=Presence.choices, required=False, default=Presence.PRESENT
    )
    presence_date = serializers.DateField(required=False, allow_null=True, default=None)
    version = version_field(required=False)

    def validate_nik(self, value: str) -> str:
        try:
            return parse_sixteen_digits(value, what="NIK")
        except CellError as error:
            raise serializers.ValidationError(str(error)) from None

    def validate_birth_date(self, value: dt.date) -> dt.date:
        if value > clock.today():
            raise serializers.ValidationError(_("The date is in the future."))
        return value


class MemberUpdateSerializer(MemberWriteSerializer):
    """The member form's fields but the NIK (which identifies the person); only those given
    change."""

    nik = None  # type: ignore[assignment]


class StatusSerializer(WriteSerializer):
    """The KB status form's fields."""

    status = serializers.ChoiceField(choices=KBStatus.choices)
    method = serializers.ChoiceField(
        choices=Method.choices, required=False, allow_blank=True, default=""
    )
    reason = serializers.ChoiceField(
        choices=NotUsingReason.choices, required=False, allow_blank=True, default=""
    )
    effective_on = serializers.DateField()
    place = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")


def _member_record(data: dict[str, Any], *, nik: str, line: int) -> MemberRecord:
    return MemberRecord(
        nik=nik, name=" ".join(str(data["name"]).split()), sex=data["sex"],
        birth_date=data["birth_date"], relation=data["relation"],
        marital_status=data["marital_status"], education=data.get("education") or "",
        occupation=data.get("occupation") or "",
        presence=data.get("presence") or Presence.PRESENT,
        presence_date=data.get("presence_date"), line=line,
    )  # fmt: skip


def _require_identity(request: Request, family: Family) -> None:
    scope.require(request.user, Action.VIEW_IDENTITY, family.village)


# Endpoints ---------------------------------------------------------------------------------------


@extend_schema(tags=["register"])
class FamilyViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Family]
):
    """Families of the user's regions, each with its members (NIK and No. KK masked)."""

    lookup_value_regex = ANY_ID

    serializer_class = FamilySerializer
    filterset_class = FamilyFilter

    def get_queryset(self) -> QuerySet[Family]:
        return (
            selectors.families_visible_to(self.request.user)
            .select_related("village")
            .prefetch_related(
                Prefetch("members", queryset=Member.objects.order_by("position", "pk")),
                Prefetch("couples", queryset=Couple.objects.order_by("pk")),
            )
            .order_by("village__code", "rw", "rt", "kk_number", "pk")
        )

    @extend_schema(request=FamilyUpdateSerializer, responses={200: FamilySerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Change the family's fields (as the family form): dusun, RW, RT, address, when and by
        whom the data were collected. ``version`` is required."""
        family = self.get_object()
        scope.require(request.user, Action.CHANGE, family.village)
        given = FamilyUpdateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        version = data.pop("version")
        for name in ("rw", "rt"):
            if name in data:
                data[name] = unit(data[name])
        record = dataclasses.replace(services.family_record(family), **data)
        services.family_save(actor=request.user, record=record, version=version)  # type: ignore[arg-type]
        return Response(FamilySerializer(self.get_queryset().get(pk=family.pk)).data)

    @extend_schema(request=MemberWriteSerializer, responses={201: MemberSerializer})
    @action(detail=True, methods=["post"], url_path="members")
    def add_member(self, request: Request, pk: str | None = None) -> Response:
        """Add a member to the family (as the member form): checked with the family as a whole,
        like an import row."""
        family = self.get_object()
        scope.require(request.user, Action.CHANGE, family.village)
        given = MemberWriteSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        if Member.objects.filter(nik=data["nik"]).exists():
            raise serializers.ValidationError(
                {"nik": [_("A person with this NIK is already registered.")]}
            )
        record = services.family_record(family)
        record.members.append(_member_record(data, nik=data["nik"], line=len(record.members) + 1))
        services.family_save(actor=request.user, record=record, version=data.get("version"))  # type: ignore[arg-type]
        member = Member.objects.get(nik=data["nik"])
        return Response(MemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: FamilyRevealSerializer})
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: str | None = None) -> Response:
        """The family's No. KK and its members' NIKs, whole: for users who may see identities
        in the family's village; recorded in the audit trail."""
        family = self.get_object()
        _require_identity(request, family)
        audit_record(
            actor=request.user, action=AuditAction.VIEW_IDENTITY, obj=family,
            region_code=family.village.code,
        )  # fmt: skip
        members = [{"id": m.pk, "nik": m.nik} for m in family.members.all()]
        return Response({"id": family.pk, "kk_number": family.kk_number, "members": members})


@extend_schema(tags=["register"])
class MemberViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Member]
):
    """Members of the families of the user's regions (NIK masked)."""

    lookup_value_regex = ANY_ID

    serializer_class = MemberSerializer
    filterset_class = MemberFilter

    def get_queryset(self) -> QuerySet[Member]:
        members = Member.objects.select_related("family__village")
        return scope.restrict(
            members, self.request.user, Action.VIEW, field="family__village__code"
        ).order_by("family__village__code", "family__kk_number", "position", "pk")

    @extend_schema(request=MemberUpdateSerializer, responses={200: MemberSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Change a member (as the member form); only the fields given change, the NIK never.
        ``version`` (optional): the family's version as read."""
        member = self.get_object()
        family = member.family
        scope.require(request.user, Action.CHANGE, family.village)
        given = MemberUpdateSerializer(data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        data = {name: getattr(member, name) for name in MEMBER_FIELDS}
        data.update(given.validated_data)
        record = services.family_record(family)
        changed = _member_record(data, nik=member.nik, line=member.position)
        record.members = [changed if m.nik == member.nik else m for m in record.members]
        services.family_save(actor=request.user, record=record, version=data.get("version"))  # type: ignore[arg-type]
        return Response(MemberSerializer(self.get_queryset().get(pk=member.pk)).data)

    @extend_schema(request=None, responses={200: MemberRevealSerializer})
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, pk: str | None = None) -> Response:
        """The member's NIK, whole: for users who may see identities in the member's village;
        recorded in the audit trail."""
        member = self.get_object()
        _require_identity(request, member.family)
        audit_record(
            actor=request.user, action=AuditAction.VIEW_IDENTITY, obj=member,
            region_code=member.family.village.code,
        )  # fmt: skip
        return Response({"id": member.pk, "nik": member.nik})


@extend_schema(tags=["register"])
class CoupleViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Couple]
):
    """Couples of the user's regions with their current KB status and every status change."""

    lookup_value_regex = ANY_ID

    serializer_class = CoupleSerializer
    filterset_class = CoupleFilter

    def get_queryset(self) -> QuerySet[Couple]:
        couples = Couple.objects.select_related("wife", "husband", "family__village")
        return (
            scope.restrict(couples, self.request.user, Action.VIEW, field="family__village__code")
            .prefetch_related(
                Prefetch(
                    "events", queryset=ContraceptiveEvent.objects.order_by("effective_on", "pk")
                )
            )
            .order_by("family__village__code", "family__kk_number", "pk")
        )

    @extend_schema(request=StatusSerializer, responses={201: EventSerializer})
    @action(detail=True, methods=["post"], url_path="status")
    def record_status(self, request: Request, pk: str | None = None) -> Response:
        """Record a new KB status of the couple (a dated change kept for ever), as the KB status
        form does."""
        couple = self.get_object()
        scope.require(request.user, Action.CHANGE, couple.family.village)
        given = StatusSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        event = services.couple_status_change(
            actor=request.user,  # type: ignore[arg-type]
            couple=couple,
            status=StatusRecord(
                status=data["status"],
                method=data["method"],
                reason=data["reason"],
                place=data["place"],
            ),
            effective_on=data["effective_on"],
        )
        return Response(EventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ServiceWriteSerializer, responses={201: ServiceSerializer}, tags=["kb"])
    @action(detail=True, methods=["post"], url_path="services")
    def record_service(self, request: Request, pk: str | None = None) -> Response:
        """Record a KB service given to the couple (as the service form): the couple's status
        changes with it when it is a new one on that day."""
        couple = self.get_object()
        service = service_record(request, couple)
        return Response(ServiceSerializer(service).data, status=status.HTTP_201_CREATED)
