"""The published specs and CSVs as a newsroom reuses them (issue 18, sections 5 and 6).

- A house theme applies without editing a spec: a vega-embed ``config`` with another font family
  reaches every text mark of every chart, in Chromium, and no chart logs a warning.
- Meaning does not rest on the config: a config that replaces the palette (as Altair's
  ``.configure_range`` or ``.configure`` do) leaves every role colour where it was.
- The CSVs hold data, not labels: no text cell is a number written into words by the build.
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import vl_convert as vlc

from scripts.charts import export, theme
from scripts.paths import CHARTS

CATALOGUE = json.loads((CHARTS / "index.json").read_text(encoding="utf-8"))
CHART_IDS = [entry["id"] for entry in CATALOGUE]
HOUSE_FONT = "Newsroom Serif Test"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


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


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def embed_page(tmp_path_factory) -> Iterator:
    """A page with the vega-embed, Vega-Lite and Vega that vl-convert bundles, in Chromium."""
    from playwright.sync_api import sync_playwright

    root = tmp_path_factory.mktemp("reuse")
    bundle = vlc.javascript_bundle("window.vegaEmbed = vegaEmbed;", vl_version=export.vegalite_version())
    (root / "bundle.js").write_text(bundle, encoding="utf-8")
    (root / "index.html").write_text(PAGE, encoding="utf-8")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    assert Path(CHROMIUM).exists(), "Debian's chromium is required: apt-get install -y chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        messages: list[str] = []
        page.on("console", lambda message: message.type in ("warning", "error") and messages.append(message.text))
        page.on("pageerror", lambda error: messages.append(str(error)))
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/index.html", wait_until="load")
        yield page, messages
        browser.close()
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
