"""The built site in a real browser: Playwright driving Debian's Chromium on 127.0.0.1.

These tests never skip: a machine without /usr/bin/chromium fails them, and .ci/run installs it.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Page, expect

from helpers import AXE, first_visit, new_tab, open_page, serve, wait_for_interactive

from scripts import project
from scripts.paths import ROOT
from scripts.project import PAGE_PATHS as PAGES

pytestmark = pytest.mark.browser

@pytest.fixture(scope="module")
def site_url(built_site) -> Iterator[str]:
    server, url = serve(built_site.site)
    yield url
    server.shutdown()


DESKTOP = {"width": 1280, "height": 900}
WIDEST_PHONE = {"width": 412, "height": 823}


# One tab for each kind of per-page visit, each visit a first one (helpers.first_visit).
@pytest.fixture(scope="module")
def desktop_tab(browser) -> Iterator[Page]:
    page = new_tab(browser, viewport=DESKTOP)
    yield page
    page.context.close()


@pytest.fixture(scope="module")
def phone_tab(browser) -> Iterator[Page]:
    page = new_tab(browser, viewport=WIDEST_PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    yield page
    page.context.close()


@pytest.fixture(scope="module")
def charts_by_page(built_site) -> dict[str, int]:
    from bs4 import BeautifulSoup

    counts = {}
    for page in PAGES:
        html = (built_site.site / page / "index.html").read_text(encoding="utf-8")
        counts[page] = len(BeautifulSoup(html, "html.parser").select("figure.btc-chart"))
    return counts


def settle(page: Page) -> None:
    """Wait until a freshly loaded page has fetched nothing for half a second (Playwright's
    network idle) and its main thread has been idle: whatever a page loads unasked, it has asked
    for by then."""
    page.wait_for_load_state("networkidle")
    page.evaluate("() => new Promise((resolve) => requestIdleCallback(() => resolve()))")


def test_the_vega_runtime_loads_only_when_a_reader_reaches_for_a_chart(browser, site_url):
    page, recorder = open_page(browser, site_url + "geography/", viewport=WIDEST_PHONE)
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
    settle(page)  # loaded and idle, but untouched
    fetched += page.evaluate("() => performance.getEntriesByType('resource').map((entry) => entry.name)")
    assert not [url for url in fetched if "vega-runtime" in url or url.endswith(".vg.json")]
    assert page.locator("figure.btc-chart.btc-chart--interactive").count() == 0
    with page.expect_request(lambda request: "vega-runtime" in request.url):
        page.locator("figure.btc-chart").first.dispatch_event("touchstart")
    page.wait_for_function("() => document.querySelector('figure.btc-chart.btc-chart--interactive') !== null")
    page.context.close()


PAGE_BUDGET = 100 * 1024  # bytes gzip before the reader interacts (issue: performance)


@pytest.mark.parametrize("path", PAGES)
def test_on_phones_each_page_is_light_shows_a_chart_early_and_never_scrolls_sideways(phone_tab, built_site, site_url,
                                                                                      charts_by_page, path):
    """One phone visit per page, from the widest phone to the narrowest: the page's weight, its
    header title whole, the ledger's rows, the first chart's place, no sideways scrolling."""
    page = phone_tab
    recorder = first_visit(page, site_url + path, WIDEST_PHONE)
    # What a phone downloads before the reader does anything, gzipped as GitHub Pages serves it
    # (the test server does not compress, so files are gzipped here).
    settle(page)  # idle too: nothing may sneak in after the load event
    paths = page.evaluate("() => [location.pathname, ...performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname)]")
    files = [built_site.site / p.lstrip("/") for p in paths]
    files = [f / "index.html" if f.is_dir() else f for f in files]
    weight = sum(len(gzip.compress(f.read_bytes(), mtime=0)) for f in files)
    assert weight <= PAGE_BUDGET, f"{path or '/'}: {weight / 1024:.1f} KiB over {len(files)} requests: {paths}"

    # On a common phone: the header's title whole, the ledger's rows of sane height, and on a
    # story page the first chart within two screens.
    page.set_viewport_size(PHONE["viewport"])
    title = header_title_shown(page)
    assert len(title) == 1 and not title[0]["over"], title
    if path == "ledger/":
        assert ledger_row_problems(page, limit=600) == []
    if path in STORY_PAGES:
        top = page.locator("figure.btc-chart").first.evaluate("el => el.getBoundingClientRect().top + window.scrollY")
        assert top < 2 * PHONE["viewport"]["height"], f"{path or 'home'}: the first chart starts {top:.0f} px down"

    # At 360 px nothing scrolls sideways, and the live charts use the narrow layout, drawn for
    # this width rather than scaled down.
    page.set_viewport_size({"width": 360, "height": 740})
    wait_for_interactive(page, charts_by_page[path])
    title = header_title_shown(page)
    assert len(title) == 1 and not title[0]["over"], title
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    widths = page.locator("figure.btc-chart .btc-chart__view svg").evaluate_all("els => els.map(e => e.getAttribute('width'))")
    assert all(float(width) <= 360 for width in widths), widths
    for box in page.locator("figure.btc-chart .btc-chart__frame").evaluate_all("els => els.map(e => e.getBoundingClientRect().right)"):
        assert box <= 360
    assert (recorder.errors, recorder.failed, recorder.foreign) == ([], [], [])
    recorder.detach()


SEARCH_FILES = ("/search/search_index.json", "/assets/javascripts/workers/search.")


@pytest.mark.parametrize("how", ["phone: tap the search button", "desktop: press /"])
def test_search_loads_only_when_a_reader_reaches_for_it(browser, site_url, how):
    phone = how.startswith("phone")
    viewport = WIDEST_PHONE if phone else DESKTOP
    page, recorder = open_page(browser, site_url + "geography/", viewport=viewport, has_touch=phone)
    fetched = []
    page.on("request", lambda request: fetched.append(urlparse(request.url).path))
    page.mouse.click(5, 300)  # a click in the text is not a search
    page.wait_for_timeout(1500)
    fetched += page.evaluate("() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname)")
    assert not [path for path in fetched if path.startswith(SEARCH_FILES)], fetched
    if phone:
        page.locator("label.md-header__button[for='__search']").tap()
    else:
        page.keyboard.press("/")
    page.locator("input.md-search__input").press_sequentially("Charleroi")
    page.wait_for_function(
        "() => (document.querySelector('.md-search-result__list') || {innerText: ''}).innerText.includes('Charleroi')",
        timeout=10_000,
    )
    assert {prefix for prefix in SEARCH_FILES for path in fetched if path.startswith(prefix)} == set(SEARCH_FILES)
    assert recorder.errors == [] and recorder.failed == [], (recorder.errors, recorder.failed)
    page.context.close()


def test_search_highlights_terms_on_arrival_from_a_result(desktop_tab, site_url):
    page = desktop_tab
    recorder = first_visit(page, site_url + "geography/?h=Charleroi", DESKTOP)
    page.wait_for_selector("mark[data-md-highlight]", state="attached", timeout=10_000)
    assert "charleroi" in page.locator("mark[data-md-highlight]").first.inner_text().lower()
    assert recorder.errors == [], recorder.errors
    recorder.detach()


# Words that ask for a pointer: phones and keyboards cannot hover.
HOVER_WORDS = re.compile(r"(?i)\b(?:hover|mouse ?over|point at)")


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_cleanly_upgrades_in_place_and_passes_axe_light_and_dark(desktop_tab, site_url, charts_by_page, path):
    """One desktop visit per page: what it must do as it loads (no shift, no error, no foreign
    request, no list that could move), what it says, its tooltips, then axe in both colour schemes."""
    page = desktop_tab
    recorder = first_visit(page, site_url + path, DESKTOP)
    figures = page.locator("figure.btc-chart")
    before = [figures.nth(i).locator(".btc-chart__frame").bounding_box() for i in range(figures.count())]
    wait_for_interactive(page, charts_by_page[path])
    after = [figures.nth(i).locator(".btc-chart__frame").bounding_box() for i in range(figures.count())]
    assert before == after, "a chart frame moved or resized when it became interactive"
    for i in range(figures.count()):
        view = figures.nth(i).locator(".btc-chart__view svg")
        assert view.count() == 1
        # The live chart covers exactly the static picture's box.
        box, frame = view.bounding_box(), after[i]
        assert abs(box["width"] - frame["width"]) < 1 and abs(box["height"] - frame["height"]) < 1, (box, frame)
    page.wait_for_timeout(300)
    shifts = page.evaluate("window.__shifts")
    assert sum(shift["value"] for shift in shifts) == 0, shifts
    assert page.evaluate("window.__csp") == []
    assert recorder.errors == [], recorder.errors
    assert recorder.failed == [], recorder.failed
    assert recorder.foreign == [], recorder.foreign
    # Instructions are worded for every device.
    text = page.evaluate("document.body.innerText")
    assert not [text[max(0, m.start() - 40): m.end() + 40] for m in HOVER_WORDS.finditer(text)]
    assert nav_lists_that_would_move(page) == []
    if path == "ledger/":
        assert ledger_row_problems(page, limit=200) == []
    # Pointing at a mark of each live chart shows its tooltip.
    missing = [figure.get_attribute("data-chart") for figure in figures.all() if not shows_a_tooltip(page, figure)]
    assert not missing, f"no tooltip on: {missing}"
    page.mouse.move(1279, 450)  # off the content column: the tooltip goes
    page.wait_for_selector("#vg-tooltip-element.visible", state="detached")

    # axe, evaluated as the test's own script (the page's Content-Security-Policy stays on).
    page.evaluate(AXE.read_text(encoding="utf-8"))
    problems = {"default": axe_violations(page)}
    page.locator("label[for='__palette_1']").first.click()
    page.wait_for_function("() => document.body.getAttribute('data-md-color-scheme') === 'slate'")
    # Every live chart repainted on the slate background before the dark scheme is checked.
    page.wait_for_function(
        "() => [...document.querySelectorAll('.btc-chart__view svg')].every("
        "svg => svg.style.backgroundColor === 'rgb(30, 33, 41)')", timeout=10_000)
    # The toggle's tooltip fades in; axe would measure its contrast mid-fade.
    page.wait_for_function("() => document.getAnimations().every((a) => a.playState !== 'running'"
                           " || a.effect.getComputedTiming().endTime === Infinity)")
    problems["slate"] = axe_violations(page)
    assert problems == {"default": [], "slate": []}, json.dumps(problems, indent=1)
    assert recorder.errors == [], recorder.errors
    recorder.detach()


def axe_violations(page: Page) -> list[str]:
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})" for v in result["violations"]]


def nav_lists_that_would_move(page: Page) -> list[float]:
    """The cause of a rare layout shift (UL.md-nav__list moved 9 px under two test workers).

    A busy browser may paint a page it has parsed only up to a list's <ul>; when the first item
    arrived, its top margin collapsed through the list and moved it down. Deterministically: an
    empty copy of each list must sit exactly where the list does.
    """
    return page.evaluate("""() => [...document.querySelectorAll('.md-nav__list')].filter(ul => ul.offsetParent).map(ul => {
      const empty = ul.cloneNode(false);
      ul.parentNode.insertBefore(empty, ul);
      const gap = ul.getBoundingClientRect().top - empty.getBoundingClientRect().top - empty.getBoundingClientRect().height;
      empty.remove();
      return gap;
    }).filter(gap => Math.abs(gap) > 0.01)""")


def test_static_charts_are_in_the_html_before_any_script(browser, site_url, charts_by_page):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()  # one tab for every page: without scripts, nothing carries over
    for path, expected in charts_by_page.items():
        page.goto(site_url + path)
        images = page.locator("figure.btc-chart img.btc-chart__static--light")
        assert images.count() == expected, path
        for i in range(expected):
            image = images.nth(i)
            assert image.is_visible(), path
            assert image.evaluate("img => img.complete && img.naturalWidth > 0"), path
            assert page.locator("figure.btc-chart .btc-chart__frame").nth(i).get_attribute("aria-label").strip()
            block = page.locator(".btc-chart-block").nth(i)
            assert block.locator("figure.btc-chart").count() == 1
            block.locator("details.btc-chart__data summary").click()
            assert block.locator("details.btc-chart__data table").is_visible()
    context.close()


def hover_points(figure) -> Iterator[tuple[float, float]]:
    """Where to point at a live chart: marks whose data carries a tooltip first, then any shape."""
    yield from figure.evaluate(MARK_CENTRES)[:5]
    marks = figure.locator(".btc-chart__view svg [role='graphics-symbol'], .btc-chart__view svg path, .btc-chart__view svg circle")
    for j in range(min(marks.count(), 40)):
        box = marks.nth(j).bounding_box()
        if box and box["width"] >= 2 and box["height"] >= 2:
            yield box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def shows_a_tooltip(page: Page, figure) -> bool:
    """Point at a live chart's marks until one shows its tooltip."""
    figure.scroll_into_view_if_needed()
    for x, y in hover_points(figure):
        page.mouse.move(x, y)
        try:
            page.wait_for_selector("#vg-tooltip-element.visible", timeout=400)
            return True
        except Exception:
            continue
    return False


