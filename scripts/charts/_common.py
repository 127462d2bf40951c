"""Helpers shared by the section modules: colours, the data-row convention, derived styling.

Every chart returns the DataFrame it draws, and that frame follows one convention so that
tests/test_charts.py can reconcile any chart with the ledger and the tables without knowing it:

``value``
    The number a row draws (a count, or a share in 0–1). Every non-empty ``value`` is
    traceable through one or both of the columns below.
``finding_id`` (with ``display``, ``unit``, ``status`` and ``derived``)
    The row draws this ledger finding: ``value`` equals the ledger's value, ``display`` is the
    ledger's display text (the one way the site writes the number), ``unit`` and ``status``
    are the ledger's (status: match, mismatch, derived, not_in_report), ``derived`` is True
    when the number is not printed in the report but computed from figures that are (its label
    then says "(derived)"). A ``reported_value`` column, where present, holds the ledger's
    reported_value: the figure as the report prints it.
``source_table``, ``source_key``, ``source_column``
    The row is the row of that source table whose primary key is ``source_key`` (key columns
    joined by "|"); ``value``, when present, equals that row's ``source_column``.

Other numeric columns (positions, stacking offsets, shares of a bar) are layout computed from
those values. Labels are not data: the specs build them from these columns with Vega
expressions (``FINDING_LABEL``), so a reuser can reword, reformat or translate them.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import altair as alt
import pandas as pd

from scripts.charts import theme
from scripts.charts.context import ChartContext
from scripts.project import identity

REPORT = identity().report.short  # the short source line; the full citation is in each spec's usermeta

# The report's time frame: "from June 2014 to October 2017" (Key Findings). Axis limits only.
WINDOW_START = "2014-06-01"
WINDOW_END = "2017-10-31"

# Mark colours: only the semantic palette's roles (theme.ROLES), one meaning each across the site.
# A chart that colours by a field puts role names in a ``role`` column and uses theme.role_scale.
LINKED = theme.colour("linked")
INSPIRED = theme.colour("inspired")
REPORTED = theme.colour("reported")  # a figure as the report gives it
DERIVED = theme.colour("derived")  # our computation from the report's figures
REPORT_FIGURE = theme.colour("report-figure")  # the report's printed figure that does not fit its counts
CONTEXT = theme.colour("context")  # outside the report's dataset: public sources
HIGHLIGHT = theme.colour("highlight")  # the report's "parts of a whole", nothing else
NEUTRAL = theme.colour("neutral")  # a whole, the rest, unknown, the base map

# Attacks at more than one site: their place is every site, so no site stands for the event.
ATTACK_SITES = {"2016-03-22-brussels": ("brussels-airport", "maelbeek-station")}


# Where each event's one name is kept, in the hand-curated data: (table, id column, name column).
# other_events' label is the name, then after a colon any detail.
EVENT_NAME_COLUMNS = (("attacks", "attack_id", "name"), ("other_events", "event_id", "label"),
                      ("tatp_mentions", "event_id", "name"))


def event_name(ctx: ChartContext, event_id: str) -> str:
    """The site's one name for an event, as the data names it."""
    for table, key, column in EVENT_NAME_COLUMNS:
        frame = ctx.table(table)
        names = frame.loc[frame[key] == event_id, column]
        if len(names):
            return str(names.iloc[0]).split(":", 1)[0].strip()
    raise KeyError(f"no event {event_id!r} in {', '.join(table for table, _, _ in EVENT_NAME_COLUMNS)}")


def attack_place(ctx: ChartContext, attack: Mapping[str, Any]) -> str:
    """Where an attack happened: its place's name, or every site's for a multi-site attack."""
    names = ctx.table("places").set_index("place_id")["name"]
    sites = ATTACK_SITES.get(str(attack["attack_id"]), (attack["place_id"],))
    return " and ".join(str(names.get(site, attack["municipality"])) for site in sites)


# How every chart says that the inspired attacks are our identification (the editorial guide's
# Attribution rule: say it is uncertain, and where the reasons are).
IDENTIFICATION_CAVEAT = ("which is uncertain: the reasons, and the candidates we rejected, are in this site's Methods, "
                         "under Which attacks")


def role_for(row: Mapping[str, Any], role: str) -> str:
    """``role``, or "derived" when the row draws a derived finding."""
    return "derived" if row.get("derived") else role


