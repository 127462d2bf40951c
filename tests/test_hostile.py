"""Hostile labels through the whole build: shown as plain text everywhere, never run as code.

A copy of the project gets labels full of markup, script, quote breakers, right-to-left text,
emoji and very long strings in real source tables whose values reach charts (SVG, tooltips,
Vega JSON, CSV), tables under the charts, alt text, the notebook page and the About page. The
copy is built in full, then read as files and opened in Chromium with its Content-Security-
Policy switched off, so that escaping alone has to keep the payloads inert.
(Hostile text in fields whose schema constrains it is refused instead: see test_validation.py.)
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from helpers import serve, soup

from scripts.build import build
from scripts.paths import ROOT, Layout, copy_working_tree

REPORT = "data/source/report"
PUBLIC = "data/source/public"


@dataclass(frozen=True)
class Injection:
    id: str
    path: str  # source table
    row: dict[str, str]  # the columns and values that pick out one row
    column: str
    value: str
    pages: tuple[str, ...]  # built pages that must show the value, as text
    charts: tuple[str, ...] = ()  # charts whose published CSV and spec must carry it intact
    # Other cells that hold the same fact and get the same value (an event's one name is also in
    # the TATP table, and the build refuses two names for one event).
    also: tuple[tuple[str, tuple[tuple[str, str], ...], str], ...] = ()


INJECTIONS = [
    Injection(
        "script element in a network name", f"{REPORT}/networks.csv", {"network_id": "kamikaze-riders"}, "name",
        "Kamikaze Riders <script>window.__pwned=1</script>",
        pages=("networks/index.html",), charts=("networks-table-1", "networks-diagram"),
    ),
    Injection(
        "img onerror in a place name", f"{PUBLIC}/places.csv", {"place_id": "charleroi"}, "name",
        'Charleroi <img src=x onerror="window.__pwned=1">',
        # An attack's name is its own (attacks.csv); the place name reaches its data table and tooltip.
        pages=("weapons-targets/index.html", "threat-levels/index.html"),
        charts=("weapons-targets-attack-timeline", "threat-levels-timeline"),
    ),
    Injection(
        "attribute breaker in a country name", f"{REPORT}/citizenship.csv", {"country_code": "SE"}, "country",
        "Sweden\"' onmouseover=\"window.__pwned=1\" data-x='",
        pages=("nationalities/index.html", "charts/nationalities-citizenship/v1/embed/index.html"),
        charts=("nationalities-citizenship",),
    ),
    Injection(
        "right-to-left text with a bidi override", f"{PUBLIC}/other_events.csv", {"event_id": "2015-01-15-verviers-raid"},
        "label", "مداهمة فيرفييه \u202eפשיטה בוורווייה\u202c: police raid",
        pages=("threat-levels/index.html",), charts=("threat-levels-timeline",),
        also=((f"{REPORT}/tatp_mentions.csv", (("event_id", "2015-01-verviers"),), "name"),),
    ),
    Injection(
        "emoji and an svg onload alert", f"{PUBLIC}/other_events.csv", {"event_id": "2015-11-13-paris-attacks"},
        "label", "💥👩🏽‍🚒🇧🇪 attack <svg/onload=alert(document.domain)>",
        pages=("threat-levels/index.html",), charts=("threat-levels-timeline",),
        also=((f"{REPORT}/tatp_mentions.csv", (("event_id", "2015-11-paris"),), "name"),),
    ),
    Injection(
        "300-character target description", f"{PUBLIC}/attacks.csv", {"attack_id": "2016-10-05-schaerbeek"},
        "target_detail", "Police officers " + "on the boulevard Lambermont " * 10 + "</title></textarea><script>window.__pwned=1</script>",
        pages=("weapons-targets/index.html", "threat-levels/index.html"),
        charts=("weapons-targets-attack-timeline", "threat-levels-timeline"),
    ),
    Injection(
        "javascript iframe in a quote shown by the notebook", f"{REPORT}/incidents.csv",
        {"connection": "inspired", "incident_type": "attack"}, "quote",
        # Short enough that pandas prints it whole (it cuts cells at 50 characters).
        "<iframe src=javascript:top.__pwned=1> 3 of 4",
        pages=("reproduce/index.html",),
    ),
    Injection(
        "template, Markdown and entity syntax in a source title", "data/source/sources.csv", {"source_id": "geonames"}, "title",
        "{{ 7*7 }} {% raw %} [x](javascript:window.__pwned=1) **bold** &amp; &lt;b&gt; GeoNames",
        pages=("data-dictionary/index.html",),
    ),
    Injection(
        "javascript link in the corrections log", "data/source/corrections.csv", {"scope": "site"}, "change",
        'First publication. </td></tr></table><a href="javascript:window.__pwned=1">click</a>',
        pages=("about/index.html",),
    ),
]
assert len({i.id for i in INJECTIONS}) == len(INJECTIONS)
assert len(INJECTIONS[5].value) >= 300

# Text that, found raw in an HTML file, means a payload became markup.
MARKUP = ["<script>window.__pwned", "<img src=x", "<svg/onload", "<iframe src=", '<a href="javascript:']


def set_cell(root: Path, injection: Injection) -> None:
    _set(root, injection.path, injection.row, injection.column, injection.value)
    for path, row, column in injection.also:
        _set(root, path, dict(row), column, injection.value.split(":", 1)[0].strip())


def _set(root: Path, relative: str, where: dict[str, str], column: str, value: str) -> None:
    path = root / relative
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    hits = [row for row in rows if all(row[k] == v for k, v in where.items())]
    assert len(hits) == 1, f"fixture out of date: {where} in {relative}"
    hits[0][column] = value
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Layout:
    layout = copy_working_tree(tmp_path_factory.mktemp("hostile") / "tree", share_cache=False)
    # Share every cache: all are keyed by content, the notebook's by the data it reads, so the
    # payloads below must reach the notebook page through a fresh run (checked further down).
    layout.cache.mkdir()
    if (ROOT / ".cache").is_dir():
        for shared in (ROOT / ".cache").iterdir():
            if shared.is_dir():
                (layout.cache / shared.name).symlink_to(shared)
    for injection in INJECTIONS:
        set_cell(layout.root, injection)
    # No earlier version of the charts, so the changed data is a first publication rather
    # than a correction that would need a row in the corrections log.
    shutil.rmtree(layout.charts)
    build(layout)
    return layout


def shown_texts(doc: BeautifulSoup) -> Iterator[str]:
    """Everything a page shows or announces: its text nodes and its attribute values."""
    yield from doc.strings
    for element in doc.find_all(True):
        for value in element.attrs.values():
            yield " ".join(value) if isinstance(value, list) else value


def json_strings(value) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from json_strings(item)


@pytest.mark.parametrize("injection", INJECTIONS, ids=[i.id for i in INJECTIONS])
def test_hostile_text_reaches_every_output_intact(hostile, injection, bad_input):
    site = hostile.site
    for page in injection.pages:
        assert any(injection.value in text for text in shown_texts(soup(site / page))), (
            f"{page} does not show {injection.value!r} as text"
        )
    for chart_id in injection.charts:
        with (hostile.charts / f"{chart_id}/v1/{chart_id}.csv").open(encoding="utf-8", newline="") as handle:
            assert any(injection.value in cell for row in csv.reader(handle) for cell in row), chart_id
        spec = json.loads((hostile.charts / f"{chart_id}/v1/{chart_id}.vl.json").read_text(encoding="utf-8"))
        assert any(injection.value in text for text in json_strings(spec)), chart_id
        for scheme in ("light", "dark"):
            compiled = json.loads((site / f"assets/charts/{chart_id}/{scheme}.vg.json").read_text(encoding="utf-8"))
            assert any(injection.value in text for text in json_strings(compiled)), (chart_id, scheme)
    # The raw download carries it too, byte for byte.
    published = (site / "data" / injection.path.removeprefix("data/")).read_text(encoding="utf-8")
    with io.StringIO(published) as handle:
        assert any(injection.value in cell for row in csv.reader(handle) for cell in row)
    bad_input(f"hostile: {injection.id}", "escaped")


def test_no_hostile_text_becomes_markup_in_any_page(hostile):
    problems = []
    pages = sorted(hostile.site.rglob("*.html"))
    for page in pages:
        name = str(page.relative_to(hostile.site))
        raw = page.read_text(encoding="utf-8")
        problems += [f"{name}: raw {fragment!r}" for fragment in MARKUP if fragment in raw]
        doc = soup(page)
        for element in doc.find_all(True):
            for attr, value in element.attrs.items():
                value = " ".join(value) if isinstance(value, list) else value
                if attr.lower().startswith("on") or attr in {"data-x", "srcdoc"}:
                    problems.append(f"{name}: <{element.name} {attr}=…>")
                if attr in {"href", "src", "action", "formaction"} and value.strip().lower().startswith("javascript:"):
                    problems.append(f"{name}: <{element.name} {attr}={value!r}>")
        for script in doc.find_all("script"):
            if "__pwned" in (script.string or ""):
                problems.append(f"{name}: inline script carries a payload")
    assert len(pages) > 30
    assert not problems, "\n".join(problems[:30])


def test_no_hostile_text_becomes_markup_in_any_svg(hostile):
    """The SVG downloads open on their own in a browser, where a script in them would run."""
    drawn = []
    svgs = sorted(hostile.site.rglob("*.svg"))
    for path in svgs:
        name = str(path.relative_to(hostile.site))
        root = ET.fromstring(path.read_bytes())  # well-formed XML, or this raises
        for element in root.iter():
            tag = element.tag.rsplit("}", 1)[-1]
            assert tag not in {"script", "foreignObject", "iframe", "img"}, (name, tag)
            for attr, value in element.attrib.items():
                local = attr.rsplit("}", 1)[-1]
                assert not local.lower().startswith("on"), (name, tag, attr)
                if local == "href":
                    assert not value.strip().lower().startswith("javascript:"), (name, value)
            # A wrapped label keeps its lines in <tspan>s, so read all of the text element.
            if tag == "text" and re.search(r"<(script|img|svg)", "".join(element.itertext())):
                drawn.append(name)
    assert svgs
    # The payloads were drawn, as text, in the charts that show those labels.
    assert any("networks-" in name for name in drawn) and any("timeline" in name for name in drawn), drawn


def test_pages_with_hostile_text_are_still_valid_html(hostile):
    from helpers import allowed, run_vnu

    messages = run_vnu(sorted(hostile.site.rglob("*.html")))
    problems = [f"{m['url'].split('/site/', 1)[-1]}: {m['message']}" for m in messages if not allowed(m)]
    assert not problems, "\n".join(problems[:20])


def test_every_json_file_still_parses(hostile):
    files = sorted(hostile.site.rglob("*.json")) + sorted(hostile.charts.rglob("*.json"))
    for path in files:
        json.loads(path.read_text(encoding="utf-8"))
    assert len(files) > 50


# In a real browser ------------------------------------------------------------------------------

BROWSER_INIT = """
window.__dialogs = [];
for (const name of ["alert", "confirm", "prompt"]) {
  window[name] = (...args) => { window.__dialogs.push(name + ": " + args.join(" ")); };
}
"""


@pytest.fixture(scope="module")
def hostile_url(hostile) -> Iterator[str]:
    server, url = serve(hostile.site)
    yield url
    server.shutdown()


@pytest.fixture(scope="module")
def csp_off(browser, hostile_url):
    # Without the site's Content-Security-Policy, only escaping stands between a payload and the
    # page: the policy is a second line of defence, not the one under test here.
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    context.add_init_script(BROWSER_INIT)
    yield context
    context.close()


# Marks whose data holds a payload (Vega puts the data in each mark's aria-label), plus a few
# others: every hostile tooltip is shown without hovering hundreds of marks.
MARK_BOXES = """figure => {
  const marks = [...figure.querySelectorAll('.btc-chart__view svg [role="graphics-symbol"]')];
  const hostile = marks.filter(m => /[<>]|__pwned|\\p{Extended_Pictographic}|\\p{Script=Arabic}/u.test(m.getAttribute('aria-label') || ''));
  return [...hostile, ...marks.slice(0, 5)].map(m => m.getBoundingClientRect())
    .filter(r => r.width >= 1 && r.height >= 1)
    .map(r => ({x: r.x + r.width / 2, y: r.y + r.height / 2}));
}"""
TOOLTIP = "() => { const t = document.querySelector('#vg-tooltip-element.visible'); return t ? t.textContent : null; }"
STATE = "() => ({pwned: typeof window.__pwned, dialogs: window.__dialogs})"


def open_tab(context, url: str):
    """A tab that notes dialogs and uncaught errors; one tab for many pages, so no new process each time."""
    page = context.new_page()
    events: list[str] = []
    page.on("dialog", lambda dialog: (events.append(f"dialog {dialog.message}"), dialog.dismiss()))
    page.on("pageerror", lambda error: events.append(f"error {error}"))
    page.goto(url, wait_until="load")
    return page, events


def hover_marks(page) -> list[str]:
    """Make every chart live, hover its marks, return the text of each tooltip shown."""
    figures = page.locator("figure.btc-chart")
    count = figures.count()
    if not count:
        return []
    figures.first.dispatch_event("pointerenter")  # the live charts load now, not when idle
    page.wait_for_function(
        "n => document.querySelectorAll('figure.btc-chart.btc-chart--interactive').length === n",
        arg=count, timeout=30_000,
    )
    tips = []
    for i in range(count):
        figures.nth(i).scroll_into_view_if_needed()
        for point in figures.nth(i).evaluate(MARK_BOXES):
            page.mouse.move(point["x"], point["y"])
            text = page.evaluate(TOOLTIP)
            if text:
                tips.append(text)
    return tips


# What every script payload above holds; it survives HTML and JSON escaping as it is.
PAYLOAD_MARKERS = ("__pwned", "alert(document.domain)")
assert all(any(marker in i.value for marker in PAYLOAD_MARKERS) for i in INJECTIONS if re.search(r"[<>]", i.value))


def pages_carrying_a_payload(site: Path) -> list[str]:
    """Every page whose HTML holds a payload, or that draws a chart whose compiled Vega does.

    The others have no hostile text to run: their scripts load nothing but their own charts
    (search, which loads every page's text, is tested below).
    """
    charts_with_payload = {
        match for path in site.rglob("*.vg.json")
        if any(marker in path.read_text(encoding="utf-8") for marker in PAYLOAD_MARKERS)
        for match in re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)+", str(path.relative_to(site)))
    }
    pages = []
    for path in sorted(site.rglob("*.html")):
        html = path.read_text(encoding="utf-8")
        if any(marker in html for marker in PAYLOAD_MARKERS) or (
                set(re.findall(r'data-chart="([^"]+)"', html)) & charts_with_payload):
            pages.append(str(path.relative_to(site)))
    return pages


@pytest.mark.browser
def test_no_injected_script_runs_on_any_page_that_carries_one(hostile, hostile_url, csp_off):
    names = pages_carrying_a_payload(hostile.site)
    # The filter keeps every page an injection shows, and the chart and embed pages of its charts.
    for injection in INJECTIONS:
        if any(marker in injection.value for marker in PAYLOAD_MARKERS):
            assert set(injection.pages) <= set(names), injection.id
            for chart_id in injection.charts:
                assert {f"charts/{chart_id}/index.html", f"charts/{chart_id}/v1/embed/index.html"} <= set(names), chart_id
    page, events = open_tab(csp_off, "about:blank")
    failures: dict[str, dict] = {}
    tips: list[str] = []
    for name in names:
        events.clear()
        page.goto(hostile_url + name.removesuffix("index.html"), wait_until="load")
        # The site's pages get their charts made live and every hostile mark hovered; embed
        # pages draw the same compiled charts, so loading them is enough.
        if "/embed/" not in name:
            tips += hover_marks(page)
        state = page.evaluate(STATE)
        if state["pwned"] != "undefined" or state["dialogs"] or events:
            failures[name] = {**state, "events": list(events)}
    page.close()
    assert not failures, json.dumps(failures, indent=1, ensure_ascii=False)
    # The tooltips showed the hostile labels as text, so they really were exercised.
    for fragment in ("<img src=x", "<svg/onload", "<script>window.__pwned"):
        assert any(fragment in tip for tip in tips), (fragment, tips[:10])


# Search words, and hostile text their results must show literally.
SEARCHES = {"onerror": '<img src=x onerror="window.__pwned=1">', "sweden": 'onmouseover="window.__pwned=1" data-x='}


@pytest.mark.browser
def test_search_results_show_hostile_text_without_running_it(hostile_url, csp_off):
    page, events = open_tab(csp_off, hostile_url)
    search = page.locator("input.md-search__input")
    search.click()
    for query, shown in SEARCHES.items():
        search.fill("")
        search.press_sequentially(query)  # Material searches on key presses
        page.wait_for_function(
            "s => (document.querySelector('.md-search-result__list') || {innerText: ''}).innerText.includes(s)",
            arg=shown, timeout=15_000,
        )
    assert page.locator(".md-search-result img[src='x'], .md-search-result [onmouseover]").count() == 0
    assert page.evaluate(STATE) == {"pwned": "undefined", "dialogs": []}
    assert events == []
    page.close()
