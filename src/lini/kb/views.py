"""KB pages: the facility registry (faskes KB, network and mobile units) and the KB services,
recorded for a couple from the register's family page."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.audit.models import AuditAction
from lini.audit.services import audit_record
from lini.core import clock
from lini.exchange.cells import CellError
from lini.exchange.records import parse_month
from lini.kb import selectors, services
from lini.kb.choices import Product, VisitType
from lini.kb.forms import FacilityForm, ServiceForm
from lini.kb.models import Facility, Service
from lini.regions.models import Region
from lini.regions.selectors import region_ancestors, region_get
from lini.register.choices import Method
from lini.register.identity import mask
from lini.register.models import Couple
from lini.web.forms import errors_into


def _region_param(request: HttpRequest) -> Region | None:
    code = request.GET.get("region", "").strip()[:40]
    if not code:
        return None
    region = region_get(code=code)
    if region is None:
        raise Http404
    return region


# Facilities -------------------------------------------------------------------------------------


def facility_list(request: HttpRequest) -> HttpResponse:
    region = _region_param(request)
    facilities = selectors.facilities_visible_to(request.user)
    if region is not None:
        if not scope.can_navigate(request.user, region):
            raise PermissionDenied
        facilities = selectors.facilities_in(facilities=facilities, region=region)
    facilities = facilities.annotate(network_count=Count("network")).order_by(
        "region__code", "kind", "name", "pk"
    )
    page = Paginator(facilities, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "kb/facility_list.html",
        {
            "region": region,
            "ancestors": region_ancestors(region=region) if region is not None else [],
            "page": page,
            "can_add": region is not None
            and region.level in services.FACILITY_LEVELS
            and scope.can(request.user, Action.CHANGE, region),
        },
    )


def _facility_for(request: HttpRequest, pk: int) -> Facility:
    return get_object_or_404(selectors.facilities_visible_to(request.user), pk=pk)


def facility_detail(request: HttpRequest, pk: int) -> HttpResponse:
    facility = _facility_for(request, pk)
    network = selectors.facilities_visible_to(request.user).filter(parent=facility)
    return render(
        request,
        "kb/facility_detail.html",
        {
            "facility": facility,
            "network": network.order_by("name"),
            "ancestors": region_ancestors(region=facility.region),
            "can_change": scope.can(request.user, Action.CHANGE, facility.region),
            "bpjs_expired": facility.bpjs
            and facility.bpjs_until is not None
            and facility.bpjs_until < clock.today(),
        },
    )


def _facility_saved(
    request: HttpRequest, form: FacilityForm, region: Region, facility: Facility | None
) -> Facility | None:
    data = form.cleaned_data
    try:
        return services.facility_save(
            actor=request.user, facility=facility, code=data["code"], name=data["name"],
            kind=data["kind"], level=data["level"], ownership=data["ownership"], region=region,
            parent=data["parent"], address=data["address"], bpjs=data["bpjs"],
            bpjs_agreement=data["bpjs_agreement"], bpjs_until=data["bpjs_until"],
            active=data["active"],
        )  # type: ignore[arg-type]  # fmt: skip
    except ValidationError as error:
        errors_into(form, error)
        return None


@require_http_methods(["GET", "POST"])
def facility_create(request: HttpRequest, code: str) -> HttpResponse:
    region = region_get(code=code)
    if region is None or region.level not in services.FACILITY_LEVELS:
        raise Http404
    scope.require(request.user, Action.CHANGE, region)
    parents = selectors.main_facilities_for(user=request.user, region=region)
    form = FacilityForm(request.POST or None, parents=parents, initial={"active": True})
    if request.method == "POST" and form.is_valid():
        facility = _facility_saved(request, form, region, None)
        if facility is not None:
            messages.success(request, _("Facility registered."))
            return redirect(facility)
    return render(request, "kb/facility_form.html", {"form": form, "region": region})


@require_http_methods(["GET", "POST"])
def facility_edit(request: HttpRequest, pk: int) -> HttpResponse:
    facility = _facility_for(request, pk)
    scope.require(request.user, Action.CHANGE, facility.region)
    parents = selectors.main_facilities_for(user=request.user, region=facility.region).exclude(
        pk=facility.pk
    )
    initial = {
        name: getattr(facility, name)
        for name in FacilityForm.base_fields
        if name != "parent" and hasattr(facility, name)
    }
    initial["parent"] = facility.parent_id
    form = FacilityForm(request.POST or None, parents=parents, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _facility_saved(request, form, facility.region, facility)
        if saved is not None:
            messages.success(request, _("Saved."))
            return redirect(saved)
    return render(
        request,
        "kb/facility_form.html",
        {"form": form, "region": facility.region, "facility": facility},
    )


# Services ---------------------------------------------------------------------------------------


def _month_param(request: HttpRequest) -> dt.date:
    """The month asked for (``?month=YYYY-MM``); this month when none is given, and also when
    the one given cannot be read, with a message saying so."""
    raw = request.GET.get("month", "").strip()[:10]
    if raw:
        try:
            return parse_month(raw)
        except CellError as error:
            messages.error(request, _("%(why)s; showing this month.") % {"why": error})
    return clock.today().replace(day=1)


def service_list(request: HttpRequest) -> HttpResponse:
    region = _region_param(request)
    if region is not None:
        scope.require(request.user, Action.VIEW, region)
    month = _month_param(request)
    method = request.GET.get("method", "")
    method = method if method in Method.values else ""
    visit_type = request.GET.get("visit_type", "")
    visit_type = visit_type if visit_type in VisitType.values else ""
    product = request.GET.get("product", "")
    product = product if product in Product.values else ""
    services_qs = selectors.service_list(
        user=request.user, region=region, month=month, method=method, visit_type=visit_type
    )
    if product:
        services_qs = services_qs.filter(product=product)
    page = Paginator(services_qs, 50).get_page(request.GET.get("page"))
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    return render(
        request,
        "kb/service_list.html",
        {
            "region": region,
            "ancestors": region_ancestors(region=region) if region is not None else [],
            "month": month,
            "month_value": f"{month:%Y-%m}",
            "previous_month": f"{previous:%Y-%m}",
            "next_month": f"{following:%Y-%m}" if following <= clock.today() else "",
            "method": method,
            "visit_type": visit_type,
            "product": product,
            "methods": Method.choices,
            "visit_types": VisitType.choices,
            "products": Product.choices,
            "page": page,
            "counts": selectors.service_counts(user=request.user, region=region, month=month),
        },
    )


@require_http_methods(["GET", "POST"])
def service_create(request: HttpRequest, couple_pk: int) -> HttpResponse:
    couple = get_object_or_404(
        Couple.objects.select_related("family__village", "wife", "husband"), pk=couple_pk
    )
    village = couple.family.village
    scope.require(request.user, Action.CHANGE, village)
    facilities = selectors.facilities_for_service(user=request.user, village=village)
    initial = {"method": couple.method} if couple.method else {}
    form = ServiceForm(request.POST or None, facilities=facilities, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            service = services.service_record(
                actor=request.user, couple=couple, served_on=data["served_on"],
                method=data["method"], visit_type=data["visit_type"], product=data["product"],
                reason_after=data["reason_after"], postpartum=data["postpartum"],
                informed_consent=data["informed_consent"], facility=data["facility"],
                provider=data["provider"], notes=data["notes"],
            )  # type: ignore[arg-type]  # fmt: skip
        except ValidationError as error:
            errors_into(form, error)
        else:
            if service.event is None:
                messages.success(request, _("Service recorded; the KB status stays the same."))
            else:
                messages.success(request, _("Service recorded and KB status updated."))
            return redirect("kb:service_detail", pk=service.pk)
    return render(
        request,
        "kb/service_form.html",
        {"form": form, "couple": couple, "family": couple.family},
    )


def _service_for(request: HttpRequest, pk: int) -> Service:
    return get_object_or_404(
        selectors.services_visible_to(request.user).select_related(
            "couple__wife", "couple__husband", "couple__family__village", "facility", "event",
            "recorded_by",
        ),
        pk=pk,
    )  # fmt: skip


def service_detail(request: HttpRequest, pk: int) -> HttpResponse:
    service = _service_for(request, pk)
    village = service.couple.family.village
    identity = scope.can(request.user, Action.VIEW_IDENTITY, village)
    nik = service.couple.wife.nik
    if identity:  # every view of an unmasked identity number is in the audit trail
        audit_record(
            actor=request.user, action=AuditAction.VIEW_IDENTITY, obj=service,
            region_code=village.code,
        )  # fmt: skip
    return render(
        request,
        "kb/service_detail.html",
        {
            "service": service,
            "couple": service.couple,
            "family": service.couple.family,
            "nik_shown": nik if identity else mask(nik),
            "ancestors": region_ancestors(region=village),
            "can_change": scope.can(request.user, Action.CHANGE, village),
        },
    )


@require_http_methods(["POST"])
def service_delete(request: HttpRequest, pk: int) -> HttpResponse:
    service = _service_for(request, pk)
    family = service.couple.family
    scope.require(request.user, Action.CHANGE, family.village)
    services.service_delete(actor=request.user, service=service)
    messages.success(request, _("Service deleted."))
    return redirect(family)
