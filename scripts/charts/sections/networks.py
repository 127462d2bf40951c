"""Charts for the "Networks" section of the site: Table 1 and how the linked arrest actions connect."""

from __future__ import annotations

import json
import math

import altair as alt
import networkx as nx
import pandas as pd

from scripts.charts import _common as c
from scripts.charts import theme
from scripts.charts.context import ChartContext
from scripts.charts.describe import from_ledger
from scripts.charts.registry import chart

OPERATIONAL = "Operational Dynamics: Connections to Islamic State/Local Networks"
TABLE_1 = "Table 1: Network Associations of Islamic State Arrest Actions in Brussels"
# The report: five entities "can be considered as parts of a whole, mainly distinguished by their
# appearance in time". Coloured with theme.ROLES["highlight"], which means that and nothing else.
WHOLE = "Part of a whole (the report's reading)"
OTHER_NETWORK = "Other named network"
WHOLE_QUOTE = "can be considered as parts of a whole, mainly distinguished by their appearance in time"
# The report, on the one entity of the five whose link was denied.
ARGENTEUIL = "argenteuil-cell"
ARGENTEUIL_NOTE = (
    "French and Belgian authorities insisted that there was no link between the Brussels or Paris attacks "
    "and the Argenteuil plot (the report)."
)

# Node-link layout (see _layout), in a box of −1…1 on both axes.
_WHOLE_CENTRE = (0.0, 0.4)  # centre of the ring of the whole
_RING = (0.45, 0.42)  # its radii along x and y
_RING_TURN = math.pi / 4  # networkx starts the ring at 3 o'clock; turn it to the diagonals
_OTHERS_X = -0.9  # the column of the other networks
_OTHERS_Y = (-0.3, -0.95)  # its top and bottom
_DIAGRAM_HEIGHT = 520
_MAX_NODE_AREA = 1400  # px² for the largest node (13 links → about 21 px radius)
_HULL_PAD = (0.2, 0.27)  # around each node of the whole, along x and y (labels sit above and below)


def _networks(ctx: ChartContext) -> pd.DataFrame:
    """Table 1 in the report's order (most links first; ties as printed)."""
    networks = ctx.table("networks").reset_index(drop=True)
    order = sorted(range(len(networks)), key=lambda i: (-int(networks.loc[i, "arrest_action_links"]), i))
    return networks.loc[order].reset_index(drop=True)


def _double_link_phrase(ctx: ChartContext) -> str:
    """Table 1's note, from the data: "1 arrest action tied to both the A and the B; 1 to both …"."""
    names = dict(zip(ctx.table("networks")["network_id"], ctx.table("networks")["name"]))
    pairs = []
    for i, (_, row) in enumerate(ctx.table("network_double_links").iterrows()):
        count = int(row["arrest_actions"])
        what = f"{count} arrest action{'s' if count != 1 else ''} tied" if i == 0 else f"{count}"
        pairs.append(f"{what} to both the {names[row['network_a']]} and the {names[row['network_b']]}")
    return "; ".join(pairs)


def _asterisk_note(ctx: ChartContext, network_id: str) -> str:
    """What Table 1's asterisk on a network means, from its note: "an arrest action counted here
    was also tied to the Brussels cell"."""
    names = dict(zip(ctx.table("networks")["network_id"], ctx.table("networks")["name"]))
    shared = []
    for _, row in ctx.table("network_double_links").iterrows():
        if network_id in (row["network_a"], row["network_b"]):
            other = row["network_b"] if row["network_a"] == network_id else row["network_a"]
            count = int(row["arrest_actions"])
            what = "an arrest action counted here was" if count == 1 else f"{count} arrest actions counted here were"
            shared.append(f"{what} also tied to the {names[other]}")
    return "* Counted twice: " + "; ".join(shared) if shared else ""


