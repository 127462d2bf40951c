"""Charts for the "Overview" section of the site."""

from __future__ import annotations

import json

import altair as alt

from scripts.charts import _common as c
from scripts.charts import theme
from scripts.charts.context import ChartContext
from scripts.charts.describe import from_ledger
from scripts.charts.registry import chart

# Table 'incidents': (connection, incident_type) → the ledger finding printing that count.
_INCIDENT_FINDINGS = {
    ("linked", "arrest_action"): "linked-arrest-actions",
    ("inspired", "arrest_action"): "inspired-arrest-actions",
    ("inspired", "attack"): "inspired-attacks",
    ("linked", "attack"): "linked-attacks",
}
_KIND_TOTALS = {"arrest_action": ("arrest-actions-total", "arrest actions"), "attack": ("attacks-total", "attacks")}


@chart(
    id="overview-linked-vs-inspired",
    section="overview",
    title="In the report's data, an overwhelming majority of arrest actions had some form of direct link to the group; most attacks were by inspired individuals with no proven connection",
    subtitle="Arrest actions and attacks in the report's dataset, by their connection to the Islamic State in Syria and Iraq",
    source=c.report_source(
        "Key Findings", "Operational Dynamics: Connections to Islamic State/Local Networks"
    ),
    description=from_ledger(
        "According to the report, of {arrest-actions-total} Islamic State–related arrest actions in its dataset, "
        "{linked-arrest-actions} ({linked-arrest-action-share}) had some form of direct link to the group in Syria "
        "and Iraq and {inspired-arrest-actions} were coded as inspired. Of the {attacks-total} attacks it counts, "
        "{inspired-attacks} ({inspired-attack-share}) were carried out by inspired individuals who did not have a "
        "proven connection to the group, and {linked-attacks} by attackers directly connected to it. Each bar is a "
        "share of its own kind: of the {arrest-actions-total} arrest actions, or of the {attacks-total} attacks."
    ),
)
def linked_vs_inspired(ctx: ChartContext):
    incidents = ctx.table("incidents").sort_values(
        ["incident_type", "connection"], key=lambda s: s.map({"arrest_action": 0, "attack": 1, "linked": 0, "inspired": 1})
    )
    rows = []
    for _, row in incidents.iterrows():
        connection, kind = row["connection"], row["incident_type"]
        total_id, noun = _KIND_TOTALS[kind]
        total = ctx.value(total_id)
        count = int(row["incidents"])
        finding_id = _INCIDENT_FINDINGS.get((connection, kind))
        base = {
            "kind": noun,
            "connection": connection,
            "role": connection,  # theme.ROLES: the report's linked/inspired coding
            "incidents": count,
            "share_of_kind": count / total,
        }
        provenance = c.from_table("incidents", row, ("connection", "incident_type"), "incidents")
        rows.append({**(c.finding(ctx, finding_id, **base) if finding_id else base), **provenance})
    data = c.frame(rows)

    kinds = list(dict.fromkeys(data["kind"]))
    # Each kind named with its total ("103 arrest actions"), from the ledger.
    totals = {noun: ctx.fmt(total_id) for total_id, noun in _KIND_TOTALS.values()}
    kind_names = " : ".join(
        [f"datum.label === {json.dumps(noun)} ? {json.dumps(f'{totals[noun]} {noun}')}" for noun in kinds] + ["datum.label"]
    )
    base = alt.Chart(data).transform_calculate(
        label="(datum.display ? datum.display : format(datum.value, ',')) + ' ' + datum.connection",  # "94 linked"
        kind_name=kind_names.replace("datum.label", "datum.kind"),
    ).encode(
        y=alt.Y("kind:N", sort=kinds, title=None, axis=alt.Axis(labelFontSize=13, labelLimit=160, labelExpr=kind_names)),
        yOffset=alt.YOffset("connection:N", sort=list(theme.LINK_TYPE_DOMAIN)),
        x=alt.X(
            "share_of_kind:Q",
            title=c.note(
                f"Share of the {ctx.fmt('arrest-actions-total')} arrest actions, or of the "
                f"{ctx.fmt('attacks-total')} attacks", 30
            ),
            scale=alt.Scale(domain=[0, 1]),
            axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1]),
        ),
        tooltip=[
            alt.Tooltip("kind_name:N", title="Incidents"),
            alt.Tooltip("connection:N", title="Connection"),
            alt.Tooltip("incidents:Q", title="Count"),
            alt.Tooltip("share_of_kind:Q", title="Share of its kind", format=".0%"),
        ],
    )
    bars = base.mark_bar(height={"band": 0.9}).encode(
        color=alt.Color(
            "role:N",
            scale=theme.role_scale(theme.LINK_TYPE_DOMAIN),
            # One entry per row: side by side they overflow a phone-width chart.
            legend=theme.role_legend(columns=1),
        )
    )
    labels = c.bar_labels(base, "label:N", "share_of_kind", inside_from=0.6, ink=c.role_inks(theme.LINK_TYPE_DOMAIN))
    # 34 px a bar: Vega-Lite's bands of two bars, 0.2 apart (as a number: see c.step_height).
    figure = alt.layer(bars, labels).properties(
        width="container", height=c.step_height(len(kinds), 34 * data["connection"].nunique() / (1 - 0.2), inner=0.2, outer=0.2)
    )
    return figure, data
