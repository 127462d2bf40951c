"""A published chart version never changes and never disappears: a correction through the whole build.

One copy of the project, three builds: an unlogged change to how a published chart looks (the
build refuses it, naming the file), an unlogged data correction (refused, naming the versions to
log), then the same correction logged (the build publishes version 2 beside an untouched version 1). What version 1 published is what the committed record says a full
build of the committed tree publishes (every full build checks it, so it cannot be stale).
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from io import BytesIO
from types import SimpleNamespace

import openpyxl
import pytest
from bs4 import BeautifulSoup

from helpers import copy_project, open_page, serve
from scripts import project
from scripts.charts.build import INPUTS_FILE
from scripts.charts.versions import RECORD_FILE
from scripts.paths import ROOT, site_url

CANONICAL = site_url(ROOT)  # mkdocs.yml's address, which every file of a version carries
CORRECTED = ("networks-diagram", "networks-table-1")  # the charts that draw the network's name
UNTOUCHED = "overview-linked-vs-inspired"
FIRST_CHART = "geography-antwerp-fighters-vs-incidents"  # first named, in the order of chart ids
OLD_NAME, NEW_NAME = "Kamikaze Riders", "Kamikaze Riders group"
CORRECTION_DATE = "2026-12-01"
FIRST_DATE = "2026-11-28"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def corrected(tmp_path_factory) -> SimpleNamespace:
    from scripts.build import build
    from scripts.charts.registry import ChartBuildError
    from scripts.site.versions import PublishedVersionChanged

    layout = copy_project(tmp_path_factory.mktemp("versions") / "tree")
    record = json.loads((layout.charts / RECORD_FILE).read_text(encoding="utf-8"))
    charts_before = snapshot(layout.charts)  # as committed

    # A change to the site's code that alters the published embed pages, with no new version logged.
    from scripts.site import versions

    with pytest.MonkeyPatch.context() as patch, pytest.raises(PublishedVersionChanged) as refused:
        patch.setattr(versions, "EMBED_PAGE", versions.EMBED_PAGE.replace("<main>", '<main class="changed">'))
        build(layout)

    # A data correction with no new version logged: refused too, before anything is published.
    networks = layout.data / "source/report/networks.csv"
    networks.write_text(networks.read_text(encoding="utf-8").replace(OLD_NAME, NEW_NAME), encoding="utf-8")
    with pytest.raises(ChartBuildError) as unlogged:
        build(layout)
    charts_after_refusal = snapshot(layout.charts)

    # Logged: the build publishes version 2 beside version 1.
    with (layout.data / "source/corrections.csv").open("a", encoding="utf-8") as log:
        for chart_id in CORRECTED:
            log.write(f'{CORRECTION_DATE},1.0.1,chart:{chart_id},2,"The network\'s name as the report prints it."\n')
    build(layout)
    catalogue = {entry["id"]: entry for entry in json.loads((layout.charts / "index.json").read_text(encoding="utf-8"))}
    return SimpleNamespace(layout=layout, site=layout.site, record=record, refused=str(refused.value),
                           unlogged=str(unlogged.value), charts_before=charts_before,
                           charts_after_refusal=charts_after_refusal, catalogue=catalogue)


def snapshot(folder) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def test_the_record_covers_every_file_of_every_published_version():
    """The comparison below is not empty: the committed record lists every file the model gives a version."""
    record = json.loads((ROOT / "charts" / RECORD_FILE).read_text(encoding="utf-8"))
    catalogue = json.loads((ROOT / "charts" / "index.json").read_text(encoding="utf-8"))
    assert set(record["charts"]) == {entry["id"] for entry in catalogue}
    for entry in catalogue:
        chart = project.Chart.of(entry, 1)
        assert {chart.file_url("", kind) for kind in project.CHART_FILES} <= set(record["charts"][chart.id]["1"]["files"])
        assert set(record["charts"][chart.id]["1"]["assets"].values()) <= set(record["assets"])


def test_the_renderer_draws_every_image_the_model_publishes():
    from scripts.charts.export import SITE_ASSET_FILES

    assert set(project.RENDERED_CHART_FILES) == set(SITE_ASSET_FILES)


def test_an_unlogged_change_to_a_published_version_is_refused_naming_the_file(corrected):
    chart = project.Chart(FIRST_CHART, "geography")
    for scheme in project.SCHEME_FOLDERS:
        assert f"{chart.file_url('', f'embed-{scheme}')} (chart {FIRST_CHART}, version 1) would change" in corrected.refused
    assert "corrections.csv" in corrected.refused and "chart_version" in corrected.refused
    assert chart.file_url("", "vegalite") not in corrected.refused  # only what changed is named


def test_an_unlogged_data_correction_is_refused_naming_the_versions_to_log(corrected):
    """The build names each chart whose published data would change and the version to log for it."""
    named = re.findall(r"([a-z0-9-]+) \(charts/\1/v1/\1\.csv: log chart_version 2\)", corrected.unlogged)
    assert sorted(named) == sorted(CORRECTED) and "corrections.csv" in corrected.unlogged
    assert corrected.charts_after_refusal == corrected.charts_before  # charts/ untouched


def test_every_file_published_before_is_still_there_byte_for_byte(corrected):
    changed = []
    for chart_id, versions in corrected.record["charts"].items():
        for name, digest in versions["1"]["files"].items():
            path = corrected.site / name
            if not path.is_file() or sha256(path.read_bytes()) != digest:
                changed.append(name)
    for name, digest in corrected.record["assets"].items():  # the scripts and styles old embeds load
        if sha256((corrected.site / name).read_bytes()) != digest:
            changed.append(name)
    assert not changed, changed[:10]
    # ... and charts/ keeps every file it held (but the catalogue, the record of published files
    # and the record of the inputs, which list version 2 now) beside version 2's.
    for name, data in corrected.charts_before.items():
        if name not in ("index.json", RECORD_FILE, INPUTS_FILE):
            assert (corrected.layout.charts / name).read_bytes() == data, name
    for chart_id in CORRECTED:
        old, new = project.Chart(chart_id, "networks", 1), project.Chart(chart_id, "networks", 2)
        assert (corrected.layout.charts / old.file("csv")).read_bytes() == (ROOT / "charts" / old.file("csv")).read_bytes()
        assert (corrected.layout.charts / new.file("csv")).is_file()


def test_version_2_is_published_whole_and_recorded(corrected):
    record = json.loads((corrected.layout.charts / RECORD_FILE).read_text(encoding="utf-8"))
    for chart_id in CORRECTED:
        entry = corrected.catalogue[chart_id]
        assert (entry["version"], entry["date"]) == (2, CORRECTION_DATE)
        chart = project.Chart.of(entry)
        for kind in project.CHART_FILES:
            path = corrected.site / chart.file_url("", kind)
            assert path.is_file() and record["charts"][chart_id]["2"]["files"][chart.file_url("", kind)] == sha256(
                path.read_bytes()), (chart_id, kind)
        shown = (corrected.site / chart.file_url("", "vegalite")).read_text(encoding="utf-8")
        assert NEW_NAME in shown
        assert NEW_NAME not in (corrected.site / chart.file_url("", "vegalite").replace("/v2/", "/v1/")).read_text(
            encoding="utf-8")
    assert corrected.catalogue[UNTOUCHED]["version"] == 1


def test_the_catalogue_lists_every_file_of_every_version_with_licence_and_credit(corrected):
    about = project.identity(corrected.layout.root)
    for chart_id, entry in corrected.catalogue.items():
        assert (entry["licence"], entry["licence_url"], entry["credit"]) == (about.licence, about.licence_url, about.credit)
        expected = [1, 2] if chart_id in CORRECTED else [1]
        assert [version["version"] for version in entry["versions"]] == expected, chart_id
        for version in entry["versions"]:
            chart = project.Chart.of(entry, version["version"])
            assert version["files"] == chart.files()
            for name in version["files"].values():
                assert (corrected.site / project.CHARTS_FOLDER / name).is_file(), name
            page, _, anchor = version["page"].partition("#")
            assert f'id="{anchor}"' in (corrected.site / page / "index.html").read_text(encoding="utf-8")
        assert entry["versions"][0]["date"] == FIRST_DATE


def citation_of(site, chart_id: str) -> str:
    """The citations on the chart's own page."""
    page = BeautifulSoup((site / project.chart_page_path(chart_id) / "index.html").read_text(encoding="utf-8"), "html.parser")
    return " ".join(block.get_text(" ") for block in page.select("pre.btc-citation"))


