"""Poktan pages: the groups of a region, a group with its board, members, meetings and events,
and the forms to form a group, add and remove member families, record a meeting and a guidance
visit. Views only read the request and call the selectors and services."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.audit.models import AuditAction
from lini.audit.services import audit_record
from lini.core import clock
from lini.poktan import selectors, services
from lini.poktan.filters import PoktanFilter
from lini.poktan.forms import GuidanceForm, MeetingForm, MemberAddForm, PoktanForm
from lini.poktan.models import Poktan, PoktanKind, PoktanMember
from lini.regions.models import Region, RegionLevel
from lini.regions.selectors import region_ancestors, region_get
from lini.register.choices import Relation
from lini.register.identity import mask
from lini.register.models import Family, Member
from lini.web.forms import errors_into


def _shown(number: str, *, identity: bool) -> str:
    return number if identity else mask(number)


def poktan_list(request: HttpRequest) -> HttpResponse:
    """The groups the user may see, of ``?region=CODE`` when given, by kind and active or not."""
    region: Region | None = None
    code = request.GET.get("region", "").strip()
    if code:
        region = region_get(code=code)
        if region is None:
            raise Http404
        scope.require(request.user, Action.VIEW, region)
    kind = request.GET.get("kind", "")
    active = request.GET.get("active", "")
    groups = selectors.with_activity(
        selectors.poktan_visible_to(request.user).select_related("village"), clock.today()
    )
    # The API's poktan list filters with the same filter set (values it cannot read are left
    # out here, as before).
    groups = PoktanFilter(
        {"region": code, "kind": kind, "active": active}, queryset=groups, request=request
    ).qs
    page = Paginator(groups.order_by("village__code", "kind", "name", "pk"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "poktan/poktan_list.html",
        {
            "region": region,
            "ancestors": region_ancestors(region=region) if region else [],
            "page": page,
            "kinds": PoktanKind.choices,
            "kind": kind,
            "active": active,
            "active_months": settings.LINI_POKTAN_ACTIVE_MONTHS,
            "can_add": region is not None
            and region.level == RegionLevel.VILLAGE
            and scope.can(request.user, Action.CHANGE, region),
        },
    )


def _poktan_for(request: HttpRequest, pk: int, action: Action = Action.VIEW) -> Poktan:
    poktan = get_object_or_404(
        selectors.poktan_visible_to(request.user).select_related("village", "area", "kampung"),
        pk=pk,
    )
    scope.require(request.user, action, poktan.village)
    return poktan


def poktan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    poktan = _poktan_for(request, pk)
    today = clock.today()
    identity = scope.can(request.user, Action.VIEW_IDENTITY, poktan.village)
    members = list(selectors.current_members(poktan))
    fitting = selectors.qualifying_family_ids(poktan.kind, [m.family_id for m in members], today)
    kb = selectors.uppka_kb_status(poktan) if poktan.kind == PoktanKind.UPPKA else {}
    for member in members:
        member.kk_shown = _shown(member.family.kk_number, identity=identity)
        member.warning = (
            selectors.not_qualified_message(poktan.kind)
            if fitting is not None and member.family_id not in fitting
            else ""
        )
        member.kb = kb.get(member.family_id)
    former = list(
        PoktanMember.objects.filter(poktan=poktan, left_on__isnull=False)
        .select_related("family")
        .order_by("-left_on")
    )
    for member in former:
        member.kk_shown = _shown(member.family.kk_number, identity=identity)
    meetings = list(poktan.meetings.select_related("recorded_by")[:24])
    last_met = poktan.meetings.filter(held_on__lte=today).values_list("held_on", flat=True).first()
    if identity and (members or former):  # every view of unmasked numbers is in the audit trail
        audit_record(
            actor=request.user, action=AuditAction.VIEW_IDENTITY, obj=poktan,
            region_code=poktan.village.code,
        )  # fmt: skip
    return render(
        request,
        "poktan/poktan_detail.html",
        {
            "poktan": poktan,
            "ancestors": region_ancestors(region=poktan.village),
            "region": poktan.village,
            "cadres": list(poktan.cadres.order_by("name")),
            "members": members,
            "former": former,
            "meetings": meetings,
            "meeting_total": poktan.meetings.count(),
            "events": list(poktan.events.select_related("counsellor", "recorded_by")),
            "active": selectors.poktan_is_active(poktan, today),
            "last_met": last_met,
            "active_months": settings.LINI_POKTAN_ACTIVE_MONTHS,
            "is_uppka": poktan.kind == PoktanKind.UPPKA,
            "can_change": scope.can(request.user, Action.CHANGE, poktan.village),
        },
    )


def _save_poktan(
    request: HttpRequest, form: PoktanForm, village: Region, poktan: Poktan | None
) -> Poktan | None:
    data = form.cleaned_data
    try:
        return services.poktan_save(
            actor=request.user,  # type: ignore[arg-type]
            village=village, poktan=poktan, kind=data["kind"], name=data["name"],
            area=data["area"], kampung=data["kampung"], formed_on=data["formed_on"],
            decree=data["decree"], chair=data["chair"], secretary=data["secretary"],
            treasurer=data["treasurer"], capital_source=data["capital_source"],
            cadres=list(data["cadres"]),
            version=None if poktan is None else (data.get("version") or -1),
        )  # fmt: skip
    except ValidationError as error:
        errors_into(form, error)
        return None


@require_http_methods(["GET", "POST"])
def poktan_create(request: HttpRequest, code: str) -> HttpResponse:
    village = region_get(code=code)
    if village is None or village.level != RegionLevel.VILLAGE:
        raise Http404
    scope.require(request.user, Action.CHANGE, village)
    initial = {"kind": request.GET.get("kind", "")}
    form = PoktanForm(request.POST or None, village=village, initial=initial)
    if request.method == "POST" and form.is_valid():
        poktan = _save_poktan(request, form, village, None)
        if poktan is not None:
            messages.success(request, _("Group saved."))
            return redirect(poktan)
    return render(
        request,
        "poktan/poktan_form.html",
        {"village": village, "form": form, "creating": True},
    )


@require_http_methods(["GET", "POST"])
def poktan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    poktan = _poktan_for(request, pk, Action.CHANGE)
    initial = {
        "kind": poktan.kind, "name": poktan.name, "area": poktan.area_id,
        "kampung": poktan.kampung_id, "formed_on": poktan.formed_on, "decree": poktan.decree,
        "chair": poktan.chair, "secretary": poktan.secretary, "treasurer": poktan.treasurer,
        "capital_source": poktan.capital_source,
        "cadres": list(poktan.cadres.values_list("pk", flat=True)),
        "version": poktan.version,
    }  # fmt: skip
    form = PoktanForm(request.POST or None, village=poktan.village, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = _save_poktan(request, form, poktan.village, poktan)
        if saved is not None:
            messages.success(request, _("Group saved."))
            return redirect(saved)
    return render(
        request,
        "poktan/poktan_form.html",
        {"village": poktan.village, "poktan": poktan, "form": form, "creating": False},
    )


@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a family of the village by its No. KK."""
    poktan = _poktan_for(request, pk, Action.CHANGE)
    identity = scope.can(request.user, Action.VIEW_IDENTITY, poktan.village)
    form = MemberAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        kk_number = form.cleaned_data["kk_number"]
        family = Family.objects.filter(kk_number=kk_number, village=poktan.village).first()
        if family is None:
            form.add_error(
                "kk_number",
                _("No family with the No. KK %(kk)s is registered in %(village)s.")
                % {"kk": kk_number, "village": poktan.village.display_name},
            )
        else:
            try:
                _member, warnings = services.poktan_member_add(
                    actor=request.user,  # type: ignore[arg-type]
                    poktan=poktan,
                    family=family,
                    joined_on=form.cleaned_data["joined_on"],
                )
            except ValidationError as error:
                errors_into(form, error)
            else:
                messages.success(
                    request,
                    _("Family %(kk)s added to the group.")
                    % {"kk": _shown(family.kk_number, identity=identity)},
                )
                for warning in warnings:
                    messages.warning(request, warning)
                return redirect(poktan)
    return render(request, "poktan/member_form.html", {"poktan": poktan, "form": form})


