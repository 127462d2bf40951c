"""The built site, read as files: pages, chart figures, downloads, embeds, privacy and CSP."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest
from bs4 import BeautifulSoup

from helpers import soup

from scripts.numbers import WORDS
from scripts.paths import ROOT
from scripts import project
from scripts.paths import site_url
from scripts.project import PAGE_PATHS as SITE_PAGES
from scripts.project import Chart

SITE = site_url(ROOT)  # the address the shared test build is made for

PAGES = [f"{path}index.html" for path in SITE_PAGES] + ["404.html"]


def soup_text(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def chart_block(figure):
    """The block that holds a chart's figure, its data table and its download links."""
    block = figure.parent
    assert "btc-chart-block" in block.get("class", []), figure.get("data-chart")
    return block


def local_target(site: Path, page: Path, url: str) -> Path | None:
    """The file a relative URL on page points to, or None for external/anchor-only URLs."""
    parsed = urlparse(url)
    if parsed.scheme or parsed.netloc or not parsed.path:
        return None
    page_url = "/" + str(page.relative_to(site))
    target = urlparse(urljoin(page_url, parsed.path)).path.lstrip("/")
    path = site / target
    return path / "index.html" if path.is_dir() or target.endswith("/") or target == "" else path


def test_every_page_is_built_with_description_and_sharing_meta(site):
    for name in PAGES:
        page = site / name
        assert page.is_file(), name
        if name == "404.html":
            continue
        doc = soup(page)
        description = doc.find("meta", attrs={"name": "description"})
        assert description and description["content"].strip(), name
        for prop in ("og:title", "og:description", "og:url", "og:image"):
            assert doc.find("meta", attrs={"property": prop}), (name, prop)
        assert doc.find("meta", attrs={"name": "citation_title"}), name
    assert (site / "sitemap.xml").is_file()
    assert (site / "search" / "search_index.json").is_file()


def test_every_chart_appears_on_a_page_as_a_static_first_figure(site, catalogue):
    seen = set()
    for name in PAGES:
        for figure in soup(site / name).select("figure.btc-chart"):
            chart_id = figure["data-chart"]
            seen.add(chart_id)
            images = figure.select("img.btc-chart__static")
            assert {img["src"].rsplit("/", 1)[-1] for img in images} == {"light.svg", "dark.svg"}
            light = figure.select_one("img.btc-chart__static--light")
            # The frame is the chart's image for assistive technology, named by the description;
            # its pictures say nothing more, so the description is said once.
            frame = figure.select_one(".btc-chart__frame")
            assert frame["role"] == "img" and frame["aria-label"].strip(), chart_id
            assert all(img["alt"] == "" for img in images), chart_id
            assert float(light["width"]) > 0 and float(light["height"]) > 0
            assert figure.find("figcaption").get_text(strip=True)
            assert chart_block(figure).select_one("details.btc-chart__data table"), chart_id
            for img in images:
                assert local_target(site, site / name, img["src"]).is_file()
            # Phones get a layout of their own, not the desktop one scaled down.
            narrow = figure.select("picture source[media]")
            assert {s["srcset"].rsplit("/", 1)[-1] for s in narrow} == {"light-narrow.svg", "dark-narrow.svg"}
            for source in narrow:
                assert local_target(site, site / name, source["srcset"]).is_file()
            for attr in ("data-vega-light", "data-vega-dark", "data-vega-light-narrow", "data-vega-dark-narrow"):
                spec = json.loads(local_target(site, site / name, figure[attr]).read_text())
                assert "$schema" in spec and "vega/v" in spec["$schema"]  # precompiled Vega
    assert seen == {entry["id"] for entry in catalogue}


