"""Charts for the "Weapons and targets" section of the site: the four attacks, data gaps, TATP."""

from __future__ import annotations

import altair as alt
import pandas as pd

from scripts.charts import _common as c
from scripts.charts import theme
from scripts.charts.context import ChartContext
from scripts.charts.describe import from_ledger, list_phrase
from scripts.charts.registry import chart

WEAPONS = "Weapons and Targets"
OPERATIONAL = "Operational Dynamics: Connections to Islamic State/Local Networks"
CONNECTION_LABELS = {"linked": "Linked to the group", "inspired": "Inspired only"}
_LEGEND_LABELS = "datum.label === 'linked' ? 'Linked to the group' : 'Inspired only'"


def _day(date: str) -> str:
    """2016-03-22 → "22 March 2016"; 2015-01 → "January 2015"."""
    parts = str(date).split("-")
    stamp = pd.Timestamp(str(date) if len(parts) == 3 else f"{date}-01")
    return f"{stamp.day} {stamp:%B %Y}" if len(parts) == 3 else f"{stamp:%B %Y}"


def _attack_rows(ctx: ChartContext) -> pd.DataFrame:
    places = ctx.table("places").set_index("place_id")["name"]
    rows = []
    for _, attack in ctx.table("attacks").sort_values("date", kind="stable").iterrows():
        place = str(places.get(attack["place_id"], attack["municipality"]))
        killed = int(attack["victims_killed"])
        rows.append(
            {
                "attack": f"{place}, {_day(attack['date'])}",
                "when": _day(attack["date"]),
                "date": str(attack["date"]),
                "place": place,
                "connection": str(attack["connection"]),
                "weapon": str(attack["weapon_detail"]),
                "target": str(attack["target_detail"]),
                "killed_label": f"{killed} killed" if killed else "no one killed",
                "injured": int(attack["injured"]),
                "attackers_killed": int(attack["attackers_killed"]),
                "source": str(attack["source_id"]),
                **c.from_table("attacks", attack, ("attack_id",), "victims_killed"),
            }
        )
    return c.frame(rows)


def _describe_attacks(ctx: ChartContext) -> str:
    data = _attack_rows(ctx)
    phrases = [
        f"{row['place']} on {_day(row['date'])} ({row['connection']}, {row['killed_label']})"
        for _, row in data.iterrows()
    ]
    return (
        f"Timeline of the {ctx.fmt('attacks-total')} Islamic State–related attacks in Belgium between June 2014 "
        f"and October 2017: {list_phrase(phrases)}. Victims killed exclude the attackers; figures from public "
        f"sources, as the report gives only “{ctx.finding('linked-attack-deaths')['reported_text']}” for the "
        f"linked attack."
    )


@chart(
    id="weapons-targets-attack-timeline",
    section="weapons_targets",
    title="The linked attack was by far the deadliest",
    source=c.report_source(OPERATIONAL, WEAPONS) + "; dates, places and victims: public sources in attacks.csv",
    description=_describe_attacks,
)
def attack_timeline(ctx: ChartContext):
    data = _attack_rows(ctx)
    largest = int(data["value"].max())
    x = alt.X(
        "date:T",
        title=None,
        scale=alt.Scale(domain=[c.WINDOW_START, c.WINDOW_END]),
        axis=alt.Axis(format="%Y", tickCount="year", grid=True),
    )
    y = alt.Y("attack:N", sort=list(data["attack"]), title=None, axis=None)
    tooltip = [
        alt.Tooltip("attack:N", title="Attack"),
        alt.Tooltip("connection:N", title="Connection"),
        alt.Tooltip("weapon:N", title="Weapon"),
        alt.Tooltip("target:N", title="Target"),
        alt.Tooltip("value:Q", title="Killed (excl. attackers)"),
        alt.Tooltip("injured:Q", title="Injured"),
        alt.Tooltip("attackers_killed:Q", title="Attackers killed"),
        alt.Tooltip("source:N", title="Source"),
    ]
    base = alt.Chart(data).encode(x=x, y=y, tooltip=tooltip)
    points = base.mark_circle(opacity=0.9).encode(
        size=alt.Size("value:Q", scale=alt.Scale(domain=[0, largest], range=[90, 1500]), legend=None),
        color=alt.Color(
            "connection:N",
            scale=theme.link_type_scale(),
            title=None,
            legend=alt.Legend(labelExpr=_LEGEND_LABELS),
        ),
    )
    # Three short lines left of each circle: narrow enough for a 320 px chart.
    style = {"align": "right", "dx": -26, "fontSize": c.LABEL_SIZE}
    place = base.mark_text(baseline="bottom", dy=-8, fontWeight="bold", **style).encode(text="place:N")
    when = base.mark_text(baseline="middle", **style).encode(text="when:N")
    killed = base.mark_text(baseline="top", dy=8, **style).encode(text="killed_label:N")
    figure = alt.layer(points, place, when, killed).properties(
        width="container",
        height=alt.Step(76),
        title=c.bottom_note("Circle area = people killed, attackers excluded (public sources)."),
    )
    return figure, data


