"""Writes of KB facilities and KB services. A service changes the couple's contraceptive status
through the register's dated history (``register.writer.couple_status_record``) in the same
transaction, so the couple's current status, its history and the service never disagree."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.audit.services import audit_change, delete_with_audit, snapshot
from lini.core import clock
from lini.kb.choices import (
    KIND_LEVELS,
    PRODUCT_METHOD,
    FacilityKind,
    FacilityLevel,
    Ownership,
    Product,
    VisitType,
)
from lini.kb.models import Facility, Service
from lini.regions.models import Region, RegionLevel
from lini.register.choices import EventSource, KBStatus, Method, NotUsingReason
from lini.register.models import ContraceptiveEvent, Couple
from lini.register.records import StatusRecord
from lini.register.writer import couple_status_record, couple_status_refresh

if TYPE_CHECKING:
    from lini.accounts.models import User

FACILITY_LEVELS = (RegionLevel.REGENCY, RegionLevel.DISTRICT, RegionLevel.VILLAGE)


def _require_change(actor: User | None, region: Region | str) -> None:
    if actor is not None:
        scope.require(actor, Action.CHANGE, region)


def _regency_code(code: str) -> str:
    return ".".join(code.split(".")[:2])


# Facilities -------------------------------------------------------------------------------------


def facility_save(
    *,
    actor: User | None,
    facility: Facility | None = None,
    code: str,
    name: str,
    kind: str,
    level: str,
    ownership: str,
    region: Region,
    parent: Facility | None = None,
    address: str = "",
    bpjs: bool = False,
    bpjs_agreement: str = "",
    bpjs_until: dt.date | None = None,
    active: bool = True,
) -> Facility:
    """Create (``facility`` None) or change a KB facility, network unit or mobile unit."""
    _require_change(actor, region)
    if facility is not None and facility.region_id != region.pk:
        _require_change(actor, facility.region)  # moving it out of a region needs that one too
    code, name = code.strip().upper(), " ".join(name.split())
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not code:
        fail("code", _("The register number is required."))
    elif Facility.objects.filter(code=code).exclude(pk=getattr(facility, "pk", None)).exists():
        fail("code", _("Another facility has the register number %(code)s.") % {"code": code})
    if not name:
        fail("name", _("The name is required."))
    if region.level not in FACILITY_LEVELS:
        fail("region", _("A facility belongs to a regency/city, a district or a village."))
    if kind not in FacilityKind.values:
        fail("kind", _("Choose the kind of facility."))
    elif level not in KIND_LEVELS[kind]:
        allowed = ", ".join(sorted(str(v) for v in KIND_LEVELS[kind]))
        fail(
            "level",
            _("A %(kind)s has one of the levels %(allowed)s.")
            % {"kind": FacilityKind(kind).label, "allowed": allowed},
        )
    if level not in FacilityLevel.values:
        fail("level", _("Choose the level of the facility."))
    if ownership not in Ownership.values:
        fail("ownership", _("Choose the ownership."))
    if kind == FacilityKind.NETWORK and parent is None:
        fail("parent", _("A network unit needs its main facility (faskes induk)."))
    if parent is not None:
        if kind == FacilityKind.MAIN:
            fail("parent", _("A main facility has no main facility above it."))
        elif parent.kind != FacilityKind.MAIN:
            fail("parent", _("%(name)s is not a main facility.") % {"name": parent.name})
        elif facility is not None and parent.pk == facility.pk:
            fail("parent", _("A facility cannot be its own main facility."))
        elif _regency_code(parent.region.code) != _regency_code(region.code):
            fail("parent", _("The main facility lies in another regency/city."))
    if not bpjs and (bpjs_agreement.strip() or bpjs_until):
        fail(
            "bpjs_agreement",
            _("A PKS number and end date are given only for a facility that works with BPJS."),
        )
    if facility is not None and kind != FacilityKind.MAIN and facility.network.exists():
        fail("kind", _("This facility has network units; it must stay a main facility."))
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        before = snapshot(facility) if facility is not None else None
        target = facility or Facility()
        target.code, target.name, target.kind, target.level = code, name, kind, level
        target.ownership, target.region, target.parent = ownership, region, parent
        target.address = " ".join(address.split())
        target.bpjs, target.bpjs_agreement = bpjs, bpjs_agreement.strip() if bpjs else ""
        target.bpjs_until = bpjs_until if bpjs else None
        target.active = active
        target.save()
        audit_change(actor=actor, obj=target, before=before, region_code=region.code)
    return target


# Services ---------------------------------------------------------------------------------------


def implied_status(*, visit_type: str, method: str, reason_after: str, place: str) -> StatusRecord:
    """The couple's status after a service: using ``method``, or not using after a removal."""
    if visit_type == VisitType.REMOVAL:
        return StatusRecord(status=KBStatus.NOT_USING, reason=reason_after, place=place)
    return StatusRecord(status=KBStatus.USING, method=method, place=place)


