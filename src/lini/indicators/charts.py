"""The dashboard's charts as inline SVG drawn on the server: the 12-month trend line and the
method-mix bars. Each SVG stands alone (white background, its own fonts and colours as
attributes, no CSS, no script), so that ``static/lini/charts.js`` can turn it into a PNG as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from lini.core.privacy import Hidden
from lini.indicators.dashboard import MixItem, Trend
from lini.indicators.maps import ChoroplethMap

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', Arial, sans-serif"
INK, MUTED, LINE, BRAND, TARGET = "#1d2733", "#5b6775", "#d8dee6", "#0b6e4f", "#b3261e"


def nice_ceiling(value: Decimal) -> Decimal:
    """The smallest of 1, 2, 2.5, 5 x 10^n that is at least ``value`` (for the y axis)."""
    if value <= 0:
        return Decimal(1)
    exponent = value.adjusted()
    for step in (1, 2, Decimal("2.5"), 5, 10):
        top = Decimal(step).scaleb(exponent)
        if top >= value:
            return top
    return Decimal(10).scaleb(exponent)  # pragma: no cover - 10 always fits


def number(value: Decimal | int | None, decimals: int = 2) -> str:
    """A number in the active language's format (``53,33`` in Indonesian), a dash for none."""
    if value is None:
        return "—"
    if isinstance(value, Decimal) and value == value.to_integral_value():
        decimals = 0
    return formats.number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def _svg(width: int, height: int, label: str, body: SafeString, chart_id: str) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" id="{}" class="chart" role="img" '
        'aria-label="{}" viewBox="0 0 {} {}" width="100%" font-family="{}" font-size="12">'
        '<rect width="{}" height="{}" fill="#ffffff"/>{}</svg>',
        chart_id, label, width, height, FONT, width, height, body,
    )  # fmt: skip


def trend_svg(data: Trend, *, chart_id: str = "chart-trend") -> SafeString:
    """A line over the months (gaps where a month has no value) with a dashed line at the
    target, the y axis from 0 to a round number above the largest value or target."""
    width, height = 420, 240
    left, right, top, bottom = 44, 10, 16, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [p.value for p in data.points if p.value is not None]
    highest = max([*values, *([data.target] if data.target is not None else [])], default=None)
    lowest = min([*values, Decimal(0)])
    ceiling = nice_ceiling(highest if highest is not None else Decimal(1))
    floor = -nice_ceiling(-lowest) if lowest < 0 else Decimal(0)
    span = ceiling - floor
    step_x = plot_w / max(len(data.points) - 1, 1)

    def y(value: Decimal) -> float:
        return round(top + plot_h - float((value - floor) / span) * plot_h, 1)

    def x(index: int) -> float:
        return round(left + index * step_x, 1)

    parts: list[SafeString] = []
    for i in range(5):  # grid lines and y labels
        level = floor + span * i / 4
        parts.append(format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}"/>'
            '<text x="{}" y="{}" text-anchor="end" fill="{}">{}</text>',
            left, width - right, y(level), y(level), LINE, left - 6, round(y(level) + 4, 1), MUTED,
            number(level.normalize()),
        ))  # fmt: skip
    for i, point in enumerate(data.points):  # month labels
        parts.append(format_html(
            '<text x="{}" y="{}" text-anchor="middle" fill="{}" font-size="11">{}</text>',
            x(i), height - bottom + 16, MUTED, formats.date_format(point.month, "M"),
        ))  # fmt: skip
        if i == 0 or point.month.month == 1:
            parts.append(format_html(
                '<text x="{}" y="{}" text-anchor="middle" fill="{}" font-size="11">{}</text>',
                x(i), height - bottom + 30, MUTED, point.month.year,
            ))  # fmt: skip
    if data.target is not None:
        parts.append(format_html(
            '<line class="target" x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" '
            'stroke-dasharray="6 4" stroke-width="1.5"/>'
            '<text x="{}" y="{}" text-anchor="end" fill="{}">{}</text>',
            left, width - right, y(data.target), y(data.target), TARGET, width - right,
            round(y(data.target) - 5, 1), TARGET,
            _("target %(value)s") % {"value": number(data.target.normalize())},
        ))  # fmt: skip
    segment: list[str] = []
    segments: list[list[str]] = []
    for i, point in enumerate(data.points):
        if point.value is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        segment.append(f"{left + i * step_x:.1f},{y(point.value):.1f}")
    if segment:
        segments.append(segment)
    parts.extend(
        format_html(
            '<polyline class="trend-line" points="{}" fill="none" stroke="{}" '
            'stroke-width="2.5"/>', " ".join(seg), BRAND,
        )
        for seg in segments
    )  # fmt: skip
    parts.append(format_html_join(
        "", '<circle cx="{}" cy="{}" r="3.5" fill="{}"><title>{}: {}</title></circle>',
        ((x(i), y(p.value), BRAND, formats.date_format(p.month, "F Y"),
          number(p.value)) for i, p in enumerate(data.points) if p.value is not None),
    ))  # fmt: skip
    # Months hidden to protect families' privacy: their mark on the axis, no point.
    parts.append(format_html_join(
        "", '<text class="hidden-mark" x="{}" y="{}" text-anchor="middle" fill="{}">{}'
        "<title>{}: {}</title></text>",
        ((x(i), y(floor) - 6, MUTED, p.hidden, formats.date_format(p.month, "F Y"), p.hidden)
         for i, p in enumerate(data.points) if p.hidden is not None),
    ))  # fmt: skip
    if not values and not any(p.hidden for p in data.points):
        parts.append(format_html(
            '<text x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>',
            left + plot_w / 2, top + plot_h / 2, MUTED, _("No data in these months."),
        ))  # fmt: skip
    label = _("%(indicator)s, %(first)s to %(last)s") % {
        "indicator": data.indicator.code,
        "first": formats.date_format(data.first, "F Y"),
        "last": formats.date_format(data.last, "F Y"),
    }
    return _svg(width, height, label, mark_safe("".join(parts)), chart_id)  # noqa: S308