# measure → (bar name, finding, finding of its denominator, noun of the denominator)
_MEASURES = {
    "weapon_data": ("With data on a weapon", "weapon-data-incidents", "incidents-total", "incidents"),
    "target_data": ("With data on a target", "target-data-incidents", "incidents-total", "incidents"),
    # "Seventeen percent of all arrest actions revealed evidence of a plot" (Key Findings).
    "plots": ("Plots in the dataset", "plots", "arrest-actions-total", "arrest actions"),
}


@chart(
    id="weapons-targets-data-coverage",
    section="weapons_targets",
    title="Few incidents come with any data on weapons or targets",
    source=c.report_source(WEAPONS),
    description=from_ledger(
        "Of the {incidents-total} incidents in the dataset, only {weapon-data-incidents} ({weapon-data-share}) "
        "provided data on a weapon used or recovered and {target-data-incidents} ({target-data-share}) on an "
        "actual or potential target. {plots} of the {arrest-actions-total} arrest actions revealed a plot, and for "
        "those plots weapons and targets are mostly unknown."
    ),
)
def data_coverage(ctx: ChartContext):
    everyone = ctx.value("incidents-total")
    rows = []
    for _, measure in ctx.table("weapons_targets").iterrows():
        key = str(measure["measure"])
        fallback = (key.replace("_", " ").capitalize(), None, "incidents-total", "incidents")
        name, finding_id, denominator, noun = _MEASURES.get(key, fallback)
        columns = {"measure": name, "of": ctx.value(denominator), "of_what": noun}
        row = c.finding(ctx, finding_id, **columns) if finding_id else columns
        row.update(c.from_table("weapons_targets", measure, ("measure",), "incidents"))
        row["label"] = f"{row['value']} of {row['of']} {noun}"
        rows.append(row)
    data = c.frame(rows)

    y = c.band_y("measure:N", data["measure"])
    track = alt.Chart(data).mark_bar(size=c.BAR_SIZE, color=c.OTHER, opacity=0.25).encode(y=y, x="of:Q")
    base = alt.Chart(data).encode(
        y=y,
        x=alt.X(
            "value:Q",
            title="Incidents (arrest actions for plots)",
            scale=alt.Scale(domain=[0, everyone], nice=False),
        ),
        tooltip=[
            alt.Tooltip("measure:N", title="Incidents"),
            alt.Tooltip("value:Q", title="Count"),
            alt.Tooltip("of:Q", title="Of"),
            alt.Tooltip("of_what:N", title="Of what"),
        ],
    )
    bars = base.mark_bar(size=c.BAR_SIZE, color=c.BAR)
    labels = c.bar_labels(base, "label:N", "value", inside_from=everyone / 2, ink=c.ink_on(c.BAR))
    figure = alt.layer(track, bars, c.category_labels(base, "measure:N"), labels).properties(
        width="container",
        height=alt.Step(c.BAR_STEP),
        title=c.bottom_note(
            "The pale track is the whole: every incident (arrest actions and attacks) for weapon and "
            "target data; every arrest action for plots."
        ),
    )
    return figure, data


