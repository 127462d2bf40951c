"""What each column of a published chart CSV holds: the Table Schema beside it (``<id>.schema.json``).

Every column a chart publishes is described here once, with its unit where it holds a number (a
chart may describe columns of its own with ``@chart(columns=...)``); a chart whose frame has an
undescribed column does not build. Columns that only place
marks (positions, label anchors, tiers) say so: they are layout, kept so the spec can draw from
the same rows, and a reuser of the data may drop them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any

import pandas as pd

from scripts.numbers import ISO_DAY, ISO_MONTH
from scripts.paths import ROOT

LAYOUT = "Layout, not data: "
# Booleans as in the data package.
BOOLEAN = {"type": "boolean", "trueValues": ["true"], "falseValues": ["false"]}

# column → (description, unit of its numbers or None). "value"'s unit is the chart's own (see unit_of).
COLUMNS: dict[str, tuple[str, str | None]] = {
    # The data-row convention (scripts.charts._common)
    "value": ("The number the row draws.", None),
    "display": ("The finding's display text in the ledger (data/derived/findings.csv): the one way the site "
                "writes the number.", None),
    "unit": ("The ledger's unit of value.", None),
    "status": ("The ledger status of the finding (see the Methods page).", None),
    "derived": ("The number is not printed in the report but computed by us from its figures.", None),
    "finding_id": ("The ledger finding the row draws (data/derived/findings.csv, column id).", None),
    "source_table": ("The data package table the row is taken from.", None),
    "source_key": ("The row's primary key in source_table (key columns joined by |).", None),
    "source_column": ("The column of source_table that value equals.", None),
    "reported_value": ("The figure as the report prints it (the ledger's reported_value).", "share"),
    "share_finding_id": ("The ledger finding that share_of_all and share_display draw (a count's share).", None),
    "checked_by": ("The ledger finding that checks this printed figure of the report; status is that finding's.",
                   None),
    "role": ("The colour role of the row's mark (charts/palette.json): one meaning per colour site-wide.", None),
    # Categories and names
    "measure": ("What the bar measures.", None),
    "place": ("Where, as the site names the place.", None),
    "region": ("The Belgian region the place is in (region id).", None),
    "latitude": ("Latitude of the place (GeoNames), WGS 84.", "degrees"),
    "longitude": ("Longitude of the place (GeoNames), WGS 84.", "degrees"),
    "birthplace": ("Where the Belgian citizens were born.", None),
    "group": ("The group of individuals or networks the row counts.", None),
    "countries": ("The countries of citizenship the report lists for the group, comma-separated (for those who "
                  "were not Belgian citizens: the other countries it lists, which may include the second "
                  "citizenship of Belgian dual citizens).", None),
    "attribute": ("The attribute whose coverage the row counts.", None),
    "element": ("What the row is in the diagram: a network, or an arrest action shared by two networks.", None),
    "name": ("The network's name, or the two networks sharing an arrest action.", None),
    "network": ("The network's name as Table 1 prints it (* marks a network counted twice).", None),
    "note": ("What Table 1's asterisk after the network's name means, from the table's note (empty: no "
             "asterisk).", None),
    "route": ("The route that tied the arrest actions to the Islamic State.", None),
    "kind": ("The kind of incident: arrest actions or attacks.", None),
    "connection": ("The report's coding of the connection to the Islamic State in Syria and Iraq.", None),
    "situation": ("Where the convicted individuals were in July 2017.", None),
    "outcome": ("The outcome of the verdicts.", None),
    "layer": ("What the row is on the timeline: a threat-level period, an attack, another event or the scale.", None),
    "scope": ("Where the threat level applied: nationally or the Brussels-Capital Region only.", None),
    "event": ("The event's name, as the site names it everywhere.", None),
    "attack": ("The attack's name, as the site names it everywhere.", None),
    "detail": ("What the event was, or what the threat level means.", None),
    "level_name": ("The threat level's name on the national scale.", None),
    "identified_by": ("Who identified which public event the attack is.", None),
    "weapon": ("The weapon, from public sources.", None),
    "target": ("The target, from public sources.", None),
    "source": ("The source of the attack's figures (sources table id).", None),
    "of_what": ("What the whole of the bar counts.", None),
    "where": ("Where the mention falls: in the report's Belgian dataset or outside it.", None),
    "report_says": ("How the report codes the event.", None),
    # Dates
    "date": ("The date (ISO 8601).", None),
    "end": ("The last day of the period (ISO 8601), or the end of the bar's part (share of the whole).", None),
    "month": ("The month of the mention (ISO 8601, YYYY-MM): the report gives the month, not the day.", None),
    "date_uncertain": ("The public record gives the date of the change only approximately.", None),
    # Other numbers
    "count": ("The count the share is of (its numerator).", "incidents"),
    "of": ("The whole the count is out of.", None),
    "share_display": ("The ledger's display text of the share written after the count.", None),
    "share_of_all": ("The count as a share of all individuals in the dataset (the printed share for the "
                     "report's figure).", "share"),
    "share_of_detailed": ("The count as a share of the linked arrest actions with enough detail.", "share"),
    "share_of_kind": ("The count as a share of all incidents of its kind.", "share"),
    "share_of_whole": ("The count as a share of its whole (of).", "share"),
    "incidents": ("Incidents of this kind and connection.", "incidents"),
    "injured": ("People injured, from public sources.", "people"),
    "attackers_killed": ("Attackers killed, from public sources.", "people"),
    "link_denied": ("Authorities denied a link between this entity and the Brussels or Paris attacks (the report).",
                    None),
    "in_dataset": ("The event is in the report's Belgian dataset.", None),
    "base_level": ("The national level beneath the Brussels-only level.", "threat level"),
    "previous_level": ("The national level before this period.", "threat level"),
    "pin": ("The event's number on the timeline and in its key.", None),
    "start": (LAYOUT + "where the bar's part starts, in the units of value (stacked parts).", None),
    # Layout
    "x": (LAYOUT + "the network's horizontal position in the diagram (−1 to 1).", None),
    "y": (LAYOUT + "the network's vertical position in the diagram (−1 to 1).", None),
    "x2": (LAYOUT + "the horizontal position of the second network a line joins.", None),
    "y2": (LAYOUT + "the vertical position of the second network a line joins.", None),
    "label_at": (LAYOUT + "where the label is anchored on the bar (0–1).", None),
    "label_offset": (LAYOUT + "how far the label sits from the centre of its circle.", None),
    "label_align": (LAYOUT + "how the label is aligned to its anchor.", None),
    "label_side": (LAYOUT + "which side of the mark the label is on.", None),
    "label_tier": (LAYOUT + "the row of labels under the bar the label sits in.", None),
    "guide_at": (LAYOUT + "where the guide to the label leaves the bar (0–1).", None),
    "tier": (LAYOUT + "the tier of pins the event's label sits in.", None),
    "pin_top": (LAYOUT + "the height of the pin's head, in threat-level units.", None),
    "pin_base": (LAYOUT + "the height the pin starts from, in threat-level units.", None),
    "floor": (LAYOUT + "the bottom of the plot, in threat-level units.", None),
    "name_break": (LAYOUT + "where the name wraps onto a second line (a character index; 0: one line).", None),
}
_LAYOUT_UNITS = {"x": "diagram units", "y": "diagram units", "x2": "diagram units", "y2": "diagram units",
                 "label_tier": "rows", "label_at": "share", "label_offset": "px", "guide_at": "share", "tier": "tiers", "pin_top": "threat level",
                 "pin_base": "threat level", "floor": "threat level", "name_break": "characters", "start": None,
                 "pin": "number"}


class UndescribedColumnError(KeyError):
    """A chart publishes a column COLUMNS does not describe."""


def table_schema(chart_id: str, frame: pd.DataFrame,
                 own: Mapping[str, tuple[str, str | None]] | None = None) -> dict[str, Any]:
    """The Table Schema of a chart's published CSV; ``own``: the chart's own column descriptions."""
    described = {**COLUMNS, **(own or {})}
    missing = [column for column in frame.columns if column not in described]
    if missing:
        raise UndescribedColumnError(
            f"chart {chart_id!r}: describe column(s) {', '.join(missing)} in scripts/charts/columns.py"
        )
    fields = []
    for column in frame.columns:
        description, unit = described[column]
        field: dict[str, Any] = {"name": column, **_type_of(frame[column]), "description": description}
        unit = _unit_of(frame, column, unit)
        if unit is not None and field["type"] in ("integer", "number"):
            field["unit"] = unit
        fields.append(field)
    return {"fields": fields, "missingValues": [""]}


def _type_of(series: pd.Series) -> dict[str, Any]:
    values = series.dropna()
    if len(values) and values.map(lambda v: isinstance(v, bool)).all():
        return dict(BOOLEAN)
    if pd.api.types.is_integer_dtype(series) or (len(values) and values.map(lambda v: isinstance(v, int)).all()):
        return {"type": "integer"}
    if pd.api.types.is_numeric_dtype(series) or (len(values) and values.map(lambda v: isinstance(v, (int, float))).all()):
        return {"type": "number"}
    if len(values) and values.map(lambda v: isinstance(v, str) and ISO_DAY.fullmatch(v) is not None).all():
        return {"type": "date"}  # a day written as YYYY-MM-DD, as the data package's dates are
    if len(values) and values.map(lambda v: isinstance(v, str) and ISO_MONTH.fullmatch(v) is not None).all():
        return {"type": "yearmonth"}
    return {"type": "string"}


def _unit_of(frame: pd.DataFrame, column: str, unit: str | None) -> str | None:
    if column in _LAYOUT_UNITS:
        return _LAYOUT_UNITS[column] or _unit_of(frame, "value", None)
    if unit is not None:
        return unit
    if column in ("value", "of", "end"):
        units = set(frame["unit"].dropna()) - {""} if "unit" in frame else set()
        if "source_table" in frame:
            units |= {_source_unit(t, c) for t, c in zip(frame["source_table"], frame.get("source_column", []))
                      if isinstance(t, str) and t and isinstance(c, str) and c}
        units.discard(None)
        if len(units) == 1:
            return units.pop()
        if units:
            return "as the unit column gives it: " + ", ".join(sorted(units))
    return None


# Source columns whose schema gives no unit (the number is named by its column there).
_SOURCE_UNITS = {("attacks", "victims_killed"): "people", ("threat_levels", "level"): "threat level",
                 ("threat_level_scale", "level"): "threat level"}


@cache
def _source_unit(table: str, column: str) -> str | None:
    package = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        if resource["name"] == table:
            schema = resource["schema"]
            if isinstance(schema, str):
                schema = json.loads((ROOT / "data" / schema).read_text(encoding="utf-8"))
            for field in schema["fields"]:
                if field["name"] == column:
                    return field.get("unit", _SOURCE_UNITS.get((table, column)))
    return _SOURCE_UNITS.get((table, column))