def test_palette_switch_and_instant_navigation_keep_charts_right(desktop_tab, site_url, charts_by_page):
    page = desktop_tab
    recorder = first_visit(page, site_url, DESKTOP)
    wait_for_interactive(page, charts_by_page[""])
    light_bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.locator("label[for='__palette_1']").first.click()
    page.wait_for_function("() => document.body.getAttribute('data-md-color-scheme') === 'slate'")
    # Material's slate background, which the dark chart theme shares.
    page.wait_for_function(
        "() => [...document.querySelectorAll('.btc-chart__view svg')].every("
        "svg => svg.style.backgroundColor === 'rgb(30, 33, 41)')",
        timeout=10_000,
    )
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != light_bg
    # Walk every page through Material's instant navigation (no full reloads).
    for path in [*PAGES[1:], ""]:
        page.evaluate("url => { const a = document.createElement('a'); a.href = url; document.querySelector('.md-content').appendChild(a); a.click(); }", site_url + path)
        page.wait_for_url(site_url + path)
        expected = charts_by_page[path]
        wait_for_interactive(page, expected)
        assert page.evaluate("window.__btcCharts ? window.__btcCharts.count() : 0") == expected, path
        assert page.locator(".btc-chart__view").count() == expected, path
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1, "a full reload happened"
    assert recorder.errors == [], recorder.errors
    recorder.detach()


