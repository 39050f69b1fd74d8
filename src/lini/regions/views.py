"""Region pages: drill-down from Indonesia to a village, search, and sub-village units."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.regions import selectors, services
from lini.regions.forms import SubunitForm, SubunitRenameForm
from lini.regions.models import Region, RegionLevel
from lini.workforce.selectors import village_people


def _region_or_404(code: str) -> Region:
    region = selectors.region_get(code=code)
    if region is None:
        raise Http404(_("No region has the code %(code)s.") % {"code": code})
    return region


def _children_context(request: HttpRequest, parent: Region | None) -> dict[str, object]:
    children = selectors.region_children(parent=parent).filter(scope.navigable_q(request.user))
    children = list(children)
    counts = selectors.village_counts(children=children)
    for child in children:
        child.in_scope = scope.can(request.user, Action.VIEW, child)
        child.village_count = counts.get(child.code)
        if not child.in_scope:  # a region above the user's own: its name, not its figures
            child.child_count = child.village_count = None
    return {"children": children}


def region_index(request: HttpRequest) -> HttpResponse:
    """Indonesia: the provinces the user may open."""
    if not scope.role_allows(request.user, Action.VIEW):
        raise PermissionDenied
    return render(request, "regions/region_index.html", _children_context(request, None))


def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    region = _region_or_404(code)
    if not scope.can_navigate(request.user, region):
        raise PermissionDenied
    context = _children_context(request, region)
    context.update(
        region=region,
        ancestors=selectors.region_ancestors(region=region),
        in_scope=scope.can(request.user, Action.VIEW, region),
        can_change=scope.can(request.user, Action.CHANGE, region),
        can_add_units=region.level >= RegionLevel.VILLAGE
        and region.level < RegionLevel.RT
        and scope.can(request.user, Action.CHANGE, region),
        subunit_form=SubunitForm(),
    )
    if context["in_scope"] and region.level == RegionLevel.VILLAGE:
        context["workforce_people"] = village_people(region)
    return render(request, "regions/region_detail.html", context)


def region_search(request: HttpRequest) -> HttpResponse:
    """Search by name or code inside what the user may open; an htmx request gets the list only."""
    if not scope.role_allows(request.user, Action.VIEW):
        raise PermissionDenied
    query = request.GET.get("q", "")[:100]
    results = selectors.region_search(query=query, within=scope.navigable_q(request.user))
    template = (
        "regions/includes/search_results.html"
        if request.headers.get("HX-Request")
        else "regions/region_search.html"
    )
    return render(request, template, {"query": query, "results": results})


@require_POST
def subunit_create(request: HttpRequest, code: str) -> HttpResponse:
    parent = _region_or_404(code)
    scope.require(request.user, Action.CHANGE, parent)
    form = SubunitForm(request.POST)
    if form.is_valid():
        try:
            unit = services.subunit_create(
                actor=request.user,
                parent=parent,
                kind=form.cleaned_data["kind"],
                name=form.cleaned_data["name"] or "",
                number=form.cleaned_data["number"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("%(name)s added.") % {"name": unit.name})
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect(parent)


@require_http_methods(["GET", "POST"])
def subunit_edit(request: HttpRequest, code: str) -> HttpResponse:
    unit = _region_or_404(code)
    scope.require(request.user, Action.CHANGE, unit)
    if not unit.is_subunit:
        raise PermissionDenied
    form = SubunitRenameForm(request.POST or None, initial={"name": unit.name})
    if request.method == "POST" and form.is_valid():
        try:
            services.subunit_rename(actor=request.user, region=unit, name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(unit)
    return render(request, "regions/subunit_form.html", {"unit": unit, "form": form})


@require_POST
def subunit_delete(request: HttpRequest, code: str) -> HttpResponse:
    unit = _region_or_404(code)
    scope.require(request.user, Action.CHANGE, unit)
    if not unit.is_subunit:
        raise PermissionDenied
    parent = unit.parent
    try:
        services.subunit_delete(actor=request.user, region=unit)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(unit)
    messages.success(request, _("%(name)s removed.") % {"name": unit.name})
    return redirect(parent)
