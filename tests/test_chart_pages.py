"""Each chart's own page (scripts/site/chart_pages.py) and the Reuse page's catalogue that links them.

Read from the built site: the structure of each page (figure, table, links, code blocks), checked
against the chart's files, the ledger and the project model, not against copied text.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from helpers import AXE, serve, soup, wait_for_interactive

from scripts import project
from scripts.site import chart_pages, render

CITATION_STYLES = ("plain", "apa", "chicago", "bibtex")


def resolve(site: Path, page_path: str, href: str) -> Path:
    """The file of the built site a link on the page at page_path leads to."""
    target = urlparse(urljoin("/" + page_path, href)).path.lstrip("/")
    return site / target / "index.html" if target.endswith("/") or not target else site / target


def csv_rows(built_site, chart: project.Chart) -> list[dict]:
    with (built_site.charts / chart.file("csv")).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_chart_has_a_page_with_each_part(site, built_site, catalogue):
    ledger_ids = {row["id"].removeprefix("finding-")
                  for row in soup(site / project.page_url("", "ledger.md") / "index.html").select("tr[id^=finding-]")}
    with (built_site.root / "data/source/corrections.csv").open(encoding="utf-8", newline="") as handle:
        log = list(csv.DictReader(handle))
    assert len(catalogue) == 17
    for entry in catalogue:
        chart = project.Chart.of(entry)
        path = chart.chart_page_url("")
        base = project.relative_base(path)
        doc = soup(site / path / "index.html")
        article = doc.select_one("article")
        where = chart.id

        # Its own title, description and canonical address; the headline is the page's heading.
        assert doc.title.get_text().startswith(entry["title"]), where
        assert article.find("h1").get_text(strip=True).rstrip("¶") == entry["title"], where
        assert doc.find("meta", attrs={"name": "description"})["content"].strip(), where
        assert doc.find("link", rel="canonical")["href"] == chart.chart_page_url(built_site.site_url), where
        assert doc.find("meta", property="og:image")["content"].startswith(built_site.site_url), where

        # The same static-first figure the section pages show, and the data table, one row per CSV row.
        figure = article.find("figure", attrs={"data-chart": chart.id})
        assert figure is not None and figure["id"] == chart.anchor, where
        table = article.select_one("table.btc-data-table")
        assert len(table.select("tbody tr")) == len(csv_rows(built_site, chart)), where
        assert article.select_one(".btc-chart-page__description").get_text(strip=True), where

        # Every file of the current version (and the embed pages), each a file of the built site.
        hrefs = [link["href"] for link in article.select("ul.btc-chart-page__files a")]
        wanted = {chart.embed_url(base, kind.removeprefix("embed-")) if kind.startswith("embed-") else chart.file_url(base, kind)
                  for kind in project.CHART_FILES}
        assert wanted <= set(hrefs), (where, wanted - set(hrefs))
        missing = [href for href in hrefs if not resolve(site, path, href).is_file()]
        assert not missing, (where, missing)

        # The embed code, and each citation style with the version's own address.
        embed = " ".join(block.get_text() for block in article.select("pre.btc-embed-code"))
        for scheme in render.EMBED_SCHEMES:
            assert f'src="{chart.embed_url(built_site.site_url, scheme)}"' in embed, where
        versioned = chart.file_url(built_site.site_url, "vegalite")
        assert f"/v{chart.version}/" in versioned, where
        for style in CITATION_STYLES:
            block = article.select_one(f"pre.btc-citation--{style}")
            assert block is not None and versioned in block.get_text(), (where, style)

        # The ledger rows it draws: exactly the findings its CSV names, each linked to its row.
        # (finding_id, and a second number's <what>_finding_id, such as a count's share)
        drawn = {value for row in csv_rows(built_site, chart) for name, value in row.items()
                 if value and (name == "finding_id" or name.endswith("_finding_id"))}
        rows = article.select("table.btc-chart-page__findings tbody tr[data-finding]")
        assert {row["data-finding"] for row in rows} == drawn, where
        for row in rows:
            link = row.find("a", href=True)
            assert link["href"] == project.ledger_row_url(base, row["data-finding"]), where
            assert row["data-finding"] in ledger_ids, where
        tables = {row["source_table"] for row in csv_rows(built_site, chart) if row.get("source_table")}
        for table_name in tables:  # rows drawn straight from a data table link its dictionary entry
            assert article.find("a", href=project.data_dictionary_url(base, table_name)), (where, table_name)
        assert drawn or tables, where
        # "Its rows come straight from the data tables" only where a row names no finding.
        unnamed = [row for row in csv_rows(built_site, chart) if row.get("source_table") and not row.get("finding_id")
                   and not any(row.get(name) for name in row if name.endswith("_finding_id"))]
        assert ("straight from the data tables" in article.get_text()) == bool(unnamed), where
        # The report's words name the section as a reader would, without our note on our copy.
        for source in article.select(".btc-ledger__source"):
            text = source.get_text(" ", strip=True)
            assert "[" not in text and "]" not in text and "heading" not in text, (where, text)

        # Its versions, with the corrections log's rows scoped to it, and the chart in context.
        versions = article.select("table.btc-chart-page__versions tbody tr")
        scoped = [row for row in log if row["scope"] == f"chart:{chart.id}"]
        assert len(versions) == chart.version + sum(1 for row in scoped if not row["chart_version"].strip()), where
        assert article.find("a", href=chart.page_url(base)), where


def _data_table(site: Path, chart_id: str) -> list[dict[str, str]]:
    """A chart page's data table as the reader sees it: one dict per row, by column heading."""
    doc = soup(site / project.Chart(chart_id, "", 1).chart_page_url("") / "index.html")
    table = doc.select_one("article table.btc-data-table")
    heads = [th.get_text(strip=True) for th in table.select("thead th")]
    return [dict(zip(heads, (td.get_text(strip=True) for td in tr.select("td")))) for tr in table.select("tbody tr")]