def test_no_text_is_cut_off_at_the_edge_of_a_static_chart(browser, built_site):
    """Every label, legend entry and note lies inside its image, in the phone layout too.

    An SVG clips what is drawn past its edges, so a long label near the edge loses letters.
    """
    page = browser.new_page()
    cut = {}
    for svg in sorted((built_site.site / "assets" / "charts").glob("*/light*.svg")):
        page.goto(svg.resolve().as_uri())
        outside = page.evaluate("""() => {
            const root = document.documentElement, box = root.viewBox.baseVal;
            return [...root.querySelectorAll('text')].map(text => [text.textContent, text.getBoundingClientRect()])
              .filter(([, r]) => r.left < -1 || r.top < -1 || r.right > box.width + 1 || r.bottom > box.height + 1)
              .map(([label]) => label);
        }""")
        if outside:
            cut[f"{svg.parent.name}/{svg.name}"] = outside
    page.close()
    assert not cut, cut


def test_embed_pages_render_inside_an_iframe_on_another_origin(browser, built_site, site_url, tmp_path):
    catalogue = json.loads((built_site.charts / "index.json").read_text(encoding="utf-8"))
    entries = catalogue["charts"] if isinstance(catalogue, dict) else catalogue
    frames = "\n".join(
        f'<iframe src="{project.Chart.of(e).embed_url(site_url)}" title="{e["id"]}" width="100%" height="50"></iframe>'
        for e in entries
    )
    host = tmp_path / "host"
    host.mkdir()
    (host / "index.html").write_text(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="default-src \'self\'; img-src data:; script-src {site_url}; frame-src {site_url}">'
        f'<title>Newsroom</title><link rel="icon" href="data:,"></head><body><h1>Story</h1>{frames}'
        f'<script src="{site_url}assets/js/embed-host.js" async></script></body></html>',
        encoding="utf-8",
    )
    server, host_url = serve(host)
    try:
        page, recorder = open_page(browser, host_url, viewport={"width": 800, "height": 900})
        for entry in entries:
            frame = page.frame_locator(f"iframe[title='{entry['id']}']")
            frame.locator(".btc-chart__frame").wait_for(state="visible")
            # Either the static picture or the live chart that replaced it is showing.
            frame.locator(".btc-chart__static--light, .btc-chart__view svg").locator("visible=true").first.wait_for()
            assert frame.locator("a.btc-embed__credit").is_visible()
        # The host script grew every iframe from 50px to its chart's height.
        page.wait_for_function(
            "() => [...document.querySelectorAll('iframe')].every(f => f.getBoundingClientRect().height > 150)",
            timeout=10_000,
        )
        assert recorder.errors == [], recorder.errors
        page.context.close()
    finally:
        server.shutdown()


