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
# Which public event each of the report's attacks is: the report names only the linked one
# ("the March 2016 dual-pronged attack against the Brussels airport and metro station").
IDENTIFIED_BY = {
    "linked": "the report (the March 2016 attack on the Brussels airport and metro station)",
    "inspired": "ours: the report does not name its three inspired attacks",
}
_TIMELINE_STEP = 112  # px per attack: two lines of name, a detail line, the circle
_MAX_DOT_AREA = 1500  # px² for the deadliest attack (about 22 px radius)
_CROSS = "M-1,-1L1,1M-1,1L1,-1"  # ✕: an event with no one killed (no area to draw)
_NAME_CHARS = 34  # a name line at 13 px bold fits a 320 px chart
_PLAN_WIDTH = 290  # plot width of the narrowest chart, for placing labels
_CHAR_PX = 7.3


def _day(date: str) -> str:
    """2016-03-22 → "22 March 2016"; 2015-01 → "January 2015"."""
    parts = str(date).split("-")
    stamp = pd.Timestamp(str(date) if len(parts) == 3 else f"{date}-01")
    return f"{stamp.day} {stamp:%B %Y}" if len(parts) == 3 else f"{stamp:%B %Y}"


# Dates and counts are written by the spec, not stored as text: "22 March 2016", "32 killed".
_WHEN = "utcFormat(toDate(datum.date), '%-d %B %Y')"
_KILLED = "datum.value > 0 ? format(datum.value, ',') + ' killed' : 'no one killed'"
_MONTH = "utcFormat(toDate(datum.month), '%B %Y')"


def _killed(count: int) -> str:
    return f"{count} killed" if count else "no one killed"