def test_the_reports_printed_share_reads_as_the_reports_and_ours_as_ours(site, built_site):
    """Moroccan links: the report's printed 33% on its own row; our 28% only beside the count it
    is a share of (the ledger: moroccan-linked-share)."""
    ledger = pd.read_csv(built_site.derived / "findings.csv", dtype=str, keep_default_na=False).set_index("id")
    ours, printed = ledger.loc["moroccan-linked-share", "display"], ledger.loc["moroccan-linked-share", "reported_text"]
    rows = _data_table(site, "nationalities-moroccan-links")
    as_printed = [row for row in rows if "printed" in row["Group"]]
    assert len(as_printed) == 1 and as_printed[0]["Figure"] == printed and ours not in as_printed[0].values()
    with_ours = [row for row in rows if ours in row.values()]
    assert [row["Group"] for row in with_ours] == ["All with a Moroccan link"]


def test_months_are_shown_without_a_day(site, built_site):
    rows = _data_table(site, "weapons-targets-tatp")
    months = [row["Month"] for row in rows]
    assert months and all(len(month.split()) == 2 for month in months), months  # "January 2015"
    assert "January 2015" in months


def test_a_logged_correction_is_listed_as_the_charts_next_version(tmp_path):
    """A chart at version 2: both versions listed, newest first, with the log's row for v2."""
    chart = project.Chart("a-chart", "networks", 2)
    charts_dir = tmp_path / "charts"
    for version, day in ((1, "2026-11-28"), (2, "2026-12-01")):
        spec = charts_dir / project.Chart(chart.id, chart.section, version).file("vegalite")
        spec.parent.mkdir(parents=True, exist_ok=True)
        spec.write_text(json.dumps({"usermeta": {"date": day}}), encoding="utf-8")
    (tmp_path / "data/source").mkdir(parents=True)
    (tmp_path / "data/source/corrections.csv").write_text(
        "date,version,scope,chart_version,change\n"
        "2026-11-28,1.0.0,site,,First publication.\n"
        "2026-12-01,1.0.1,chart:a-chart,2,Network name corrected.\n"
        "2026-12-02,1.0.1,chart:other-chart,2,Not this one.\n",
        encoding="utf-8",
    )
    state = render.SiteState(root=tmp_path, ledger=pd.DataFrame(), charts_dir=charts_dir, assets_dir=tmp_path,
                             site_url="https://example.org/", catalogue=[{"id": chart.id, "section": chart.section,
                                                                         "version": 2}])
    table = BeautifulSoup(chart_pages._versions(state, chart.id, "../../"), "html.parser")
    rows = [[cell.get_text() for cell in row.find_all("td")] for row in table.select("tbody tr")]
    assert [row[0] for row in rows] == ["2 (current)", "1"]
    assert rows[0][1:3] == ["2026-12-01", "Network name corrected."] and rows[1][1] == "2026-11-28"
    links = [link["href"] for link in table.select("tbody a")]
    assert links == [project.Chart(chart.id, chart.section, v).file_url("../../", "vegalite") for v in (2, 1)]


