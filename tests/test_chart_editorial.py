"""Editorial standards of the charts, whatever they are (discovered from the registry).

- One colour, one meaning: every colour in every spec, light and dark, comes from the semantic
  palette (scripts.charts.theme.ROLES) or is an ink; a colour-encoded field holds role names, so a
  colour carries the same meaning (and legend label) in every chart.
- Proportional areas: every size encoding maps zero to zero area.
- Words: titles and descriptions claim no more than the report, one name per event.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict

import pandas as pd
import pytest

from scripts import ledger as ledger_module
from scripts.charts import _common as c
from scripts.charts import export, theme
from scripts.charts.context import ChartContext
from scripts.charts.registry import registered_charts
from scripts.paths import CHARTS, DEFAULT
from scripts.validate import validate

CHART_IDS = [entry.id for entry in registered_charts()]
HEX = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b")
COLOUR_KEYS = {"color", "fill", "stroke"}
SKIP = {"data", "datasets", "usermeta"}


@pytest.fixture(scope="module")
def ctx() -> ChartContext:
    tables = validate(DEFAULT.data)
    return ChartContext(tables=tables, ledger=ledger_module.compute(tables), cache=DEFAULT.cache)


@pytest.fixture(scope="module")
def built(ctx) -> dict:
    return {chart.id: chart for chart in export.build_specs(ctx)}


def specs(built, chart_id: str) -> dict[str, dict]:
    light = built[chart_id].spec
    return {"light": light, "dark": export.restyle(light, "dark")}


def walk(node, path=()):
    """Every (path, value), data and metadata excepted."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in SKIP:
                yield from walk(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, (*path, index))
    yield path, node


def layers(spec: dict):
    """Every unit spec (a dict with a mark), with its own encoding."""
    for _, node in walk({key: value for key, value in spec.items() if key != "config"}):
        if isinstance(node, dict) and isinstance(node.get("mark"), (str, dict)) and "type" in (
            node["mark"] if isinstance(node["mark"], dict) else {"type": node["mark"]}
        ):
            yield node


def mark_type(unit: dict) -> str:
    mark = unit["mark"]
    return mark if isinstance(mark, str) else mark["type"]


def inks(scheme: str) -> set[str]:
    # The theme's inks: text, rules, grid (its "range" and "mark" defaults are role colours).
    config = {key: value for key, value in theme.config(scheme).items() if key not in {"range", "mark"}}
    found = {value.lower() for _, value in walk(config) if isinstance(value, str) and HEX.fullmatch(value)}
    return found | {ink.lower() for ink in theme.LABEL_INKS} | {theme.BACKGROUND[scheme].lower()}


def drawn_texts(spec: dict) -> list[str]:
    """Every text Vega draws for a spec at the site's static size (a wrapped text as one string)."""
    import vl_convert as vlc

    from scripts.charts.static import static_spec

    found: list[str] = []

    def collect(node) -> None:
        if isinstance(node, dict):
            text = node.get("text")
            if isinstance(text, (str, list)):
                found.append(text if isinstance(text, str) else " ".join(map(str, text)))
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(vlc.vegalite_to_scenegraph(export.restyle(static_spec(spec), "light"), vl_version=export.vegalite_version()))
    return found


def role_colours(scheme: str) -> dict[str, str]:
    return theme.role_colours(scheme)


def texts(built, chart_id: str) -> list[str]:
    """Every piece of text a reader sees: title, description, notes, axis titles, labels, tooltips' data."""
    chart = built[chart_id]
    found = [chart.entry.title, chart.description]
    for path, value in walk(chart.spec):
        wrapped = len(path) >= 2 and isinstance(path[-1], int) and path[-2] in {"text", "title"}
        if isinstance(value, str) and path and not wrapped and path[-1] not in {"field", "type", "test", "expr", "calculate"}:
            found.append(value)
        if isinstance(value, list) and path and path[-1] in {"text", "title"}:
            found.append(" ".join(str(item) for item in value))  # lines of one wrapped text
    frame = chart.frame
    # Every text column but transcribed descriptions of targets (a site may be named there).
    for column in frame.columns:
        if column not in {"target", "detail"} and not pd.api.types.is_numeric_dtype(frame[column]):
            found.extend(str(item) for item in frame[column].dropna())
    return found


