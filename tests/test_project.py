"""The project model (scripts/project.py) against the repository's other records and the built site.

The model is the one place that names the sections, pages, identity and addresses; mkdocs.yml and
CITATION.cff cannot import it, so these tests fail when they drift from it, and the built site is
checked to publish every address the model gives out.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from urllib.parse import urldefrag, urljoin

import pytest
import yaml

from helpers import soup

from scripts import project as model
from scripts.charts.export import SITE_ASSET_FILES
from scripts.paths import DOCS, ROOT
from scripts.site.render import SCHEMES

PAGE_SUFFIXES = (".md", ".ipynb")


def mkdocs_config() -> dict:
    return yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))


# What mkdocs.yml, docs/ and CITATION.cff say ---------------------------------------------------


def test_mkdocs_navigation_name_and_author_are_the_models():
    config = mkdocs_config()
    assert config["nav"] == model.nav()
    assert config["site_name"] == model.SITE_NAME
    assert config["site_author"] == model.identity().credit
    assert model.identity().licence in config["copyright"]


def test_every_page_under_docs_is_in_the_model_and_every_model_page_is_under_docs():
    on_disk = {path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*") if path.suffix in PAGE_SUFFIXES}
    assert on_disk == {page.source for page in model.PAGES}


def test_pages_sections_and_paths_are_each_named_once():
    for names in ([page.source for page in model.PAGES], [page.title for page in model.PAGES],
                  list(model.PAGE_PATHS), list(model.SECTION_IDS), [section.title for section in model.SECTIONS]):
        assert len(names) == len(set(names)), names
    assert all(section_id.isidentifier() for section_id in model.SECTION_IDS)
    assert model.page_by_source("index.md").path == "" and model.section_page("threat_levels").path == "threat-levels/"


def test_the_release_date_is_written_once():
    """CITATION.cff holds it; any date mkdocs.yml carries must agree (today it carries none)."""
    released = model.identity().released
    extra = mkdocs_config().get("extra") or {}
    dates = {key: value for key, value in extra.items() if "date" in key}
    assert all(str(value) == released.isoformat() for value in dates.values()), dates


def test_the_report_cited_is_the_report_in_the_sources_table():
    report = model.identity().report
    with (ROOT / "data/source/sources.csv").open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["url"] == report.url]
    assert len(rows) == 1, report.url
    (row,) = rows
    # CITATION.cff prints the title as the report does (a typographic apostrophe); the data keeps ASCII.
    assert report.title.replace("’", "'") == row["title"]
    assert report.author == row["publisher"]
    assert f"{report.year}-{report.month:02d}" == row["date"]
    assert report.full == f"{report.reference}, {report.url}" and report.dated in report.reference


# The URL scheme ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path, base", [("", ""), ("ledger/", "../"), ("contributing/editorial/", "../../"),
                                        ("embed/x/dark/", "../../../")])
def test_relative_base_leads_back_to_the_root(path, base):
    assert model.relative_base(path) == base
    assert urljoin("https://example.org/site/" + path, base) == "https://example.org/site/"


def test_chart_files_are_found_again_from_their_path():
    for kind in model.CHART_FILES:
        assert model.parse_chart_file(model.chart_file("a-chart", 12, kind)) == ("a-chart", 12, kind)
    assert model.chart_file("a-chart", 2, "light.png") == "a-chart/v2/a-chart-light.png"  # the name says what it is
    for other in ("index.json", "palette.json", "a/v1/.csv", "a/vx/a.csv", "a/v1/a.txt", "a/v1/b.csv", "v1/a.csv"):
        assert model.parse_chart_file(other) is None, other


@pytest.fixture(scope="module")
def models(built_site) -> list[model.Chart]:
    entries = json.loads((built_site.charts / "index.json").read_text(encoding="utf-8"))
    for entry in entries:  # the catalogue records the files where the model puts them
        chart = model.Chart.of(entry)
        assert entry["files"] == {kind: chart.file(kind) for kind in ("vegalite", "csv", "xlsx", "schema")}
    return [model.Chart.of(entry) for entry in entries]


_ids: dict[Path, set[str]] = {}


def published(site: Path, address: str, site_url: str = "") -> bool:
    """Whether a site-relative (or, with site_url, absolute) address is a file of the built site,
    with its #fragment an id on that page."""
    if site_url:
        assert address.startswith(site_url), address
        address = address[len(site_url):]
    path, fragment = urldefrag(address)
    target = site / path
    if path == "" or path.endswith("/"):
        target = target / "index.html"
    if not target.is_file():
        return False
    if fragment:
        if target not in _ids:
            _ids[target] = {tag["id"] for tag in soup(target).find_all(id=True)}
        return fragment in _ids[target]
    return True


