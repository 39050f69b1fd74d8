"""DHIS2 pages: the export of a region's month (a preview of the values, the dataValueSet and ADX
downloads) for anyone who may view the region, and the mapping (list, add, edit, delete, CSV out
and in) for national administrators. Views only read the request and call the services."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.core import clock
from lini.dhis2 import services
from lini.dhis2.exporting import FORMATS, Dhis2Values, ExportError, dhis2_export, dhis2_values
from lini.dhis2.figures import indicator_catalog, report_catalog
from lini.dhis2.forms import ExportForm, FigureMappingForm, MappingImportForm, OrgUnitMappingForm
from lini.dhis2.models import FigureMapping, OrgUnitMapping
from lini.dhis2.selectors import figure_mappings, org_unit_mappings
from lini.indicators.report import report_period
from lini.indicators.selectors import Period
from lini.regions.models import Region, RegionLevel
from lini.regions.selectors import region_ancestors, region_get
from lini.web.forms import errors_into

MAX_UPLOAD = 2 * 1024 * 1024
KINDS = (services.FIGURES, services.ORG_UNITS)


def _default_region(request: HttpRequest) -> Region | None:
    """The user's first assigned region (a national administrator: the first province)."""
    user = request.user
    first = user.assignments.select_related("region").order_by("region__code").first()  # type: ignore[union-attr]
    if first is not None and first.region.level <= RegionLevel.VILLAGE:
        return first.region
    if scope.user_scope(user).national:
        return Region.objects.filter(level=RegionLevel.PROVINCE).order_by("code").first()
    return None


@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """``?region=CODE&period=YYYY-MM``: the region's mapped figures of the month;
    ``&format=json|adx`` downloads them (recorded in the audit trail as an export)."""
    if not scope.role_allows(request.user, Action.VIEW):
        raise PermissionDenied
    fmt = request.GET.get("format", "").strip().lower()
    if fmt and fmt not in FORMATS:
        raise Http404
    code = request.GET.get("region", "").strip()
    region = region_get(code=code) if code else _default_region(request)
    if code and (region is None or region.level > RegionLevel.VILLAGE):
        raise Http404
    if region is not None:
        scope.require(request.user, Action.VIEW, region)
    text = request.GET.get("period", "").strip() or clock.today().strftime("%Y-%m")
    error, period = "", None
    try:
        period = report_period(text)
    except ValueError as exc:
        error = str(exc)
    values: Dhis2Values | None = None
    if region is not None and period is not None:
        try:
            if fmt:
                exported = dhis2_export(actor=request.user, region=region, period=period, fmt=fmt)
                response = HttpResponse(exported.data, content_type=exported.content_type)
                response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
                return response
            values = dhis2_values(region=region, period=period)
        except ExportError as exc:
            error = str(exc)
    return render(
        request,
        "dhis2/export.html",
        {
            "form": ExportForm(initial={"region": region.code if region else "",
                                        "period": period.text if period else text[:20]}),
            "region": region,
            "ancestors": region_ancestors(region=region) if region else [],
            "period": period,
            "error": error,
            "values": values,
            "rows": _preview(values, period),
            "formats": list(FORMATS),
            "can_manage": services.can_manage_mapping(request.user),
        },
        status=400 if error and fmt else 200,
    )  # fmt: skip


def _preview(values: Dhis2Values | None, period: Period | None) -> list[dict[str, Any]]:
    if values is None or period is None:
        return []
    labels = {code: f.label for code, f in report_catalog().items()}
    return [{"label": labels.get(v.figure, v.figure), "value": v} for v in values.values]


# The mapping ------------------------------------------------------------------------------------


def _admin(request: HttpRequest) -> None:
    if not services.can_manage_mapping(request.user):
        raise PermissionDenied


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise Http404
    return kind


def _labels() -> dict[str, str]:
    from django.utils.translation import get_language

    indonesian = (get_language() or "").startswith("id")
    figures = {**report_catalog(), **indicator_catalog(indonesian=indonesian)}
    return {code: f.label for code, f in figures.items()}


