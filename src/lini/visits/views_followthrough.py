"""The follow-through page of the due lists (issue 9): ``/kunjungan/tindak-lanjut/?wilayah=<code>
&bulan=YYYY-MM``. For a village or a larger region in the user's scope: its figures for the month
(due visits, done on time, overdue, dropouts after them, pending, followed up at home), its
children's and, for a village or a district, each field worker's over the villages of their
assignment. Everything is read from the stored counts (:func:`lini.visits.followthrough.
followthrough_of`); a village's small counts are hidden for users who may not see identities
there, as on the dashboard."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from lini.accounts import scope
from lini.accounts.roles import Action
from lini.core import clock, privacy
from lini.indicators.counts import month_add
from lini.indicators.report import month_name
from lini.indicators.selectors import Period, period_parse
from lini.regions.models import RegionLevel
from lini.regions.selectors import region_ancestors, region_get
from lini.visits.followthrough import default_region, followthrough_of


def _month(text: str) -> Period:
    """The month of ``bulan`` (``YYYY-MM``); ValueError with a message otherwise."""
    period = period_parse(text)
    if period.is_year:
        raise ValueError(_("Choose one month, written as YYYY-MM, not %(value)s") % {"value": text})
    return period


def followthrough(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("wilayah", "").strip()
    region = region_get(code=code) if code else default_region(request.user)
    if code and region is None:
        raise Http404
    if region is not None:
        if region.level > RegionLevel.VILLAGE:
            raise Http404  # the counts are kept per village and above
        scope.require(request.user, Action.VIEW, region)
    text = request.GET.get("bulan", "").strip() or clock.today().strftime("%Y-%m")
    error = ""
    try:
        period: Period | None = _month(text)
    except ValueError as exc:
        error, period = str(exc), None
    data = None
    if region is not None and period is not None:
        data = followthrough_of(user=request.user, region=region, period=period)

    def here(**changes: str) -> str:
        values = {"wilayah": region.code if region else "", "bulan": period.text if period else ""}
        values.update(changes)
        return "?" + urlencode(values)

    months = {}
    if period is not None:
        months = {
            "previous": here(bulan=month_add(period.first, -1).strftime("%Y-%m")),
            "next": here(bulan=month_add(period.first, 1).strftime("%Y-%m")),
        }
    return render(
        request,
        "visits/followthrough.html",
        {
            "region": region,
            "ancestors": region_ancestors(region=region) if region else [],
            "period": period,
            "month_text": period.text if period else text[:20],
            "month_label": month_name(period.first) if period else "",
            "month_error": error,
            "months": months,
            "data": data,
            "privacy_legend": privacy.legend() if data is not None and data.hides else "",
        },
    )