def test_data_tables_under_charts_show_the_published_csv_as_a_reader_reads_it(site, built_site):
    """One row per CSV row; human headers, no internal columns; a finding's value as the ledger
    displays it; the disclosure named after its chart."""
    from scripts.site.render import DATA_COLUMNS, INTERNAL_COLUMNS

    ledger = {row["id"]: row for row in csv.DictReader((built_site.derived / "findings.csv").open(encoding="utf-8"))}
    catalogue = json.loads((built_site.charts / "index.json").read_text())
    for name in PAGES:
        for figure in soup(site / name).select("figure.btc-chart"):
            chart_id = figure["data-chart"]
            entry = next(item for item in catalogue if item["id"] == chart_id)
            details = chart_block(figure).select_one("details.btc-chart__data")
            assert details.summary.get_text() == f"Data behind the chart: {entry['title']}", chart_id
            table = details.table
            headers = [th.get_text() for th in table.select("thead th")]
            assert not set(headers) & INTERNAL_COLUMNS and all(h[:1].isupper() for h in headers), (chart_id, headers)
            assert set(DATA_COLUMNS[chart_id].values()) <= set(headers), (chart_id, headers)
            rows = [[td.get_text() for td in tr.find_all("td")] for tr in table.select("tbody tr")]
            with (built_site.charts / entry["files"]["csv"]).open(encoding="utf-8", newline="") as handle:
                published = list(csv.DictReader(handle))
            assert len(rows) == len(published), chart_id
            if "value" in DATA_COLUMNS[chart_id]:
                at = headers.index(DATA_COLUMNS[chart_id]["value"])
                for row, source in zip(rows, published):
                    if source.get("finding_id"):
                        assert row[at] == ledger[source["finding_id"]]["display"], (chart_id, row)
                    else:
                        assert "." not in row[at] or not row[at].replace(".", "").isdigit(), (chart_id, row)


def anchors(page: Path, cache: dict[Path, set[str]]) -> set[str]:
    """Every fragment a link may point to on a page: element ids and old-style <a name>."""
    if page not in cache:
        doc = soup(page)
        cache[page] = {el["id"] for el in doc.find_all(id=True)} | {a["name"] for a in doc.find_all("a", attrs={"name": True})}
    return cache[page]


def test_every_link_and_asset_in_the_site_resolves(site):
    broken, missing_anchor, checked_anchors = [], [], 0
    ids: dict[Path, set[str]] = {}
    for page in sorted(site.rglob("*.html")):
        if page.name == "404.html":
            continue  # served at any path, so MkDocs gives it absolute URLs under site_url
        doc = soup(page)
        for tag, attr in (("a", "href"), ("img", "src"), ("script", "src"), ("link", "href"), ("iframe", "src")):
            for element in doc.find_all(tag):
                url = element.get(attr)
                if not url or url.startswith(("mailto:", "data:")):
                    continue
                parsed = urlparse(url)
                target = page if url.startswith("#") else local_target(site, page, url)
                if target is None:
                    continue  # another site
                if not target.exists():
                    broken.append(f"{page.relative_to(site)} → {url}")
                elif parsed.fragment and target.suffix == ".html":
                    checked_anchors += 1
                    if unquote(parsed.fragment) not in anchors(target, ids):
                        missing_anchor.append(f"{page.relative_to(site)} → {url}")
    assert not broken, broken[:20]
    assert not missing_anchor, missing_anchor[:20]
    assert checked_anchors > 100  # the tables of contents, ledger and chart links were all seen


def test_no_resource_is_requested_from_another_origin(site):
    """Links may point anywhere; nothing the browser loads by itself may."""
    external = []
    for page in sorted(site.rglob("*.html")):
        doc = soup(page)
        for tag, attr in (("img", "src"), ("script", "src"), ("iframe", "src"), ("source", "src"), ("video", "src")):
            for element in doc.find_all(tag):
                if urlparse(element.get(attr, "")).netloc:
                    external.append(f"{page.relative_to(site)}: <{tag} {attr}={element[attr]}>")
        for link in doc.find_all("link"):
            rel = " ".join(link.get("rel", []))
            if rel in {"stylesheet", "preconnect", "preload", "modulepreload", "icon"} and urlparse(link["href"]).netloc:
                external.append(f"{page.relative_to(site)}: <link rel={rel} href={link['href']}>")
    for css in site.rglob("*.css"):
        for url in re.findall(r"url\(['\"]?(https?://[^)'\"]+)", css.read_text(encoding="utf-8", errors="replace")):
            external.append(f"{css.relative_to(site)}: url({url})")
    assert not external, external[:20]


