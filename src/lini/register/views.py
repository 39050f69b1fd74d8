"""Register pages: families of a village, a family with its members and KB history, and the forms
to add and change them (checked like an import row, written through the same path)."""

from __future__ import annotations

import dataclasses

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.audit.models import AuditAction
from lini.audit.services import audit_record
from lini.regions.models import RegionLevel
from lini.regions.selectors import region_ancestors, region_get
from lini.register import selectors, services
from lini.register.choices import Presence, Relation
from lini.register.filters import FamilyFilter
from lini.register.forms import FamilyForm, MemberForm, StatusForm
from lini.register.identity import mask, nik_warnings
from lini.register.models import Couple, Family, Member
from lini.register.records import FamilyRecord, MemberRecord, StatusRecord
from lini.web.forms import errors_into


def _shown(number: str, *, identity: bool) -> str:
    return number if identity else mask(number)


def family_list(request: HttpRequest, code: str) -> HttpResponse:
    region = region_get(code=code)
    if region is None:
        raise Http404
    scope.require(request.user, Action.VIEW, region)
    query = request.GET.get("q", "")[:100]
    heads = Member.objects.filter(family=OuterRef("pk"), relation=Relation.HEAD).order_by(
        "position"
    )
    families = (
        selectors.families_visible_to(request.user)
        .select_related("village")
        .annotate(head_name=Subquery(heads.values("name")[:1]))
    )
    identity = scope.can(request.user, Action.VIEW_IDENTITY, region)
    # The API's family list filters with the same filter set.
    families = FamilyFilter(
        {"region": region.code, "q": query}, queryset=families, request=request
    ).qs.order_by("village__code", "rw", "rt", "kk_number")
    page = Paginator(families, 50).get_page(request.GET.get("page"))
    for family in page:
        family.kk_shown = _shown(family.kk_number, identity=identity)
    return render(
        request,
        "register/family_list.html",
        {
            "region": region,
            "ancestors": region_ancestors(region=region),
            "page": page,
            "query": query,
            "can_add": region.level == RegionLevel.VILLAGE
            and scope.can(request.user, Action.CHANGE, region),
        },
    )


def _family_for(request: HttpRequest, pk: int, action: Action = Action.VIEW) -> Family:
    family = get_object_or_404(
        selectors.families_visible_to(request.user).select_related("village"), pk=pk
    )
    scope.require(request.user, action, family.village)
    return family


def family_detail(request: HttpRequest, pk: int) -> HttpResponse:
    family = _family_for(request, pk)
    identity = scope.can(request.user, Action.VIEW_IDENTITY, family.village)
    members = list(family.members.order_by("position", "pk"))
    for member in members:
        member.nik_shown = _shown(member.nik, identity=identity)
        member.warnings = nik_warnings(member.nik, sex=member.sex, birth_date=member.birth_date)
    couples = list(
        Couple.objects.filter(family=family)
        .select_related("wife", "husband")
        .prefetch_related("events__recorded_by")
    )
    if identity:  # every view of unmasked identity numbers is in the audit trail
        audit_record(
            actor=request.user, action=AuditAction.VIEW_IDENTITY, obj=family,
            region_code=family.village.code,
        )  # fmt: skip
    return render(
        request,
        "register/family_detail.html",
        {
            "family": family,
            "kk_shown": _shown(family.kk_number, identity=identity),
            "members": members,
            "couples": couples,
            "ancestors": region_ancestors(region=family.village),
            "can_change": scope.can(request.user, Action.CHANGE, family.village),
            "status_form": StatusForm(),
        },
    )


def _saved(request: HttpRequest, form: FamilyForm | MemberForm, record: FamilyRecord) -> bool:
    """Save the changed family; on refusal put the reasons into the form."""
    try:
        services.family_save(actor=request.user, record=record)  # type: ignore[arg-type]
    except ValidationError as error:
        errors_into(form, error)
        return False
    messages.success(request, _("Saved."))
    return True


def _member_record(data: dict[str, object], *, line: int) -> MemberRecord:
    return MemberRecord(
        nik=data["nik"], name=" ".join(str(data["name"]).split()), sex=data["sex"],
        birth_date=data["birth_date"], relation=data["relation"],
        marital_status=data["marital_status"], education=data["education"] or "",
        occupation=data["occupation"] or "", presence=data["presence"] or Presence.PRESENT,
        presence_date=data["presence_date"], line=line,
    )  # type: ignore[arg-type]  # fmt: skip


def _unit(value: object) -> str:
    return f"{value:03d}" if value else ""