def status_on(*, couple: Couple, day: dt.date) -> ContraceptiveEvent | None:
    """The couple's latest event effective on or before ``day`` (its status that day)."""
    return couple.events.filter(effective_on__lte=day).order_by("-effective_on", "-pk").first()


def _same_status(event: ContraceptiveEvent | None, status: StatusRecord) -> bool:
    if event is None:
        return False
    return (event.status, event.method, event.reason) == (
        status.status,
        status.method if status.status == KBStatus.USING else "",
        status.reason if status.status == KBStatus.NOT_USING else "",
    )


def service_problems(
    *,
    couple: Couple,
    served_on: dt.date,
    method: str,
    visit_type: str,
    reason_after: str,
    today: dt.date,
    product: str = "",
) -> dict[str, list[str]]:
    """What is wrong with a service before it is written (field -> messages)."""
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if served_on > today:
        fail("served_on", _("The date of service is in the future."))
    if served_on < couple.wife.birth_date:
        fail("served_on", _("The date of service is before the wife's birth."))
    if couple.ended_on is not None and couple.ended_on <= served_on:
        fail(
            "served_on",
            _("This couple is no longer a couple of the family since %(day)s.")
            % {"day": couple.ended_on.strftime("%d/%m/%Y")},
        )
    if method not in Method.values:
        fail("method", _("Choose the method."))
    if visit_type not in VisitType.values:
        fail("visit_type", _("Choose the visit type."))
    if product and product not in Product.values:
        fail("product", _("Choose the product."))
    elif product and PRODUCT_METHOD[product] != method:
        fail(
            "product",
            _("%(product)s is not a product of the method %(method)s.")
            % {"product": Product(product).label, "method": method},
        )
    if visit_type == VisitType.REMOVAL:
        if reason_after not in NotUsingReason.values:
            fail(
                "reason_after",
                _("A removal needs the reason for not using afterwards: %(allowed)s")
                % {"allowed": ", ".join(NotUsingReason.values)},
            )
    elif reason_after:
        fail("reason_after", _("A reason for not using is given only for a removal."))
    return errors