def test_every_page_ships_a_csp_without_unsafe_eval(site):
    for page in sorted(site.rglob("*.html")):
        meta = soup(page).find("meta", attrs={"http-equiv": "Content-Security-Policy"})
        assert meta, page
        policy = meta["content"]
        assert "unsafe-eval" not in policy and "script-src 'self'" in policy, page
        assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]


def test_each_chart_has_auto_light_and_dark_embed_pages_with_a_credit_link(site, catalogue):
    # embed/<id>/ follows the reader's scheme (embed.js flips the body), light/ and dark/ fix one.
    for entry in catalogue:
        for variant, scheme, body in (("auto", "auto", "default"), ("light", "light", "default"), ("dark", "dark", "slate")):
            page = site / project.Chart.of(entry).embed_url("", variant) / "index.html"
            doc = soup(page)
            assert doc.html["data-btc-scheme"] == scheme
            assert doc.body["data-md-color-scheme"] == body
            credit = doc.select_one("a.btc-embed__credit")
            assert credit and credit["href"] == project.Chart.of(entry).chart_page_url(site_url(ROOT))
            assert doc.find("script", src=re.compile(r"/embed\.[0-9a-f]{16}\.js$"))  # its frozen copy
            # Wide iframes get the wide drawing, phones the narrow one, as static pictures and live.
            figure = doc.select_one("figure.btc-chart")
            sources = {s["srcset"].rsplit("/", 1)[-1] for s in figure.select("picture source[media]")}
            assert sources == {f"{entry['id']}-{s}{layout}.svg" for s in ("light", "dark") for layout in ("-narrow", "-wide")}
            for attr in ("data-vega-light-wide", "data-vega-dark-wide"):
                assert local_target(site, page, figure[attr]).is_file()


def test_published_downloads_exist_for_every_chart(site, catalogue):
    for entry in catalogue:
        base = site / "assets" / "charts" / entry["id"]
        for name in ("light.svg", "dark.svg", "light.png", "dark.png", "light.vg.json", "dark.vg.json"):
            assert (base / name).stat().st_size > 0, (entry["id"], name)
        for name in entry["files"].values():
            assert (site / "charts" / name).is_file()
    assert (site / "data" / "datapackage.json").is_file()
    assert (site / "data" / "derived" / "findings.csv").is_file()
    assert (site / "assets" / "js" / "vega-runtime.js").stat().st_size > 100_000


WORD_FORMS = set(WORDS)


def test_numbers_on_pages_come_from_the_ledger(site, built_site):
    """Every finding marked up on a page shows the ledger's value for that id."""
    from scripts.ledger import load
    from scripts.site.render import format_row

    ledger = load(built_site.derived / "findings.csv")
    used = 0
    for name in PAGES:
        doc = soup(site / name)
        for span in doc.select("a.btc-finding"):
            finding_id = span["data-finding"]
            text = span.get_text()
            row = ledger.loc[finding_id]
            words = "words" in span.get("class", []) or text in WORD_FORMS
            assert text == format_row(row, words=words), (name, finding_id, text)
            # A link to its ledger row, described by its plain-words explanation.
            assert span["href"].endswith(f"ledger/#finding-{finding_id}"), (name, str(span))
            about = doc.find(id=span["aria-describedby"])
            assert about is not None and row["explanation"] in about.get_text(), (name, finding_id)
            used += 1
    assert used >= 40


