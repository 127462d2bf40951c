"""Charts for the "Threat levels" section of the site: the national threat level, courts, convicts."""

from __future__ import annotations

import altair as alt
import pandas as pd

from scripts.charts import _common as c
from scripts.charts import theme
from scripts.charts.context import ChartContext, format_value
from scripts.charts.describe import from_ledger, list_phrase
from scripts.charts.registry import chart
from scripts.findings.threat_levels import WINDOW_END as TIMELINE_END

CONCLUSION = "Conclusion"

# The timeline: June 2014 (the report's start) to 31 January 2018 (just after the level went back to 2).
TIMELINE_START = c.WINDOW_START
_LEVEL_FLOOR = 0.6  # bottom of the level bands, below level 1
_PIN_BASE = 4.45  # event pins start above level 4 …
_TIER = 0.36  # … and their labels stack in tiers this far apart (in level units)
_TIMELINE_HEIGHT = 330
# Label placement is planned for the narrowest chart (320 px, about 290 px of plot) with
# about 6.8 px per character at 12 px; wider charts only get more room.
_PLAN_WIDTH = 290
_CHAR_PX = 6.8
_EVENT = "other event"


def _date(value: str) -> pd.Timestamp:
    return pd.Timestamp(value)


def _short(label: str) -> str:
    """Short event label: the part of other_events.label before its colon (empty if it has none)."""
    return label.split(":", 1)[0].strip() if ":" in label else ""


def _tiers(events: list[dict]) -> None:
    """Give each event a tier and label alignment so that, at 320 px, no label overlaps another
    label or another event's dot (in place). Events are placed in date order, each in the
    lowest tier where its dot and label fit; labels run right unless that leaves the plot.
    """
    start, end = _date(TIMELINE_START), _date(TIMELINE_END)
    span = (end - start).days
    occupied: list[list[tuple[float, float]]] = []
    for event in events:
        x = (_date(event["date"]) - start).days / span * _PLAN_WIDTH
        dot = (x - 6, x + 6)
        width = len(event["label"]) * _CHAR_PX + 8 if event["label"] else 0
        align_left = x + width <= _PLAN_WIDTH
        label = (x, x + width) if align_left else (x - width, x)
        tier = 0
        while tier < len(occupied) and any(
            a < b_ and a_ < b for a, b in occupied[tier] for a_, b_ in (dot, label) if b_ > a_
        ):
            tier += 1
        if tier == len(occupied):
            occupied.append([])
        occupied[tier].extend(interval for interval in (dot, label) if interval[1] > interval[0])
        event["tier"] = tier
        event["label_align"] = "left" if align_left else "right"
        event["pin_top"] = round(_PIN_BASE + _TIER * (tier + 0.5), 3)


def _timeline_rows(ctx: ChartContext) -> pd.DataFrame:
    rows: list[dict] = []
    previous: int | None = None
    for _, period in ctx.table("threat_levels").sort_values(["scope", "start_date"], kind="stable").iterrows():
        national = period["scope"] == "national"
        end = period["end_date"] if isinstance(period["end_date"], str) and period["end_date"] else TIMELINE_END
        rows.append(
            {
                "layer": "national level" if national else "Brussels-Capital Region only",
                "label": f"Level {int(period['level'])}" if national else f"Brussels: level {int(period['level'])}",
                "date": str(period["start_date"]),
                "end": str(end),
                "scope": str(period["scope"]),
                "date_uncertain": bool(period["date_uncertain"]),
                "floor": _LEVEL_FLOOR if national else None,
                "base_level": None if national else int(period["level"]) - 1,
                "previous_level": previous if national else None,
                **c.from_table("threat_levels", period, ("period_id",), "level"),
            }
        )
        if national:
            previous = int(period["level"])
    places = ctx.table("places").set_index("place_id")["name"]
    events: list[dict] = []
    for _, attack in ctx.table("attacks").iterrows():
        events.append(
            {
                "layer": f"attack ({attack['connection']})",
                "label": str(places.get(attack["place_id"], attack["municipality"])),
                "detail": f"Attack, {attack['connection']}: {attack['target_detail']}",
                "date": str(attack["date"]),
                "connection": str(attack["connection"]),
                **c.from_table("attacks", attack, ("attack_id",)),
            }
        )
    other = ctx.table("other_events")
    for _, event in other[other["in_report_window"].fillna(False).astype(bool)].iterrows():
        events.append(
            {
                "layer": _EVENT,
                "label": _short(str(event["label"])),
                "detail": str(event["label"]),
                "date": str(event["date"]),
                "connection": "",
                **c.from_table("other_events", event, ("event_id",)),
            }
        )
    events.sort(key=lambda e: (e["date"], e["source_key"]))
    _tiers(events)
    for event in events:
        event["floor"] = _LEVEL_FLOOR
        event["pin_base"] = _PIN_BASE
    rows.extend(events)
    for _, level in ctx.table("threat_level_scale").sort_values("level").iterrows():
        rows.append(
            {
                "layer": "scale",
                "label": f"{int(level['level'])} · {level['label']}",
                "detail": str(level["meaning"]),
                **c.from_table("threat_level_scale", level, ("level",), "level"),
            }
        )
    return c.frame(rows)


