"""KB service endpoints: the services of the user's regions, filtered as the service list page
filters them, and the recording of a service (``kb.services.service_record``, the service form's
write path; its endpoint is the couple's ``services`` action)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.api.endpoints.common import ANY_ID, ReadModelSerializer, WriteSerializer, id_field
from lini.kb import selectors
from lini.kb import services as kb_services
from lini.kb.choices import Product, VisitType
from lini.kb.filters import ServiceFilter
from lini.kb.models import Service
from lini.register.choices import Method, NotUsingReason

if TYPE_CHECKING:
    from lini.register.models import Couple

NOTES_MAX = 2000


class ServiceSerializer(ReadModelSerializer):
    family = serializers.IntegerField(source="couple.family_id", read_only=True)
    village = serializers.CharField(source="couple.family.village.code", read_only=True)
    facility_name = serializers.CharField(source="facility.name", read_only=True, allow_null=True)

    class Meta:
        model = Service
        fields = [
            "id", "served_on", "couple", "family", "village", "method", "product", "visit_type",
            "reason_after", "postpartum", "informed_consent", "facility", "facility_name",
            "provider", "event", "notes", "created_at",
        ]  # fmt: skip


class ServiceWriteSerializer(WriteSerializer):
    """The service form's fields. ``product``: the product of an injectable, an implant or an
    IUD (one of the method's; empty: not known). ``facility``: the id of an active facility of
    the couple's regency that the user sees (or none, with the provider's name)."""

    served_on = serializers.DateField()
    method = serializers.ChoiceField(choices=Method.choices)
    product = serializers.ChoiceField(
        choices=Product.choices, required=False, allow_blank=True, default=""
    )
    visit_type = serializers.ChoiceField(choices=VisitType.choices)
    reason_after = serializers.ChoiceField(
        choices=NotUsingReason.choices, required=False, allow_blank=True, default=""
    )
    postpartum = serializers.BooleanField(required=False, default=False)
    informed_consent = serializers.BooleanField(required=False, default=False)
    facility = id_field(required=False, allow_null=True, default=None)
    provider = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    notes = serializers.CharField(
        max_length=NOTES_MAX, required=False, allow_blank=True, default=""
    )


def service_record(request: Request, couple: Couple) -> Service:
    """Record the service of the request's data for ``couple`` (a couple the user sees)."""
    village = couple.family.village
    scope.require(request.user, Action.CHANGE, village)
    given = ServiceWriteSerializer(data=request.data)
    given.is_valid(raise_exception=True)
    data = given.validated_data
    facility = None
    if data["facility"] is not None:
        facility = (
            selectors.facilities_for_service(user=request.user, village=village)
            .filter(pk=data["facility"])
            .first()
        )
        if facility is None:
            raise serializers.ValidationError(
                {"facility": [_("No active facility with this id serves this couple's regency.")]}
            )
    return kb_services.service_record(
        actor=request.user, couple=couple, served_on=data["served_on"], method=data["method"],  # type: ignore[arg-type]
        visit_type=data["visit_type"], product=data["product"], reason_after=data["reason_after"],
        postpartum=data["postpartum"], informed_consent=data["informed_consent"],
        facility=facility, provider=data["provider"], notes=data["notes"],
    )  # fmt: skip


@extend_schema(tags=["kb"])
class ServiceViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Service]
):
    """KB services given to couples of the user's regions, newest first."""

    lookup_value_regex = ANY_ID

    serializer_class = ServiceSerializer
    filterset_class = ServiceFilter

    def get_queryset(self) -> QuerySet[Service]:
        return (
            selectors.services_visible_to(self.request.user)
            .select_related("couple__family__village", "facility")
            .order_by("-served_on", "-pk")
        )