def test_every_address_the_model_gives_a_chart_is_published(site, models, built_site):
    missing = []
    for chart in models:
        addresses = [chart.file_url("", kind) for kind in model.CHART_FILES]
        addresses += [chart.asset_url("", name) for name in SITE_ASSET_FILES]
        addresses += [chart.embed_url("", scheme) for scheme in model.SCHEME_FOLDERS]
        addresses += [chart.page_url(""), chart.reuse_url(""), chart.chart_page_url("")]
        missing += [address for address in addresses if not published(site, address)]
    assert not missing, missing[:10]


def test_pages_point_at_each_chart_with_the_models_addresses(site, models):
    seen = 0
    for chart in models:
        path = model.section_page(chart.section).path
        base = model.relative_base(path)
        doc = soup(site / path / "index.html")
        figure = doc.find("figure", attrs={"data-chart": chart.id})
        assert figure is not None and figure["id"] == chart.anchor, chart.id
        for scheme in SCHEMES:
            assert figure[f"data-vega-{scheme}"] == chart.asset_url(base, f"{scheme}.vg.json")
            assert figure[f"data-vega-{scheme}-narrow"] == chart.asset_url(base, f"{scheme}-narrow.vg.json")
        pictures = {tag.get("srcset") or tag.get("src") for tag in figure.find_all(["source", "img"])}
        assert pictures == {chart.asset_url(base, f"{scheme}{narrow}.svg") for scheme in SCHEMES for narrow in ("", "-narrow")}
        links = {link["href"] for link in figure.parent.select(".btc-chart__downloads a")}
        wanted = {chart.file_url(base, "csv"), chart.file_url(base, "vegalite"), chart.embed_url(base), chart.chart_page_url(base)}
        assert wanted <= links, (chart.id, wanted - links)
        seen += 1
        for address in (*pictures, *wanted):
            assert published(site, urljoin("/" + path, address).lstrip("/")), (chart.id, address)
    assert seen == len(models)


def test_absolute_addresses_in_specs_embeds_and_page_heads_are_the_models(site, models, built_site):
    site_url = built_site.site_url
    for chart in models:
        usermeta = json.loads((site / chart.file_url("", "vegalite")).read_text(encoding="utf-8"))["usermeta"]
        assert usermeta["url"] == chart.file_url(site_url, "vegalite")
        assert usermeta["page"] == chart.page_url(site_url)
        assert usermeta["citation"] == model.identity().report.full
        page = soup(site / chart.chart_page_url("") / "index.html")
        embed_code = " ".join(block.get_text() for block in page.select(".btc-embed-code"))
        for scheme in model.SCHEME_FOLDERS:
            assert f'src="{chart.embed_url(site_url, scheme)}"' in embed_code
        for address in (usermeta["url"], usermeta["page"], chart.embed_url(site_url)):
            assert published(site, address, site_url), address
    head = soup(site / "index.html")
    meta = {tag.get("name") or tag.get("property"): tag["content"] for tag in head.find_all("meta", content=True)}
    assert meta["og:image"] == model.card_url(site_url, "") and published(site, meta["og:image"], site_url)
    assert meta["citation_publication_date"] == model.identity().released.isoformat()
    assert meta["DC.source"] == model.identity().report.full
    assert meta["DC.rights"] == model.identity().licence
    assert meta["og:site_name"] == model.SITE_NAME


def test_ledger_rows_methods_anchors_and_data_files_are_linked_where_they_are(site):
    """The ledger links each finding's data files and Methods; every such address is published."""
    doc = soup(site / "ledger/index.html")
    kinds = {
        "data file": re.compile("^" + re.escape(model.data_file_url(model.relative_base("ledger/"), ""))),
        "data dictionary": re.compile("^" + re.escape(model.data_dictionary_url("../", ""))),
        "methods": re.compile("^" + re.escape(model.methods_url("../", ""))),
    }
    for kind, pattern in kinds.items():
        hrefs = {link["href"] for link in doc.find_all("a", href=pattern)}
        assert hrefs, kind
        missing = [href for href in hrefs if not published(site, urljoin("/ledger/", href).lstrip("/"))]
        assert not missing, (kind, missing[:5])
    row = doc.find("tr", id=True)
    assert published(site, model.ledger_row_url("", row["id"].removeprefix("finding-")))
