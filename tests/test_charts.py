"""The site's charts, whatever they are: discovered from the registry, never listed here.

Each registered chart must publish a valid Vega-Lite spec, render to SVG in both colour
schemes, and reconcile with the ledger and the source tables through the row convention of
scripts/charts/_common.py (``finding_id`` → ledger, ``source_table``/``source_key`` → table).
The published files must be reproducible byte for byte, and charts/ must be up to date.
The machinery itself (registry, theme, exporters) is tested in test_chart_infra.py.
"""

from __future__ import annotations

import copy
import json
import math
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import altair as alt
import jsonschema
import pandas as pd
import pytest
import vl_convert as vlc

from scripts import ledger as ledger_module
from scripts.charts import export, images, static, theme
from scripts.charts._common import KEY_SEPARATOR
from scripts.charts.context import ChartContext
from scripts.charts.registry import default_registry, registered_charts
from scripts.project import SECTION_IDS as SECTIONS
from scripts.datapackage import load_descriptor, source_resources
from scripts.paths import CHARTS, DATA, DEFAULT, Layout
from scripts.validate import validate

VEGA_LITE_SCHEMA = Path(alt.__file__).parent / "vegalite" / "v6" / "schema" / "vega-lite-schema.json"
HOSTILE_LABEL = "<script>alert(1)</script>"
SVG_TEXT = "{http://www.w3.org/2000/svg}text"

CHART_IDS = [entry.id for entry in registered_charts()]


# ---------------------------------------------------------------------------
# Fixtures (module scope: every chart is built and published once)


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return validate(DATA)


@pytest.fixture(scope="module")
def ledger(tables) -> pd.DataFrame:
    return ledger_module.compute(tables).set_index("id")


@pytest.fixture(scope="module")
def ctx(tables, ledger) -> ChartContext:
    return ChartContext(tables=tables, ledger=ledger, cache=DEFAULT.cache)


