"""The due list as a file: ``GET /kunjungan/unduh/?minggu=YYYY-Www&wilayah=CODE&format=F``.

``format`` is pdf (the printable weekly list), csv, xlsx or json; ``minggu`` the ISO week (this
week when left out); ``wilayah`` a province, regency, district or village code (the user's whole
scope when left out). The list is the page's own (:func:`lini.visits.selectors.due_list`, cut to
the user's scope), written by :mod:`lini.visits.writers` and recorded in the audit trail as an
export of personal data. A bad format or week, or a region with too many villages, is answered
400 with the reason; a region outside the user's scope 403, an unknown one 404.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from lini.core import clock
from lini.regions.models import Region, RegionLevel
from lini.regions.selectors import region_get
from lini.visits.due import Week
from lini.visits.selectors import TooWideError
from lini.visits.writers import FORMATS, due_list_export


def _problem(request: HttpRequest, message: str, week: str, region: str) -> HttpResponse:
    return render(
        request,
        "visits/includes/due_export_error.html",
        {"message": message, "week": week, "region_code": region},
        status=400,
    )


@require_GET
def due_export(request: HttpRequest) -> HttpResponse:
    fmt = request.GET.get("format", "").strip().lower()
    week_text = request.GET.get("minggu", "").strip()[:20]
    code = request.GET.get("wilayah", "").strip()[:40]
    region: Region | None = None
    if code:
        region = region_get(code=code)
        if region is None or region.level > RegionLevel.VILLAGE:
            raise Http404
    if fmt not in FORMATS:
        return _problem(
            request,
            _("Choose the format of the file: %(formats)s.")
            % {"formats": ", ".join(f.upper() for f in FORMATS)},
            week_text,
            code,
        )
    try:
        week = Week.parse(week_text) if week_text else Week.of(clock.today())
    except ValueError as exc:
        return _problem(request, str(exc), week_text, code)
    try:
        exported = due_list_export(actor=request.user, week=week, fmt=fmt, region=region)  # type: ignore[arg-type]
    except TooWideError as exc:
        return _problem(request, str(exc), str(week), code)
    response = HttpResponse(exported.data, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    response["Cache-Control"] = "no-store"  # names and contraceptive use: keep no copy
    return response