# ---------------------------------------------------------------------------
# The palette


def test_palette_is_data_with_one_colour_per_role():
    table = theme.palette_table()
    assert [row["role"] for row in table] == list(theme.ROLES)
    assert all(row["meaning"].strip() and row["legend"].strip() for row in table)
    colours = [row[scheme].lower() for row in table for scheme in ("light", "dark")]
    assert len(colours) == len(set(colours)), "a colour stands for two roles (or both schemes of two)"
    assert not set(colours) & {ink.lower() for ink in theme.LABEL_INKS}
    assert not set(colours) & (inks("light") | inks("dark")), "a role colour is also an ink of the theme"


def test_palette_is_published_as_data():
    published = json.loads((CHARTS / export.PALETTE_FILE).read_text(encoding="utf-8"))
    assert published == theme.palette_table()


@pytest.mark.parametrize("role", list(theme.ROLES))
def test_labels_inside_a_role_take_the_same_ink_in_both_schemes(role):
    """Published specs pick the label ink from the light colour; it must suit the dark one too."""
    assert c.ink_on(theme.colour(role, "light")) == c.ink_on(theme.colour(role, "dark"))


@pytest.mark.parametrize("chart_id", CHART_IDS)
def test_every_colour_comes_from_the_palette(built, chart_id):
    for scheme, spec in specs(built, chart_id).items():
        allowed = set(role_colours(scheme)) | inks(scheme)
        text = json.dumps({key: value for key, value in spec.items() if key not in SKIP})
        used = {colour.lower() for colour in HEX.findall(text)}
        assert used <= allowed, (chart_id, scheme, sorted(used - allowed))
        # The other scheme's role colours never leak in.
        other = "dark" if scheme == "light" else "light"
        assert not used & set(role_colours(other)), (chart_id, scheme, sorted(used & set(role_colours(other))))
        for path, value in walk(spec):
            if path and path[-1] in COLOUR_KEYS and isinstance(value, str) and value != "transparent":
                assert HEX.fullmatch(value), (chart_id, path, value)


@pytest.mark.parametrize("chart_id", CHART_IDS)
def test_colour_encodings_hold_roles_with_their_site_wide_labels(built, chart_id):
    for scheme, spec in specs(built, chart_id).items():
        for unit in layers(spec):
            for channel, definition in unit.get("encoding", {}).items():
                if channel not in COLOUR_KEYS or not isinstance(definition, dict) or "field" not in definition:
                    continue
                assert definition["field"] == "role", (chart_id, channel, definition["field"])
                scale = definition.get("scale", {})
                assert scale.get("domain") and scale.get("range"), (chart_id, channel, "no explicit role scale")
                for role, colour in zip(scale["domain"], scale["range"], strict=True):
                    assert role in theme.ROLES, (chart_id, role)
                    assert colour == theme.colour(role, scheme), (chart_id, scheme, role, colour)
                legend = definition.get("legend")
                if legend is not None and channel == "color":
                    assert legend.get("labelExpr") == theme.LEGEND_LABEL_EXPR, (chart_id, "legend not site-wide")


@pytest.mark.parametrize("chart_id", CHART_IDS)
def test_fixed_mark_colours_are_roles(built, chart_id):
    """A mark's own colour (not an encoding) is a role colour; only text may take an ink."""
    for scheme, spec in specs(built, chart_id).items():
        roles = role_colours(scheme)
        for unit in layers(spec):
            mark = unit["mark"] if isinstance(unit["mark"], dict) else {}
            for key in COLOUR_KEYS & set(mark):
                value = mark[key]
                if value is None or (mark_type(unit) == "text" and value.lower() in inks(scheme)):
                    continue
                assert value.lower() in roles, (chart_id, scheme, mark_type(unit), key, value)