@pytest.fixture(scope="module")
def published(ctx, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("charts") / "charts"
    export.build_all(ctx, out, previous=CHARTS)  # earlier chart versions are carried over from charts/
    return out


@pytest.fixture(scope="module")
def vega_lite_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(VEGA_LITE_SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.validators.validator_for(schema)(schema)


@pytest.fixture(scope="module")
def primary_keys() -> dict[str, list[str]]:
    keys = {}
    for resource in source_resources(load_descriptor(DATA)):
        schema = resource["schema"]
        if isinstance(schema, str):
            schema = json.loads((DATA / schema).read_text(encoding="utf-8"))
        keys[resource["name"]] = list(schema["primaryKey"])
    return keys


def published_file(published: Path, chart_id: str, kind: str) -> Path:
    """A chart's current file, found the way a reader would: through index.json."""
    index = json.loads((published / "index.json").read_text(encoding="utf-8"))
    (entry,) = [item for item in index if item["id"] == chart_id]
    return published / entry["files"][kind]


def spec_of(published: Path, chart_id: str) -> dict:
    return json.loads(published_file(published, chart_id, "vegalite").read_text(encoding="utf-8"))


def csv_of(published: Path, chart_id: str) -> pd.DataFrame:
    return pd.read_csv(published_file(published, chart_id, "csv"), dtype=str, keep_default_na=False)


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under directory by its relative path (dot-files and caches aside)."""
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file() and not path.name.startswith(".")
    }


def walk(node, path=()) -> Iterator[tuple[tuple, object]]:
    """Every (path, value) in a JSON tree, the data sets excepted."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in {"datasets", "data", "usermeta"}:
                yield from walk(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, (*path, index))
    yield path, node


def svg_texts(svg: str) -> list[str]:
    return ["".join(node.itertext()) for node in ET.fromstring(svg).iter(SVG_TEXT)]


# ---------------------------------------------------------------------------
# The catalogue


def test_every_section_has_charts():
    sections = {entry.section for entry in registered_charts()}
    assert sections == set(SECTIONS)


def test_index_lists_exactly_the_registered_charts(published):
    index = json.loads((published / "index.json").read_text(encoding="utf-8"))
    assert [item["id"] for item in index] == CHART_IDS
    published_ids = {name.rsplit("/", 1)[1][: -len(".vl.json")] for name in snapshot(published) if name.endswith(".vl.json")}
    assert published_ids == set(CHART_IDS)
    for item in index:
        entry = default_registry.get(item["id"])
        assert item["title"] == entry.title and item["section"] == entry.section


def test_rebuild_is_byte_identical(ctx, published, tmp_path):
    export.build_all(ctx, tmp_path / "again", previous=CHARTS)
    assert snapshot(tmp_path / "again") == snapshot(published)


def test_committed_charts_are_up_to_date(published):
    """charts/ is what the build writes from the committed data and code (run the build if not)."""
    committed = {
        name: data for name, data in snapshot(CHARTS).items()
        if name in ("index.json", export.PALETTE_FILE, export.THEME_FILE) or name.endswith((".vl.json", ".csv", ".xlsx", ".schema.json"))
    } if CHARTS.is_dir() else {}
    fresh = snapshot(published)
    stale = sorted(name for name in fresh.keys() | committed.keys() if fresh.get(name) != committed.get(name))
    assert not stale, f"charts/ is stale, run `python -m scripts build --no-site`: {stale}"


def test_committed_charts_record_the_inputs_they_were_made_from(published):
    """charts/.inputs.json is current, so a fresh checkout reuses charts/ instead of rerunning Altair."""
    from scripts.charts.build import INPUTS_FILE, published_files, spec_inputs_key

    record = json.loads((CHARTS / INPUTS_FILE).read_text(encoding="utf-8"))
    assert record["inputs"] == spec_inputs_key(DEFAULT), "scripts or data changed since charts/ was built: run `make site`"
    assert record["files"] == published_files(published)


def test_published_charts_are_reused_only_for_the_same_inputs_and_files(tmp_path, monkeypatch):
    from scripts.charts import build as chart_build
    from helpers import copy_project

    layout = copy_project(tmp_path / "tree")
    key = chart_build.spec_inputs_key(layout)

    def reused() -> bool:
        out = tmp_path / f"out-{len(list(tmp_path.iterdir()))}"
        if not chart_build.reuse_published(layout.charts, chart_build.spec_inputs_key(layout), out):
            assert not out.exists()  # nothing half-copied
            return False
        assert snapshot(out) == snapshot(layout.charts)
        return True

    assert reused()
    # Reused, the step draws the published specs without running a single chart function.
    monkeypatch.setattr(chart_build, "build_all", lambda *a, **k: pytest.fail("specs were rebuilt"))
    with chart_build.ChartStep(layout, tmp_path / "stage" / "charts") as step:
        assert step.reused and step.write_specs(tables={}, ledger=pd.DataFrame()) == len(CHART_IDS)
        assert step.meta("networks-diagram")["width"] > 0  # waits for that one drawing
        assert step.finish() == len(CHART_IDS)
    monkeypatch.undo()

    edits = {
        "a source table": (layout.data / "source/report/incidents.csv", b"\n"),
        "a chart module's code": (layout.root / "scripts/charts/sections/geography.py", b"\nEDITED = True\n"),
        "a published spec": (published_file(layout.charts, "geography-regions-map", "vegalite"), b"\n"),
        "a published CSV": (published_file(layout.charts, "networks-diagram", "csv"), b"\n"),
    }
    for what, (path, addition) in edits.items():
        original = path.read_bytes()
        path.write_bytes(original + addition)
        assert not reused(), what
        path.write_bytes(original)
    assert reused()
    stray = layout.charts / "networks-diagram" / "v1" / "extra.csv"
    stray.write_text("a\n1\n", encoding="utf-8")
    assert not reused(), "a file added"
    stray.unlink()
    # The address a build deploys to (SITE_URL) is not an input of charts/; the project's own
    # address (mkdocs.yml) is, since each version's workbook cites it.
    assert chart_build.spec_inputs_key(Layout(layout.root, address="https://example.org/x/")) == key
    (layout.root / "mkdocs.yml").write_text(
        (layout.root / "mkdocs.yml").read_text(encoding="utf-8").replace("site_url:", "site_url: https://example.org/x/\n#"),
        encoding="utf-8")
    assert chart_build.spec_inputs_key(layout) != key, "the workbooks cite the project's address"


# ---------------------------------------------------------------------------
# Each chart


@pytest.mark.parametrize("chart_id", CHART_IDS)
def test_spec_is_valid_vega_lite(published, vega_lite_validator, chart_id):
    spec = spec_of(published, chart_id)
    errors = sorted(vega_lite_validator.iter_errors(spec), key=lambda error: list(error.path))
    assert not errors, f"{chart_id}: {errors[0].message} at {list(errors[0].path)}"
    assert spec["usermeta"]["id"] == chart_id
    assert spec["usermeta"]["source"].strip() and spec["usermeta"]["title"].strip()


@pytest.mark.parametrize("chart_id", CHART_IDS)
def test_one_drawing_painted_twice_is_a_render_per_scheme(published, built_site, chart_id):
    """The build draws each layout once and paints it light and dark (scripts.charts.static);
    the files it drew for the session's site must be exactly what rendering each scheme's own
    spec gives."""
    spec = spec_of(published, chart_id)
    job = export.plan_render(chart_id, spec)
    assert len(job.drawings) == 1, f"{chart_id} is drawn once per scheme"
    drawn_dir = built_site.cache / "charts" / job.key
    assert drawn_dir.is_dir(), f"the session's build did not draw {chart_id} from this spec"
    files = {path.name: path.read_bytes() for path in drawn_dir.iterdir()}
    for scheme in theme.SCHEMES:
        for suffix, width in static.LAYOUTS:
            fixed = export.static_spec(export.restyle(spec, scheme), width=width)
            vega = export.dumps_json(vlc.vegalite_to_vega(fixed, vl_version=export.vegalite_version()))
            assert files[f"{scheme}{suffix}.vg.json"].decode("utf-8") == vega, (chart_id, scheme, suffix)
            # Drawn from the Vega as published (key order matters to Vega's layout): the static
            # picture is what the live chart will draw in its place.
            # It is named by the chart's title and description (scripts.charts.images.accessible).
            drawn = images.accessible(vlc.vega_to_svg(json.loads(vega)), chart_id, spec["usermeta"]["title"], spec["usermeta"]["description"])
            assert files[f"{scheme}{suffix}.svg"].decode("utf-8") == drawn, (chart_id, scheme, suffix)
        svg = files[f"{scheme}.svg"].decode("utf-8")
        assert float(ET.fromstring(svg).attrib["width"]) == export.STATIC_WIDTH, (chart_id, scheme)
        assert theme.BACKGROUND[scheme] in svg
        assert theme.PLACEHOLDER_PREFIX not in svg.lower()
        assert any(text.strip() for text in svg_texts(svg)), f"{chart_id} draws no text"


@pytest.mark.parametrize("chart_id", CHART_IDS)
def test_layout_suits_the_site(published, chart_id):
    """Width fits the 640 px column, text is never below the theme's minimum, marks have tooltips."""
    spec = spec_of(published, chart_id)
    assert spec.get("width") == "container" or spec.get("width", 0) <= export.STATIC_WIDTH
    sizes = [value for path, value in walk(spec) if path and path[-1] == "fontSize"]
    assert all(size >= theme.MIN_FONT_SIZE for size in sizes), (chart_id, sorted(set(sizes)))
    assert any(path and path[-1] == "tooltip" for path, _ in walk(spec)), f"{chart_id} has no tooltips"


@pytest.mark.parametrize("chart_id", CHART_IDS)
def test_linked_and_inspired_keep_their_colours(published, chart_id):
    colours = {"linked": theme.LINKED, "inspired": theme.INSPIRED}
    for path, node in walk(spec_of(published, chart_id)):
        if not (isinstance(node, dict) and isinstance(node.get("domain"), list) and isinstance(node.get("range"), list)):
            continue
        if path and path[-1] == "scale" and len(path) >= 2 and path[-2] in {"color", "fill", "stroke"}:
            for value, colour in zip(node["domain"], node["range"]):
                if value in colours:
                    assert colour == colours[value], (chart_id, value, colour)


@pytest.mark.parametrize("chart_id", CHART_IDS)
def test_description_is_generated_and_complete(ctx, published, chart_id):
    entry = default_registry.get(chart_id)
    description = entry.description(ctx)
    assert "{" not in description and "}" not in description
    assert any(char.isdigit() for char in description), f"{chart_id}: the alt text states no number"
    assert spec_of(published, chart_id)["description"] == description


@pytest.mark.parametrize("chart_id", CHART_IDS)
def test_csv_reconciles_with_ledger_and_tables(published, ledger, tables, primary_keys, chart_id):
    frame = csv_of(published, chart_id)
    columns = set(frame.columns)
    reconciled = 0
    for number, row in frame.iterrows():
        where = f"{chart_id}.csv row {number + 2}"
        finding_id = row.get("finding_id", "")
        table_name = row.get("source_table", "")
        value = float(row["value"]) if row.get("value", "") != "" else None
        if finding_id:
            assert finding_id in ledger.index, f"{where}: unknown finding {finding_id!r}"
            finding = ledger.loc[finding_id]
            assert value is not None and math.isclose(value, float(finding["value"]), rel_tol=0, abs_tol=1e-9), (
                f"{where}: value {value} but the ledger has {finding['value']} for {finding_id}"
            )
            for column in ("status", "unit"):
                if column in columns:
                    assert row[column] == str(finding[column]), f"{where}: {column} {row[column]!r} ≠ ledger"
            if "derived" in columns:
                assert (row["derived"] == "true") == (finding["status"] == "derived"), where
            if "reported_value" in columns and row["reported_value"] != "":
                assert math.isclose(float(row["reported_value"]), float(finding["reported_value"]), abs_tol=1e-9)
            reconciled += 1
        if table_name:
            assert table_name in tables, f"{where}: unknown table {table_name!r}"
            table = tables[table_name]
            key = primary_keys[table_name]
            wanted = row["source_key"].split(KEY_SEPARATOR)
            match = table[(table[key].astype(str) == wanted).all(axis=1)]
            assert len(match) == 1, f"{where}: no single {table_name} row with {dict(zip(key, wanted))}"
            column = row.get("source_column", "")
            if column:
                cell = match.iloc[0][column]
                assert value is not None and math.isclose(value, float(cell), rel_tol=0, abs_tol=1e-9), (
                    f"{where}: value {value} but {table_name}.{column} is {cell}"
                )
            reconciled += 1
        if value is not None:
            assert finding_id or (table_name and row.get("source_column", "")), (
                f"{where}: value {value} is neither a ledger finding nor a table cell"
            )
    assert reconciled, f"{chart_id}: no row is traceable to the ledger or a source table"


@pytest.mark.parametrize("chart_id", CHART_IDS)
def test_second_numbers_and_printed_figures_reconcile_with_the_ledger(published, ledger, chart_id):
    """A count's share (share_finding_id) is the ledger's value and display; a printed figure a
    finding checks (checked_by) is that finding's reported_value, with its status."""
    frame = csv_of(published, chart_id)
    for number, row in frame.iterrows():
        where = f"{chart_id}.csv row {number + 2}"
        if row.get("share_finding_id", ""):
            finding = ledger.loc[row["share_finding_id"]]
            assert math.isclose(float(row["share_of_all"]), float(finding["value"]), abs_tol=1e-9), where
            assert row["share_display"] == finding["display"], where
        if row.get("checked_by", ""):
            finding = ledger.loc[row["checked_by"]]
            assert math.isclose(float(row["value"]), float(finding["reported_value"]), abs_tol=1e-9), where
            assert row["status"] == finding["status"] and not row.get("finding_id", ""), where


@pytest.mark.parametrize("chart_id", CHART_IDS)
def test_a_workbook_shows_a_month_without_a_day(published, chart_id):
    """Months (Table Schema yearmonth) are month cells in the .xlsx: a format with no day in it."""
    from openpyxl import load_workbook

    from scripts import workbook

    schema = json.loads(published_file(published, chart_id, "schema").read_text(encoding="utf-8"))
    months = [field["name"] for field in schema["fields"] if field["type"] == "yearmonth"]
    frame = csv_of(published, chart_id)
    for name in [field["name"] for field in schema["fields"] if field["type"] == "date"]:
        assert frame[name].map(lambda v: v == "" or len(v) == 10).all(), (chart_id, name)
    if not months:
        return
    sheet = load_workbook(published_file(published, chart_id, "xlsx"))[workbook.DATA_SHEET]
    header = [cell.value for cell in sheet[1]]
    for name in months:
        column = header.index(name) + 1
        cells = [row[0] for row in sheet.iter_rows(min_row=2, min_col=column, max_col=column)]
        assert cells and all("d" not in cell.number_format.lower() for cell in cells), (chart_id, name)
        assert [f"{cell.value:%Y-%m}" for cell in cells] == list(frame[name]), (chart_id, name)


def test_tatp_months_are_typed_as_months(published):
    schema = json.loads(published_file(published, "weapons-targets-tatp", "schema").read_text(encoding="utf-8"))
    (month,) = [field for field in schema["fields"] if field["name"] == "month"]
    assert month["type"] == "yearmonth"
    assert csv_of(published, "weapons-targets-tatp")["month"].str.fullmatch(r"\d{4}-\d{2}").all()


@pytest.mark.parametrize("chart_id", CHART_IDS)
def test_derived_numbers_are_marked(published, ledger, chart_id):
    """A derived finding is flagged in the data and says "(derived)" wherever it is labelled."""
    frame = csv_of(published, chart_id)
    if "finding_id" not in frame:
        return
    for _, row in frame[frame["finding_id"] != ""].iterrows():
        if ledger.loc[row["finding_id"], "status"] == "derived":
            assert row.get("derived") == "true", (chart_id, row["finding_id"])


# ---------------------------------------------------------------------------
# Specific content


def test_per_country_counts_are_never_invented(published, tables):
    """The report gives counts for Belgium only; the other countries appear as one bar."""
    frame = csv_of(published, "nationalities-citizenship")
    unknown = tables["citizenship"][tables["citizenship"]["individuals"].isna()]
    for country in unknown["country"]:
        rows = frame[frame.apply(lambda row, c=country: c in row.get("countries", ""), axis=1)]
        assert len(rows) == 1 and rows.iloc[0]["finding_id"] == "non-belgian-citizens", country


def test_moroccan_share_mismatch_is_shown(published, ledger):
    """The report's printed share on its own row, as printed; ours beside the count it divides."""
    frame = csv_of(published, "nationalities-moroccan-links")
    (printed,) = [row for _, row in frame.iterrows() if row["checked_by"] == "moroccan-linked-share"]
    finding = ledger.loc["moroccan-linked-share"]
    assert printed["status"] == "mismatch" == finding["status"]
    assert float(printed["value"]) == pytest.approx(float(finding["reported_value"]))
    assert float(printed["value"]) != pytest.approx(float(finding["value"]), abs=0.005)
    (ours,) = [row for _, row in frame.iterrows() if row["share_finding_id"] == "moroccan-linked-share"]
    assert ours["finding_id"] == "moroccan-linked" and ours["share_display"] == finding["display"]


# ---------------------------------------------------------------------------
# Hostile labels


@pytest.fixture(scope="module")
def hostile(tables, ledger, tmp_path_factory) -> dict[str, dict]:
    """The network charts built from a copy of the tables with one network renamed to a script tag."""
    copied = {name: frame.copy(deep=True) for name, frame in tables.items()}
    networks = copied["networks"]
    networks.loc[networks.index[0], "name"] = HOSTILE_LABEL
    ctx = ChartContext(tables=copied, ledger=copy.deepcopy(ledger))
    entries = [entry for entry in registered_charts() if entry.section == "networks"]
    assert entries
    return {entry.id: export.build_chart(entry, ctx).spec for entry in entries}


def test_hostile_label_is_escaped_in_json(hostile):
    found = False
    for chart_id, spec in hostile.items():
        text = export.dumps_json(spec)
        assert "<script" not in text, chart_id
        found |= HOSTILE_LABEL in json.dumps(json.loads(text), ensure_ascii=False)
    assert found