def _describe_timeline(ctx: ChartContext) -> str:
    levels = ctx.table("threat_levels")
    national = levels[levels["scope"] == "national"].sort_values("start_date")
    steps = [f"{int(row['level'])} from {_date(row['start_date']):%B %Y}" for _, row in national.iterrows()]
    scale = ctx.table("threat_level_scale").sort_values("level")
    words = [f"{int(row['level'])} {row['label']}" for _, row in scale.iterrows()]
    return (
        f"Step chart of Belgium's national terrorist threat level ({list_phrase(words)}) from June 2014 to "
        f"January 2018: {list_phrase(steps)}. The country was at level {ctx.fmt('threat-level-peak')} for "
        f"{ctx.fmt('level-four-national-days')} days after the March 2016 bombings; the Brussels-Capital Region "
        f"alone was also at level 4 for a few days in November 2015. Pins mark the "
        f"{ctx.fmt('attacks-total')} attacks and other major events."
    )


@chart(
    id="threat-levels-timeline",
    section="threat_levels",
    title="Belgium's threat level stayed raised from the Paris attacks to the eve of the report",
    source=c.report_source(f"{CONCLUSION}, footnote 36")
    + "; dates of level changes and events: public sources in threat_levels.csv, attacks.csv, other_events.csv",
    description=_describe_timeline,
)
def timeline(ctx: ChartContext):
    data = _timeline_rows(ctx)
    top_tier = int(data["tier"].max()) if data["tier"].notna().any() else 0
    y_top = round(_PIN_BASE + _TIER * (top_tier + 1) + 0.1, 3)
    x = alt.X(
        "date:T",
        title=None,
        scale=alt.Scale(domain=[TIMELINE_START, TIMELINE_END]),
        axis=alt.Axis(format="%Y", tickCount="year", grid=False),
    )
    y_scale = alt.Scale(domain=[_LEVEL_FLOOR, y_top], nice=False, zero=False)
    source = alt.Chart(data)

    def only(*layers: str) -> alt.Chart:
        return source.transform_filter(alt.FieldOneOfPredicate(field="layer", oneOf=list(layers)))

    period_tooltip = [
        alt.Tooltip("label:N", title="Threat level"),
        alt.Tooltip("date:N", title="From"),
        alt.Tooltip("end:N", title="Until"),
        alt.Tooltip("date_uncertain:N", title="Date uncertain"),
        alt.Tooltip("source_key:N", title="Period"),
    ]
    grid = only("scale").mark_rule(color=theme.NEUTRAL, opacity=0.35).encode(
        y=alt.Y("value:Q", scale=y_scale, axis=None)
    )
    scale_labels = only("scale").mark_text(align="left", baseline="bottom", dx=3, dy=-3, fontSize=12).encode(
        x=alt.value(0), y=alt.Y("value:Q", scale=y_scale), text="label:N",
        tooltip=[alt.Tooltip("label:N", title="Level"), alt.Tooltip("detail:N", title="Meaning")],
    )
    bands = only("national level").mark_rect(color=c.LEVEL, opacity=0.16).encode(
        x=x, x2="end:T", y=alt.Y("floor:Q", scale=y_scale), y2="value:Q", tooltip=period_tooltip
    )
    steps = only("national level").mark_rule(color=c.LEVEL, strokeWidth=3).encode(
        x=x, x2="end:T", y=alt.Y("value:Q", scale=y_scale), tooltip=period_tooltip
    )
    risers = only("national level").transform_filter("isValid(datum.previous_level)").mark_rule(
        color=c.LEVEL, strokeWidth=3
    ).encode(x=x, y=alt.Y("previous_level:Q", scale=y_scale), y2="value:Q", tooltip=period_tooltip)
    # A few days wide, so the Brussels-only period is drawn at least 5 px wide.
    brussels = only("Brussels-Capital Region only").mark_rule(color=c.HIGHLIGHT, strokeWidth=5).encode(
        x=x, y=alt.Y("base_level:Q", scale=y_scale), y2="value:Q", tooltip=period_tooltip
    )
    brussels_label = only("Brussels-Capital Region only").mark_text(
        align="right", baseline="top", dx=-6, dy=6, fontSize=12, color=c.HIGHLIGHT, fontWeight="bold"
    ).encode(x=x, y=alt.Y("value:Q", scale=y_scale), text="label:N", tooltip=period_tooltip)

    event_tooltip = [
        alt.Tooltip("detail:N", title="Event"),
        alt.Tooltip("date:N", title="Date"),
        alt.Tooltip("source_key:N", title="Id"),
    ]
    kinds = ["attack (linked)", "attack (inspired)", _EVENT]
    kind_colours = alt.Scale(domain=kinds, range=[theme.LINKED, theme.INSPIRED, theme.NEUTRAL])
    legend = alt.Legend(title=None, labelExpr="datum.label === 'other event' ? 'Other event' : "
                        "datum.label === 'attack (linked)' ? 'Attack, linked' : 'Attack, inspired'")
    # Dotted guides from the floor to the event band tie each event to the level at its date;
    # the dots and labels sit in tiers above, with no stems that could cross a label.
    pins = only(*kinds).mark_rule(strokeWidth=1.2, strokeDash=[2, 3], opacity=0.7).encode(
        x=x, y=alt.Y("floor:Q", scale=y_scale), y2="pin_base:Q",
        color=alt.Color("layer:N", scale=kind_colours, legend=legend),
    )
    heads = only(*kinds).mark_point(filled=True, size=70, opacity=1).encode(
        x=x,
        y=alt.Y("pin_top:Q", scale=y_scale),
        color=alt.Color("layer:N", scale=kind_colours, legend=legend),
        shape=alt.Shape(
            "layer:N", scale=alt.Scale(domain=kinds, range=["circle", "circle", "diamond"]), legend=legend
        ),
        tooltip=event_tooltip,
    )
    event_labels = [
        only(*kinds)
        .transform_filter(f"datum.label !== '' && datum.label_align === '{align}'")
        .mark_text(align=align, baseline="middle", dx=7 if align == "left" else -7, fontSize=12)
        .encode(x=x, y=alt.Y("pin_top:Q", scale=y_scale), text="label:N", tooltip=event_tooltip)
        for align in ("left", "right")
    ]
    figure = alt.layer(
        grid, bands, steps, risers, brussels, brussels_label, scale_labels, pins, heads, *event_labels
    ).properties(
        width="container",
        height=_TIMELINE_HEIGHT,
        title=c.bottom_note(
            "National threat level (the report's four-point scale, footnote 36). Pins: attacks and other "
            "events; hover for details."
        ),
    )
    return figure, data


