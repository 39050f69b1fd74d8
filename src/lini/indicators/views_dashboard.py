"""The dashboard page: ``?region=CODE&period=YYYY-MM|YYYY&indicator=CODE&map=kabupaten|kecamatan
&colour=value|achievement``. The key indicators of the region against their targets, the 12-month
trend and the regions below for the chosen indicator, the method mix, and the map of Banten
coloured by the indicator or by its achievement (regions outside the user's scope grey).

``&download=csv|xlsx&chart=key|trend|mix|children|map`` downloads the data of one block
(recorded in the audit trail as an export). The PNG of each chart is made in the browser from
its SVG (static/lini/charts.js).

A village's small counts are hidden (:mod:`lini.indicators.suppression`): on the page for users
who may not see identities there, in every download whoever takes it."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from lini.accounts.roles import Action
from lini.core.privacy import Hidden
from lini.indicators import charts, maps, selectors, suppression
from lini.indicators import dashboard as board
from lini.indicators.achievement import BAND_LABELS
from lini.indicators.models import Indicator
from lini.indicators.views import _named, _region_from
from lini.regions.models import RegionLevel
from lini.regions.selectors import region_ancestors


def _choice(request: HttpRequest, name: str, allowed: object, default: str) -> str:
    """A query parameter that must be one of ``allowed`` (404 otherwise)."""
    value = request.GET.get(name, "").strip() or default
    if value not in allowed:  # type: ignore[operator]
        raise Http404
    return value


def dashboard(request: HttpRequest) -> HttpResponse:
    region = _region_from(request, Action.VIEW)  # 404 unknown or below a village, 403 out of scope
    period_text = request.GET.get("period", "").strip()
    error = ""
    try:
        period = selectors.period_parse(period_text) if period_text else selectors.current_period()
    except ValueError as exc:
        error, period = str(exc), selectors.current_period()
    indicators = _named(selectors.indicators_all())
    by_code = {i.code: i for i in indicators}
    default_indicator = (
        board.DEFAULT_INDICATOR if board.DEFAULT_INDICATOR in by_code
        else next(iter(by_code), "")
    )  # fmt: skip
    code = request.GET.get("indicator", "").strip() or default_indicator
    if code not in by_code:
        raise Http404
    indicator: Indicator = by_code[code]
    colour = _choice(request, "colour", board.COLOURINGS, "value")
    download = _choice(request, "download", ("", *board.FORMATS), "")
    chart = _choice(request, "chart", ("", *board.CHARTS), "")
    if download and not chart:
        raise Http404
    context: dict[str, object] = {
        "region": region, "period": period, "period_error": error, "indicators": indicators,
        "indicator": indicator, "colour": colour, "bands": BAND_LABELS,
    }  # fmt: skip
    if region is None:
        return render(request, "indicators/dashboard.html", context)
    level = _choice(request, "map", board.MAP_LEVELS, board.map_level_for(region))
    key_rows = board.key_indicators(region=region, period=period, indicators=indicators)
    trend = board.trend(region=region, indicator=indicator, period=period)
    mix = board.method_mix(region=region, period=period)
    children = board.children_rows(
        region=region, period=period, indicator=indicator, user=request.user
    )
    map_rows = board.map_rows(
        region=region, period=period, indicator=indicator, level=level, user=request.user
    )
    if download and not error:
        key_rows = suppression.rows_for_file(key_rows, period)
        children = suppression.rows_for_file(children, period)
        map_rows = suppression.rows_for_file(map_rows, period)
        if suppression.hide_in_file(region):
            trend = suppression.trend_withheld(trend)
            mix, _total = suppression.mix_withheld(mix, region, period)
        table = {
            "key": lambda: board.rows_table("key", key_rows, period),
            "trend": lambda: board.trend_table(trend),
            "mix": lambda: board.mix_table(region, period, mix),
            "children": lambda: board.rows_table("children", children, period),
            "map": lambda: board.rows_table(f"map-{level}", map_rows, period),
        }[chart]()
        exported = board.table_export(
            actor=request.user, region=region, period=period, table=table, fmt=download
        )
        response = HttpResponse(exported.data, content_type=exported.content_type)
        response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
        return response

    key_rows = suppression.rows_for_page(key_rows, period, request.user)
    children = suppression.rows_for_page(children, period, request.user)
    map_rows = suppression.rows_for_page(map_rows, period, request.user)
    mix_total: int | Hidden = sum(item.users for item in mix)
    if suppression.hide_on_page(request.user, region):
        trend = suppression.trend_withheld(trend)
        mix, total_mark = suppression.mix_withheld(mix, region, period)
        mix_total = total_mark or mix_total
    hides = (
        any(r.hidden for r in (*key_rows, *children, *map_rows))
        or any(p.hidden for p in trend.points)
        or any(i.users_hidden or i.share_hidden for i in mix)
        or isinstance(mix_total, Hidden)
    )
    keep = {"period": period.text, "indicator": indicator.code, "colour": colour}
    here = urlencode({"region": region.code, **keep, "map": level})

    def href(code: str) -> str:
        return "?" + urlencode({"region": code, **keep})

    context.update({
        "keep": urlencode(keep),
        "here": here,
        "file_suffix": f"{region.code}-{period.text}",
        "ancestors": region_ancestors(region=region),
        "key_rows": key_rows,
        "trend": trend,
        "trend_svg": charts.trend_svg(trend),
        "mix": mix,
        "mix_svg": charts.mix_svg(mix),
        "mix_total": mix_total,
        "mix_total_hidden": isinstance(mix_total, Hidden),
        "privacy_legend": suppression.legend() if hides else "",
        "children": children,
        "child_level": RegionLevel(region.level + 1).label
        if region.level < RegionLevel.VILLAGE else "",
        "map_svg": charts.map_svg(
            board.choropleth(
                rows=map_rows, level=level, by_achievement=colour == "achievement",
                unit=indicator.unit,
            ),
            href=href,
        ) if maps.has_map(region.code) else None,
        "map_level": level,
        "map_levels": list(board.MAP_LEVELS),
        "charts": board.CHARTS,
        "formats": list(board.FORMATS),
    })  # fmt: skip
    # A download with a bad period shows the page and its message instead.
    return render(request, "indicators/dashboard.html", context, status=400 if download else 200)