def test_a_colour_means_one_thing_across_charts(built):
    meanings: dict[str, set[str]] = defaultdict(set)
    for chart_id in CHART_IDS:
        for scheme, spec in specs(built, chart_id).items():
            roles = role_colours(scheme)
            for path, value in walk(spec):
                if isinstance(value, str) and value.lower() in roles:
                    meanings[value.lower()].add(roles[value.lower()])
    assert meanings, "no chart uses a palette colour"
    assert all(len(found) == 1 for found in meanings.values()), dict(meanings)


def test_events_outside_the_dataset_are_never_coloured_linked(built):
    checked = 0
    for chart_id, chart in built.items():
        frame = chart.frame
        if "role" not in frame:
            continue
        if "in_dataset" in frame:
            outside = frame[~frame["in_dataset"].astype(bool)]
            assert not (outside["role"] == "linked").any(), chart_id
            checked += len(outside)
        if "source_table" in frame:
            other = frame[frame["source_table"] == "other_events"]
            assert (other["role"] == "context").all(), chart_id
            checked += len(other)
    assert checked, "no chart draws an event outside the dataset"


# ---------------------------------------------------------------------------
# Proportional areas


def size_encodings(spec: dict):
    for unit in layers(spec):
        size = unit.get("encoding", {}).get("size")
        if isinstance(size, dict) and "field" in size:
            yield size


@pytest.mark.parametrize("chart_id", CHART_IDS)
def test_size_encodings_map_zero_to_zero_area(built, chart_id):
    spec = built[chart_id].spec
    for size in size_encodings(spec):
        scale = size.get("scale", {})
        assert scale.get("type", "linear") in {"linear", "sqrt"}, (chart_id, scale)
        assert scale.get("zero") is True, (chart_id, "size scale without zero=True")
        assert scale.get("domain", [0])[0] == 0, (chart_id, scale.get("domain"))
        assert scale.get("range", [None])[0] == 0, (chart_id, "size range must start at 0 area")
        # The key says what the area means.
        assert "area" in built[chart_id].description.lower() or "area" in json.dumps(spec.get("title", "")).lower()


def test_some_chart_sizes_by_area(built):
    assert sum(1 for chart_id in CHART_IDS for _ in size_encodings(built[chart_id].spec)) >= 3


def test_zero_death_attacks_get_a_mark_of_their_own(built):
    spec = built["weapons-targets-attack-timeline"].spec
    filters = [json.dumps(unit.get("transform", [])) for unit in layers(spec)]
    assert any("datum.value === 0" in text for text in filters) and any("datum.value > 0" in text for text in filters)
    assert "our identification" in built["weapons-targets-attack-timeline"].description


# ---------------------------------------------------------------------------
# Words

BANNED = (r"\bone whole\b", r"\bwere one\b", r"\bties?\b", r"\bnot convictions\b", r"\bhotspots?\b",
          # "Ninety-one percent", "an overwhelming majority", "an acquittal rate of 8%": never "almost every".
          r"\balmost (?:every|all)\b",
          # A gap in our copy of the report is not a gap in the report.
          r"\bsurviving text\b", r"\bsource text\b", r"\bvalues are missing\b", r"\bheading is missing\b",
          r"\bMaalbeek\b", r"Maelbeek/")


@pytest.mark.parametrize("chart_id", CHART_IDS)
def test_titles_and_text_claim_no_more_than_the_report(built, chart_id):
    for text in texts(built, chart_id):
        for phrase in BANNED:
            assert not re.search(phrase, text, flags=re.I), (chart_id, phrase, text)
        for match in re.finditer(r"Brussels Airport", text):  # the name; the report says "the Brussels airport"
            assert text[match.end():].startswith(" and Maelbeek"), (chart_id, text)
        for match in re.finditer(r"Maelbeek", text):  # one name per place: "Maelbeek station"
            assert text[match.end():].startswith(" station"), (chart_id, text)