@chart(
    id="threat-levels-verdicts-2016",
    section="threat_levels",
    title="Almost every terrorism verdict in Belgium ended in a conviction",
    source=c.report_source(f"{CONCLUSION}, footnote 34 (Europol)"),
    description=from_ledger(
        "In 2016 Belgian courts delivered {verdicts-2016} verdicts in jihadi-linked terrorism cases; "
        "{convictions-2016} were convictions and {acquittals-2016} (derived; {acquittal-rate-2016}) were not."
    ),
)
def verdicts_2016(ctx: ChartContext):
    verdicts = c.table_row(ctx, "justice", ("measure",), "verdicts_2016")
    convictions = c.table_row(ctx, "justice", ("measure",), "convictions_2016")
    rows = [
        {**c.finding(ctx, "verdicts-2016", outcome="All verdicts", kind="total"),
         **c.from_table("justice", verdicts, ("measure",), "value")},
        {**c.finding(ctx, "convictions-2016", outcome="Convictions", kind="part"),
         **c.from_table("justice", convictions, ("measure",), "value")},
        c.finding(ctx, "acquittals-2016", outcome="Not convictions", kind="part"),
    ]
    for row in rows:
        row["label"] = c.derived_label(str(row["value"]), row["derived"])
    data = c.frame(rows)
    total = ctx.value("verdicts-2016")
    colours = alt.Scale(domain=["total", "part"], range=[c.OTHER, c.BAR])
    base = alt.Chart(data).encode(
        y=c.band_y("outcome:N", data["outcome"]),
        x=alt.X("value:Q", title="Terrorism verdicts in Belgium, 2016", scale=alt.Scale(domain=[0, total], nice=False)),
        tooltip=[
            alt.Tooltip("outcome:N", title="Outcome"),
            alt.Tooltip("value:Q", title="Verdicts"),
            alt.Tooltip("status:N", title="Ledger status"),
        ],
    )
    bars = base.mark_bar(size=c.BAR_SIZE, strokeWidth=1.5).encode(
        color=alt.Color("kind:N", scale=colours, legend=None),
        stroke=alt.Stroke("kind:N", scale=colours, legend=None),
        **c.derived_encodings(),
    )
    labels = c.bar_labels(
        base, "label:N", "value", inside_from=total / 2,
        ink=c.inside_ink("kind:N", ["total", "part"], [c.OTHER, c.BAR]),
    )
    figure = alt.layer(bars, c.category_labels(base, "outcome:N"), labels).properties(
        width="container", height=alt.Step(c.BAR_STEP)
    )
    return figure, data