# How a derived number (computed, not printed in the report) looks: a pale fill with a dashed
# outline in the same hue, and "(derived)" in its label.
DERIVED_OPACITY = 0.35
DERIVED_DASH = [5, 3]
SOLID_DASH = [1, 0]

LABEL_SIZE = 13  # direct labels on marks; above theme.MIN_FONT_SIZE
NOTE_CHARS = 46  # characters per line of a note: about 300 px at 12 px

BOOKKEEPING = ("value", "display", "unit", "status", "derived", "finding_id", "source_table", "source_key",
               "source_column")

# A bar's label as a Vega expression: the finding's display text ("(derived)" after a derived
# one), or for a row of a source table its count.
FINDING_LABEL = (
    "(datum.display ? datum.display : format(datum.value, ',')) + (datum.derived === true ? ' (derived)' : '')"
)
KEY_SEPARATOR = "|"


def report_source(*sections: str) -> str:
    """The source line: the report and the sections (or footnotes) a chart is drawn from."""
    return f"{REPORT}, {'; '.join(sections)}"


def finding(ctx: ChartContext, finding_id: str, **columns: Any) -> dict[str, Any]:
    """A frame row drawing one ledger finding."""
    row = ctx.finding(finding_id)
    status = str(row["status"])
    return {
        **columns,
        "value": ctx.value(finding_id),
        "display": ctx.fmt(finding_id),
        "unit": str(row["unit"]),
        "status": status,
        "derived": status == "derived",
        "finding_id": finding_id,
    }


def from_table(table: str, row: Mapping[str, Any], key: Sequence[str], column: str | None = None) -> dict[str, Any]:
    """Provenance columns for a row taken from a source table (``value`` = ``row[column]``)."""
    provenance: dict[str, Any] = {
        "source_table": table,
        "source_key": KEY_SEPARATOR.join(str(row[name]) for name in key),
    }
    if column is not None:
        provenance["value"] = _plain(row[column])
        provenance["source_column"] = column
    return provenance


def table_row(ctx: ChartContext, table: str, key: Sequence[str], key_value: Sequence[Any] | Any) -> pd.Series:
    """The one row of ``table`` whose key columns equal ``key_value``."""
    frame = ctx.table(table)
    wanted = key_value if isinstance(key_value, (list, tuple)) else (key_value,)
    mask = pd.Series(True, index=frame.index)
    for name, value in zip(key, wanted, strict=True):
        mask &= frame[name] == value
    matches = frame[mask]
    if len(matches) != 1:
        raise KeyError(f"{table}: expected one row with {dict(zip(key, wanted))}, found {len(matches)}")
    return matches.iloc[0]