@pytest.mark.parametrize("chart_id,number,date", [(CORRECTED[1], 2, CORRECTION_DATE), (CORRECTED[1], 1, FIRST_DATE),
                                                  (UNTOUCHED, 1, FIRST_DATE)])
def test_citation_usermeta_zip_workbook_and_catalogue_name_the_same_version(corrected, chart_id, number, date):
    entry = corrected.catalogue[chart_id]
    chart = project.Chart.of(entry, number)
    spec_url = chart.file_url(CANONICAL, "vegalite")
    usermeta = json.loads((corrected.site / chart.file_url("", "vegalite")).read_text(encoding="utf-8"))["usermeta"]
    assert (usermeta["version"], usermeta["date"], usermeta["url"]) == (number, date, spec_url)
    assert {"version": number, "date": date} == {key: version[key] for version in entry["versions"]
                                                 if version["version"] == number for key in ("version", "date")}
    with zipfile.ZipFile(BytesIO((corrected.site / chart.file_url("", "zip")).read_bytes())) as bundle:
        readme = bundle.read(f"{chart_id}/README.txt").decode("utf-8")
    assert f"version {number} of {date}" in readme and spec_url in readme
    assert f"version {number} ({date})" in readme  # its citations
    workbook = openpyxl.load_workbook(corrected.site / chart.file_url("", "xlsx"))
    about = " ".join(str(cell.value) for row in workbook["About"].iter_rows() for cell in row if cell.value)
    assert f"chart version {number}, published {date}" in about
    for text in (readme, about):  # the project's release is not a chart's version
        assert project.identity().version not in text and re.search(r"chart v\d", text) is None
    if number == entry["version"]:  # the chart's page cites the current version
        cited = citation_of(corrected.site, chart_id)
        assert f"version {number} ({date})" in cited and chart.file_url(CANONICAL, "vegalite") in cited
        assert re.search(r"version \d+\.\d+\.\d+|chart v\d", cited) is None


@pytest.mark.browser
def test_the_old_embed_still_draws_the_old_data(corrected, browser):
    server, url = serve(corrected.site)
    drawn = {}
    try:
        for number in (1, 2):
            chart = project.Chart(CORRECTED[1], "networks", number)
            page, recorder = open_page(browser, chart.embed_url(url), viewport={"width": 800, "height": 900})
            loaded = []
            page.on("request", lambda request: loaded.append(request.url))
            page.locator("figure.btc-chart").dispatch_event("pointerenter")
            page.wait_for_function("() => document.querySelector('.btc-chart__view svg text')", timeout=20_000)
            drawn[number] = " | ".join(page.locator(".btc-chart__view svg text").all_text_contents())
            assert [address for address in loaded if address.endswith(".vg.json")] == [chart.file_url(url, "light.vg.json")]
            assert recorder.errors == [] and recorder.failed == [], (recorder.errors, recorder.failed)
            page.context.close()
    finally:
        server.shutdown()
    assert OLD_NAME in drawn[1] and NEW_NAME not in drawn[1]
    assert NEW_NAME in drawn[2]