_CONVICT_STATUS = {
    "in_prison": "Still in prison",
    "sentence_served": "Sentence already served",
    "conditional_release": "Released conditionally",
    "convicted_in_absentia": "Convicted in absentia, never in custody",
}
_CONVICT_FINDINGS = {"in_prison": "convicts-in-prison-share", "convicted_in_absentia": "convicts-in-absentia-share"}


@chart(
    id="threat-levels-convict-status",
    section="threat_levels",
    title="Most people convicted of terrorist offences were not behind bars",
    source=c.report_source(f"{CONCLUSION}, footnote 35"),
    description=lambda ctx: (
        "Where the people convicted of a terrorist offence in Belgium since August 2015 were in July 2017: "
        + list_phrase(
            [
                f"{format_share(row['share'])} {_CONVICT_STATUS.get(row['status'], row['status']).lower()}"
                for _, row in ctx.table("convict_status").iterrows()
            ]
        )
        + f". In all, {ctx.fmt('convicts-not-in-prison-share')} were not in prison."
    ),
)
def convict_status(ctx: ChartContext):
    rows = []
    for _, status in ctx.table("convict_status").iterrows():
        key = str(status["status"])
        columns = {"situation": _CONVICT_STATUS.get(key, key.replace("_", " ").capitalize())}
        finding_id = _CONVICT_FINDINGS.get(key)
        row = c.finding(ctx, finding_id, **columns) if finding_id else dict(columns)
        row.update(c.from_table("convict_status", status, ("status",), "share"))
        row["label"] = format_share(row["value"])
        rows.append(row)
    data = c.frame(rows)
    largest = float(data["value"].max())
    base = alt.Chart(data).encode(
        y=c.band_y("situation:N", data["situation"]),
        x=alt.X(
            "value:Q",
            title="Share of people convicted, status in July 2017",
            axis=alt.Axis(format="%"),
            scale=alt.Scale(domain=[0, 1], nice=False),
        ),
        tooltip=[alt.Tooltip("situation:N", title="Situation"), alt.Tooltip("value:Q", title="Share", format=".0%")],
    )
    bars = base.mark_bar(size=c.BAR_SIZE, color=c.BAR)
    labels = c.bar_labels(base, "label:N", "value", inside_from=max(largest, 0.5), ink=c.ink_on(c.BAR))
    figure = alt.layer(bars, c.category_labels(base, "situation:N"), labels).properties(
        width="container", height=alt.Step(c.BAR_STEP)
    )
    return figure, data


def format_share(value: float) -> str:
    return format_value(float(value), "share")