@require_GET
def mapping_list(request: HttpRequest) -> HttpResponse:
    _admin(request)
    labels = _labels()
    rows = [(m, labels.get(m.figure, "")) for m in figure_mappings().order_by("use", "figure")]
    return render(
        request,
        "dhis2/mapping_list.html",
        {"figures": rows, "org_units": list(org_unit_mappings())},
    )


def _figure_initial(mapping: FigureMapping) -> dict[str, str]:
    return {name: getattr(mapping, name) for name in services.FIGURE_FIELDS}


@require_http_methods(["GET", "POST"])
def mapping_edit(request: HttpRequest, kind: str, pk: int | None = None) -> HttpResponse:
    """Add (no ``pk``) or change one row of the figure or the org unit mapping."""
    _admin(request)
    _kind(kind)
    post = request.POST if request.method == "POST" else None
    if kind == services.FIGURES:
        mapping: Any = get_object_or_404(FigureMapping, pk=pk) if pk else None
        form: Any = FigureMappingForm(post, initial=_figure_initial(mapping) if mapping else None)
    else:
        mapping = (
            get_object_or_404(OrgUnitMapping.objects.select_related("region"), pk=pk)
            if pk
            else None
        )
        form = OrgUnitMappingForm(
            post, initial={"region": mapping.region.code, "org_unit": mapping.org_unit} if mapping else None
        )  # fmt: skip
    if post is not None and form.is_valid():
        try:
            if kind == services.FIGURES:
                services.figure_mapping_save(
                    actor=request.user, mapping=mapping, fields=form.cleaned_data
                )
            else:
                services.org_unit_mapping_save(
                    actor=request.user, mapping=mapping,
                    region=region_get(code=form.cleaned_data["region"].strip()),
                    org_unit=form.cleaned_data["org_unit"],
                )  # fmt: skip
        except ValidationError as error:
            errors_into(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{reverse('dhis2:mapping_list')}#{kind}")
    return render(
        request, "dhis2/mapping_form.html", {"form": form, "mapping": mapping, "kind": kind}
    )


@require_POST
def mapping_delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    _admin(request)
    if _kind(kind) == services.FIGURES:
        services.figure_mapping_delete(
            actor=request.user, mapping=get_object_or_404(FigureMapping, pk=pk)
        )
    else:
        services.org_unit_mapping_delete(
            actor=request.user,
            mapping=get_object_or_404(OrgUnitMapping.objects.select_related("region"), pk=pk),
        )
    messages.success(request, _("Deleted."))
    return redirect(f"{reverse('dhis2:mapping_list')}#{kind}")


@require_GET
def mapping_csv(request: HttpRequest, kind: str) -> HttpResponse:
    _admin(request)
    data = services.mapping_csv(actor=request.user, kind=_kind(kind))
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="lini-dhis2-{kind}.csv"'
    return response


@require_http_methods(["GET", "POST"])
def mapping_import(request: HttpRequest, kind: str) -> HttpResponse:
    """Upload a mapping file: every row checked, all written or none; the problems listed by
    file, row, column and why."""
    _admin(request)
    _kind(kind)
    form = MappingImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in (".csv", ".xlsx"):
            form.add_error("file", _("Only .csv and .xlsx files can be read."))
        elif upload.size > MAX_UPLOAD:
            form.add_error("file", _("The file is larger than 2 MB."))
        else:
            with tempfile.TemporaryDirectory(prefix="lini-dhis2-") as folder:
                path = Path(folder) / f"mapping{suffix}"
                with path.open("wb") as handle:
                    for chunk in upload.chunks():
                        handle.write(chunk)
                result = services.mapping_import(
                    actor=request.user, kind=kind, path=path, name=Path(upload.name).name[:100]
                )
            if result.ok:
                messages.success(
                    request,
                    _("Imported: %(created)d new, %(updated)d changed, %(unchanged)d unchanged.")
                    % {"created": result.created, "updated": result.updated,
                       "unchanged": result.unchanged},
                )  # fmt: skip
                return redirect(f"{reverse('dhis2:mapping_list')}#{kind}")
    return render(
        request,
        "dhis2/mapping_import.html",
        {"form": form, "kind": kind, "result": result},
        status=400 if result is not None and not result.ok else 200,
    )
