"""Campaign (baksos) report pages, /baksos/<pk>/laporan/ and /ringkasan/: the report (progress
of every lokus the user may see against its targets, by method, team, days, photos, and the
effect on the regions' indicators), its downloads (XLSX, PDF, CSV, recorded as exports) and the
one-page printable summary. Access as in :mod:`lini.campaigns.views_common`."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from lini.campaigns import report_writers, selectors
from lini.campaigns.choices import (
    FAMILIES_KEY,
    MKJP_KEY,
    POKTAN_KINDS,
    RUMAH_DATAKU_KEY,
    SERVICE_KEYS,
)
from lini.campaigns.selectors import Effect, Line
from lini.campaigns.views_common import REPORT_FORMATS, campaign_for
from lini.core import clock
from lini.kb.choices import VisitType


def _effect_rows(
    effects: list[Effect], codes: tuple[str, ...] = selectors.EFFECT_INDICATORS
) -> list[dict[str, Any]]:
    """Each region of an effect table: per indicator its value in the month before,
    in the campaign's month and the difference (None where a value is missing)."""
    from lini.indicators.dashboard import display_name
    from lini.indicators.models import Indicator

    indicators = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    regions = []
    for item in effects:
        rows = []
        for code in codes:
            indicator = indicators.get(code)
            if indicator is None:
                continue
            before, during = item.before.get(code), item.during.get(code)
            old = before.shown if before is not None else None
            new = during.shown if during is not None else None
            rows.append(
                {
                    "name": display_name(indicator), "unit": indicator.unit, "before": old,
                    "during": new, "diff": new - old if old is not None and new is not None else None,
                }
            )  # fmt: skip
        regions.append({"region": item.region, "rows": rows})
    return regions


def campaign_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The report page; ``?format=xlsx|pdf|csv`` downloads it (recorded as an export)."""
    campaign = campaign_for(request, pk)
    fmt = request.GET.get("format", "").strip().lower()
    if fmt and fmt not in REPORT_FORMATS:
        raise Http404
    # Over the lokus the user may see, with the effect on the regions whose figures they may see.
    report = report_writers.report_for(request.user, campaign)
    if fmt:
        # render() and the EXPORT entry of the audit trail (model "campaigns.report"), in one place
        content, content_type, file_name = report_writers.report_export(
            actor=request.user, report=report, fmt=fmt
        )
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{file_name}"'
        return response
    sections = [
        {
            "p": p,
            "methods": selectors.method_rows(p.by_method),
            "team": report.team[p.lokus.pk],
            "days": report.days[p.lokus.pk],
            "photos": report.photos[p.lokus.pk],
        }
        for p in report.progress.lokus
    ]
    return render(
        request,
        "campaigns/campaign_report.html",
        {
            "campaign": campaign,
            "report": report,
            "progress": report.progress,
            "methods": selectors.method_rows(report.progress.by_method),
            "visit_labels": VisitType.labels,
            "sections": sections,
            "effect": _effect_rows(report.effect),
            "formats": REPORT_FORMATS,
        },
    )


def _key_lines(lines: list[Line]) -> list[Line]:
    """The summary's key lines: the KB services targeted (new acceptors, switches and transfers,
    counted as the PDF summary counts them), new acceptors, MKJP, poktan formed, Rumah DataKu
    established and families visited (target and achievement of each)."""
    by_key = {line.key: line for line in lines}

    def summed(keys: list[str]) -> tuple[int, int]:
        found = [by_key[k] for k in keys if k in by_key]
        return sum(x.target for x in found), sum(x.achieved for x in found)

    new_keys = [k for k in SERVICE_KEYS if k.rsplit("_", 1)[1] == VisitType.NEW]
    return [
        Line("services", _("KB services: new acceptors, switches and transfers"),
             *report_writers.service_summary(lines)),
        Line("new", _("new acceptors"), *summed(new_keys)),
        Line(MKJP_KEY, _("long-acting methods (MKJP)"), *summed([MKJP_KEY])),
        Line("poktan", _("poktan formed"), *summed([f"poktan_{k}" for k in POKTAN_KINDS])),
        Line(RUMAH_DATAKU_KEY, _("Rumah DataKu established"), *summed([RUMAH_DATAKU_KEY])),
        Line(FAMILIES_KEY, _("families visited"), *summed([FAMILIES_KEY])),
    ]  # fmt: skip


def campaign_summary(request: HttpRequest, pk: int) -> HttpResponse:
    """A one-page summary for the head of office, made to be printed on A4: the report's figures
    (the lokus the user may see, the effect on the regions whose figures they may see)."""
    campaign = campaign_for(request, pk)
    report = report_writers.report_for(request.user, campaign)
    progress = report.progress
    return render(
        request,
        "campaigns/campaign_summary.html",
        {
            "campaign": campaign,
            "progress": progress,
            "totals": _key_lines(progress.total),
            "rows": [{"p": p, "lines": _key_lines(p.lines)} for p in progress.lokus],
            "effect": _effect_rows(report.effect, ("cpr", "mcpr")),
            "month_before": report.month_before,
            "month_during": report.month_during,
            "today": clock.today(),
        },
    )