def test_a_chart_title_the_pages_head_cannot_carry_is_refused(tmp_path):
    (tmp_path / "charts").mkdir()
    entry = {"id": "a-chart", "section": "networks", "version": 1, "title": "A <b>bold</b> claim", "subtitle": "x"}
    (tmp_path / "charts/index.json").write_text(json.dumps([entry]), encoding="utf-8")
    with pytest.raises(chart_pages.ChartPageError, match="a-chart: its title"):
        chart_pages.write_sources(tmp_path / "docs", tmp_path / "charts")
    entry["title"] = "A plain claim"
    (tmp_path / "charts/index.json").write_text(json.dumps([entry]), encoding="utf-8")
    (written,) = chart_pages.write_sources(tmp_path / "docs", tmp_path / "charts")
    assert written == tmp_path / "docs" / project.chart_page_source("a-chart")


def test_chart_pages_are_in_the_sitemap_and_the_search_index(site, built_site, catalogue):
    import xml.etree.ElementTree as ET

    sitemap = {loc.text for loc in ET.parse(site / "sitemap.xml").getroot().iter() if loc.tag.endswith("}loc")}
    indexed = {doc["location"] for doc in json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))["docs"]}
    for entry in catalogue:
        chart = project.Chart.of(entry)
        assert chart.chart_page_url(built_site.site_url) in sitemap, chart.id
        assert chart.chart_page_url("") in indexed, chart.id


def test_the_reuse_page_links_every_chart_page_and_section_menus_lead_there(site, catalogue):
    reuse_path = project.page_url("", "reuse.md")
    reuse = soup(site / reuse_path / "index.html")
    base = project.relative_base(reuse_path)
    for entry in catalogue:
        chart = project.Chart.of(entry)
        card = reuse.find(id=f"reuse-{chart.id}")
        assert card.find("a", href=chart.chart_page_url(base)), chart.id
        preview = card.select("img")
        assert preview and all(image.get("loading") == "lazy" for image in preview), chart.id
        section_path = project.section_page(chart.section).path
        menu = soup(site / section_path / "index.html").find(id=chart.anchor).parent.select_one(".btc-chart__downloads")
        assert menu.find("a", href=chart.chart_page_url(project.relative_base(section_path))), chart.id
    assert not reuse.select(".btc-reuse-list pre")  # embed code and citations are on the chart pages


# In a browser -----------------------------------------------------------------------------------

# The Reuse page held every chart's embed code and citations: 26,016 px tall at 1280 px in Chromium
# before the chart pages (the issue measured about 23,000 px). A third of that keeps a catalogue of
# 17 cards (two-line headlines included) and fails if the long blocks come back.
REUSE_HEIGHT_BOUND = 26_016 // 3


@pytest.fixture(scope="module")
def served(built_site):
    server, url = serve(built_site.site)
    yield url
    server.shutdown()


@pytest.mark.browser
def test_the_reuse_page_is_a_short_catalogue_at_desktop_width(browser, served):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(served + project.page_url("", "reuse.md"), wait_until="load")
    height = page.evaluate("document.documentElement.scrollHeight")
    page.close()
    assert 0 < height < REUSE_HEIGHT_BOUND, height


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_axe_finds_no_accessibility_violations_on_a_chart_page(browser, served, catalogue, scheme):
    chart = project.Chart.of(next(entry for entry in catalogue if entry["id"] == "networks-local-vs-deployed"))
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    context.add_init_script(f"localStorage.setItem('/.__palette', JSON.stringify({{index: {0 if scheme == 'default' else 1}, "
                            f"color: {{media: '', scheme: '{scheme}', primary: 'indigo', accent: 'indigo'}}}}))")
    page = context.new_page()
    page.goto(served + chart.chart_page_url(""))
    wait_for_interactive(page, 1)
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == scheme
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    context.close()
    violations = [f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})" for v in result["violations"]]
    assert not violations, violations
