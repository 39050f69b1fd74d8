"""The monthly field-control report page: ``?region=CODE&period=YYYY-MM`` shows the report of a
village, district, regency or province; ``&format=xlsx|pdf|csv`` downloads it (recorded in the
audit trail as an export). A village's small counts are hidden on the page for users who may not
see identities there, and in every file (:mod:`lini.indicators.suppression`)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from lini.accounts.roles import Action
from lini.core import clock
from lini.indicators import suppression
from lini.indicators.report import MonthlyReport, monthly_report, report_period
from lini.indicators.report_writers import FORMATS, report_export
from lini.indicators.selectors import Period
from lini.indicators.views import _region_from
from lini.regions.selectors import region_ancestors


def report_monthly(request: HttpRequest) -> HttpResponse:
    region = _region_from(request, Action.VIEW)  # 404 unknown or below a village, 403 out of scope
    fmt = request.GET.get("format", "").strip().lower()
    if fmt and fmt not in FORMATS:
        raise Http404
    text = request.GET.get("period", "").strip() or clock.today().strftime("%Y-%m")
    error = ""
    period: Period | None
    try:
        period = report_period(text)
    except ValueError as exc:
        error, period = str(exc), None
    report: MonthlyReport | None = None
    if region is not None and period is not None:
        report = monthly_report(region=region, period=period)
        if fmt:
            exported = report_export(actor=request.user, report=report, fmt=fmt)
            response = HttpResponse(exported.data, content_type=exported.content_type)
            response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
            return response
        report = suppression.report_for_page(report, request.user)
    return render(
        request,
        "indicators/report_monthly.html",
        {
            "region": region,
            "ancestors": region_ancestors(region=region) if region else [],
            "period_text": period.text if period else text[:20],
            "period_error": error,
            "report": report,
            "formats": list(FORMATS),
            "privacy_legend": suppression.legend()
            if report is not None and suppression.report_hides(report)
            else "",
        },
        status=400 if error and fmt else 200,
    )