@chart(
    id="networks-table-1",
    section="networks",
    title="Most of Table 1's links to arrest actions are to the five entities the report considers parts of a whole",
    subtitle="Links to arrest actions of each named network in the report's Table 1",
    source=c.report_source(TABLE_1, OPERATIONAL),
    description=from_ledger(
        "Table 1 of the report as bars: the named networks it lists and the number of links to arrest "
        "actions for each. According to the report, {network-tied-arrest-actions} of the {linked-arrest-actions} "
        "linked arrest actions were tied to at least one network; {network-double-links} arrest actions were tied "
        "to two networks, so the links add up to {network-links-total}. The report says the Zerkani network and "
        "the Paris, Brussels, Verviers and Argenteuil cells “" + WHOLE_QUOTE + "”; by our count they account for "
        "{part-of-whole-arrest-actions} ({part-of-whole-share}, derived) of the network-tied arrest actions. "
        + ARGENTEUIL_NOTE
    ),
)
def table_1(ctx: ChartContext):
    rows = []
    for _, network in _networks(ctx).iterrows():
        network_id = str(network["network_id"])
        columns = {
            "network": f"{network['name']}{'*' if network['table_asterisk'] else ''}",
            "group": WHOLE if network["part_of_whole"] else OTHER_NETWORK,
            "note": _asterisk_note(ctx, network_id) if network["table_asterisk"] else "",
            "role": "highlight" if network["part_of_whole"] else "neutral",
        }
        # Each line of Table 1 is a ledger finding (the report prints each count).
        rows.append({**c.finding(ctx, f"table-1-links-{network_id}", **columns),
                     **c.from_table("networks", network, ("network_id",), "arrest_action_links")})
    data = c.frame(rows)
    largest = int(data["value"].max())
    # Headroom past the longest bar, so no bar fills the frame and its label stays inside.
    x_max = math.ceil(largest * 1.15 / 5) * 5
    links_title = (
        f"Links to arrest actions ({ctx.fmt('network-links-total')} links; "
        f"{ctx.fmt('network-double-links')} arrest actions were tied to two networks)"
    )

    base = alt.Chart(data).encode(
        y=alt.Y(
            "network:N",
            sort=list(data["network"]),
            title=None,
            axis=alt.Axis(labelFontSize=13, labelLimit=175, ticks=False, domain=False),
        ),
        x=alt.X(
            "value:Q",
            title=c.note(links_title, 26),
            axis=alt.Axis(tickMinStep=1),
            scale=alt.Scale(domain=[0, x_max], nice=False),
        ),
        tooltip=[
            alt.Tooltip("network:N", title="Network"),
            alt.Tooltip("value:Q", title="Links to arrest actions"),
            alt.Tooltip("group:N", title="Group"),
        ],
    )
    roles = ["highlight", "neutral"]
    bars = base.mark_bar(size=20).encode(
        color=alt.Color(
            "role:N",
            scale=theme.role_scale(roles),
            # The key is in the note: a legend would start where the bars do, past a phone's edge.
            legend=None,
        )
    )
    labels = c.bar_labels(base, "value:Q", "value", inside_from=largest / 3, ink=c.role_inks(roles))
    note = (
        f"* Counted twice: {_double_link_phrase(ctx)}. So the table's {ctx.fmt('network-links-total')} links "
        f"are {ctx.fmt('network-tied-arrest-actions')} arrest actions: {ctx.fmt('network-double-links')} arrest "
        f"actions were tied to two networks. The report titles the table “… Arrest Actions in Brussels”. "
        f"Pink: {theme.ROLES['highlight'].legend.lower()}; grey: the other named networks."
    )
    figure = alt.layer(bars, labels).properties(
        width="container", height=c.step_height(len(data), 30, outer=0.05), title=c.bottom_note(note)
    )
    return figure, data


