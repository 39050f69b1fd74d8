"""``/indikator/peringkat/?region=CODE&level=LEVEL&year=YYYY``: where is it behind.

The regions of LEVEL under the region (only those in the user's scope), ranked by their composite
gap to the year's targets, with the score, the reasons in words and the people gaps (see
:mod:`lini.indicators.ranking`). The user must be allowed to view the region (403 otherwise, 404
for an unknown region or year). A village's figures computed from small counts are hidden for
users who may not see identities there (:mod:`lini.indicators.suppression`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from lini.accounts.roles import Action
from lini.indicators import ranking, suppression
from lini.indicators.selectors import LEVELS
from lini.indicators.views import _region_from, _year
from lini.regions.models import Region, RegionLevel
from lini.regions.selectors import region_ancestors

LEVEL_NAMES = {value: name for name, value in LEVELS.items()}


def _level(request: HttpRequest, region: Region) -> tuple[int, str]:
    """The level asked for (default: the one below the region's) and an error message."""
    raw = request.GET.get("level", "").strip()
    default = min(region.level + 1, RegionLevel.VILLAGE)
    if not raw:
        return default, ""
    if raw not in LEVELS:
        return default, _("Unknown level %(level)s; choose one of the list.") % {"level": raw[:20]}
    if LEVELS[raw] < region.level:
        return default, _("Choose the level of %(region)s or one below it.") % {
            "region": region.display_name
        }
    return LEVELS[raw], ""


def rank_list(request: HttpRequest) -> HttpResponse:
    """The ranked list (the user's first region and this year when none is given)."""
    region = _region_from(request, Action.VIEW)
    year = _year(request)
    rows: list[ranking.RankedRegion] = []
    level, error = RegionLevel.VILLAGE, ""
    if region is not None:
        level, error = _level(request, region)
        rows = ranking.rank_regions(root=region, level=level, year=year, user=request.user)
        rows = suppression.ranking_withheld(
            rows, year, lambda place: suppression.hide_on_page(request.user, place)
        )
    levels = [
        (name, RegionLevel(value).label)
        for name, value in sorted(LEVELS.items(), key=lambda item: item[1])
        if region is None or value >= region.level
    ]
    return render(
        request,
        "indicators/rank.html",
        {
            "region": region,
            "ancestors": region_ancestors(region=region) if region else [],
            "year": str(year),  # not "2.019": a year is no quantity
            "level": LEVEL_NAMES.get(level, ""),
            "levels": levels,
            "level_error": error,
            "rows": rows,
            "privacy_legend": suppression.legend() if any(r.hidden for r in rows) else "",
        },
    )