@require_http_methods(["GET", "POST"])
def family_create(request: HttpRequest, code: str) -> HttpResponse:
    village = region_get(code=code)
    if village is None or village.level != RegionLevel.VILLAGE:
        raise Http404
    scope.require(request.user, Action.CHANGE, village)
    family_form = FamilyForm(request.POST or None, creating=True)
    head_form = MemberForm(request.POST or None, prefix="head", initial={"relation": Relation.HEAD})
    if request.method == "POST" and family_form.is_valid() and head_form.is_valid():
        data = family_form.cleaned_data
        if Family.objects.filter(kk_number=data["kk_number"]).exists():
            family_form.add_error(
                "kk_number", _("A family with this No. KK is already registered.")
            )
        else:
            record = FamilyRecord(
                kk_number=data["kk_number"], village_id=village.pk, village_code=village.code,
                dusun=data["dusun"], rw=_unit(data["rw"]), rt=_unit(data["rt"]),
                address=data["address"], collected_on=data["collected_on"],
                collector_name=data["collector_name"],
                members=[_member_record(head_form.cleaned_data, line=1)],
            )  # fmt: skip
            try:
                family = services.family_save(actor=request.user, record=record)  # type: ignore[arg-type]
            except ValidationError as error:
                errors_into(family_form, error)
            else:
                messages.success(request, _("Family registered."))
                return redirect(family)
    return render(
        request,
        "register/family_form.html",
        {"village": village, "form": family_form, "head_form": head_form, "creating": True},
    )


@require_http_methods(["GET", "POST"])
def family_edit(request: HttpRequest, pk: int) -> HttpResponse:
    family = _family_for(request, pk, Action.CHANGE)
    initial = {
        "dusun": family.dusun, "rw": int(family.rw) if family.rw else None,
        "rt": int(family.rt) if family.rt else None, "address": family.address,
        "collected_on": family.collected_on, "collector_name": family.collector_name,
    }  # fmt: skip
    form = FamilyForm(request.POST or None, initial=initial, creating=False)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        record = dataclasses.replace(
            services.family_record(family), dusun=data["dusun"], rw=_unit(data["rw"]),
            rt=_unit(data["rt"]), address=data["address"], collected_on=data["collected_on"],
            collector_name=data["collector_name"],
        )  # fmt: skip
        if _saved(request, form, record):
            return redirect(family)
    return render(
        request, "register/family_form.html", {"family": family, "form": form, "creating": False}
    )


@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, pk: int, member_pk: int | None = None) -> HttpResponse:
    """Add a member to a family (``member_pk`` None) or change one."""
    family = _family_for(request, pk, Action.CHANGE)
    member = get_object_or_404(family.members, pk=member_pk) if member_pk else None
    initial = {}
    if member is not None:
        initial = {f: getattr(member, f) for f in MemberForm.base_fields}
    form = MemberForm(request.POST or None, initial=initial)
    if member is not None:
        form.fields["nik"].disabled = True
        if not scope.can(request.user, Action.VIEW_IDENTITY, family.village):
            form.initial["nik"] = mask(member.nik)  # shown, not sent back: the field is disabled
    if request.method == "POST" and form.is_valid():
        record = services.family_record(family)
        changed = _member_record(form.cleaned_data, line=len(record.members) + 1)
        if member is None:
            if Member.objects.filter(nik=changed.nik).exists():
                form.add_error("nik", _("A person with this NIK is already registered."))
                return render(
                    request, "register/member_form.html", {"family": family, "form": form}
                )
            record.members.append(changed)
        else:
            changed.nik = member.nik
            record.members = [changed if m.nik == member.nik else m for m in record.members]
        if _saved(request, form, record):
            return redirect(family)
    return render(
        request, "register/member_form.html", {"family": family, "form": form, "member": member}
    )


@require_http_methods(["POST"])
def couple_status(request: HttpRequest, pk: int, couple_pk: int) -> HttpResponse:
    family = _family_for(request, pk, Action.CHANGE)
    couple = get_object_or_404(
        Couple.objects.select_related("family__village"), pk=couple_pk, family=family
    )
    form = StatusForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        status = StatusRecord(
            status=data["status"], method=data["method"], reason=data["reason"], place=data["place"]
        )
        try:
            services.couple_status_change(
                actor=request.user,
                couple=couple,
                status=status,
                effective_on=data["effective_on"],  # type: ignore[arg-type]
            )
        except (ValidationError, PermissionDenied) as error:
            for message in getattr(error, "messages", [str(error)]):
                messages.error(request, message)
        else:
            messages.success(request, _("KB status recorded."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect(family)