# --- Reader experience (issue 15): the story first on a phone, and the trail behind every number ---

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
STORY_PAGES = [page.path for page in project.PAGES if page.section is not None]


def palette(context, scheme: str) -> None:
    """Material's stored palette choice, set before any page of the context loads."""
    index = 0 if scheme == "default" else 1
    context.add_init_script(
        f"localStorage.setItem('/.__palette', JSON.stringify({{index: {index}, color: {{media: '', "
        f"scheme: '{scheme}', primary: 'indigo', accent: 'indigo'}}}}))"
    )


def ledger_row_problems(page: Page, limit: int) -> list:
    """Ledger rows as tall as ``limit`` or more, and columns that shrank to a sliver (the old Id
    column printed one letter a line)."""
    heights = page.locator(".btc-ledger--full tbody tr").evaluate_all(
        "rows => rows.map(row => [row.id, Math.round(row.getBoundingClientRect().height)])")
    assert len(heights) > 100
    widths = page.locator(".btc-ledger--full tbody tr:first-child td").evaluate_all(
        "cells => cells.map(cell => cell.getBoundingClientRect().width)")
    assert widths
    return [(row, height) for row, height in heights if height >= limit] + [w for w in widths if w < 60]


@pytest.mark.parametrize("width", [1280, 390])
def test_following_a_number_lands_on_its_highlighted_ledger_row_with_headers_in_view(browser, site_url, width):
    """Tap or click a number on a section page: its ledger row is in view, highlighted, and on a
    desktop the table's header row is visible above it (on a phone each cell is labelled)."""
    page, _ = open_page(browser, site_url + "nationalities/", viewport={"width": width, "height": 900},
                        is_mobile=width < 600, has_touch=width < 600)
    number = page.locator("a.btc-finding[data-finding='moroccan-linked-share']").first
    if width < 600:
        number.tap()
    else:
        number.click()
    page.wait_for_url("**/ledger/#finding-moroccan-linked-share")
    row = page.locator("#finding-moroccan-linked-share")
    row.wait_for()
    page.wait_for_timeout(300)
    box = row.bounding_box()
    header = page.locator(".md-header").bounding_box()
    assert header["y"] + header["height"] - 1 <= box["y"] < 900, box
    background = "el => getComputedStyle(el.querySelector('td')).backgroundColor"
    other = page.locator("#finding-moroccan-linked").evaluate(background)
    assert row.evaluate(background) not in (other, "rgba(0, 0, 0, 0)"), "the arrival row is not highlighted"
    if width >= 760:
        thead = row.evaluate("""el => { const r = el.closest('table').querySelector('thead th').getBoundingClientRect();
                                      return {top: r.top, bottom: r.bottom}; }""")
        assert header["y"] + header["height"] - 1 <= thead["top"] and thead["bottom"] <= box["y"] + 1, (thead, box)
    else:
        assert row.evaluate("el => getComputedStyle(el.querySelector('td'), '::before').content") != "none"
    page.context.close()


def test_the_ledger_row_highlight_works_on_a_direct_visit(desktop_tab, site_url):
    page = desktop_tab
    recorder = first_visit(page, site_url + "ledger/#finding-route-overlap-arrest-actions", DESKTOP)
    row = page.locator("#finding-route-overlap-arrest-actions")
    assert row.evaluate("el => el.matches(':target')")
    background = row.evaluate("el => getComputedStyle(el.querySelector('td')).backgroundColor")
    assert background != "rgba(0, 0, 0, 0)"
    recorder.detach()


def test_a_number_is_reachable_by_keyboard_and_described_in_plain_words(desktop_tab, site_url, built_site):
    import csv

    with (built_site.derived / "findings.csv").open(encoding="utf-8", newline="") as handle:
        ledger = {row["id"]: row for row in csv.DictReader(handle)}
    page = desktop_tab
    recorder = first_visit(page, site_url + "networks/", DESKTOP)
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('btc-finding')"):
            break
    else:
        pytest.fail("no number on the page takes keyboard focus")
    finding_id = page.evaluate("document.activeElement.dataset.finding")
    focused = page.locator(":focus")
    from playwright.sync_api import expect

    expect(focused).to_have_accessible_description(re.compile(re.escape(ledger[finding_id]["explanation"])))
    # Every number on the page is described, and by the plain words, not the formula.
    for number in page.locator("a.btc-finding").all():
        finding_id = number.get_attribute("data-finding")
        expect(number).to_have_accessible_description(re.compile(re.escape(ledger[finding_id]["explanation"])))
    # Enter follows it to its ledger row.
    focused_id = page.evaluate("document.activeElement.dataset.finding")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/ledger/#finding-{focused_id}")
    recorder.detach()