def service_record(
    *,
    actor: User | None,
    couple: Couple,
    served_on: dt.date,
    method: str,
    visit_type: str,
    product: str = "",
    reason_after: str = "",
    postpartum: bool = False,
    informed_consent: bool = False,
    facility: Facility | None = None,
    provider: str = "",
    notes: str = "",
    source: str = EventSource.SERVICE,
) -> Service:
    """Record a KB service and, when it changes the couple's status on ``served_on``, the dated
    status change (one transaction). A back-dated service lands in the history without
    overriding a later event; a repeat visit of a current user adds no event."""
    couple = Couple.objects.select_related("family__village", "wife").get(pk=couple.pk)
    village = couple.family.village
    _require_change(actor, village)
    errors = service_problems(
        couple=couple, served_on=served_on, method=method, visit_type=visit_type,
        reason_after=reason_after, today=clock.today(), product=product,
    )  # fmt: skip
    if facility is not None:
        errors.update(_facility_problems(facility=facility, village=village))
    if errors:
        raise ValidationError(errors)
    provider = " ".join(provider.split())
    place = (facility.name if facility is not None else provider)[:120]
    wanted = implied_status(
        visit_type=visit_type, method=method, reason_after=reason_after, place=place
    )
    with transaction.atomic():
        Couple.objects.select_for_update().filter(pk=couple.pk).first()  # one writer per couple
        if Service.objects.filter(
            couple=couple, served_on=served_on, method=method, visit_type=visit_type
        ).exists():  # checked under the lock: two people saving the same service at once
            raise ValidationError(
                {
                    "served_on": _(
                        "This service (same day, method and visit type) is already recorded."
                    )
                }
            )
        event = None
        if not _same_status(status_on(couple=couple, day=served_on), wanted):
            event = couple_status_record(
                couple=couple, status=wanted, effective_on=served_on, source=source,
                by_id=getattr(actor, "pk", None),
            )  # fmt: skip
            audit_change(actor=actor, obj=event, before=None, region_code=village.code)
        service = Service.objects.create(
            couple=couple, served_on=served_on, method=method, visit_type=visit_type,
            product=product if visit_type != VisitType.REMOVAL else "",
            reason_after=reason_after if visit_type == VisitType.REMOVAL else "",
            postpartum=postpartum, informed_consent=informed_consent, facility=facility,
            provider=provider, event=event, notes=notes.strip(),
            recorded_by=actor if actor is not None else None,
        )  # fmt: skip
        audit_change(actor=actor, obj=service, before=None, region_code=village.code)
    return service


def service_details_change(
    *,
    actor: User | None,
    service: Service,
    postpartum: bool,
    informed_consent: bool,
    facility: Facility | None,
    provider: str,
    notes: str,
) -> Service:
    """Change what a service records besides the status (flags, place, provider, notes).
    Date, method, visit type and reason define the status change: delete and record again."""
    village = service.couple.family.village
    _require_change(actor, village)
    if facility is not None and (
        problems := _facility_problems(facility=facility, village=village)
    ):
        raise ValidationError(problems)
    with transaction.atomic():
        before = snapshot(service)
        service.postpartum, service.informed_consent = postpartum, informed_consent
        service.facility, service.provider = facility, " ".join(provider.split())
        service.notes = notes.strip()
        service.save()
        audit_change(actor=actor, obj=service, before=before, region_code=village.code)
    return service


def _facility_problems(*, facility: Facility, village: Region) -> dict[str, list[str]]:
    """A service is given at an active facility of the couple's province (people cross regency
    borders for services, e.g. to a hospital in the provincial capital; not province borders)."""
    if not facility.active:
        return {"facility": [_("%(name)s is no longer active.") % {"name": facility.name}]}
    if facility.region.code.split(".")[0] != village.code.split(".")[0]:
        return {
            "facility": [
                _("%(name)s is not a facility of the couple's province.") % {"name": facility.name}
            ]
        }
    return {}


def service_delete(*, actor: User | None, service: Service) -> None:
    """Remove a service and the status change it created; the couple's current status is derived
    again from the remaining latest event. An event the service only points at (a status from the
    family data collection) stays in the history."""
    couple = Couple.objects.select_related("family__village").get(pk=service.couple_id)
    village = couple.family.village
    _require_change(actor, village)
    with transaction.atomic():
        couple = Couple.objects.select_for_update().get(pk=couple.pk)
        event = service.event
        if (
            event is not None
            and event.source != EventSource.COLLECTION
            and Service.objects.filter(couple=couple, event=None, served_on__gte=service.served_on)
            .exclude(pk=service.pk)
            .exists()
        ):  # later repeat visits rely on the status this service started
            raise ValidationError(
                _(
                    "Later visits of this couple rely on the status this service recorded; "
                    "delete those visits first."
                )
            )
        delete_with_audit(actor=actor, obj=service, region_code=village.code)
        if event is not None and event.source != EventSource.COLLECTION:
            delete_with_audit(actor=actor, obj=event, region_code=village.code)
            couple_status_refresh(couple=couple)