@require_http_methods(["POST"])
def member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    poktan = _poktan_for(request, pk, Action.CHANGE)
    member = get_object_or_404(PoktanMember, pk=member_pk, poktan=poktan)
    try:
        services.poktan_member_remove(actor=request.user, member=member)  # type: ignore[arg-type]
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The family has left the group."))
    return redirect(poktan)


def _member_families(poktan: Poktan) -> QuerySet[Family]:
    heads = Member.objects.filter(family=OuterRef("pk"), relation=Relation.HEAD).order_by(
        "position"
    )
    return (
        Family.objects.filter(
            poktan_memberships__poktan=poktan, poktan_memberships__left_on__isnull=True
        )
        .annotate(head_name=Subquery(heads.values("name")[:1]))
        .order_by("rw", "rt", "kk_number")
    )


@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a meeting: date, topic, families present (a number, or ticked one by one)."""
    poktan = _poktan_for(request, pk, Action.CHANGE)
    # A tick list needs the head's name only: the No. KK stays masked for everyone here.
    form = MeetingForm(request.POST or None, families=_member_families(poktan), identity=False)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.meeting_record(
                actor=request.user,  # type: ignore[arg-type]
                poktan=poktan, held_on=data["held_on"], topic=data["topic"],
                attendance=data["attendance"], attendees=list(data.get("attendees") or []),
                notes=data["notes"],
            )  # fmt: skip
        except ValidationError as error:
            errors_into(form, error)
        else:
            messages.success(request, _("Meeting recorded."))
            return redirect(poktan)
    return render(request, "poktan/meeting_form.html", {"poktan": poktan, "form": form})


@require_http_methods(["GET", "POST"])
def guidance_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a guidance visit (pembinaan) of a counsellor to the group."""
    poktan = _poktan_for(request, pk, Action.CHANGE)
    form = GuidanceForm(request.POST or None, village=poktan.village)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.guidance_record(
                actor=request.user,  # type: ignore[arg-type]
                poktan=poktan, counsellor=data["counsellor"], happened_on=data["happened_on"],
                notes=data["notes"],
            )  # fmt: skip
        except ValidationError as error:
            errors_into(form, error)
        else:
            messages.success(request, _("Guidance visit recorded."))
            return redirect(poktan)
    return render(request, "poktan/guidance_form.html", {"poktan": poktan, "form": form})