def test_event_names_are_not_followed_by_their_place_again(built):
    """An event's one name already says where it was: "the Charleroi machete attack (Charleroi)" repeats it."""
    checked = 0
    for chart_id, chart in built.items():
        frame = chart.frame
        if not {"attack", "place"} <= set(frame.columns):
            continue
        for _, row in frame.dropna(subset=["attack", "place"]).iterrows():
            assert f"{row['attack']} ({row['place']})" not in chart.description, (chart_id, row["attack"])
            checked += 1
    assert checked


def _sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.;])\s+(?=[A-Z“])", text)


OURS = re.compile(r"\bour\b|\bours\b|\bwe\b|\bderived\b|\bby our count\b", re.IGNORECASE)


def _ours_unlabelled(description: str, ledger: pd.DataFrame, scope: set[str] | None = None) -> list[str]:
    """Shares in a description that are ours (derived, a mismatch, or not the report's printed words)
    in a sentence that does not say so. ``scope``: the findings the description may print."""
    found = []
    shares = ledger[(ledger["unit"] == "share") & (ledger.index.isin(scope) if scope else True)]

    def is_ours(row: pd.Series) -> bool:
        printed = "" if pd.isna(row["reported_text"]) else str(row["reported_text"])
        bare = str(row["display"]).removeprefix("at least ")
        return row["status"] in ("derived", "mismatch") or bool(printed and bare not in printed)

    for sentence in _sentences(description):
        matching = shares[[bool(re.search(rf"(?<![\d.]){re.escape(str(d))}(?![\d])", sentence))
                           for d in shares["display"]]]
        # A display that two findings share, one ours and one the report's, cannot be told apart.
        if len(matching) and all(is_ours(row) for _, row in matching.iterrows()) and not OURS.search(sentence):
            found.append(f"{', '.join(matching.index)}: {sentence}")
    return found


def _scope(ctx: ChartContext, chart) -> set[str]:
    """The findings a chart's description may print: those it names, else its section's and its rows'."""
    named = getattr(chart.entry.describe, "finding_ids", None)
    if named:
        return set(named)
    frame = chart.frame
    rows = set(frame["finding_id"].dropna()) if "finding_id" in frame else set()
    return rows | set(ctx.ledger.index[ctx.ledger["section"] == chart.entry.section])


@pytest.mark.parametrize("chart_id", CHART_IDS)
def test_our_shares_are_labelled_ours_in_the_sentence(ctx, built, chart_id):
    chart = built[chart_id]
    assert not _ours_unlabelled(chart.description, ctx.ledger, _scope(ctx, chart)), chart_id


def test_the_ours_check_catches_an_unlabelled_share(ctx):
    ledger = ctx.ledger
    row = ledger.loc["deployed-operative-share"]
    assert _ours_unlabelled(f"13 ({row['display']}) to an operative, according to the report.", ledger)
    assert not _ours_unlabelled(f"13 (“{row['reported_text']}”; {row['display']} by our count).", ledger)


@pytest.mark.parametrize("chart_id", CHART_IDS)
def test_our_identification_of_the_inspired_attacks_says_it_is_uncertain(built, chart_id):
    """The editorial guide: the inspired attacks are our identification, and every use says it is
    uncertain and where the reasons are (Methods)."""
    for text in texts(built, chart_id):
        for sentence in _sentences(text):
            if "our identification" in sentence and "which event" not in sentence:
                assert c.IDENTIFICATION_CAVEAT in sentence, (chart_id, sentence)


@pytest.mark.parametrize("chart_id", CHART_IDS)
def test_the_reports_printed_figure_is_drawn_as_the_reports(ctx, built, chart_id):
    """A row drawn as the report's printed figure (role report-figure) carries the report's figure,
    never ours: its value is the printed one, from the claim a finding checks (checked_by)."""
    frame = built[chart_id].frame
    if "role" not in frame:
        return
    for _, row in frame[frame["role"] == "report-figure"].iterrows():
        finding = ctx.ledger.loc[row["checked_by"]]
        assert pd.isna(row.get("finding_id")) or not row.get("finding_id"), (chart_id, "ours on the report's row")
        assert row["value"] == pytest.approx(float(finding["reported_value"])), chart_id
        assert row["status"] == finding["status"], chart_id
        assert pd.isna(row.get("display")) or row.get("display") in ("", None), chart_id