def _users(users: int | Hidden) -> str:
    return str(users) if isinstance(users, Hidden) else number(users, 0)


def mix_svg(items: list[MixItem], *, chart_id: str = "chart-mix") -> SafeString:
    """One horizontal bar per method, its length the method's share of the active users."""
    row, label_w, value_w = 24, 140, 84
    width = 420
    height = row * len(items) + 16
    bar_w = width - label_w - value_w
    parts: list[SafeString] = []
    for i, item in enumerate(items):
        top = 8 + i * row
        share = item.share_shown
        length = round(float(share or 0) / 100 * bar_w, 1) if not isinstance(share, Hidden) else 0
        shown = "—" if share is None else share if isinstance(share, Hidden) else number(share, 1)
        parts.append(format_html(
            '<text x="{}" y="{}" text-anchor="end" fill="{}">{}</text>'
            '<rect x="{}" y="{}" width="{}" height="{}" fill="#eef0f3"/>'
            '<rect class="bar" x="{}" y="{}" width="{}" height="{}" fill="{}">'
            "<title>{}: {}</title></rect>"
            '<text x="{}" y="{}" fill="{}">{} ({}%)</text>',
            label_w - 8, top + 16, INK, item.label,
            label_w, top + 3, bar_w, row - 8,
            label_w, top + 3, length, row - 8, BRAND, item.label, item.users_shown,
            label_w + bar_w + 6, top + 16, INK, _users(item.users_shown), shown,
        ))  # fmt: skip
    label = _("Active users by method")
    return _svg(width, height, label, mark_safe("".join(parts)), chart_id)  # noqa: S308


def map_svg(
    choropleth: ChoroplethMap, *, href: Callable[[str], str], chart_id: str = "chart-map"
) -> SafeString:
    """The map: one path per region (a link to its dashboard when in scope, its name and value
    as the tooltip), then the legend and the credit of the boundaries, inside the one SVG so
    that its PNG carries them."""
    width = int(choropleth.width)
    map_h = int(choropleth.height) + 10
    columns, row = 2, 48
    legend_rows = -(-len(choropleth.legend) // columns)
    height = map_h + legend_rows * row + 44
    areas = []
    for area in choropleth.areas:
        path = format_html(
            '<path d="{}" fill="{}" stroke="#ffffff" stroke-width="1.2" data-code="{}">'
            "<title>{}</title></path>",
            area.d, area.fill, area.code, area.label,
        )  # fmt: skip
        if area.in_scope:
            path = format_html('<a href="{}">{}</a>', href(area.code), path)
        areas.append(path)
    legend = []
    for i, item in enumerate(choropleth.legend):
        x = 10 + (i % columns) * (width // columns)
        y = map_h + (i // columns) * row
        legend.append(format_html(
            '<rect x="{}" y="{}" width="36" height="32" fill="{}" stroke="{}"/>'
            '<text x="{}" y="{}" fill="{}" font-size="28">{}</text>',
            x, y, item.fill, LINE, x + 46, y + 26, INK, item.label,
        ))  # fmt: skip
    credit = format_html(
        '<text x="{}" y="{}" text-anchor="end" fill="{}" font-size="22">{}</text>',
        width - 10, height - 12, MUTED, choropleth.credit,
    )  # fmt: skip
    body = format_html(
        '<g class="areas">{}</g><g class="legend">{}</g>{}',
        mark_safe("".join(areas)), mark_safe("".join(legend)), credit,  # noqa: S308
    )  # fmt: skip
    return _svg(width, height, _("Map"), body, chart_id)