def frame(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Rows → the published frame: bookkeeping columns last, whole-number columns as integers."""
    result = pd.DataFrame(list(rows))
    if "derived" in result:
        result["derived"] = result["derived"].fillna(False).astype(bool)
    if "status" in result:
        result["status"] = result["status"].fillna("")
    ordered = [c for c in result.columns if c not in BOOKKEEPING] + [c for c in BOOKKEEPING if c in result]
    result = result[ordered]
    for column in result.columns:
        series = result[column]
        if pd.api.types.is_float_dtype(series):
            whole = series.dropna().map(float.is_integer)
            if whole.all():
                result[column] = series.astype("Int64")
            elif column == "value" and whole.any():
                # Counts beside shares (see ``unit``): keep the counts whole in the CSV.
                result[column] = series.map(lambda v: v if pd.isna(v) or not float(v).is_integer() else int(v))
                result[column] = result[column].astype(object).where(series.notna(), None)
    return result


def wrap_break(text: str, width: int) -> int:
    """Where to cut ``text`` into two lines of at most about ``width`` characters (0: one line).

    Used with :func:`two_lines` so that long names wrap in the chart, not in the CSV.
    """
    if len(text) <= width:
        return 0
    spaces = [i for i, char in enumerate(text) if char == " "]
    fitting = [i for i in spaces if i <= width]
    return (fitting or spaces or [0])[-1 if fitting else 0]


def two_lines(field: str, break_field: str) -> str:
    """A Vega expression: ``field`` as one line, or two lines cut at ``break_field`` (a space)."""
    f, b = f"datum[{json.dumps(field)}]", f"datum[{json.dumps(break_field)}]"
    return f"{b} > 0 ? [substring({f}, 0, {b}), substring({f}, {b} + 1)] : {f}"


def lines_expr(field: str, break_field: str, *more: str) -> str:
    """A Vega expression: ``field`` wrapped as :func:`two_lines` does, then one line per ``more`` field."""
    f, b = f"datum[{json.dumps(field)}]", f"datum[{json.dumps(break_field)}]"
    tail = "".join(f", datum[{json.dumps(name)}]" for name in more)
    return f"{b} > 0 ? [substring({f}, 0, {b}), substring({f}, {b} + 1){tail}] : [{f}{tail}]"


def note(text: str, width: int = NOTE_CHARS) -> list[str]:
    """A note wrapped into lines that fit a 320 px wide chart."""
    return textwrap.wrap(" ".join(text.split()), width=width)


def bottom_note(text: str | Sequence[str]) -> alt.TitleParams:
    """A small note under the plot, drawn as a bottom title so it never overlaps marks."""
    lines = note(text) if isinstance(text, str) else list(text)
    return alt.TitleParams(
        text=lines,
        orient="bottom",
        anchor="start",
        fontSize=12,
        fontWeight="normal",
        offset=10,
        lineHeight=16,
    )


def role_bars(base: alt.Chart, roles: Sequence[str], **mark: Any) -> alt.Chart:
    """Bars filled and outlined by their ``role`` column (derived ones pale and dashed)."""
    scale = theme.role_scale(roles)
    return base.mark_bar(size=BAR_SIZE, strokeWidth=1.5, **mark).encode(
        color=alt.Color("role:N", scale=scale, legend=None),
        stroke=alt.Stroke("role:N", scale=scale, legend=None),
        **derived_encodings(),
    )


def role_inks(roles: Sequence[str]) -> dict[str, Any]:
    """Label ink inside bars coloured by role (see :func:`inside_ink`)."""
    return inside_ink("role:N", list(roles), [theme.colour(role) for role in roles])


def derived_encodings(field: str = "derived") -> dict[str, Any]:
    """fillOpacity/strokeDash conditions that make rows with ``derived`` true look derived."""
    test = f"datum[{field!r}] === true"
    return {
        "fillOpacity": alt.condition(test, alt.value(DERIVED_OPACITY), alt.value(1.0)),
        "strokeDash": alt.condition(test, alt.value(DERIVED_DASH), alt.value(SOLID_DASH)),
    }


def ink_on(fill: str) -> str:
    """Near-black or white, whichever contrasts more with ``fill`` (a label inside a bar)."""
    return max(("#111111", "#ffffff"), key=lambda ink: _contrast(fill, ink))


def inside_ink(field: str, domain: Sequence[str], fills: Sequence[str]) -> dict[str, Any]:
    """Text colour for labels inside bars whose fill is ``fills[i]`` where ``field`` is ``domain[i]``.

    Conditions rather than a scale: a colour scale on ``field`` would be shared with the bars'.
    """
    name = field.split(":")[0]
    inks = [ink_on(fill) for fill in fills]
    default = max(dict.fromkeys(inks), key=inks.count)  # ties: the first one (stable across runs)
    return {
        "condition": [
            {"test": f"datum[{json.dumps(name)}] === {json.dumps(value)}", "value": ink}
            for value, ink in zip(domain, inks)
            if ink != default
        ],
        "value": default,
    }


def _contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        def channel(value: int) -> float:
            v = value / 255
            return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

        r, g, b_ = (int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b_)

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def bar_labels(
    base: alt.Chart,
    text: str,
    x: str,
    inside_from: float,
    *,
    ink: str | dict[str, Any] = "#ffffff",
    size: int = LABEL_SIZE,
) -> alt.LayerChart:
    """Labels at the end of horizontal bars: inside long bars, after short ones.

    ``inside_from`` is in the units of ``x``: bars at least that long carry their label inside
    (in ``ink`` on a solid bar — see :func:`ink_on` — and in the text colour on a pale derived
    one), so no label runs past the plot's edge.
    """
    long_bar = f"datum[{x!r}] >= {float(inside_from)!r}"
    pale = "datum['derived'] === true" if "derived" in _fields(base) else "false"
    style = {"baseline": "middle", "fontSize": size, "fontWeight": "bold"}
    outside = base.transform_filter(f"!({long_bar})").mark_text(align="left", dx=5, **style)
    inside_solid = base.transform_filter(f"({long_bar}) && !({pale})").mark_text(align="right", dx=-6, **style)
    if isinstance(ink, str):
        inside_solid = inside_solid.mark_text(align="right", dx=-6, color=ink, **style)
    else:
        inside_solid = inside_solid.encode(color=ink)
    inside_pale = base.transform_filter(f"({long_bar}) && ({pale})").mark_text(align="right", dx=-6, **style)
    return alt.layer(*(layer.encode(text=text) for layer in (outside, inside_solid, inside_pale)))


# Horizontal bars with their category written above each bar, not on a y axis: the whole
# width stays free for the bars and long names never get cut, even at 320 px.
BAR_SIZE = 22
BAR_STEP = 58


def category_labels(base: alt.Chart, text: str, *, size: int = LABEL_SIZE) -> alt.Chart:
    """Category names above bars drawn with ``size=BAR_SIZE`` on a y band of step ``BAR_STEP``."""
    return base.mark_text(
        align="left", baseline="bottom", dy=-(BAR_SIZE // 2 + 4), fontSize=size, limit=0
    ).encode(x=alt.value(0), text=text)


BAND_PADDING_INNER = 0.1  # Vega-Lite's default for bars
BAND_PADDING_OUTER = 0.25


def band_y(field: str, order: Sequence[str]) -> alt.Y:
    """The y encoding for bars labelled by :func:`category_labels` (no axis)."""
    return alt.Y(field, sort=list(order), title=None, axis=None,
                 scale=alt.Scale(paddingOuter=BAND_PADDING_OUTER, align=1))


def step_height(count: int, step: float, *, inner: float = BAND_PADDING_INNER, outer: float = BAND_PADDING_OUTER) -> float:
    """The height Vega-Lite gives ``count`` rows of ``step`` px on a band scale (its ``bandspace``;
    a point scale is ``inner=1``), as a number.

    A stepped height beside width "container" makes Vega-Lite warn "Dropping fit-y" in every
    vega-embed; a number gives the same drawing without the warning.
    """
    return (count - inner + outer * 2) * step


def labelled_bars(
    data: pd.DataFrame,
    *,
    category: str,
    title: Any,
    tooltip: list,
    whole: float = 1.0,
    value: str = "value",
    percent: bool = False,
    track: bool = False,
    label: str = FINDING_LABEL,
    category_label: str | None = None,
) -> alt.LayerChart:
    """The site's labelled horizontal bars, one per row of ``data`` in its order.

    Each bar runs from 0 to ``value`` and is coloured by its ``role`` (derived rows pale and
    dashed); its category is written above it and ``label`` (a Vega expression) at its end,
    inside long bars. The x scale is the whole, 0 to ``whole``, so no bar fills the frame unless
    it is the whole; ``percent`` writes the axis in percent; ``track`` draws the whole as a pale
    bar behind each; ``category_label`` (a Vega expression) writes the category otherwise than
    as the data names it. Width follows the container, height the number of bars.
    """
    x = alt.X(f"{value}:Q", title=title, scale=alt.Scale(domain=[0, whole], nice=False),
              **({"axis": alt.Axis(format="%")} if percent else {}))
    y = band_y(f"{category}:N", data[category])
    names = {"category_label": category_label} if category_label else {}
    base = alt.Chart(data).transform_calculate(label=label, **names).encode(y=y, x=x, tooltip=tooltip)
    roles = [role for role in theme.ROLES if role in set(data["role"])]
    layers = [
        role_bars(base, roles),
        category_labels(base, "category_label:N" if category_label else f"{category}:N"),
        bar_labels(base, "label:N", value, inside_from=whole / 2, ink=role_inks(roles)),
    ]
    if track:
        layers.insert(0, alt.Chart(data).mark_bar(size=BAR_SIZE, color=NEUTRAL, opacity=0.25).encode(
            y=y, x=alt.X(datum=whole, type="quantitative"), tooltip=alt.value(None)))
    return alt.layer(*layers).properties(
        width="container", height=step_height(data[category].nunique(), BAR_STEP))


def share_x(field: str, title: Any) -> alt.X:
    """An x axis of shares of a whole, always the whole from 0 to 100%, so no bar fills the frame."""
    return alt.X(field, title=title, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1], nice=False))


def _fields(chart: alt.Chart) -> set[str]:
    data = chart.data
    return set(data.columns) if isinstance(data, pd.DataFrame) else set()


def _plain(value: Any) -> Any:
    """numpy/pandas scalars → Python ones (JSON- and CSV-friendly)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)  # counts kept in float columns (e.g. justice.value) print as counts
    return value