def _layout(nodes: pd.DataFrame, links: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Where each network sits, in a −1…1 box; deterministic and rounded.

    The parts of the whole get networkx's shell layout in the upper part: the network with the
    most shared arrest actions in the middle, the others on a ring around it (Table 1's order,
    starting upper left). The networks that share nothing with another are listed below,
    largest first: their position carries no meaning, so a plain column says so. Stacking the
    two keeps every label inside a 320 px wide chart.
    """
    graph = nx.Graph()
    graph.add_nodes_from(nodes["network_id"])
    graph.add_edges_from(zip(links["network_a"], links["network_b"]))
    whole_flags = dict(zip(nodes["network_id"], nodes["part_of_whole"]))
    in_whole = [n for n in nodes["network_id"] if whole_flags[n]]
    others = [n for n in nodes["network_id"] if not whole_flags[n]]
    positions: dict[str, tuple[float, float]] = {}
    if in_whole:
        # Ties keep Table 1's order (nodes arrive sorted by links).
        centre = max(in_whole, key=lambda n: (graph.degree(n), -in_whole.index(n)))
        ring = [n for n in in_whole if n != centre]
        layout = nx.shell_layout(graph.subgraph(in_whole), nlist=[[centre], ring] if ring else [[centre]])
        cx, cy = layout[centre]
        spread = max((math.hypot(x - cx, y - cy) for x, y in layout.values()), default=0) or 1.0
        for node, (x, y) in layout.items():
            # Rotate the ring so it starts upper left; scale it to the ring's size.
            angle = math.atan2(y - cy, x - cx) + _RING_TURN
            distance = math.hypot(x - cx, y - cy) / spread
            positions[node] = (
                _WHOLE_CENTRE[0] + _RING[0] * distance * math.cos(angle),
                _WHOLE_CENTRE[1] + _RING[1] * distance * math.sin(angle),
            )
    for i, network_id in enumerate(others):
        top, bottom = _OTHERS_Y
        y = top if len(others) == 1 else top - (top - bottom) * i / (len(others) - 1)
        positions[network_id] = (_OTHERS_X, y)
    return {node: (round(x, 3), round(y, 3)) for node, (x, y) in positions.items()}


def _label_side(x: float, y: float, in_whole: bool, radius: int, linked_ys: list[float]) -> str:
    """Where a node's label goes, as "side:offset".

    Nodes of the ring: above or below, away from the centre (centred labels need the least
    width). The centre: on the side its lines do not go. The column: to the right.
    """
    if not in_whole:
        return f"right:{radius + 5}"
    dy = y - _WHOLE_CENTRE[1]
    if abs(x - _WHOLE_CENTRE[0]) < 1e-6 and abs(dy) < 1e-6:
        below = sum(other - y for other in linked_ys) < 0
        return f"{'above' if below else 'below'}:{radius + 3}"
    return f"{'above' if dy > 0 else 'below'}:{radius + 3}"


def _split_side(label_at: str) -> tuple[str, int]:
    """"below:24" → ("below", 24): the side and the offset in px, in columns of their own."""
    side, offset = label_at.split(":")
    return side, int(offset)


def _label_style(label_at: str) -> dict:
    side, offset = label_at.split(":")
    distance = int(offset)
    style = {"align": "center", "baseline": "middle"}
    if side.endswith("right"):
        style.update(align="left", dx=distance)
    if side.endswith("left"):
        style.update(align="right", dx=-distance)
    if side.startswith("above"):
        style.update(baseline="bottom", dy=-(distance if side == "above" else distance // 2))
    if side.startswith("below"):
        style.update(baseline="top", dy=distance if side == "below" else distance // 2)
    return style


def _hull(points: list[tuple[float, float]], pad: tuple[float, float]) -> list[dict]:
    """A rounded outline around points: the convex hull of an ellipse of radii ``pad`` at each."""
    ring = [
        (x + pad[0] * math.cos(2 * math.pi * k / 24), y + pad[1] * math.sin(2 * math.pi * k / 24))
        for x, y in points
        for k in range(24)
    ]
    ring = sorted(set((round(x, 3), round(y, 3)) for x, y in ring))

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    upper: list[tuple[float, float]] = []
    for point in ring:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], point) <= 0:
            lower.pop()
        lower.append(point)
    for point in reversed(ring):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], point) <= 0:
            upper.pop()
        upper.append(point)
    outline = lower[:-1] + upper[:-1]
    outline.append(outline[0])
    return [{"order": i, "x": x, "y": y} for i, (x, y) in enumerate(outline)]


@chart(
    id="networks-diagram",
    section="networks",
    title="The report considers the Zerkani network and the Paris, Brussels, Verviers and Argenteuil cells parts of a whole",
    subtitle="The named networks of the report's Table 1, and the arrest actions they share",
    source=c.report_source(TABLE_1 + " (its note)", OPERATIONAL) + "; layout: ours (networkx shell layout)",
    description=from_ledger(
        "Node-link diagram of the named networks in the report's Table 1, each circle's area "
        "proportional to its links to arrest actions. The {part-of-whole-networks} entities that, according to "
        "the report, “" + WHOLE_QUOTE + "” are drawn inside one dashed outline; lines join the networks that "
        "share an arrest action ({network-double-links} arrest actions were tied to two networks each). The "
        "other networks, by our reading of the table's note and totals, share no arrest action with another "
        "network. " + ARGENTEUIL_NOTE
    ),
)
def diagram(ctx: ChartContext):
    nodes = _networks(ctx)
    links = ctx.table("network_double_links")
    position = _layout(nodes, links)
    largest = int(nodes["arrest_action_links"].max())
    whole = [position[n] for n in nodes.loc[nodes["part_of_whole"], "network_id"]]

    linked_ys: dict[str, list[float]] = {network_id: [] for network_id in nodes["network_id"]}
    for a, b in zip(links["network_a"], links["network_b"]):
        linked_ys[a].append(position[b][1])
        linked_ys[b].append(position[a][1])
    rows = []
    for _, network in nodes.iterrows():
        x, y = position[network["network_id"]]
        links_count = int(network["arrest_action_links"])
        radius = round(math.sqrt(_MAX_NODE_AREA * links_count / largest / math.pi))
        rows.append(
            {
                **c.finding(ctx, f"table-1-links-{network['network_id']}"),
                "element": "network",
                "name": str(network["name"]),
                "group": WHOLE if network["part_of_whole"] else OTHER_NETWORK,
                "role": "highlight" if network["part_of_whole"] else "neutral",
                "x": x,
                "y": y,
                "link_denied": network["network_id"] == ARGENTEUIL,
                **dict(zip(("label_side", "label_offset"), _split_side(_label_side(
                    x, y, bool(network["part_of_whole"]), radius, linked_ys[network["network_id"]]
                )))),
                **c.from_table("networks", network, ("network_id",), "arrest_action_links"),
            }
        )
    names = dict(zip(nodes["network_id"], nodes["name"]))
    for _, link in links.sort_values(["network_a", "network_b"]).iterrows():
        (x, y), (x2, y2) = position[link["network_a"]], position[link["network_b"]]
        rows.append(
            {
                "element": "shared arrest action",
                "name": f"{names[link['network_a']]} – {names[link['network_b']]}",
                "x": x,
                "y": y,
                "x2": x2,
                "y2": y2,
                **c.from_table("network_double_links", link, ("network_a", "network_b"), "arrest_actions"),
            }
        )
    data = c.frame(rows)

    hull = _hull(whole, _HULL_PAD)
    x_scale = alt.Scale(domain=[-1, 1], nice=False, zero=False)
    y_scale = alt.Scale(domain=[-1, 1], nice=False, zero=False)
    x = alt.X("x:Q", scale=x_scale, axis=None)
    y = alt.Y("y:Q", scale=y_scale, axis=None)

    outline = (
        alt.Chart(alt.InlineData(values=hull))
        .mark_line(color=c.HIGHLIGHT, strokeDash=[6, 4], strokeWidth=1.5, interpolate="linear")
        .encode(x=x, y=y, order="order:Q")
    )
    edges = (
        alt.Chart(data)
        .transform_filter(alt.FieldEqualPredicate(field="element", equal="shared arrest action"))
        # Structure, not a category: the theme's rule ink, no palette colour.
        .mark_rule(strokeWidth=3)
        .encode(
            x=x,
            y=y,
            x2="x2:Q",
            y2="y2:Q",
            tooltip=[
                alt.Tooltip("name:N", title="Both networks"),
                alt.Tooltip("value:Q", title="Arrest actions tied to both"),
            ],
        )
    )
    network_rows = alt.Chart(data).transform_filter(alt.FieldEqualPredicate(field="element", equal="network"))
    circles = network_rows.mark_circle(opacity=1).encode(
        x=x,
        y=y,
        # Size is an area (px²): zero-based and linear, so area is proportional to links.
        size=alt.Size(
            "value:Q",
            scale=alt.Scale(type="linear", zero=True, domain=[0, largest], range=[0, _MAX_NODE_AREA]),
            legend=None,
        ),
        color=alt.Color(
            "role:N",
            scale=theme.role_scale(["highlight", "neutral"]),
            legend=theme.role_legend(values=["highlight"], labelLimit=260),
        ),
        tooltip=[
            alt.Tooltip("name:N", title="Network"),
            alt.Tooltip("value:Q", title="Links to arrest actions (Table 1)"),
            alt.Tooltip("group:N", title="Group"),
        ],
    )
    placements = sorted({f"{side}:{offset}" for side, offset in zip(data["label_side"], data["label_offset"])
                         if isinstance(side, str)})
    labels = [
        network_rows.transform_filter(
            f"datum.label_side === {json.dumps(_split_side(side)[0])} && datum.label_offset === {_split_side(side)[1]}"
        )
        # "Zerkani network (13)", a dagger after the one whose link was denied
        .transform_calculate(label="datum.name + ' (' + format(datum.value, ',') + ')' + (datum.link_denied ? ' †' : '')")
        .mark_text(fontSize=12, **_label_style(side))
        .encode(x=x, y=y, text="label:N")
        for side in placements
    ]
    note = c.bottom_note(
        f"Circle area is proportional to the network's links to arrest actions. A line joins two networks that "
        f"share an arrest action: {_double_link_phrase(ctx)} (Table 1's note). Dashed outline: the entities "
        f"the report says “{WHOLE_QUOTE}”. † {ARGENTEUIL_NOTE}"
    )
    figure = alt.layer(outline, edges, circles, *labels).properties(
        width="container", height=_DIAGRAM_HEIGHT, title=note
    )
    return figure, data


def _overlap_phrase(ctx: ChartContext, capital: bool = False) -> str:
    """The route overlap, worded the one way the site words it."""
    text = (
        f"{ctx.fmt('route-overlap-arrest-actions')} arrest actions counted under both routes, "
        f"or the report's figures contain a slip (our inference)"
    )
    return text[0].upper() + text[1:] if capital else text


@chart(
    id="networks-local-vs-deployed",
    section="networks",
    title="According to the report, most linked arrest actions with enough detail were connected to the group through a local cell; fewer through an operative sent from Syria or Iraq",
    subtitle="Linked arrest actions with enough detail, by the route that tied them to the group",
    source=c.report_source(OPERATIONAL),
    description=from_ledger(
        "According to the report, of the {route-detail-arrest-actions} linked arrest actions with enough detail, "
        "{local-cell-arrest-actions} ({local-cell-share}) were connected to the Islamic State through a local cell "
        "and {deployed-operative-arrest-actions} ({reported:deployed-operative-share}; {deployed-operative-share} by "
        "our count) to an operative deployed from Syria or Iraq. The two add up to more than {route-detail-arrest-actions}, so "
        "{route-overlap-arrest-actions} were counted under both routes, or the report's figures contain a slip "
        "(our inference)."
    ),
)
def local_vs_deployed(ctx: ChartContext):
    total = ctx.value("route-detail-arrest-actions")
    local = ctx.value("local-cell-arrest-actions")
    deployed = ctx.value("deployed-operative-arrest-actions")

    def route(name: str) -> dict:
        row = c.table_row(ctx, "linked_routes", ("route",), name)
        provenance = c.from_table("linked_routes", row, ("route",), "arrest_actions")
        provenance.pop("value")
        return provenance

    rows = [
        c.finding(ctx, "route-detail-arrest-actions", route="All linked arrest actions with enough detail",
                  start=0, end=total),
        {**c.finding(ctx, "local-cell-arrest-actions", route="Through a local cell", start=0, end=local),
         **route("local_cell")},
        {**c.finding(ctx, "deployed-operative-arrest-actions", route="Through a deployed operative",
                     start=total - deployed, end=total), **route("deployed_operative")},
        c.finding(ctx, "route-overlap-arrest-actions", route="Counted under both routes",
                  start=total - deployed, end=local),
    ]
    for row, role in zip(rows, ("neutral", "linked", "linked", "derived")):
        share = row["value"] / total
        row["share_of_detailed"] = round(share, 6)
        row["role"] = c.role_for(row, role)
    data = c.frame(rows)
    roles = list(dict.fromkeys(data["role"]))
    colours = theme.role_scale(roles)
    overlap = "datum.finding_id === 'route-overlap-arrest-actions'"
    base = alt.Chart(data).transform_calculate(
        label=c.FINDING_LABEL,
        # Our reading of the overlap, in the tooltip ("" elsewhere: a tooltip prints a missing value as "null").
        reading=f"{overlap} ? {json.dumps(_overlap_phrase(ctx, capital=True))} : ''",
    ).encode(
        y=c.band_y("route:N", data["route"]),
        x=alt.X("start:Q", title="Linked arrest actions", scale=alt.Scale(domain=[0, total], nice=False)),
        tooltip=[
            alt.Tooltip("route:N", title="Route"),
            alt.Tooltip("label:N", title="Arrest actions"),
            alt.Tooltip("share_of_detailed:Q", title=f"Share of {ctx.fmt('route-detail-arrest-actions')} (our computation)",
                        format=".1%"),
            alt.Tooltip("reading:N", title="Our reading"),
            alt.Tooltip("status:N", title="Ledger status"),
        ],
    )
    bars = base.mark_bar(size=c.BAR_SIZE, strokeWidth=1.5).encode(
        x2="end:Q",  # on the bars only: a text mark has no x2
        color=alt.Color("role:N", scale=colours, legend=None),
        stroke=alt.Stroke("role:N", scale=colours, legend=None),
        **c.derived_encodings(),
    )
    style = {"baseline": "middle", "fontSize": c.LABEL_SIZE, "fontWeight": "bold"}
    wide = f"datum.end - datum.start >= {total / 8!r}"
    inside = base.transform_filter(wide).mark_text(align="right", dx=-6, **style).encode(
        x="end:Q", text="label:N", color=c.role_inks(roles)
    )
    before = base.transform_filter(f"!({wide})").mark_text(align="right", dx=-6, **style).encode(
        x="start:Q", text="label:N"
    )
    figure = alt.layer(bars, c.category_labels(base, "route:N"), inside, before).properties(
        width="container",
        height=c.step_height(len(data), c.BAR_STEP),
        title=c.bottom_note(
            f"{ctx.fmt('local-cell-arrest-actions')} + {ctx.fmt('deployed-operative-arrest-actions')} is more "
            f"than the {ctx.fmt('route-detail-arrest-actions')} arrest actions with enough detail: "
            f"{_overlap_phrase(ctx)}. The report prints no overlap (derived: pale, dashed violet)."
        ),
    )
    return figure, data
