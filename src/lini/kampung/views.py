"""Kampung KB pages: the list of a scope sorted by what is still missing, a profile with its
classification and checklist, and the forms to create and change a profile."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.kampung import selectors, services
from lini.kampung.choices import KampungClass
from lini.kampung.forms import ClassFilterForm, KampungForm
from lini.kampung.models import KampungKB
from lini.poktan.models import Poktan
from lini.regions.models import Region, RegionLevel
from lini.regions.selectors import region_ancestors, region_get
from lini.web.forms import errors_into


def kampung_list(request: HttpRequest) -> HttpResponse:
    """The Kampung KB in the user's scope (or below ``?region=CODE``), most missing first."""
    code = request.GET.get("region", "").strip()[:40]
    region: Region | None = None
    if code:
        region = region_get(code=code)
        if region is None:
            raise Http404
        scope.require(request.user, Action.VIEW, region)
    filters = ClassFilterForm(request.GET or None)
    wanted = filters.cleaned_data["kampung_class"] if filters.is_valid() else ""
    profiles = selectors.kampung_in_region(user=request.user, region=region)
    assessed = selectors.kampung_assessments(profiles)
    counts = dict.fromkeys(KampungClass.values, 0)
    for item in assessed:
        counts[item.kampung_class] += 1
    if wanted:
        assessed = [a for a in assessed if a.kampung_class == wanted]
    page = Paginator(assessed, 50).get_page(request.GET.get("page"))
    can_create = (
        region is not None
        and region.level == RegionLevel.VILLAGE
        and not KampungKB.objects.filter(village=region).exists()
        and scope.can(request.user, Action.CHANGE, region)
    )
    return render(
        request,
        "kampung/kampung_list.html",
        {
            "region": region,
            "ancestors": region_ancestors(region=region) if region else [],
            "page": page,
            "filters": filters,
            "class_counts": [(label, counts[value]) for value, label in KampungClass.choices],
            "total": sum(counts.values()),
            "can_create": can_create,
        },
    )


def _kampung_for(request: HttpRequest, pk: int, action: Action = Action.VIEW) -> KampungKB:
    kampung = get_object_or_404(KampungKB.objects.select_related("village"), pk=pk)
    scope.require(request.user, action, kampung.village)
    return kampung


def kampung_detail(request: HttpRequest, pk: int) -> HttpResponse:
    kampung = _kampung_for(request, pk)
    assessment = selectors.kampung_assess(kampung)
    groups = Poktan.objects.filter(village=kampung.village).order_by("kind", "name")
    return render(
        request,
        "kampung/kampung_detail.html",
        {
            "kampung": kampung,
            "region": kampung.village,
            "ancestors": region_ancestors(region=kampung.village),
            "assessment": assessment,
            "classification": assessment.classification,
            "groups": groups,
            "labels": {
                name: [dict(choices.choices).get(code, code) for code in getattr(kampung, name)]
                for name, choices in services.CODE_LISTS.items()
            },
            "can_change": scope.can(request.user, Action.CHANGE, kampung.village),
        },
    )


@require_http_methods(["GET", "POST"])
def kampung_create(request: HttpRequest, code: str) -> HttpResponse:
    village = region_get(code=code)
    if village is None or village.level != RegionLevel.VILLAGE:
        raise Http404
    scope.require(request.user, Action.CHANGE, village)
    existing = KampungKB.objects.filter(village=village).first()
    if existing is not None:
        return redirect("kampung:kampung_edit", pk=existing.pk)
    form = KampungForm(
        request.POST or None, initial={"name": services.default_name(village), "version": 0}
    )
    if request.method == "POST" and form.is_valid():
        try:
            kampung = services.kampung_save(
                actor=request.user,  # type: ignore[arg-type]
                village=village,
                values=form.values(),
                version=0,  # a new profile: refused if someone created one meanwhile
            )
        except ValidationError as error:
            errors_into(form, error)
        else:
            messages.success(request, _("Kampung KB created."))
            return redirect(kampung)
    return render(
        request,
        "kampung/kampung_form.html",
        {"form": form, "village": village, "creating": True},
    )


@require_http_methods(["GET", "POST"])
def kampung_edit(request: HttpRequest, pk: int) -> HttpResponse:
    kampung = _kampung_for(request, pk, Action.CHANGE)
    initial = KampungForm.initial_from(services.kampung_values(kampung), version=kampung.version)
    form = KampungForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"]
        if version is None:
            form.add_error(None, _("The form lacks its version; open the page again."))
        else:
            try:
                services.kampung_save(
                    actor=request.user,  # type: ignore[arg-type]
                    village=kampung.village,
                    values=form.values(),
                    version=version,
                )
            except ValidationError as error:
                errors_into(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect(kampung)
    return render(
        request,
        "kampung/kampung_form.html",
        {"form": form, "kampung": kampung, "village": kampung.village, "creating": False},
    )
