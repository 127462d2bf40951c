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
_LEVEL_FLOOR = 0.6  # bottom of the plot, below level 1 (the guides to the pins start here)
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


def _day(value: str) -> str:
    stamp = _date(value)
    return f"{stamp.day} {stamp:%b %Y}"


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
        width = len(str(event["pin"])) * _CHAR_PX + 8
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
    events: list[dict] = []
    for _, attack in ctx.table("attacks").iterrows():
        connection = str(attack["connection"])
        events.append(
            {
                "layer": f"attack ({connection})",
                "event": c.event_name(ctx, str(attack["attack_id"])),
                "detail": (
                    f"Attack the report codes as {connection}: {attack['target_detail']}"
                    + ("" if connection == "linked" else " (which event: our identification)")
                ),
                "place": c.attack_place(ctx, attack),
                "date": str(attack["date"]),
                "connection": connection,
                "role": connection,
                **c.from_table("attacks", attack, ("attack_id",)),
            }
        )
    other = ctx.table("other_events")
    for _, event in other[other["in_report_window"].fillna(False).astype(bool)].iterrows():
        events.append(
            {
                "layer": _EVENT,
                "event": c.event_name(ctx, str(event["event_id"])),
                "detail": f"Not one of the report's attacks: {event['label']}",
                "date": str(event["date"]),
                "connection": "",
                "role": "context",  # not one of the counted attacks, so never coloured as linked
                **c.from_table("other_events", event, ("event_id",)),
            }
        )
    events.sort(key=lambda e: (e["date"], e["source_key"]))
    # Every pin carries a number, in the static image too; the key under the chart names it.
    for number, event in enumerate(events, start=1):
        event["pin"] = number
    _tiers(events)
    for event in events:
        event["floor"] = _LEVEL_FLOOR
        event["pin_base"] = _PIN_BASE
    rows.extend(events)
    for _, level in ctx.table("threat_level_scale").sort_values("level").iterrows():
        rows.append(
            {
                "layer": "scale",
                "level_name": str(level["label"]),
                "detail": str(level["meaning"]),
                **c.from_table("threat_level_scale", level, ("level",), "level"),
            }
        )
    return c.frame(rows)


def _pin_keys(ctx: ChartContext) -> list[str]:
    """The key to the pins: "1 · 22 Mar 2016 · Brussels Airport and Maelbeek station bombings"."""
    events = _timeline_rows(ctx).dropna(subset=["pin"])
    return [f"{int(row['pin'])} · {_day(row['date'])} · {row['event']}" for _, row in events.iterrows()]


def _describe_timeline(ctx: ChartContext) -> str:
    levels = ctx.table("threat_levels")
    national = levels[levels["scope"] == "national"].sort_values("start_date")
    steps = [f"{int(row['level'])} from {_date(row['start_date']):%B %Y}" for _, row in national.iterrows()]
    scale = ctx.table("threat_level_scale").sort_values("level")
    words = [f"{int(row['level'])} {row['label']}" for _, row in scale.iterrows()]
    return (
        f"Step chart of Belgium's national terrorist threat level ({list_phrase(words)}) from June 2014 to "
        f"January 2018: {list_phrase(steps)}. The country was at level {ctx.fmt('threat-level-peak')} for "
        f"{ctx.fmt('level-four-national-days')} days after the Brussels Airport and Maelbeek station bombings; the "
        f"Brussels-Capital Region alone was also at level 4 for a few days in November 2015. Numbered pins mark "
        f"the {ctx.fmt('attacks-total')} attacks the report counts (coloured by the report's coding) and other "
        f"events that are not among the attacks it counts: {list_phrase(_pin_keys(ctx))}. Which events the "
        f"{ctx.fmt('inspired-attacks')} inspired attacks are is our identification, {c.IDENTIFICATION_CAVEAT}."
    )