def test_markdown_types_no_figures_of_its_own():
    """Percentages, and counts next to the words they count, must come through a macro."""
    pattern = re.compile(r"(?<![\w{.#/-])\d[\d,.]*\s?(%|percent|per cent)")
    offenders = []
    for page in sorted((ROOT / "docs").glob("*.md")):
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            stripped = re.sub(r"\{\{.*?\}\}", "", line)
            if pattern.search(stripped):
                offenders.append(f"{page.name}:{number}: {line.strip()[:80]}")
    assert not offenders, offenders


def test_reproduce_notebook_ran_at_build_time(site):
    text = soup(site / "reproduce" / "index.html").get_text(" ")
    assert "Traceback" not in text
    assert "jp-OutputArea" in (site / "reproduce" / "index.html").read_text(encoding="utf-8")


def test_the_notebook_reruns_when_anything_it_reads_changes(tmp_path):
    """Its run is cached by content; a change to the data, the ledger or the notebook is a miss."""
    from scripts.site import notebook
    from helpers import copy_project

    layout = copy_project(tmp_path / "tree")
    ledger = tmp_path / "findings.csv"
    ledger.write_bytes((ROOT / "data/derived/findings.csv").read_bytes())
    first = notebook.inputs_key(layout, ledger)
    assert notebook.inputs_key(copy_project(tmp_path / "twin"), ledger) == first  # not keyed by place
    restaged = layout.root / ".build-staging-x" / "derived" / "findings.csv"  # a new stage every build
    restaged.parent.mkdir(parents=True)
    restaged.write_bytes(ledger.read_bytes())
    assert notebook.inputs_key(layout, restaged) == first
    changes = {
        "a source table": layout.data / "source/report/incidents.csv",
        "a schema": next((layout.data / "schemas").iterdir()),
        "the ledger": ledger,
        "the notebook": layout.root / "docs" / notebook.NOTEBOOK,
    }
    for what, path in changes.items():
        original = path.read_bytes()
        path.write_bytes(original + b"\n")
        assert notebook.inputs_key(layout, ledger) != first, what
        path.write_bytes(original)
    assert notebook.inputs_key(layout, ledger) == first


# The reuse kit ---------------------------------------------------------------------------------


def chart_page_file(site: Path, entry: dict) -> Path:
    return site / Chart.of(entry).chart_page_url("") / "index.html"


def chart_pages(site: Path, catalogue: list[dict]) -> dict[str, BeautifulSoup]:
    """Each chart's own page (its article), by chart id."""
    return {entry["id"]: soup(chart_page_file(site, entry)).select_one("article") for entry in catalogue}


def chart_page_downloads(site: Path, catalogue: list[dict], chart_id: str) -> dict[str, Path]:
    """Each download link of a chart's page: href → the file it resolves to."""
    (entry,) = [entry for entry in catalogue if entry["id"] == chart_id]
    page = chart_page_file(site, entry)
    return {
        link["href"]: local_target(site, page, link["href"])
        for link in soup(page).select("ul.btc-chart-page__files a[download]")
    }


def test_each_chart_page_offers_every_download(site, catalogue):
    pages = chart_pages(site, catalogue)
    assert list(pages) == [entry["id"] for entry in catalogue]
    for chart_id in pages:
        downloads = chart_page_downloads(site, catalogue, chart_id)
        # Every file of the version the model names, embed pages apart (they are linked as pages).
        chart = project.Chart.of(next(entry for entry in catalogue if entry["id"] == chart_id))
        expected = {chart.file_url("", kind) for kind in project.CHART_FILES if not kind.startswith("embed-")}
        offered = {target.relative_to(site).as_posix() for target in downloads.values() if target is not None}
        assert expected <= offered, (chart_id, expected - offered)
        for href, target in downloads.items():
            assert target is not None and target.is_file() and target.stat().st_size > 0, (chart_id, href)
        assert any(f"/v{next(e['version'] for e in catalogue if e['id'] == chart_id)}/" in href for href in downloads)


