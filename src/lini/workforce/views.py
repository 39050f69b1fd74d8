"""Workforce pages: the counsellors a user may see (with their villages and what is due there),
the cadres of a village, who looks after a village, and the forms to add and change them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.core import clock
from lini.regions.models import Region, RegionLevel
from lini.regions.selectors import region_ancestors, region_get, subtree_q
from lini.register.identity import mask
from lini.web.forms import errors_into
from lini.workforce import selectors, services
from lini.workforce.forms import CadreForm, CounsellorForm
from lini.workforce.models import Cadre, Counsellor

MAX_DISTRICTS_IN_FILTER = 300


def _village(code: str) -> Region:
    village = region_get(code=code)
    if village is None or village.level != RegionLevel.VILLAGE:
        raise Http404
    return village


def _districts(user: Any, action: Action) -> QuerySet[Region]:
    districts = Region.objects.filter(level=RegionLevel.DISTRICT).order_by("code")
    return scope.restrict(districts, user, action)


# Counsellors --------------------------------------------------------------------------------


def counsellor_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    region = None
    code = request.GET.get("region", "").strip()
    if code:
        region = region_get(code=code)
        if region is None:
            raise Http404
        if not scope.can_navigate(request.user, region):
            raise PermissionDenied
    counsellors = selectors.counsellor_search(
        counsellors=selectors.counsellors_visible_to(request.user),
        query=query,
        region=region,
    ).select_related("district")
    visible_villages = scope.restrict(Region.objects.all(), request.user, Action.VIEW)
    counsellors = counsellors.prefetch_related(
        Prefetch("villages", queryset=visible_villages.order_by("code"), to_attr="shown_villages")
    ).order_by("name", "pk")
    page = Paginator(counsellors, 50).get_page(request.GET.get("page"))
    for counsellor in page:
        counsellor.nip_shown = _nip_shown(request, counsellor)
    districts = _districts(request.user, Action.VIEW)
    return render(
        request,
        "workforce/counsellor_list.html",
        {
            "page": page,
            "query": query,
            "region": region,
            "region_code": region.code if region else "",
            "districts": list(districts) if districts.count() <= MAX_DISTRICTS_IN_FILTER else None,
            "can_add": _districts(request.user, Action.CHANGE).exists(),
        },
    )


def _nip_shown(request: HttpRequest, counsellor: Counsellor) -> str:
    """The NIP (it encodes birth date and sex) whole for roles that may see identities, else
    masked."""
    if not counsellor.nip:
        return ""
    if scope.can(request.user, Action.VIEW_IDENTITY, counsellor.district):
        return counsellor.nip
    return mask(counsellor.nip)


def _counsellor_for(request: HttpRequest, pk: int, action: Action = Action.VIEW) -> Counsellor:
    counsellor = get_object_or_404(
        selectors.counsellors_visible_to(request.user, action=action).select_related(
            "district", "user"
        ),
        pk=pk,
    )
    if action == Action.CHANGE:
        scope.require(request.user, action, counsellor.district)
    return counsellor


def counsellor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    counsellor = _counsellor_for(request, pk)
    counsellor.nip_shown = _nip_shown(request, counsellor)
    due = selectors.counsellor_due(counsellor, clock.today())
    rows = [
        {"due": d, "people": selectors.village_people(d.village)}
        for d in due
        if scope.can(request.user, Action.VIEW, d.village)
    ]
    return render(
        request,
        "workforce/counsellor_detail.html",
        {
            "counsellor": counsellor,
            "rows": rows,
            "hidden_villages": len(due) - len(rows),
            "can_change": scope.can(request.user, Action.CHANGE, counsellor.district)
            and all(scope.can(request.user, Action.CHANGE, d.village) for d in due),
        },
    )


def _counsellor_form(
    request: HttpRequest, *, district: Region, counsellor: Counsellor | None
) -> CounsellorForm:
    districts = _districts(request.user, Action.CHANGE)
    villages = Region.objects.filter(level=RegionLevel.VILLAGE).filter(
        subtree_q([district.code])
        | Q(pk__in=counsellor.villages.values("pk") if counsellor else [])
    )
    villages = scope.restrict(villages, request.user, Action.CHANGE).order_by("code")
    initial: dict[str, Any] = {"district": district, "active": True}
    if counsellor is not None:
        initial = {
            "name": counsellor.name, "nip": counsellor.nip or "", "kind": counsellor.kind,
            "district": counsellor.district, "villages": list(counsellor.villages.all()),
            "phone": counsellor.phone, "ipekb_member": counsellor.ipekb_member,
            "ipekb_level": counsellor.ipekb_level, "ipekb_position": counsellor.ipekb_position,
            "user": counsellor.user.username if counsellor.user else "",
            "active": counsellor.active,
        }  # fmt: skip
    return CounsellorForm(
        request.POST or None, initial=initial, districts=districts, villages=villages
    )


def _counsellor_saved(
    request: HttpRequest, form: CounsellorForm, counsellor: Counsellor | None
) -> Counsellor | None:
    data = form.cleaned_data
    try:
        return services.counsellor_save(
            actor=request.user, counsellor=counsellor, name=data["name"], nip=data["nip"],
            kind=data["kind"], district=data["district"], villages=data["villages"],
            phone=data["phone"], ipekb_member=data["ipekb_member"],
            ipekb_level=data["ipekb_level"], ipekb_position=data["ipekb_position"],
            username=data["user"], active=data["active"],
        )  # fmt: skip
    except ValidationError as error:
        errors_into(form, error)
        return None


@require_http_methods(["GET", "POST"])
def counsellor_create(request: HttpRequest) -> HttpResponse:
    """``?kecamatan=CODE`` chooses the base district; without it, a list of districts to pick."""
    code = request.GET.get("kecamatan", "").strip()
    if not code:
        if not scope.role_allows(request.user, Action.CHANGE):
            raise PermissionDenied
        return render(
            request,
            "workforce/counsellor_pick_district.html",
            {"districts": _districts(request.user, Action.CHANGE)},
        )
    district = region_get(code=code)
    if district is None or district.level != RegionLevel.DISTRICT:
        raise Http404
    scope.require(request.user, Action.CHANGE, district)
    form = _counsellor_form(request, district=district, counsellor=None)
    if request.method == "POST" and form.is_valid():
        counsellor = _counsellor_saved(request, form, None)
        if counsellor is not None:
            messages.success(request, _("Counsellor added."))
            return redirect(counsellor)
    return render(
        request,
        "workforce/counsellor_form.html",
        {"form": form, "district": district, "creating": True},
    )


@require_http_methods(["GET", "POST"])
def counsellor_edit(request: HttpRequest, pk: int) -> HttpResponse:
    counsellor = _counsellor_for(request, pk, Action.CHANGE)
    form = _counsellor_form(request, district=counsellor.district, counsellor=counsellor)
    if request.method == "POST" and form.is_valid():
        try:
            saved = _counsellor_saved(request, form, counsellor)
        except PermissionDenied:
            form.add_error(None, _("You may not change the counsellors of these villages."))
            saved = None
        if saved is not None:
            messages.success(request, _("Saved."))
            return redirect(saved)
    return render(
        request,
        "workforce/counsellor_form.html",
        {"form": form, "counsellor": counsellor, "district": counsellor.district},
    )


@require_POST
def counsellor_delete(request: HttpRequest, pk: int) -> HttpResponse:
    counsellor = _counsellor_for(request, pk, Action.CHANGE)
    try:
        services.counsellor_delete(actor=request.user, counsellor=counsellor)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(counsellor)
    messages.success(request, _("Counsellor removed."))
    return redirect(f"{reverse('workforce:counsellor_list')}?region={counsellor.district.code}")


# Villages and cadres ------------------------------------------------------------------------


def village_people(request: HttpRequest, code: str) -> HttpResponse:
    village = _village(code)
    scope.require(request.user, Action.VIEW, village)
    return render(
        request,
        "workforce/village_people.html",
        {
            "village": village,
            "region": village,
            "ancestors": region_ancestors(region=village),
            "people": selectors.village_people(village),
            "can_change": scope.can(request.user, Action.CHANGE, village),
        },
    )


def cadre_list(request: HttpRequest, code: str) -> HttpResponse:
    village = _village(code)
    scope.require(request.user, Action.VIEW, village)
    cadres = (
        selectors.cadres_visible_to(request.user)
        .filter(village=village)
        .select_related("area", "user")
        .order_by("-active", "kind", "area__code", "name")
    )
    return render(
        request,
        "workforce/cadre_list.html",
        {
            "village": village,
            "region": village,
            "ancestors": region_ancestors(region=village),
            "cadres": cadres,
            "can_change": scope.can(request.user, Action.CHANGE, village),
        },
    )


def _areas(village: Region) -> QuerySet[Region]:
    return Region.objects.filter(
        subtree_q([village.code]), level__in=(RegionLevel.DUSUN, RegionLevel.RW)
    ).order_by("code")


def _cadre_saved(
    request: HttpRequest, form: CadreForm, *, village: Region, cadre: Cadre | None
) -> Cadre | None:
    data = form.cleaned_data
    try:
        return services.cadre_save(
            actor=request.user, cadre=cadre, name=data["name"], kind=data["kind"],
            village=village, area=data["area"], phone=data["phone"], trained=data["trained"],
            since=data["since"], username=data["user"], active=data["active"],
        )  # fmt: skip
    except ValidationError as error:
        errors_into(form, error)
        return None


@require_http_methods(["GET", "POST"])
def cadre_create(request: HttpRequest, code: str) -> HttpResponse:
    village = _village(code)
    scope.require(request.user, Action.CHANGE, village)
    form = CadreForm(request.POST or None, areas=_areas(village), initial={"active": True})
    if request.method == "POST" and form.is_valid():
        cadre = _cadre_saved(request, form, village=village, cadre=None)
        if cadre is not None:
            messages.success(request, _("Cadre added."))
            return redirect("workforce:cadre_list", code=village.code)
    return render(
        request, "workforce/cadre_form.html", {"form": form, "village": village, "creating": True}
    )


def _cadre_for(request: HttpRequest, pk: int, action: Action) -> Cadre:
    cadre = get_object_or_404(
        selectors.cadres_visible_to(request.user, action=action).select_related(
            "village", "area", "user"
        ),
        pk=pk,
    )
    scope.require(request.user, action, cadre.village)
    return cadre


@require_http_methods(["GET", "POST"])
def cadre_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cadre = _cadre_for(request, pk, Action.CHANGE)
    initial = {
        "name": cadre.name, "kind": cadre.kind, "area": cadre.area, "phone": cadre.phone,
        "trained": cadre.trained, "since": cadre.since,
        "user": cadre.user.username if cadre.user else "", "active": cadre.active,
    }  # fmt: skip
    form = CadreForm(request.POST or None, areas=_areas(cadre.village), initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _cadre_saved(request, form, village=cadre.village, cadre=cadre)
        if saved is not None:
            messages.success(request, _("Saved."))
            return redirect("workforce:cadre_list", code=cadre.village.code)
    return render(
        request,
        "workforce/cadre_form.html",
        {"form": form, "village": cadre.village, "cadre": cadre},
    )


@require_POST
def cadre_delete(request: HttpRequest, pk: int) -> HttpResponse:
    cadre = _cadre_for(request, pk, Action.CHANGE)
    try:
        services.cadre_delete(actor=request.user, cadre=cadre)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("workforce:cadre_edit", pk=cadre.pk)
    messages.success(request, _("Cadre removed."))
    return redirect("workforce:cadre_list", code=cadre.village.code)