@chart(
    id="threat-levels-timeline",
    section="threat_levels",
    title="By the public record, Belgium's national threat level stayed raised from the Paris attacks until January 2018",
    subtitle="Belgium's terrorist threat level from June 2014 to January 2018, and the events around its changes",
    source=c.report_source(f"{CONCLUSION}, footnote 36")
    + "; dates of level changes and events: public sources in threat_levels.csv, attacks.csv, other_events.csv",
    description=_describe_timeline,
)
def timeline(ctx: ChartContext):
    data = _timeline_rows(ctx)
    top_tier = int(data["tier"].max()) if data["tier"].notna().any() else 0
    y_top = round(_PIN_BASE + _TIER * (top_tier + 1) + 0.1, 3)
    x_axis = alt.Axis(format="%Y", tickCount="year", grid=False)
    x = alt.X("date:T", title=None, scale=alt.Scale(domain=[TIMELINE_START, TIMELINE_END]), axis=x_axis)
    y_scale = alt.Scale(domain=[_LEVEL_FLOOR, y_top], nice=False, zero=False)
    source = alt.Chart(data)

    def only(*layers: str) -> alt.Chart:
        return source.transform_filter(alt.FieldOneOfPredicate(field="layer", oneOf=list(layers)))

    period_tooltip = [
        alt.Tooltip("value:Q", title="Threat level"),
        alt.Tooltip("date:N", title="From"),
        alt.Tooltip("end:N", title="Until"),
        alt.Tooltip("date_uncertain:N", title="Date uncertain"),
        alt.Tooltip("source_key:N", title="Period"),
    ]
    grid = only("scale").mark_rule(color=theme.NEUTRAL, opacity=0.35).encode(
        y=alt.Y("value:Q", scale=y_scale, axis=None)
    )
    scale_labels = only("scale").transform_calculate(
        label="datum.value + ' · ' + datum.level_name"  # "3 · Serious"
    ).mark_text(align="left", baseline="bottom", dx=3, dy=-3, fontSize=12).encode(
        x=alt.value(0), y=alt.Y("value:Q", scale=y_scale), text="label:N",
        tooltip=[alt.Tooltip("label:N", title="Level"), alt.Tooltip("detail:N", title="Meaning")],
    )
    # An ordinal level is drawn as a step line only: no filled area that would suggest a quantity.
    # No scale domain here: with x2 beside it, Vega-Lite would read it as a second, conflicting
    # domain (it takes the one the other layers give the shared x scale).
    steps = only("national level").mark_rule(color=c.CONTEXT, strokeWidth=3).encode(
        x=alt.X("date:T", title=None, axis=x_axis), x2="end:T", y=alt.Y("value:Q", scale=y_scale), tooltip=period_tooltip
    )
    risers = only("national level").transform_filter("isValid(datum.previous_level)").mark_rule(
        color=c.CONTEXT, strokeWidth=3
    ).encode(x=x, y=alt.Y("previous_level:Q", scale=y_scale), y2="value:Q", tooltip=period_tooltip)
    # A few days wide, so the Brussels-only period is drawn at least 5 px wide.
    brussels = only("Brussels-Capital Region only").mark_rule(color=c.CONTEXT, strokeWidth=5, strokeDash=[3, 2]).encode(
        x=x, y=alt.Y("base_level:Q", scale=y_scale), y2="value:Q", tooltip=period_tooltip
    )
    brussels_label = only("Brussels-Capital Region only").transform_calculate(
        label="'Brussels: level ' + datum.value"
    ).mark_text(
        align="right", baseline="top", dx=-6, dy=6, fontSize=12, fontWeight="bold"
    ).encode(x=x, y=alt.Y("value:Q", scale=y_scale), text="label:N", tooltip=period_tooltip)

    event_tooltip = [
        alt.Tooltip("pin:Q", title="Pin"),
        alt.Tooltip("event:N", title="Event"),
        alt.Tooltip("place:N", title="Place"),
        alt.Tooltip("detail:N", title="Detail"),
        alt.Tooltip("date:N", title="Date"),
    ]
    kinds = ["attack (linked)", "attack (inspired)", _EVENT]
    roles = ["linked", "inspired", "context"]
    kind_colours = theme.role_scale(roles)
    legend = theme.role_legend(columns=1)
    # Dotted guides from the floor to the event band tie each event to the level at its date;
    # the dots and labels sit in tiers above, with no stems that could cross a label.
    pins = only(*kinds).mark_rule(strokeWidth=1.2, strokeDash=[2, 3], opacity=0.7).encode(
        x=x, y=alt.Y("floor:Q", scale=y_scale), y2="pin_base:Q",
        color=alt.Color("role:N", scale=kind_colours, legend=legend),
    )
    heads = only(*kinds).mark_point(filled=True, size=70, opacity=1).encode(
        x=x,
        y=alt.Y("pin_top:Q", scale=y_scale),
        color=alt.Color("role:N", scale=kind_colours, legend=legend),
        shape=alt.Shape(
            "role:N", scale=alt.Scale(domain=roles, range=["circle", "circle", "diamond"]), legend=legend
        ),
        tooltip=event_tooltip,
    )
    event_labels = [
        only(*kinds)
        .transform_filter(f"datum.label_align === '{align}'")
        .mark_text(align=align, baseline="middle", dx=7 if align == "left" else -7, fontSize=12, fontWeight="bold")
        .encode(x=x, y=alt.Y("pin_top:Q", scale=y_scale), text=alt.Text("pin:Q", format="d"), tooltip=event_tooltip)
        for align in ("left", "right")
    ]
    key = [line for text in _pin_keys(ctx) for line in c.note(text)]
    figure = alt.layer(
        grid, steps, risers, brussels, brussels_label, scale_labels, pins, heads, *event_labels
    ).properties(
        width="container",
        height=_TIMELINE_HEIGHT,
        title=c.bottom_note(
            c.note(
                "National threat level, a step line on the report's four-point scale (footnote 36; dates from "
                "public sources); dashed: the Brussels-Capital Region alone. Which events the inspired attacks "
                f"are is our identification, {c.IDENTIFICATION_CAVEAT}. Numbered pins:"
            )
            + key
        ),
    )
    return figure, data