def _attack_rows(ctx: ChartContext) -> pd.DataFrame:
    rows = []
    for _, attack in ctx.table("attacks").sort_values("date", kind="stable").iterrows():
        place = c.attack_place(ctx, attack)
        name = c.event_name(ctx, str(attack["attack_id"]))
        connection = str(attack["connection"])
        rows.append(
            {
                "attack": name,
                "name_break": c.wrap_break(name, _NAME_CHARS),
                "date": str(attack["date"]),
                "place": place,
                "connection": connection,
                "role": connection,  # theme.ROLES: the report's coding
                "identified_by": IDENTIFIED_BY[connection],
                "weapon": str(attack["weapon_detail"]),
                "target": str(attack["target_detail"]),
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
        # The one name of each attack already says where it was: no place repeated after it.
        f"the {row['attack']} on {_day(row['date'])} ({row['connection']}, {_killed(int(row['value']))})"
        for _, row in data.iterrows()
    ]
    return (
        f"Timeline of the {ctx.fmt('attacks-total')} Islamic State–related attacks the report counts in Belgium "
        f"between June 2014 and October 2017: {list_phrase(phrases)}. The report codes one attack as linked and "
        f"{ctx.fmt('inspired-attacks')} as inspired but does not name the inspired ones: which public events they are, and so their "
        f"dates, is our identification, {c.IDENTIFICATION_CAVEAT}. Circle area is proportional to the victims killed, attackers excluded; a "
        f"cross marks an attack in which no one was killed. Figures from public sources, as the report gives only "
        f"“{ctx.finding('linked-attack-deaths')['reported_text']}” for the linked attack."
    )


@chart(
    id="weapons-targets-attack-timeline",
    section="weapons_targets",
    title="By public counts, the one attack the report codes as linked was by far the deadliest",
    subtitle="The attacks the report counts, and the people killed in each, by public counts",
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
    y = alt.Y("attack:N", sort=list(data["attack"]), title=None, axis=None, scale=alt.Scale(paddingOuter=0.6))
    tooltip = [
        alt.Tooltip("attack:N", title="Attack"),
        alt.Tooltip("when:N", title="Date"),
        alt.Tooltip("place:N", title="Place"),
        alt.Tooltip("connection:N", title="The report's coding"),
        alt.Tooltip("identified_by:N", title="Which event: identification"),
        alt.Tooltip("weapon:N", title="Weapon"),
        alt.Tooltip("target:N", title="Target"),
        alt.Tooltip("value:Q", title="Killed (excl. attackers)"),
        alt.Tooltip("injured:Q", title="Injured"),
        alt.Tooltip("attackers_killed:Q", title="Attackers killed"),
        alt.Tooltip("source:N", title="Source"),
    ]
    roles = list(theme.LINK_TYPE_DOMAIN)
    colour = alt.Color("role:N", scale=theme.role_scale(roles), legend=theme.role_legend(columns=1))
    base = alt.Chart(data).transform_calculate(when=_WHEN, detail=f"{_WHEN} + ' · ' + ({_KILLED})").encode(
        x=x, y=y, tooltip=tooltip
    )
    # Size is an area (px²): zero-based and linear, so area is proportional to the people killed
    # and an attack in which no one was killed has no circle; it gets a cross instead.
    circles = base.transform_filter("datum.value > 0").mark_circle(opacity=0.9).encode(
        size=alt.Size(
            "value:Q",
            scale=alt.Scale(type="linear", zero=True, domain=[0, largest], range=[0, _MAX_DOT_AREA]),
            legend=None,
        ),
        color=colour,
    )
    crosses = base.transform_filter("datum.value === 0").mark_point(
        shape=_CROSS, size=90, filled=False, strokeWidth=2.5, opacity=1
    ).encode(color=colour)
    # Name (one or two lines) and "date · killed" above each attack's row, from the left edge;
    # one text mark a line, so each line is a plain text element in the static SVG.
    style = {"align": "left", "baseline": "bottom", "fontSize": c.LABEL_SIZE}
    wrapped = "datum.name_break > 0"
    named = base.transform_calculate(
        first=f"{wrapped} ? substring(datum.attack, 0, datum.name_break) : datum.attack",
        second=f"{wrapped} ? substring(datum.attack, datum.name_break + 1) : ''",
    )
    text = [
        base.mark_text(dy=-26, **style).encode(x=alt.value(0), text="detail:N"),
        named.transform_filter(wrapped).mark_text(dy=-42, **style).encode(x=alt.value(0), text="second:N"),
        named.transform_filter(wrapped).mark_text(dy=-58, **style).encode(x=alt.value(0), text="first:N"),
        named.transform_filter(f"!({wrapped})").mark_text(dy=-42, **style).encode(x=alt.value(0), text="first:N"),
    ]
    figure = alt.layer(circles, crosses, *text).properties(
        width="container",
        height=c.step_height(len(data), _TIMELINE_STEP, inner=1, outer=0.6),  # a point scale
        title=c.bottom_note(
            "Circle area is proportional to the people killed, attackers excluded (public sources); ✕: no one "
            "killed. The report names only the linked attack: which events the inspired ones are, and so their "
            f"dates, is our identification, {c.IDENTIFICATION_CAVEAT}."
        ),
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
    title="According to the report, few incidents provided data on weapons or targets",
    subtitle="Incidents with data on a weapon or a target; the plots in the dataset, against its arrest actions (our reading)",
    source=c.report_source(WEAPONS),
    description=from_ledger(
        "According to the report, only {weapon-data-incidents} incidents provided data on a weapon used or "
        "recovered and {target-data-incidents} on an actual or potential target; by our count, that is "
        "{weapon-data-share} and {target-data-share} of the {incidents-total} incidents (our sum of its arrest "
        "actions and attacks). The report speaks of {plots} plots “that feature in our dataset” and calls their "
        "weapons and targets “not a well-filled category”; we draw the plots against its {arrest-actions-total} "
        "arrest actions, on our reading that each came to light in one."
    ),
)
def data_coverage(ctx: ChartContext):
    rows = []
    for _, measure in ctx.table("weapons_targets").iterrows():
        key = str(measure["measure"])
        fallback = (key.replace("_", " ").capitalize(), None, "incidents-total", "incidents")
        name, finding_id, denominator, noun = _MEASURES.get(key, fallback)
        columns = {"measure": name, "of": ctx.value(denominator), "of_what": noun}
        row = c.finding(ctx, finding_id, **columns) if finding_id else columns
        row.update(c.from_table("weapons_targets", measure, ("measure",), "incidents"))
        # Two wholes (incidents; arrest actions for plots): each bar is a share of its own.
        row["share_of_whole"] = round(row["value"] / row["of"], 6)
        row["role"] = c.role_for(row, "reported")
        rows.append(row)
    data = c.frame(rows)

    figure = c.labelled_bars(
        data,
        category="measure",
        value="share_of_whole",
        percent=True,
        track=True,
        title=c.note(
            f"Share of its own whole: the {ctx.fmt('incidents-total')} incidents, or the "
            f"{ctx.fmt('arrest-actions-total')} arrest actions for plots", 40
        ),
        # "8 of 107 incidents"
        label="(datum.display ? datum.display : format(datum.value, ',')) + ' of ' + format(datum.of, ',') + ' ' + "
              "datum.of_what",
        tooltip=[
            alt.Tooltip("measure:N", title="Measure"),
            alt.Tooltip("value:Q", title="Count"),
            alt.Tooltip("of:Q", title="Of"),
            alt.Tooltip("of_what:N", title="Of what"),
            alt.Tooltip("share_of_whole:Q", title="Share", format=".0%"),
        ],
    ).properties(
        title=c.bottom_note(
            f"The pale track is each bar's whole: all {ctx.fmt('incidents-total')} incidents (arrest actions and "
            f"attacks) for weapon and target data; all {ctx.fmt('arrest-actions-total')} arrest actions for plots "
            f"(our reading: each plot came to light in an arrest action). The shares are ours."
        ),
    )
    return figure, data


_IN_DATASET = "In the report's Belgian dataset"
_ELSEWHERE = "Outside the dataset: attacks abroad"


def _tatp_rows(ctx: ChartContext) -> pd.DataFrame:
    start, end = pd.Timestamp(c.WINDOW_START), pd.Timestamp(c.WINDOW_END)
    rows = []
    sides: dict[bool, int] = {}
    for _, mention in ctx.table("tatp_mentions").sort_values("date", kind="stable").iterrows():
        name = c.event_name(ctx, str(mention["event_id"]))
        in_dataset = bool(mention["in_dataset"])
        name_break = c.wrap_break(name, 24)
        # Where the label fits at 320 px: centred on the dot unless that runs off an edge.
        x = (pd.Timestamp(f"{mention['date']}-01") - start).days / (end - start).days * _PLAN_WIDTH
        longest = max(len(line) for line in ([name[:name_break], name[name_break + 1:]] if name_break else [name]))
        half = longest * _CHAR_PX / 2
        align = "left" if x - half < 0 else "right" if x + half > _PLAN_WIDTH else "center"
        # Labels alternate above and below the dots of a row, so neighbours never collide.
        count = sides.get(in_dataset, 0)
        sides[in_dataset] = count + 1
        rows.append(
            {
                "event": name,
                "name_break": name_break,
                "month": str(mention["date"]),  # the month the report gives; no day is invented
                "where": _IN_DATASET if in_dataset else _ELSEWHERE,
                "in_dataset": in_dataset,
                "report_says": str(mention["connection"]),
                # Never "linked" outside the dataset: the colour is the dataset's coding. The attacks
                # abroad are the report's own mentions, not context we added: "as the report gives it".
                "role": str(mention["connection"]) if in_dataset else "reported",
                "label_side": "above" if count % 2 == 0 else "below",
                "label_align": align,
                **c.from_table("tatp_mentions", mention, ("event_id",)),
            }
        )
    return c.frame(rows)


@chart(
    id="weapons-targets-tatp",
    section="weapons_targets",
    title="TATP appears twice in the report's Belgian dataset; the report notes the same type of explosive in Paris and Manchester",
    subtitle="Where the report mentions the explosive TATP, inside and outside its Belgian dataset",
    source=c.report_source(WEAPONS),
    description=lambda ctx: (
        "The explosive TATP in the report: "
        + list_phrase(
            [
                f"the {row['event']}, {_day(row['month'][:7])} ({'in the Belgian dataset' if row['in_dataset'] else 'outside it'})"
                for _, row in _tatp_rows(ctx).iterrows()
            ]
        )
        + f". TATP appears in {ctx.fmt('tatp-incidents-in-dataset')} incidents of the Belgian dataset. According "
        "to the report, the same type of explosive was also used in the Islamic State–linked attacks in Paris and "
        "Manchester, which are outside its dataset; it draws no further link between them."
    ),
)
def tatp(ctx: ChartContext):
    data = _tatp_rows(ctx)
    x = alt.X(
        "month:T",
        title=None,
        scale=alt.Scale(domain=[c.WINDOW_START, c.WINDOW_END]),
        axis=alt.Axis(format="%Y", tickCount="year", grid=True),
    )
    rows_order = [_IN_DATASET, _ELSEWHERE]
    base = alt.Chart(data).transform_calculate(when=_MONTH).encode(
        x=x,
        y=alt.Y("where:N", sort=rows_order, title=None, axis=None, scale=alt.Scale(paddingOuter=0.45)),
        tooltip=[
            alt.Tooltip("event:N", title="Event"),
            alt.Tooltip("when:N", title="When"),
            alt.Tooltip("where:N", title="Where"),
            alt.Tooltip("report_says:N", title="The report calls it"),
        ],
    )
    roles = [role for role in ("linked", "inspired", "reported") if role in set(data["role"])]
    colour = alt.Color("role:N", scale=theme.role_scale(roles), legend=theme.role_legend(columns=1))
    in_dataset = base.transform_filter("datum.in_dataset === true").mark_point(
        shape="circle", filled=True, size=200, opacity=1
    ).encode(color=colour)
    elsewhere = base.transform_filter("datum.in_dataset !== true").mark_point(
        shape="circle", filled=False, size=200, strokeWidth=2.5, opacity=1
    ).encode(color=colour)
    labels = []
    for side in ("above", "below"):
        for align in ("left", "center", "right"):
            subset = data[(data["label_side"] == side) & (data["label_align"] == align)]
            if subset.empty:
                continue
            lines = c.lines_expr("event", "name_break", "when")
            labels.append(
                base.transform_filter(f"datum.label_side === '{side}' && datum.label_align === '{align}'")
                .transform_calculate(lines=lines)
                .mark_text(
                    align=align, baseline="bottom" if side == "above" else "top", dy=-15 if side == "above" else 15,
                    dx={"left": -6, "center": 0, "right": 6}[align], fontSize=12, lineHeight=15,
                )
                .encode(text="lines:N")
            )
    row_names = (
        alt.Chart(alt.InlineData(values=[{"where": w} for w in rows_order]))
        .mark_text(align="left", baseline="bottom", dy=-66, fontSize=c.LABEL_SIZE, fontStyle="italic")
        .encode(x=alt.value(0), y=alt.Y("where:N", sort=rows_order, scale=alt.Scale(paddingOuter=0.45)), text="where:N")
    )
    figure = alt.layer(in_dataset, elsewhere, *labels, row_names).properties(
        width="container",
        height=c.step_height(len(rows_order), 150, inner=1, outer=0.45),  # a point scale
        title=c.bottom_note(
            "Filled: in the report's Belgian dataset. Hollow: outside it, mentioned by the report (it calls both "
            "attacks Islamic State–linked; they are not coded in its data)."
        ),
    )
    return figure, data