def test_every_published_spec_validates_and_renders_on_its_own(site, catalogue):
    """Pasted into the Vega editor, a spec needs nothing else: valid, data inline, fully described."""
    import altair as alt
    import jsonschema
    import vl_convert as vlc

    from scripts.paths import site_url

    schema = json.loads((Path(alt.__file__).parent / "vegalite/v6/schema/vega-lite-schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    for chart_id in chart_pages(site, catalogue):
        ((href, path),) = [(h, p) for h, p in chart_page_downloads(site, catalogue, chart_id).items() if h.endswith(".vl.json")]
        spec = json.loads(path.read_text(encoding="utf-8"))
        validator.validate(spec)
        assert '"url"' not in json.dumps({key: spec.get(key) for key in ("data", "datasets")}), chart_id
        meta = spec["usermeta"]
        for key in ("title", "description", "source", "citation", "credit", "date"):
            assert isinstance(meta[key], str) and meta[key].strip(), (chart_id, key)
        assert meta["licence"] == "CC BY 4.0" and isinstance(meta["version"], int)
        # The canonical URL is where the file is actually published.
        assert meta["url"] == site_url(ROOT) + path.relative_to(site).as_posix()
        svg = vlc.vegalite_to_svg(spec)  # no base URL, no loader: everything must be inline
        assert "<svg" in svg and "<path" in svg, chart_id


def test_every_zip_opens_and_holds_what_its_readme_lists(site, built_site, catalogue):
    import xml.etree.ElementTree as ET
    import zipfile

    for entry in catalogue:
        chart_id = entry["id"]
        (zip_path,) = [p for h, p in chart_page_downloads(site, catalogue, chart_id).items() if h.endswith(".zip")]
        with zipfile.ZipFile(zip_path) as bundle:
            assert bundle.testzip() is None
            readme = bundle.read(f"{chart_id}/README.txt").decode("utf-8")
            listed = readme.split("Files in this bundle", 1)[1].splitlines()[1:]
            names = [line.split()[0] for line in listed if line.strip()]
            assert sorted(f"{chart_id}/{name}" for name in names) == sorted(bundle.namelist()), chart_id
            files = {name: bundle.read(f"{chart_id}/{name}") for name in names}
        # The spec as published under site/charts/ (with the site's address), the data as committed.
        assert files[f"{chart_id}.vl.json"] == (site / "charts" / entry["files"]["vegalite"]).read_bytes()
        assert files[f"{chart_id}.csv"] == (built_site.charts / entry["files"]["csv"]).read_bytes()
        assert files[f"{chart_id}.xlsx"] == (built_site.charts / entry["files"]["xlsx"]).read_bytes()
        for scheme in ("light", "dark"):
            assert files[f"{chart_id}-{scheme}.png"].startswith(b"\x89PNG\r\n\x1a\n")
            assert ET.fromstring(files[f"{chart_id}-{scheme}.svg"]).tag.endswith("svg")
        assert files[f"{chart_id}-light.svg"] != files[f"{chart_id}-dark.svg"]
        for needle in ("CC BY 4.0", "APA:", "Chicago:", "@misc{", entry["title"], entry["files"]["vegalite"]):
            assert needle in readme, (chart_id, needle)


def test_each_chart_page_gives_every_citation_style_and_one_embed_per_snippet(site, catalogue):
    pages = chart_pages(site, catalogue)
    for entry in catalogue:
        section = pages[entry["id"]]
        text = section.get_text("\n")
        spec_url = f"charts/{entry['files']['vegalite']}"
        for marker in ("[Data set]", "@misc{"):
            assert marker in text, (entry["id"], marker)
        assert text.count(spec_url) >= 5  # permanent address, plain, APA, Chicago, BibTeX
        snippets = [pre.get_text() for pre in section.select("pre.btc-embed-code")]
        # The first follows the reader's scheme; then light and dark, each offered on its own.
        chart = project.Chart.of(entry)
        targets = [chart.embed_url(SITE, scheme) for scheme in ("auto", "light", "dark")]
        assert len(snippets) == len(targets)
        for snippet, target in zip(snippets, targets):
            pasted = soup_text(snippet)
            frames = pasted.find_all("iframe")
            assert len(frames) == 1 and frames[0]["src"] == target, snippet  # pasted, the chart shows once
            frame = frames[0]
            assert frame["height"].isdigit() and "width" not in frame.attrs and "frameborder" not in frame.attrs
            assert "border:0" in frame["style"] and "width:100%" in frame["style"]
            scripts = pasted.find_all("script")
            assert [s.get("src", "").endswith("assets/js/embed-host.js") for s in scripts] == [True]
            assert not scripts[0].string  # no inline script on the host page


def test_unusable_inline_css_is_pruned():
    from scripts.site.prune_css import prune_page

    css = (
        ".wrap{--used:1px;--chain:var(--used);--unused:red;color:var(--chain)}"
        ".wrap .absent{color:blue}.wrap .here,.nowhere{margin:0}"
        "@media (min-width:10px){.absent{padding:0}.here{padding:1px}}"
        "@font-face{font-family:X;src:url(x.woff2)}"
    ) * 2000  # over the size threshold
    html = f'<html><head><style>{css}</style></head><body><div class="wrap"><p class="here">x</p></div></body></html>'
    pruned = prune_page(html)
    style = pruned.split("<style>")[1].split("</style>")[0]
    assert ".absent" not in style and "--unused" not in style
    for kept in ("--used:1px", "--chain:var(--used)", ".wrap .here,.nowhere", "@media (min-width:10px){.here", "@font-face"):
        assert kept in style, kept
    assert pruned.endswith('<div class="wrap"><p class="here">x</p></div></body></html>')
    small = html.replace(css, ".absent{color:red}")
    assert prune_page(small) == small  # small styles are left as they are


def test_no_page_carries_a_huge_inline_stylesheet(site):
    for page in sorted(site.rglob("*.html")):
        for block in re.findall(r"<style[^>]*>(.*?)</style>", page.read_text(encoding="utf-8"), re.S):
            assert len(block) < 200_000, (page.relative_to(site), len(block))


# The site step's state ---------------------------------------------------------------------------


def test_the_generator_finds_the_build_state_in_a_manifest_beside_its_docs(tmp_path):
    """MkDocs or Zensical is handed the staged docs/; the staged ledger, charts and address are
    named in a file beside it. Run on a checkout (no manifest), the published outputs are used."""
    from scripts.paths import Layout
    from scripts.site import manifest

    layout = Layout(tmp_path / "tree", address="https://example.org/belgium/")
    stage = layout.root / ".build-staging-x"
    stage.mkdir(parents=True)
    manifest.write(layout, stage)
    staged = manifest.for_docs(stage / "docs")
    assert (staged.root, staged.ledger, staged.charts) == (layout.root.resolve(), stage / "derived/findings.csv",
                                                           stage / "charts")
    assert staged.site_url == "https://example.org/belgium/"
    assert staged.drawing_stopped is not None and staged.drawing_stopped.parent == staged.chart_assets

    checkout = manifest.for_docs(ROOT / "docs")
    assert (checkout.ledger, checkout.charts) == (ROOT / "data/derived/findings.csv", ROOT / "charts")
    assert checkout.drawing_stopped is None  # nothing is being drawn: nothing to wait for


def test_a_page_waits_for_its_chart_and_stops_with_the_reason_when_the_drawing_failed(tmp_path):
    """A page rendered while the charts are drawn waits for that chart's meta.json; when the
    drawing failed, it stops with the drawing's error instead of waiting forever."""
    import threading

    import pandas as pd

    from scripts.charts.build import ChartStep
    from scripts.charts.static import RenderError
    from scripts.paths import Layout
    from scripts.site import manifest, render

    step = ChartStep(Layout(tmp_path), tmp_path / "stage" / "charts")
    step.jobs = {"late-chart": object(), "broken-chart": object()}

    def done(job) -> bool:
        if job is step.jobs["broken-chart"]:
            raise RenderError("chart 'broken-chart': vl-convert could not draw it")
        return False

    step.pool.done = done
    state = render.SiteState(root=tmp_path, ledger=pd.DataFrame(), charts_dir=tmp_path / "stage" / "charts",
                             assets_dir=step.assets_dir, site_url="https://example.org/",
                             catalogue=[{"id": "late-chart"}, {"id": "broken-chart"}],
                             drawing_stopped=step.assets_dir / ".drawing-stopped")
    late = step.assets_dir / "late-chart" / "meta.json"
    late.parent.mkdir(parents=True)
    timer = threading.Timer(0.2, lambda: late.write_text('{"width": 640}', encoding="utf-8"))
    timer.start()
    assert state.chart_meta("late-chart") == {"width": 640}  # waited for the file
    timer.join()

    step.write_assets_as_drawn()
    with pytest.raises(manifest.ChartNotDrawn, match="chart 'broken-chart' was not drawn: .*could not draw it"):
        state.chart_meta("broken-chart")
    with pytest.raises(RenderError):
        step.finish()
    step.__exit__(None, None, None)
    with pytest.raises(KeyError, match="no rendered assets"):  # not a chart of this build: no wait
        state.chart_meta("no-such-chart")


def test_a_bad_chart_id_in_a_page_is_a_build_error_naming_the_page():
    from types import SimpleNamespace

    from scripts.errors import BuildError
    from scripts.site import macros

    macros_by_name = {}
    env = SimpleNamespace(conf={"docs_dir": str(ROOT / "docs")},
                          page=SimpleNamespace(url="networks/", file=SimpleNamespace(src_uri="networks.md")),
                          macro=lambda function: macros_by_name.setdefault(function.__name__, function))
    macros.define_env(env)
    with pytest.raises(BuildError, match=r"^docs/networks\.md: chart id 'networks/table-1' is not a chart id"):
        macros_by_name["chart"]("networks/table-1")


def test_no_environment_variable_or_import_cycle_carries_the_site_step():
    """Build state reaches the pages through files; render never imports publish (one way only)."""
    import subprocess
    import sys

    named = set()
    for path in [*(ROOT / "scripts").rglob("*.py"), ROOT / "docs" / "reproduce.ipynb"]:
        named |= set(re.findall(r"\bBTC_[A-Z_]+", path.read_text(encoding="utf-8")))
    assert named == {"BTC_TRACEBACK", "BTC_TEST_KILL_AT"}  # a debug switch and a test's fault injection
    loaded = subprocess.run([sys.executable, "-c", "import sys, scripts.site.render, scripts.site.macros; "
                             "print(sorted(name for name in sys.modules if name.startswith('scripts.site')))"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "scripts.site.render" in loaded and "scripts.site.publish" not in loaded


def test_an_executed_notebook_does_not_depend_on_how_the_kernel_chunked_its_output():
    """One print may reach the client as one stream output or as two: both give the same notebook."""
    import nbformat

    from scripts.site.notebook import _coalesce_streams

    def executed(chunks: list[tuple[str, str]]) -> str:
        notebook = nbformat.v4.new_notebook()
        cell = nbformat.v4.new_code_cell("print('38 of 135')", id="printed")
        cell.outputs = [nbformat.v4.new_output("stream", name=name, text=text) for name, text in chunks]
        notebook.cells.append(cell)
        _coalesce_streams(notebook)
        return nbformat.writes(notebook)

    whole = executed([("stdout", "38 of 135\n")])
    assert executed([("stdout", "38 of 135"), ("stdout", "\n")]) == whole
    assert executed([("stdout", "38 of "), ("stdout", "135\n")]) == whole
    # Different streams stay apart.
    assert executed([("stdout", "38 of 135\n"), ("stderr", "warning\n")]) != whole