@chart(
    id="threat-levels-verdicts-2016",
    section="threat_levels",
    title="By the Europol figures the report cites, most 2016 terrorism verdicts in Belgium were convictions: the report gives “an acquittal rate of 8%”",
    subtitle="Verdicts in jihadi-linked terrorism cases in Belgium in 2016, by outcome",
    source=c.report_source(f"{CONCLUSION}, footnote 34 (Europol)"),
    description=from_ledger(
        "According to the Europol figures the report cites, Belgian courts delivered {verdicts-2016} verdicts in "
        "jihadi-linked terrorism cases in 2016; {convictions-2016} were convictions and {acquittals-2016} were "
        "acquittals (derived: verdicts minus convictions; {acquittal-rate-2016}, the report's acquittal rate)."
    ),
)
def verdicts_2016(ctx: ChartContext):
    verdicts = c.table_row(ctx, "justice", ("measure",), "verdicts_2016")
    convictions = c.table_row(ctx, "justice", ("measure",), "convictions_2016")
    rows = [
        {**c.finding(ctx, "verdicts-2016", outcome="All verdicts"),
         **c.from_table("justice", verdicts, ("measure",), "value")},
        {**c.finding(ctx, "convictions-2016", outcome="Convictions"),
         **c.from_table("justice", convictions, ("measure",), "value")},
        c.finding(ctx, "acquittals-2016", outcome="Acquittals"),
    ]
    for row, role in zip(rows, ("neutral", "reported", "reported")):
        row["role"] = c.role_for(row, role)
    data = c.frame(rows)
    figure = c.labelled_bars(
        data,
        category="outcome",
        title="Terrorism verdicts in Belgium, 2016",
        whole=ctx.value("verdicts-2016"),
        tooltip=[
            alt.Tooltip("outcome:N", title="Outcome"),
            alt.Tooltip("value:Q", title="Verdicts"),
            alt.Tooltip("status:N", title="Ledger status"),
        ],
    ).properties(
        title=c.bottom_note("Grey: all verdicts. Pale, dashed violet: derived (verdicts minus convictions)."),
    )
    return figure, data


_CONVICT_STATUS = {
    "in_prison": "still in prison",
    "sentence_served": "had served their sentence",
    "conditional_release": "released conditionally",
    "convicted_in_absentia": "convicted in absentia",
}
# Ledger findings of the shares, where the ledger has them; otherwise the table's cell is drawn.
_CONVICT_FINDINGS = {
    "in_prison": "convicts-in-prison-share",
    "sentence_served": "convicts-sentence-served-share",
    "conditional_release": "convicts-conditional-release-share",
    "convicted_in_absentia": "convicts-in-absentia-share",
}
_ABSENTIA_QUOTE = "had never been in reach of law enforcement and were convicted in absentia"
_SEGMENT_GAP = 1.5  # px of background between the parts of the bar


def _convict_finding(ctx: ChartContext, status: str) -> str | None:
    finding_id = _CONVICT_FINDINGS.get(status)
    return finding_id if finding_id is not None and finding_id in ctx.ledger.index else None


def _convict_share(ctx: ChartContext, row: pd.Series) -> str:
    """A share as shown: the ledger's own display string when it has the finding."""
    finding_id = _convict_finding(ctx, str(row["status"]))
    return ctx.fmt(finding_id) if finding_id else format_share(row["share"])


