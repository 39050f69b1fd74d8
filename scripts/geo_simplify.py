"""Vendor Banten's boundaries into Lini, simplified for the dashboard map (no internet needed).

    python scripts/geo_simplify.py [SOURCE_DIR] [--grid 0.004]

Reads ``banten_kabupaten.geojson`` and ``banten_kecamatan.geojson`` from SOURCE_DIR (default
``../shared/data/geo``) and writes them, with ``LICENSE-boundaries.txt``, to
``src/lini/indicators/data/geo/``. Each coordinate is snapped to a grid of ``--grid`` degrees
(0.004° is about 440 m, below a pixel of a phone-sized map of the province), repeated points
are dropped, then every other point that lies on one border only (exactly two neighbouring points
in the whole file) and almost on the line between them (closer than half the grid) is dropped.
Both steps decide from the point alone, so the two sides of a shared border stay identical and
neighbours still meet exactly; rings that collapse to fewer than four points are dropped. Only ``kode`` and
``nama`` are kept. Run once when the boundaries change, never at import time.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "src" / "lini" / "indicators" / "data" / "geo"
FILES = ("banten_kabupaten.geojson", "banten_kecamatan.geojson")


def snap_ring(ring: list[list[float]], grid: float) -> list[list[float]]:
    decimals = max(0, len(str(grid).split(".")[-1]))
    out: list[list[float]] = []
    for lon, lat in ring:
        point = [
            round(round(lon / grid) * grid, decimals),
            round(round(lat / grid) * grid, decimals),
        ]
        if not out or out[-1] != point:
            out.append(point)
    if out and out[0] != out[-1]:
        out.append(out[0])
    return out if len(out) >= 4 else []


def snapped(geometry: dict, grid: float) -> list[list[list[list[float]]]]:
    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    kept = []
    for polygon in polygons:
        rings = [snap_ring(ring, grid) for ring in polygon]
        if rings and rings[0]:
            kept.append([r for r in rings if r])
    return kept


def neighbours_of(features: list[list]) -> dict[tuple[float, float], set[tuple[float, float]]]:
    """Every point -> the points next to it in any ring of the file."""
    found: dict[tuple[float, float], set[tuple[float, float]]] = {}
    for polygons in features:
        for polygon in polygons:
            for ring in polygon:
                points = [tuple(p) for p in ring[:-1]]
                for i, point in enumerate(points):
                    near = found.setdefault(point, set())
                    near.add(points[i - 1])
                    near.add(points[(i + 1) % len(points)])
    return found


def droppable(point: tuple[float, float], near: set, grid: float) -> bool:
    if len(near) != 2 or int(round(point[0] / grid) + round(point[1] / grid)) % 2:
        return False
    (ax, ay), (bx, by) = sorted(near)
    px, py = point
    length = ((bx - ax) ** 2 + (by - ay) ** 2) ** 0.5
    if length == 0:
        return False
    return abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length < grid / 2


def thinned(polygons: list, drop: set) -> dict | None:
    """The polygons without the dropped points; a polygon whose outer ring collapses is left
    out, and so is a collapsed hole."""
    kept = []
    for polygon in polygons:
        rings = []
        for ring in polygon:
            points = [p for p in ring[:-1] if tuple(p) not in drop]
            rings.append([*points, points[0]] if len(points) >= 3 else None)
        if rings[0] is not None:
            kept.append([r for r in rings if r is not None])
    if not kept:
        return None
    return {"type": "MultiPolygon", "coordinates": kept}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", default=str(ROOT.parent / "shared" / "data" / "geo"))
    parser.add_argument("--grid", type=float, default=0.004)
    args = parser.parse_args()
    source = Path(args.source)
    TARGET.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        data = json.loads((source / name).read_text(encoding="utf-8"))
        snaps = [snapped(f["geometry"], args.grid) for f in data["features"]]
        near = neighbours_of(snaps)
        drop = {p for p, n in near.items() if droppable(p, n, args.grid)}
        features = []
        for feature, polygons in zip(data["features"], snaps, strict=True):
            geometry = thinned(polygons, drop)
            if geometry is None:
                raise SystemExit(f"{feature['properties']['kode']}: nothing left at this grid")
            props = {k: feature["properties"][k] for k in ("kode", "nama")}
            features.append({"type": "Feature", "properties": props, "geometry": geometry})
        out = {"type": "FeatureCollection", "features": features}
        text = json.dumps(out, separators=(",", ":"), ensure_ascii=False)
        (TARGET / name).write_text(text + "\n", encoding="utf-8")
        print(f"{name}: {len(features)} features, {len(text) // 1024} KiB")  # noqa: T201
    shutil.copyfile(source / "LICENSE-boundaries.txt", TARGET / "LICENSE-boundaries.txt")


if __name__ == "__main__":
    main()
