"""The published specs and CSVs as a newsroom reuses them (issue 18, sections 5 and 6).

- A house theme applies without editing a spec: a vega-embed ``config`` with another font family
  reaches every text mark of every chart, in Chromium, and no chart logs a warning.
- Meaning does not rest on the config: a config that replaces the palette (as Altair's
  ``.configure_range`` or ``.configure`` do) leaves every role colour where it was.
- The CSVs hold data, not labels: no text cell is a number written into words by the build.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pandas as pd
import pytest
import vl_convert as vlc

from helpers import serve

from scripts.charts import export, theme
from scripts.paths import CHARTS

CATALOGUE = json.loads((CHARTS / "index.json").read_text(encoding="utf-8"))
CHART_IDS = [entry["id"] for entry in CATALOGUE]
HOUSE_FONT = "Newsroom Serif Test"


def published_spec(chart_id: str) -> dict:
    entry = next(item for item in CATALOGUE if item["id"] == chart_id)
    return json.loads((CHARTS / entry["files"]["vegalite"]).read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------
# The config a reuser passes wins over the house style, and cannot wipe the palette


def test_published_specs_carry_no_house_style():
    """Fonts, inks and the background come from whoever draws the spec, not from the file."""
    style_words = ("font", "color", "background", "fontweight", "range", "stroke")
    for chart_id in CHART_IDS:
        config = published_spec(chart_id).get("config", {})
        keys = [f"{group}.{key}" if isinstance(value, dict) else group
                for group, values in config.items()
                for key, value in (values.items() if isinstance(values, dict) else [(group, values)])]
        styled = [key for key in keys if any(word in key.lower().rsplit(".", 1)[-1] for word in style_words)
                  and not key.lower().endswith("fontsize")]
        assert not styled, (chart_id, styled)


@pytest.mark.parametrize("chart_id", CHART_IDS)
def test_a_config_that_replaces_the_palette_leaves_the_role_colours(chart_id):
    spec = published_spec(chart_id)

    def drawn_colours(vega: dict) -> str:  # the marks and scales, not the config's defaults
        return json.dumps({key: value for key, value in vega.items() if key != "config"}).lower()

    site = drawn_colours(vlc.vegalite_to_vega(export.restyle(spec, "light")))
    wiped = {**spec, "config": {"font": HOUSE_FONT, "range": {"category": ["#000000"]}, "mark": {"color": "#000000"}}}
    reused = drawn_colours(vlc.vegalite_to_vega(wiped))
    roles = theme.role_colours("light")
    used = {colour for colour in roles if colour in site}
    assert used, f"{chart_id} draws no role colour"
    assert used == {colour for colour in roles if colour in reused}, chart_id


def test_the_site_theme_is_published_for_reusers_who_want_the_site_look():
    published = json.loads((CHARTS / export.THEME_FILE).read_text(encoding="utf-8"))
    assert published == {scheme: theme.config(scheme) for scheme in theme.SCHEMES}


# ---------------------------------------------------------------------------
# In vega-embed, in Chromium

PAGE = """<!doctype html><meta charset="utf-8"><title>reuse</title><link rel="icon" href="data:,">
<script src="bundle.js"></script><body style="width: 700px"></body>"""

EMBED = """async ([spec, config]) => {
  const box = document.createElement("div");
  box.style.width = "640px";
  document.body.appendChild(box);
  const result = await vegaEmbed(box, spec, {config, renderer: "svg", actions: false});
  await result.view.runAsync();
  const fonts = [...box.querySelectorAll("svg text")].map((text) => text.getAttribute("font-family"));
  result.finalize();
  box.remove();
  return fonts;
}"""


@pytest.fixture(scope="module")
def embed_page(browser, tmp_path_factory) -> Iterator:
    """A page with the vega-embed, Vega-Lite and Vega that vl-convert bundles, in Chromium."""
    root = tmp_path_factory.mktemp("reuse")
    bundle = vlc.javascript_bundle("window.vegaEmbed = vegaEmbed;", vl_version=export.vegalite_version())
    (root / "bundle.js").write_text(bundle, encoding="utf-8")
    (root / "index.html").write_text(PAGE, encoding="utf-8")
    server, url = serve(root)
    page = browser.new_page()
    messages: list[str] = []
    page.on("console", lambda message: message.type in ("warning", "error") and messages.append(message.text))
    page.on("pageerror", lambda error: messages.append(str(error)))
    page.goto(url + "index.html", wait_until="load")
    yield page, messages
    page.close()
    server.shutdown()


@pytest.mark.browser
def test_a_reusers_font_reaches_every_text_mark_and_no_chart_warns(embed_page):
    page, messages = embed_page
    config = {"font": HOUSE_FONT}
    problems = {}
    for chart_id in CHART_IDS:
        messages.clear()
        fonts = page.evaluate(EMBED, [published_spec(chart_id), config])
        assert fonts, f"{chart_id} drew no text"
        others = sorted({font for font in fonts if font != HOUSE_FONT})
        if others or messages:
            problems[chart_id] = {"other fonts": others, "console": list(messages)}
    assert not problems, json.dumps(problems, indent=1)


# ---------------------------------------------------------------------------
# The CSVs: data, not labels; each with its Table Schema


def _source_texts() -> set[str]:
    """Every text the data package and the ledger hold: a cell quoting one is data, not a label."""
    from scripts import ledger as ledger_module
    from scripts.paths import DATA
    from scripts.validate import validate

    tables = validate(DATA)
    texts = {str(value) for frame in tables.values() for column in frame.columns
             if not pd.api.types.is_numeric_dtype(frame[column]) for value in frame[column].dropna()}
    ledger = ledger_module.compute(tables)
    return texts | {str(value) for value in ledger["display"].dropna()}


NUMBER = re.compile(r"\d")
ISO_DATE = re.compile(r"\d{4}-\d{2}(-\d{2})?")
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def labels_built_from_numbers(frame: pd.DataFrame, source_texts: set[str]) -> list[str]:
    """Text cells that write a number the build put into words ("38 of 135", "Level 3", "4 killed").

    A cell may hold digits only as a number, an ISO date, an id, the ledger's display text of its finding, or
    text quoted from the data package (a target "… 07:58"); everything else with a digit is a label.
    """
    quoted = sorted(source_texts, key=len, reverse=True)
    found = []
    for column in frame.columns:
        if pd.api.types.is_numeric_dtype(frame[column]) or column in ("source_key", "finding_id"):
            continue
        for cell in frame[column].dropna().astype(str):
            if not NUMBER.search(cell) or PLAIN_NUMBER.fullmatch(cell) or ISO_DATE.fullmatch(cell) or cell in source_texts:
                continue
            rest = cell
            for text in quoted:
                if len(text) > 3 and text in rest:
                    rest = rest.replace(text, " ")
            if NUMBER.search(rest):
                found.append(f"{column}: {cell}")
    return found


def test_the_label_check_finds_labels_built_from_numbers():
    frame = pd.DataFrame({"label": ["38 of 135 = 28%", "Level 3"], "date": ["2016-03-22", "2016-03-22"],
                          "target": ["Hall (two bombs, 07:58)", "Hall (two bombs, 07:58)"]})
    assert labels_built_from_numbers(frame, {"Hall (two bombs, 07:58)"}) == ["label: 38 of 135 = 28%", "label: Level 3"]


def test_no_chart_csv_holds_a_label_built_from_numbers():
    texts = _source_texts()
    found = {}
    for entry in CATALOGUE:
        frame = pd.read_csv(CHARTS / entry["files"]["csv"], dtype=str, keep_default_na=False).replace("", None)
        if labels := labels_built_from_numbers(frame, texts):
            found[entry["id"]] = labels
    assert not found, json.dumps(found, indent=1, ensure_ascii=False)


@pytest.mark.parametrize("chart_id", CHART_IDS)
def test_each_chart_csv_validates_against_its_described_schema(chart_id):
    from frictionless import Resource

    entry = next(item for item in CATALOGUE if item["id"] == chart_id)
    schema = json.loads((CHARTS / entry["files"]["schema"]).read_text(encoding="utf-8"))
    header = (CHARTS / entry["files"]["csv"]).read_text(encoding="utf-8").splitlines()[0].split(",")
    assert [field["name"] for field in schema["fields"]] == header
    for field in schema["fields"]:
        assert field.get("description", "").strip(), (chart_id, field["name"], "no description")
        if field["type"] in ("integer", "number"):
            assert field.get("unit", "").strip(), (chart_id, field["name"], "a number without a unit")
        if field["type"] == "boolean":
            assert (field["trueValues"], field["falseValues"]) == (["true"], ["false"]), (chart_id, field["name"])
    report = Resource(path=entry["files"]["csv"], schema=entry["files"]["schema"], basepath=str(CHARTS)).validate()
    assert report.valid, [error.message for task in report.tasks for error in task.errors][:5]


def test_a_column_nobody_described_stops_the_build():
    from scripts.charts import columns

    with pytest.raises(columns.UndescribedColumnError, match="made_up_column"):
        columns.table_schema("overview-demo", pd.DataFrame({"value": [1], "made_up_column": ["x"]}))