def _convict_rows(ctx: ChartContext) -> pd.DataFrame:
    table = ctx.table("convict_status")
    order = {status: i for i, status in enumerate(_CONVICT_STATUS)}
    table = table.assign(_order=table["status"].map(order).fillna(len(order))).sort_values("_order", kind="stable")
    rows, start = [], 0.0
    for _, status in table.iterrows():
        key = str(status["status"])
        name = _CONVICT_STATUS.get(key, key.replace("_", " "))
        finding_id = _convict_finding(ctx, key)
        columns = {"situation": name, "role": "reported"}
        row = c.finding(ctx, finding_id, **columns) if finding_id else dict(columns)
        row.update(c.from_table("convict_status", status, ("status",), "share"))
        row["role"] = c.role_for(row, "reported")
        row["start"] = round(start, 6)
        row["end"] = round(start + float(row["value"]), 6)
        start += float(row["value"])
        rows.append(row)
    # Labels in rows under the bar, each with a guide from the middle of its part: at the part's
    # start, or right-aligned at its end, or else as far right as fits a 320 px chart (about
    # 290 px of plot at 7.6 px a character of 13 px text).
    for tier, (row, (_, status)) in enumerate(zip(rows, table.iterrows())):
        width = len(f"{_convict_share(ctx, status)} {row['situation']}") * 7.6 / 290
        row["label_tier"] = tier
        row["guide_at"] = round((row["start"] + row["end"]) / 2, 6)
        if row["start"] + width <= 1:
            row["label_align"], row["label_at"] = "left", row["start"]
        elif row["end"] - width >= 0:
            row["label_align"], row["label_at"] = "right", row["end"]
        else:
            row["label_align"], row["label_at"] = "left", round(max(0.0, 1 - width), 6)
    return c.frame(rows)


@chart(
    id="threat-levels-convict-status",
    section="threat_levels",
    title="According to the report, most people convicted of terrorist offences since August 2015 were not in prison in July 2017",
    subtitle="Everyone convicted of a terrorist offence in Belgium since August 2015, by where they were in July 2017",
    source=c.report_source(f"{CONCLUSION}, footnote 35"),
    description=lambda ctx: (
        "A single bar of all individuals convicted of a terrorist offence in Belgium since August 2015, split by "
        "where they were in July 2017, according to the report: "
        + list_phrase([f"{_convict_share(ctx, row)} {_CONVICT_STATUS.get(row['status'], row['status'])}"
                       for _, row in ctx.table("convict_status").iterrows()])
        + f". Those convicted in absentia, the report says, “{_ABSENTIA_QUOTE}”. In all, "
        f"{ctx.fmt('convicts-not-in-prison-share')} were not in prison (derived)."
    ),
)
def convict_status(ctx: ChartContext):
    data = _convict_rows(ctx)
    x = alt.X("start:Q", title=c.note("Share of everyone convicted since August 2015 (July 2017)", 34),
              axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1]), scale=alt.Scale(domain=[0, 1], nice=False))
    tooltip = [alt.Tooltip("situation:N", title="In July 2017"), alt.Tooltip("value:Q", title="Share", format=".0%")]
    # "35% still in prison": the ledger's share, or the table's where the ledger has none.
    base = alt.Chart(data).transform_calculate(
        label="(datum.display ? datum.display : format(datum.value, '.0%')) + ' ' + datum.situation"
    )
    roles = list(dict.fromkeys(data["role"]))
    # Parts told apart by a gap and their labels, not by colour: each is a figure the report gives.
    bar = base.mark_rect(x2Offset=-_SEGMENT_GAP).encode(
        x=x, x2="end:Q", y=alt.value(4), y2=alt.value(38),
        color=alt.Color("role:N", scale=theme.role_scale(roles), legend=None),
        tooltip=tooltip,
    )
    # A dotted guide from each part down to its label.
    ticks = (
        base.transform_calculate(tick_top="38", tick_end="48 + 20 * datum.label_tier")
        .mark_rule(strokeDash=[2, 2])
        .encode(
            x=alt.X("guide_at:Q", scale=alt.Scale(domain=[0, 1], nice=False)),
            y=alt.Y("tick_top:Q", scale=None),
            y2="tick_end:Q",
            tooltip=tooltip,
        )
    )
    labels = [
        base.transform_filter(f"datum.label_align === '{align}'")
        .transform_calculate(label_y="56 + 20 * datum.label_tier")
        .mark_text(align=align, baseline="middle", dx=3 if align == "left" else -3, fontSize=c.LABEL_SIZE)
        .encode(x=alt.X("label_at:Q", scale=alt.Scale(domain=[0, 1], nice=False)),
                y=alt.Y("label_y:Q", scale=None), text="label:N", tooltip=tooltip)
        for align in ("left", "right")
        if (data["label_align"] == align).any()
    ]
    figure = alt.layer(bar, ticks, *labels).properties(
        width="container",
        height=56 + 20 * len(data),
        title=c.bottom_note(
            f"One bar, everyone convicted: the parts add up to 100%. Convicted in absentia: according to the "
            f"report, they “{_ABSENTIA_QUOTE}”. In all, {ctx.fmt('convicts-not-in-prison-share')} were not in "
            f"prison (derived)."
        ),
    )
    return figure, data


def format_share(value: float) -> str:
    return format_value(float(value), "share")