def _schemas() -> dict[str, dict]:
    """Each data package resource's Table Schema, by resource name."""
    package = json.loads((DEFAULT.data / "datapackage.json").read_text(encoding="utf-8"))
    schemas = {}
    for resource in package["resources"]:
        schema = resource.get("schema", {"fields": []})
        if isinstance(schema, str):
            schema = json.loads((DEFAULT.data / schema).read_text(encoding="utf-8"))
        schemas[resource["name"]] = schema
    return schemas


def test_months_stay_months(ctx, built):
    """A month the data gives without a day (Table Schema yearmonth) is never written as its first day."""
    schemas = _schemas()
    checked = 0
    for chart_id, chart in built.items():
        frame = chart.frame
        if "source_table" not in frame:
            continue
        for _, row in frame.dropna(subset=["source_table"]).iterrows():
            schema = schemas[row["source_table"]]
            months = [field["name"] for field in schema["fields"] if field.get("type") == "yearmonth"]
            if not months:
                continue
            key = schema["primaryKey"] if isinstance(schema["primaryKey"], list) else [schema["primaryKey"]]
            source = c.table_row(ctx, row["source_table"], key, row["source_key"].split(c.KEY_SEPARATOR))
            cells = [str(value) for value in row.dropna().tolist()]
            for name in months:
                month = str(source[name])
                assert f"{month}-01" not in cells, (chart_id, row["source_key"], month)
                assert month in cells, (chart_id, row["source_key"], "the month is not in the chart's data")
                checked += 1
    assert checked


def test_table_1_asterisks_are_explained_in_the_data(built):
    frame = built["networks-table-1"].frame
    starred = frame["network"].str.endswith("*")
    assert starred.any()
    assert (frame.loc[starred, "note"].str.len() > 0).all()
    assert (frame.loc[~starred, "note"].fillna("") == "").all()
    assert frame["finding_id"].str.startswith("table-1-links-").all()


def test_rows_of_a_finding_name_it(ctx, built):
    """A chart row taken from a data table names the ledger finding that prints that row's number,
    where the ledger has one (its formula names the table and the key), so the chart's page links it."""
    formula = re.compile(r"\b([a-z_]+): ([A-Za-z0-9_-]+)\b")
    of_rows: dict[tuple[str, str], str] = {}
    for finding_id, row in ctx.ledger.iterrows():
        if row["status"] != "transcribed":
            continue
        for table, key in formula.findall(str(row["formula"])):
            of_rows.setdefault((table, key), finding_id)
    missing = []
    for chart_id, chart in built.items():
        frame = chart.frame
        if not {"source_table", "source_key", "value"} <= set(frame.columns):
            continue
        for _, row in frame.dropna(subset=["source_table", "value"]).iterrows():
            named = row.get("finding_id") if "finding_id" in frame else None
            wanted = of_rows.get((row["source_table"], row["source_key"]))
            if wanted and not (isinstance(named, str) and named):
                missing.append(f"{chart_id}: {row['source_table']} {row['source_key']} → {wanted}")
    assert not missing, "\n".join(missing)
    overview = built["overview-linked-vs-inspired"].frame
    assert overview["finding_id"].fillna("").str.len().gt(0).all(), "an overview bar without its finding"


def test_one_name_per_event(ctx, built):
    names: dict[str, set[str]] = defaultdict(set)
    for chart in built.values():
        frame = chart.frame
        for column in ("attack", "event"):
            if column in frame and "source_key" in frame:
                for key, name in zip(frame["source_key"], frame[column]):
                    if isinstance(name, str):
                        names[key].add(name)
    assert names
    for key, found in names.items():
        assert found == {c.event_name(ctx, key)}, (key, found)
    assert {c.event_name(ctx, "2016-03-22-brussels"), c.event_name(ctx, "2016-03-brussels")} == {
        "Brussels Airport and Maelbeek station bombings"
    }
    assert c.event_name(ctx, "2016-08-06-charleroi") == "Charleroi machete attack on two policewomen"