def _luminance(rgb: str) -> float:
    channels = [float(c) / 255 for c in re.findall(r"[\d.]+", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_the_headline_is_dark_and_bold_and_outweighs_nothing_else(browser, site_url, scheme):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    palette(context, scheme)
    page = context.new_page()
    page.goto(site_url)
    style = page.locator("article h1").evaluate("""el => { const s = getComputedStyle(el);
        let bg = 'rgba(0, 0, 0, 0)', node = el;
        while (node && (bg === 'rgba(0, 0, 0, 0)' || bg === 'transparent')) { bg = getComputedStyle(node).backgroundColor; node = node.parentElement; }
        return {color: s.color, weight: s.fontWeight, opacity: s.opacity, size: parseFloat(s.fontSize), bg}; }""")
    # Material's text colours are translucent: blend onto the background before measuring.
    alpha = float((re.findall(r"[\d.]+", style["color"]) + ["1", "1", "1", "1"])[3]) if "rgba" in style["color"] else 1.0
    fg = [float(c) for c in re.findall(r"[\d.]+", style["color"])[:3]]
    bg = [float(c) for c in re.findall(r"[\d.]+", style["bg"])[:3]]
    blended = "rgb(" + ",".join(str(alpha * f + (1 - alpha) * b) for f, b in zip(fg, bg)) + ")"
    lighter, darker = sorted([_luminance(blended), _luminance(style["bg"])], reverse=True)
    contrast = (lighter + 0.05) / (darker + 0.05)
    assert contrast >= 10, (style, contrast)
    assert int(style["weight"]) >= 700 and float(style["opacity"]) == 1, style
    stat = page.locator(".btc-headline__figure").first.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    assert style["size"] > stat, (style["size"], stat)
    context.close()


def header_title_shown(page: Page) -> list[dict]:
    """The header's title as shown, and whether it is cut (one title, never cut, is right)."""
    return page.evaluate("""() => {
        const topic = document.querySelector('.md-header__topic');
        const shown = [...topic.children].filter(el => getComputedStyle(el).display !== 'none');
        const t = topic.getBoundingClientRect();
        return shown.map(el => { const r = el.getBoundingClientRect();
          return {text: el.textContent.trim(), over: el.scrollWidth > el.clientWidth || r.right > t.right + 0.5 || r.left < t.left - 0.5}; });
    }""")


# Charts for every hand and every reader (issue 15) ---------------------------------------------

MARK_CENTRES = """figure => {
  const out = [];
  const walk = (node) => {
    const item = Array.isArray(node.__data__) ? node.__data__[0] : node.__data__;
    if (item && item.tooltip != null) {
      const r = node.getBoundingClientRect();
      if (r.width > 4 && r.height > 4) out.push([r.x + r.width / 2, r.y + r.height / 2]);
    }
    for (const child of node.children) walk(child);
  };
  walk(figure.querySelector('.btc-chart__view svg'));
  return out;
}"""


def catalogue_entries(built_site) -> dict[str, dict]:
    catalogue = json.loads((built_site.charts / "index.json").read_text(encoding="utf-8"))
    return {entry["id"]: entry for entry in (catalogue["charts"] if isinstance(catalogue, dict) else catalogue)}


def test_tapping_a_mark_shows_its_tooltip_and_tapping_elsewhere_closes_it(browser, site_url):
    page, recorder = open_page(browser, site_url + "networks/", **PHONE)
    figure = page.locator("figure.btc-chart").first
    figure.scroll_into_view_if_needed()
    box = figure.locator(".btc-chart__frame").bounding_box()
    page.touchscreen.tap(box["x"] + 2, box["y"] + 2)  # the first touch loads the live view
    page.wait_for_selector("figure.btc-chart.btc-chart--interactive")
    x, y = figure.evaluate(MARK_CENTRES)[0]
    page.touchscreen.tap(x, y)
    page.wait_for_selector("#vg-tooltip-element.visible", timeout=2000)
    tip = page.locator("#vg-tooltip-element").bounding_box()
    assert tip["x"] >= 0 and tip["x"] + tip["width"] <= 390, tip  # on screen, on a phone
    page.touchscreen.tap(380, 120)  # elsewhere
    page.wait_for_selector("#vg-tooltip-element.visible", state="detached", timeout=2000)
    assert recorder.errors == [], recorder.errors
    page.context.close()


def test_the_keyboard_reaches_each_mark_and_a_live_region_reads_it(desktop_tab, site_url):
    page = desktop_tab
    recorder = first_visit(page, site_url + "networks/", DESKTOP)
    for _ in range(300):  # Tab through the page into the first chart
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('btc-chart__frame')"):
            break
    else:
        raise AssertionError("no chart is reachable with the Tab key")
    page.wait_for_selector("figure.btc-chart.btc-chart--interactive")
    figure = page.locator("figure.btc-chart:has(.btc-chart__frame:focus)")
    marks = page.evaluate("f => window.__btcCharts.marks(f)", figure.element_handle())
    assert len(marks) >= 2, marks
    page.keyboard.press("ArrowRight")
    live = page.locator("[aria-live].btc-chart__announce")
    page.wait_for_function("() => (document.querySelector('.btc-chart__announce') || {}).textContent", timeout=2000)
    assert live.text_content() == f"1 of {len(marks)}: {marks[0]}"
    assert figure.locator(".btc-chart__focus").is_visible()
    page.keyboard.press("ArrowRight")
    assert live.text_content() == f"2 of {len(marks)}: {marks[1]}"
    page.keyboard.press("Escape")
    assert figure.locator(".btc-chart__focus").count() == 0
    assert recorder.errors == [], recorder.errors
    recorder.detach()


def test_the_live_view_is_named_by_the_description_which_is_said_once(desktop_tab, built_site, site_url):
    entries = catalogue_entries(built_site)
    page = desktop_tab
    recorder = first_visit(page, site_url + "nationalities/", DESKTOP)

    def check(state):
        article = page.locator("article").aria_snapshot()
        for i in range(page.locator("figure.btc-chart").count()):
            figure = page.locator("figure.btc-chart").nth(i)
            description = entries[figure.get_attribute("data-chart")]["description"]
            frame = figure.locator(".btc-chart__frame")
            # An image named by the description, and nothing inside it (no axis labels).
            expect(frame).to_have_role("img")
            expect(frame).to_have_accessible_name(description)
            snapshot = frame.aria_snapshot()
            assert len(snapshot.strip().splitlines()) == 1 and "img" in snapshot, (state, snapshot)
            assert article.count(description[:60]) == 1, (state, description)

    check("static")
    wait_for_interactive(page, page.locator("figure.btc-chart").count())
    check("live")
    recorder.detach()


def test_the_data_table_names_its_chart_and_fits_a_phone(browser, site_url):
    page, _ = open_page(browser, site_url + "weapons-targets/", **PHONE)
    internal = {"finding_id", "source_key", "source_table", "source_column", "x", "y", "label_at", "start", "end",
                "pin_top", "tier", "role", "name_break"}
    for i in range(page.locator(".btc-chart-block").count()):
        block = page.locator(".btc-chart-block").nth(i)
        title = block.locator(".btc-chart__title").inner_text()
        summary = block.locator("details.btc-chart__data summary")
        assert summary.evaluate("s => s.textContent") == f"Data behind the chart: {title}"
        summary.click()
        table = block.locator("details.btc-chart__data table")
        headers = table.locator("thead th").evaluate_all("ths => ths.map(th => th.textContent)")
        assert not internal & set(headers), headers
        caption = table.locator("caption").bounding_box()
        assert table.bounding_box()["width"] <= 390 and caption["x"] + caption["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.context.close()


def test_a_dark_system_gets_the_dark_theme_without_javascript(browser, site_url):
    context = browser.new_context(java_script_enabled=False, color_scheme="dark", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(site_url + "networks/")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(30, 33, 41)", background  # Material's slate
    figure = page.locator("figure.btc-chart").first
    assert figure.locator("img.btc-chart__static--dark").is_visible()
    assert not figure.locator("img.btc-chart__static--light").is_visible()
    # Search and the palette switch need scripts: a note says so.
    assert page.locator(".btc-noscript").is_visible()
    context.close()


def test_heading_anchors_are_hidden_from_assistive_technology(desktop_tab, site_url):
    page = desktop_tab
    recorder = first_visit(page, site_url + "networks/", DESKTOP)
    snapshot = page.locator("article").aria_snapshot()
    assert "¶" not in snapshot and "Permanent link" not in snapshot, snapshot[:500]
    assert page.locator("a.headerlink").count() > 0
    recorder.detach()


# --- Embeds (issue 18, part 3): sized right at every width, scheme and host policy ---

EMBED_WIDTHS = (320, 375, 600, 768, 1000, 1280)
# A representative set rather than all 17 on the resizing host: the map, the tallest chart
# (networks-diagram), the longest title, the shortest chart and a tall one with a long note.
# Every chart shares one embed template and stylesheet; what differs is height, caption length
# and layout, which these span. The fallback height without the helper is checked for all 17.
EMBED_SAMPLE = (
    "geography-regions-map", "networks-diagram", "overview-linked-vs-inspired",
    "threat-levels-convict-status", "threat-levels-timeline",
)
EMBED_FIXED = ("geography-regions-map", "networks-diagram")  # also pasted in fixed light and dark


def reuse_snippets(built_site) -> dict[str, list[str]]:
    """Each chart's embed snippets as its own page offers them: [auto, light, dark]."""
    from bs4 import BeautifulSoup

    snippets = {}
    for entry in json.loads((built_site.charts / "index.json").read_text(encoding="utf-8")):
        page = built_site.site / project.Chart.of(entry).chart_page_url("") / "index.html"
        doc = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        snippets[entry["id"]] = [pre.get_text() for pre in doc.select("pre.btc-embed-code")]
    return snippets


def as_pasted(snippet: str, site_url: str, helper: str | None) -> str:
    """A snippet pointed at the test server; its helper script self-hosted (or left out)."""
    snippet = re.sub(r'src="[^"]*?/(charts/[^"]*/embed/[^"]*)"', lambda m: f'src="{site_url}{m.group(1)}"', snippet)
    script = re.compile(r'<script src="[^"]*embed-host\.js" async></script>')
    return script.sub(f'<script src="{helper}" async></script>' if helper else "", snippet)


def host_page(directory: Path, body: str, policy: str) -> str:
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "docs" / "assets" / "js" / "embed-host.js", directory / "embed-host.js")
    (directory / "index.html").write_text(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
        f'<title>Newsroom</title><link rel="icon" href="data:,"></head>'
        f'<body style="margin:0">{body}</body></html>',
        encoding="utf-8",
    )
    return "index.html"


# Per iframe on the host: its box, and inside it the content's height, width and what it shows.
MEASURE = """async (frame) => {
  const box = frame.getBoundingClientRect();
  const style = getComputedStyle(frame);
  return { height: box.height, width: box.width, room: frame.parentElement.clientWidth, border: style.borderTopWidth, src: frame.src };
}"""
INSIDE = """() => {
  const body = document.body.getBoundingClientRect();
  const frame = document.querySelector('.btc-chart__frame');
  const shown = [...document.querySelectorAll('img.btc-chart__static')].find((img) => img.offsetParent !== null);
  return {
    content: body.height,
    viewport: document.documentElement.clientHeight,
    overflowX: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    background: getComputedStyle(document.body).backgroundColor,
    image: shown ? shown.currentSrc.split('/').pop() : null,
    drawn: shown ? shown.naturalWidth : 0,
    frameWidth: frame.getBoundingClientRect().width,
    loaded: shown ? shown.complete && shown.naturalWidth > 0 : false,
  };
}"""


def embed_states(page: Page) -> list[dict]:
    states = []
    for handle in page.locator("iframe").element_handles():
        outer = handle.evaluate(MEASURE)
        inner = handle.content_frame().evaluate(INSIDE)
        states.append({**outer, **inner})
    return states


def expected_layout(width: float) -> str:
    """The drawing an embed of this viewport width shows: render.NARROW_MEDIA and WIDE_MEDIA."""
    return "-narrow" if width < 560 else "-wide" if width >= 832 else ""


def layout_problems(states: list[dict]) -> list[str]:
    problems = []
    for s in states:
        name = s["src"].split("charts/")[-1]
        drawn_as = re.search(r"(?:light|dark)(-narrow|-wide)?\.svg$", s["image"] or "")  # <id>-<scheme><layout>.svg
        layout = (drawn_as.group(1) or "") if drawn_as else None
        if not s["loaded"] or layout != expected_layout(s["width"]):
            problems.append(f"{name} at {s['width']:.0f} px shows {s['image']}")
        # Type keeps its size: a drawing is never shown larger than it was drawn, nor much smaller.
        elif not 0.85 * s["drawn"] - 1 <= s["frameWidth"] <= s["drawn"] + 0.5 and s["width"] >= 375:
            problems.append(f"{name} at {s['width']:.0f} px: {s['drawn']} px drawing shown {s['frameWidth']:.0f} px wide")
        if s["overflowX"] > 0:
            problems.append(f"{name} at {s['width']:.0f} px scrolls sideways by {s['overflowX']} px")
    return problems


def wait_until_settled(page: Page, fitted: bool = True, seconds: float = 15) -> list[dict]:
    """Poll until every iframe shows the drawing made for its width (a resize swaps the picture
    only once the new one has loaded) and, with ``fitted``, is as tall as its content (within
    2 px); return the last states."""
    deadline = time.monotonic() + seconds
    while True:
        states = embed_states(page)
        settled = not layout_problems(states) and (
            not fitted or all(abs(s["height"] - s["content"]) <= 2 for s in states))
        if settled or time.monotonic() > deadline:
            return states
        page.wait_for_timeout(100)


def dark(rgb: str) -> bool:
    return _luminance(rgb) < 0.2


@pytest.mark.parametrize("reader", ["light", "dark"])
def test_embeds_fit_their_content_through_resizes_on_a_strict_host_with_a_self_hosted_helper(
        browser, built_site, site_url, tmp_path, reader):
    snippets = reuse_snippets(built_site)
    pasted = [(chart_id, "auto", snippets[chart_id][0]) for chart_id in EMBED_SAMPLE]
    pasted += [(chart_id, scheme, snippets[chart_id][i]) for chart_id in EMBED_FIXED for i, scheme in ((1, "light"), (2, "dark"))]
    body = "\n".join(as_pasted(snippet, site_url, "embed-host.js") for _, _, snippet in pasted)
    # The host allows scripts from itself only and no inline styles: the helper is a copy on the
    # host, and the snippet's style attribute is ignored (the helper sets width and border).
    host = tmp_path / "host"
    host_page(host, body, f"default-src 'self'; script-src 'self'; frame-src {site_url}; img-src 'self' data:")
    server, host_url = serve(host)
    try:
        # Tall enough that no iframe is off screen (lazy loading, and throttled rendering of
        # off-screen frames from another origin).
        page, recorder = open_page(browser, host_url, viewport={"width": 1000, "height": 9000}, color_scheme=reader)
        page.wait_for_function("n => document.querySelectorAll('iframe').length === n", arg=len(pasted))
        for frame in page.locator("iframe").element_handles():
            frame.content_frame().wait_for_load_state("load")
        problems = []
        for width in (1000, 320, 1000, 375, 600, 768, 1280):
            page.set_viewport_size({"width": width, "height": 9000})
            states = wait_until_settled(page)
            for (chart_id, scheme, _), s in zip(pasted, states):
                where = f"{chart_id} ({scheme}) at {width} px"
                if abs(s["height"] - s["content"]) > 2:
                    problems.append(f"{where}: iframe {s['height']:.0f} px, content {s['content']:.0f} px")
                if s["width"] != s["room"] or s["border"] != "0px":
                    problems.append(f"{where}: iframe {s['width']:.0f} of {s['room']} px wide with a {s['border']} border")
                # Auto follows the reader; light and dark stay as pasted.
                want_dark = scheme == "dark" or (scheme == "auto" and reader == "dark")
                shows_dark = re.search(r"dark(-narrow|-wide)?\.svg$", s["image"] or "") is not None
                if dark(s["background"]) != want_dark or shows_dark != want_dark:
                    problems.append(f"{where}: background {s['background']}, picture {s['image']}")
            problems += [f"{p} (after {width})" for p in layout_problems(states)]
        assert not problems, "\n".join(problems)
        # The policy refuses style attributes (the snippet's among them), and nothing else.
        assert {v.split()[0] for v in page.evaluate("window.__csp")} <= {"style-src-attr"}
        errors = [e for e in recorder.errors if not e.startswith("Applying inline style violates")]
        # A picture whose layout changed while it loaded drops that fetch: not a failure.
        failed = [f for f in recorder.failed if not f.endswith("net::ERR_ABORTED")]
        assert errors == [] and failed == [], (errors, failed)
        page.context.close()
    finally:
        server.shutdown()


def test_without_the_helper_the_snippet_holds_the_whole_chart_at_common_widths(browser, built_site, site_url, tmp_path):
    """Every chart's snippet, its script left out, on a host that allows inline styles."""
    snippets = reuse_snippets(built_site)
    assert set(snippets) == set(catalogue_entries(built_site))
    body = "\n".join(as_pasted(options[0], site_url, None) for options in snippets.values())
    host = tmp_path / "host"
    host_page(host, body, f"script-src 'self'; frame-src {site_url}")
    server, host_url = serve(host)
    try:
        page, recorder = open_page(browser, host_url, viewport=DESKTOP)
        for frame in page.locator("iframe").all():
            frame.scroll_into_view_if_needed()  # lazy frames load as they come near
            frame.element_handle().content_frame().wait_for_load_state("load")
        problems = []
        for width in EMBED_WIDTHS:
            # Tall enough to show every iframe: Chromium stops laying out cross-origin frames that
            # are off screen, so their pictures would not follow the new width.
            page.set_viewport_size({"width": width, "height": 20000})
            states = wait_until_settled(page, fitted=False)
            for chart_id, s in zip(snippets, states):
                if s["content"] > s["height"] or s["content"] > s["viewport"]:
                    problems.append(f"{chart_id} at {width} px: content {s['content']:.0f} px in a {s['height']:.0f} px iframe")
                if s["width"] != s["room"] or s["border"] != "0px":
                    problems.append(f"{chart_id} at {width} px: iframe {s['width']:.0f} of {s['room']} px wide with a {s['border']} border")
            problems += layout_problems(states)
        assert not problems, "\n".join(problems)
        assert page.evaluate("window.__csp") == []
        assert recorder.errors == [], recorder.errors
        page.context.close()
    finally:
        server.shutdown()


VEGA_EMBED_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:">
<title>Newsroom</title><link rel="icon" href="data:,"></head><body>
{containers}
<script src="vega.min.js"></script><script src="vega-lite.min.js"></script><script src="vega-embed.min.js"></script>
<script src="main.js"></script></body></html>
"""
# The recipe of docs/reuse.md: vega-embed with ast: true evaluates expressions with
# vega-interpreter, so no 'unsafe-eval'. The last container, without it, shows the policy bites.
VEGA_EMBED_MAIN = """
window.__rendered = {};
const ids = JSON.parse(document.body.dataset.ids);
for (const id of ids) {
  const options = { ast: true, renderer: "svg", actions: false };  // vega-embed brings vega-interpreter
  fetch(`specs/${id}.vl.json`).then((r) => r.json())
    .then((spec) => vegaEmbed(`#chart-${id}`, spec, options))
    .then(() => { window.__rendered[id] = "ok"; }, (error) => { window.__rendered[id] = String(error); });
}
fetch(`specs/${ids[0]}.vl.json`).then((r) => r.json())
  .then((spec) => vegaEmbed("#without-interpreter", spec, { renderer: "svg", actions: false }))
  .then(() => { window.__rendered.without = "ok"; }, (error) => { window.__rendered.without = String(error); });
"""


def test_the_published_specs_render_in_vega_embed_under_a_policy_without_unsafe_eval(browser, built_site, tmp_path):
    entries = catalogue_entries(built_site)
    host = tmp_path / "host"
    (host / "specs").mkdir(parents=True)
    for chart_id, entry in entries.items():
        shutil.copy(built_site.site / "charts" / entry["files"]["vegalite"], host / "specs" / f"{chart_id}.vl.json")
    modules = ROOT / "node_modules"
    for name, package in (("vega.min.js", "vega"), ("vega-lite.min.js", "vega-lite"), ("vega-embed.min.js", "vega-embed")):
        shutil.copy(modules / package / "build" / name, host / name)
    (host / "main.js").write_text(VEGA_EMBED_MAIN, encoding="utf-8")
    containers = "".join(f'<div id="chart-{chart_id}"></div>' for chart_id in entries) + '<div id="without-interpreter"></div>'
    page_html = VEGA_EMBED_PAGE.format(containers=containers).replace("<body>", f"<body data-ids='{json.dumps(list(entries))}'>")
    (host / "index.html").write_text(page_html, encoding="utf-8")
    server, host_url = serve(host)
    try:
        page, recorder = open_page(browser, host_url, viewport={"width": 1000, "height": 900})
        page.wait_for_function("n => Object.keys(window.__rendered).length === n", arg=len(entries) + 1, timeout=60_000)
        rendered = page.evaluate("window.__rendered")
        failed = {chart_id: rendered[chart_id] for chart_id in entries if rendered[chart_id] != "ok"}
        assert not failed, failed
        for chart_id in entries:
            marks = page.locator(f"#chart-{chart_id} svg .mark-text, #chart-{chart_id} svg path, #chart-{chart_id} svg rect")
            assert marks.count() > 3, chart_id
        violations = page.evaluate("window.__csp")
        # Only the control, drawn with vega's code generator, was refused, for eval.
        assert rendered["without"] != "ok" or violations, rendered["without"]
        assert violations and all(v.startswith("script-src") and v.endswith("eval") for v in violations), violations
        page.context.close()
    finally:
        server.shutdown()


def test_the_live_embed_follows_the_reader_and_switches_layouts(browser, built_site, site_url):
    """Once a reader reaches for it, the embed's live chart is the one its static picture was."""
    meta = json.loads((built_site.site / "assets" / "charts" / "geography-regions-map" / "meta.json").read_text())
    catalogue = {entry["id"]: entry for entry in json.loads((built_site.charts / "index.json").read_text(encoding="utf-8"))}
    page, recorder = open_page(browser, project.Chart.of(catalogue["geography-regions-map"]).embed_url(site_url),
                               viewport={"width": 1000, "height": 900}, color_scheme="dark")
    wait_for_interactive(page, 1)
    view = page.locator(".btc-chart__view svg")
    for width, layout in ((1000, "wide"), (320, "narrow"), (700, "")):
        page.set_viewport_size({"width": width, "height": 900})
        drawn = meta[f"{layout}_width" if layout else "width"]
        page.wait_for_function("w => document.querySelector('.btc-chart__view svg')?.getAttribute('width') == w", arg=str(drawn))
        assert dark(page.evaluate("getComputedStyle(document.body).backgroundColor"))
        # Painted dark: the live view's background is the dark theme's, not white.
        assert view.evaluate("svg => svg.style.backgroundColor") == "rgb(30, 33, 41)"
    assert recorder.errors == [] and page.evaluate("window.__csp") == []
    page.context.close()