_IN_DATASET = "In the Belgian dataset"
_ELSEWHERE = "Elsewhere, not in the dataset"


@chart(
    id="weapons-targets-tatp",
    section="weapons_targets",
    title="TATP ties the Belgian cells to attacks in Paris and Manchester",
    source=c.report_source(WEAPONS),
    description=lambda ctx: (
        "The explosive TATP in the report: "
        + list_phrase(
            [
                f"{row['place']}, {_day(row['date'])} ({'in the dataset' if row['in_dataset'] else 'outside Belgium'})"
                for _, row in ctx.table("tatp_mentions").sort_values("date", kind="stable").iterrows()
            ]
        )
        + f". TATP appears in {ctx.fmt('tatp-incidents-in-dataset')} incidents of the Belgian dataset; every use "
        "the report mentions was by Islamic State–linked operatives."
    ),
)
def tatp(ctx: ChartContext):
    rows = []
    for _, mention in ctx.table("tatp_mentions").sort_values("date", kind="stable").iterrows():
        rows.append(
            {
                "place": str(mention["place"]),
                "month": f"{mention['date']}-01",
                "when": _day(mention["date"]),
                "where": _IN_DATASET if mention["in_dataset"] else _ELSEWHERE,
                "in_dataset": bool(mention["in_dataset"]),
                "connection": str(mention["connection"]),
                "label": f"{mention['place']}, {_day(mention['date'])}",
                **c.from_table("tatp_mentions", mention, ("event_id",)),
            }
        )
    data = c.frame(rows)
    x = alt.X(
        "month:T",
        title=None,
        scale=alt.Scale(domain=[c.WINDOW_START, c.WINDOW_END]),
        axis=alt.Axis(format="%Y", tickCount="year", grid=True),
    )
    rows_order = [_IN_DATASET, _ELSEWHERE]
    base = alt.Chart(data).encode(
        x=x,
        y=alt.Y("where:N", sort=rows_order, title=None, axis=None, scale=alt.Scale(paddingOuter=0.3)),
        tooltip=[
            alt.Tooltip("place:N", title="Place"),
            alt.Tooltip("when:N", title="When"),
            alt.Tooltip("where:N", title="Where"),
            alt.Tooltip("connection:N", title="Connection"),
        ],
    )
    present = [kind for kind in theme.LINK_TYPE_DOMAIN if kind in set(data["connection"])]
    colour = alt.Color(
        "connection:N",
        scale=theme.link_type_scale(),
        title=None,
        legend=alt.Legend(labelExpr=_LEGEND_LABELS, values=present),
    )
    in_dataset = base.transform_filter("datum.in_dataset === true").mark_point(
        shape="circle", filled=True, size=260, opacity=1
    ).encode(color=colour)
    elsewhere = base.transform_filter("datum.in_dataset !== true").mark_point(
        shape="circle", filled=False, size=260, strokeWidth=2.5, opacity=1
    ).encode(color=colour)
    place = base.mark_text(baseline="bottom", dy=-14, fontSize=c.LABEL_SIZE, fontWeight="bold").encode(text="place:N")
    when = base.mark_text(baseline="top", dy=14, fontSize=12).encode(text="when:N")
    row_names = (
        alt.Chart(alt.InlineData(values=[{"where": w} for w in rows_order]))
        .mark_text(align="left", baseline="bottom", dy=-36, fontSize=c.LABEL_SIZE, fontStyle="italic")
        .encode(x=alt.value(0), y=alt.Y("where:N", sort=rows_order), text="where:N")
    )
    figure = alt.layer(in_dataset, elsewhere, place, when, row_names).properties(
        width="container",
        height=alt.Step(104),
        title=c.bottom_note("Filled: found or used in Belgium, in the report's dataset. Hollow: elsewhere."),
    )
    return figure, data