def test_whole_and_argenteuil_are_attributed(built):
    for chart_id in ("networks-diagram", "networks-table-1"):
        chart = built[chart_id]
        assert "report" in chart.entry.title.lower()
        assert "mainly distinguished by their appearance in time" in chart.description
        assert "Argenteuil" in chart.description and "no link" in chart.description


def test_table_1_counts_links_with_headroom(built):
    spec = built["networks-table-1"].spec
    frame = built["networks-table-1"].frame
    axes = [unit["encoding"]["x"] for unit in layers(spec) if "x" in unit.get("encoding", {})]
    title = " ".join(axes[0]["title"]) if isinstance(axes[0]["title"], list) else axes[0]["title"]
    assert title.startswith("Links to arrest actions") and "tied to two networks" in title
    assert axes[0]["scale"]["domain"][1] > frame["value"].max()


def test_route_overlap_is_worded_as_at_least_or_a_slip(built):
    chart = built["networks-local-vs-deployed"]
    note = " ".join(chart.spec["title"]["text"])
    reading = [step["calculate"] for unit in layers(chart.spec) for step in unit.get("transform", [])
               if step.get("as") == "reading"] + [step["calculate"] for step in chart.spec.get("transform", [])
                                                   if step.get("as") == "reading"]
    assert reading, "the tooltip gives no reading of the overlap"
    for text in (chart.description, note, *reading):
        assert "at least 3" in text.lower() and "or the report's figures contain a slip" in text, text
        assert "at least at least" not in text.lower() and "“at least" not in text, text


def test_convict_status_is_one_whole(built, ):
    chart = built["threat-levels-convict-status"]
    frame = chart.frame
    assert frame["value"].astype(float).sum() == pytest.approx(1.0, abs=1e-9)
    assert frame["start"].iloc[0] == 0 and frame["end"].iloc[-1] == pytest.approx(1.0)
    assert (frame["start"].iloc[1:].to_numpy() == frame["end"].iloc[:-1].to_numpy()).all()
    assert "had never been in reach of law enforcement and were convicted in absentia" in chart.description


def test_moroccan_share_states_its_denominator(built):
    chart = built["nationalities-moroccan-links"]
    labels = drawn_texts(chart.spec)
    assert "38 of 135 = 28%" in labels and "33% (mismatch)" in labels, labels
    assert "without saying of which total" in chart.description


def test_mixed_denominators_are_named_on_the_axis(built):
    for chart_id in ("weapons-targets-data-coverage", "overview-linked-vs-inspired"):
        titles = [
            unit["encoding"]["x"].get("title") for unit in layers(built[chart_id].spec)
            if isinstance(unit.get("encoding", {}).get("x"), dict)
        ]
        text = json.dumps([" ".join(title) if isinstance(title, list) else title for title in titles])
        assert "arrest actions" in text and ("incidents" in text or "attacks" in text), (chart_id, text)


def test_static_timeline_labels_every_pin(built):
    frame = built["threat-levels-timeline"].frame
    pins = frame[frame["layer"].isin(["attack (linked)", "attack (inspired)", "other event"])]
    assert len(pins) and sorted(pins["pin"].astype(int)) == list(range(1, len(pins) + 1))
    note = " ".join(built["threat-levels-timeline"].spec["title"]["text"])
    drawn = drawn_texts(built["threat-levels-timeline"].spec)
    for _, pin in pins.iterrows():
        assert f"{int(pin['pin'])} · " in note and str(int(pin["pin"])) in drawn
    marks = {mark_type(unit) for unit in layers(built["threat-levels-timeline"].spec)}
    assert not marks & {"rect", "area"}, "an ordinal level drawn as a filled area"
