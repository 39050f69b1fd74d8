"""The choropleth map of the dashboard: Banten's regencies or districts as inline SVG paths, drawn
on the server (no map library, no tiles, no internet).

The boundaries are vendored in ``data/geo/`` (simplified from ``shared/data/geo`` by
``scripts/geo_simplify.py``; MIT licence in ``data/geo/LICENSE-boundaries.txt``, credited on the
map). Each feature's ``kode`` is Lini's region code. The projection is equirectangular with the
longitudes scaled by cos(mean latitude), fine for a province; the shapes of a level are read and
projected once per process (:func:`shapes`).

Colours: by achievement, the four bands of :mod:`lini.indicators.achievement`; by value, five
classes of equal width between the smallest and largest value shown (a light-to-dark blue-green
scale, darker = larger, whatever the indicator's direction). Regions outside the user's scope are
grey and carry no value; regions in scope with no value are drawn light grey.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _

from lini.indicators.achievement import BAND_LABELS, BLUE, GREEN, RED, YELLOW

GEO_DIR = Path(__file__).resolve().parent / "data" / "geo"
LEVEL_FILES: dict[str, str] = {
    "kabupaten": "banten_kabupaten.geojson",
    "kecamatan": "banten_kecamatan.geojson",
}
PROVINCES_WITH_MAPS = frozenset({"36"})  # Banten
CREDIT = "Boundaries: cahyadsn/wilayah_boundaries (MIT)"
WIDTH = 1000.0  # the map's width in SVG units; the height follows the province's shape

OUT_OF_SCOPE = "#c4c9d0"
NO_VALUE = "#eef0f3"
BAND_FILLS: dict[str, str] = {
    BLUE: "#3b78d8",
    GREEN: "#3fa45b",
    YELLOW: "#f2c230",
    RED: "#d9483b",
}
SCALE = ("#e0f3ee", "#a8dcc9", "#5fbf9f", "#239072", "#0b5e48")


@dataclass(frozen=True)
class Shape:
    code: str
    name: str
    d: str  # the SVG path


@dataclass(frozen=True)
class Shapes:
    level: str
    width: float
    height: float
    shapes: tuple[Shape, ...]

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:g} {self.height:g}"


@dataclass(frozen=True)
class Area:
    """One region on the map as drawn for one user."""

    code: str
    name: str
    d: str
    fill: str
    value: Decimal | None
    in_scope: bool
    label: str  # the tooltip: name and value


@dataclass(frozen=True)
class LegendItem:
    fill: str
    label: str


@dataclass(frozen=True)
class ChoroplethMap:
    level: str
    width: float
    height: float
    areas: list[Area]
    legend: list[LegendItem]
    credit: str = CREDIT


def _polygons(geometry: dict) -> list[list[list[list[float]]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return list(geometry["coordinates"])


@cache
def shapes(level: str) -> Shapes:
    """The projected shapes of ``level`` (``kabupaten`` or ``kecamatan``), read once."""
    data = json.loads((GEO_DIR / LEVEL_FILES[level]).read_text(encoding="utf-8"))
    features = data["features"]
    points = [
        point
        for feature in features
        for polygon in _polygons(feature["geometry"])
        for ring in polygon
        for point in ring
    ]
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    kx = math.cos(math.radians((south + north) / 2))
    scale = WIDTH / ((east - west) * kx)
    height = round((north - south) * scale, 1)

    def path(geometry: dict) -> str:
        parts = []
        for polygon in _polygons(geometry):
            for ring in polygon:
                xy = [
                    f"{(lon - west) * kx * scale:.1f} {(north - lat) * scale:.1f}"
                    for lon, lat in ring[:-1]
                ]
                parts.append("M" + "L".join(xy) + "Z")
        return "".join(parts)

    drawn = tuple(
        Shape(code=f["properties"]["kode"], name=f["properties"]["nama"], d=path(f["geometry"]))
        for f in sorted(features, key=lambda f: f["properties"]["kode"])
    )
    return Shapes(level=level, width=WIDTH, height=height, shapes=drawn)


def has_map(region_code: str) -> bool:
    return region_code.split(".")[0] in PROVINCES_WITH_MAPS


def _number(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text


def value_classes(values: list[Decimal]) -> list[tuple[Decimal, Decimal]]:
    """Up to five classes of equal width between the smallest and the largest value (one class
    when they are all the same)."""
    if not values:
        return []
    low, high = min(values), max(values)
    if low == high:
        return [(low, high)]
    step = (high - low) / len(SCALE)
    bounds = [low + step * i for i in range(len(SCALE))] + [high]
    return [(bounds[i], bounds[i + 1]) for i in range(len(SCALE))]


def value_fill(value: Decimal, classes: list[tuple[Decimal, Decimal]]) -> str:
    if len(classes) == 1:
        return SCALE[-1]
    for index, (_low, high) in enumerate(classes):
        if value <= high:
            return SCALE[index]
    return SCALE[-1]


def choropleth(
    *,
    level: str,
    values: dict[str, Decimal | None],
    bands: dict[str, str] | None = None,
    by_achievement: bool = False,
    unit: str = "",
) -> ChoroplethMap:
    """The map of ``level`` coloured for one user: ``values`` holds every region in the user's
    scope (code -> the value shown, None when there is none); ``bands`` (code -> colour band)
    colours by achievement when ``by_achievement``. Regions missing from ``values`` are out of
    scope: grey, no value."""
    drawn = shapes(level)
    bands = bands or {}
    present = [v for v in values.values() if v is not None]
    classes = value_classes(present)
    areas = []
    for shape in drawn.shapes:
        in_scope = shape.code in values
        value = values.get(shape.code)
        if not in_scope:
            fill, label = OUT_OF_SCOPE, f"{shape.name}: {_('outside your regions')}"
        elif by_achievement:
            fill = BAND_FILLS.get(bands.get(shape.code, ""), NO_VALUE)
            label = f"{shape.name}: {'—' if value is None else _number(value)}"
        else:
            fill = NO_VALUE if value is None else value_fill(value, classes)
            label = f"{shape.name}: {'—' if value is None else _number(value)}"
        if in_scope and value is not None and unit:
            label = f"{label} {unit}"
        areas.append(Area(shape.code, shape.name, shape.d, fill, value, in_scope, label))
    legend: list[LegendItem] = []
    if by_achievement:
        legend = [LegendItem(BAND_FILLS[key], str(text)) for key, text in BAND_LABELS.items()]
    elif len(classes) == 1:
        legend = [LegendItem(SCALE[-1], _number(classes[0][0]))]
    else:
        legend = [
            LegendItem(SCALE[i], f"{_number(low.quantize(Decimal('0.01')))} \u2013 "
                                 f"{_number(high.quantize(Decimal('0.01')))}")
            for i, (low, high) in enumerate(classes)
        ]  # fmt: skip
    legend.append(LegendItem(NO_VALUE, _("no value")))
    legend.append(LegendItem(OUT_OF_SCOPE, _("outside your regions")))
    return ChoroplethMap(
        level=level, width=drawn.width, height=drawn.height, areas=areas, legend=legend
    )
