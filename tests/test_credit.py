"""One credit line and one way of naming the report, wherever the site's work travels.

Each test reads what a reader takes away (pages, embeds, zips, workbooks, images, README) and
checks it against scripts.project: a place that words the credit or the report its own way fails.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
import xml.etree.ElementTree as ET

import openpyxl

from helpers import soup

from scripts import project
from scripts.paths import ROOT, site_url

SVG = "{http://www.w3.org/2000/svg}"


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def usermeta(built_site, entry: dict) -> dict:
    spec = built_site.charts / project.Chart.of(entry).file("vegalite")
    return json.loads(spec.read_text(encoding="utf-8"))["usermeta"]


def drawn_text(svg: str) -> str:
    return " ".join(" ".join(element.itertext()) for element in ET.fromstring(svg).iter(f"{SVG}text"))


def about_sheet(data: bytes) -> dict[str, str]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {row[0]: row[1] for row in book["About"].iter_rows(values_only=True)}


def test_the_credit_line_names_the_team_the_licence_and_the_report_from_citation_cff():
    about = project.identity()
    line = project.credit_line()
    assert line == f"Chart: {about.credit}, {about.licence}. Source: {about.report.short}."
    # The short citation names the report as the full one does: same title's short form, same date.
    assert about.report.dated in about.report.short and about.report.dated in about.report.full
    assert about.report.short_title.split(":")[0] in about.report.title
    assert project.credit_line(f"{about.report.short}, table 1") == line.removesuffix(".") + ", table 1."


def test_every_chart_carries_the_one_credit_line_wherever_it_travels(built_site, site, catalogue):
    canonical = site_url(ROOT)
    for entry in catalogue:
        chart = project.Chart.of(entry)
        meta = usermeta(built_site, entry)
        line = project.credit_line(meta["source"])
        # Under the chart on its section's page and on its own page.
        figure = soup(site / project.section_url("", chart.section) / "index.html").find(id=chart.anchor)
        assert flat(figure.select_one(".btc-chart__source").get_text()) == line, chart.id
        own = soup(site / chart.chart_page_url("") / "index.html")
        assert flat(own.select_one(".btc-chart-page__credit").get_text()) == line, chart.id
        # The embed: the line, the version and its date, linked to the chart's own page.
        for scheme in project.SCHEME_FOLDERS:
            credit = soup(site / chart.embed_url("", scheme) / "index.html").select_one("a.btc-embed__credit")
            assert flat(credit.get_text()) == f"{line} Version {chart.version} ({meta['date']}).", (chart.id, scheme)
            assert credit["href"] == chart.chart_page_url(canonical)
        # The zip's README, the workbook's About sheet and the images with credit.
        with zipfile.ZipFile(site / chart.file_url("", "zip")) as bundle:
            readme = bundle.read(f"{chart.id}/README.txt").decode("utf-8")
        assert line in readme.splitlines(), chart.id
        about = about_sheet((site / chart.file_url("", "xlsx")).read_bytes())
        assert about["Credit"] == line
        for scheme in ("light", "dark"):
            svg = (site / chart.image_url("", f"credit-svg-{scheme}")).read_text(encoding="utf-8")
            assert line in flat(drawn_text(svg)), (chart.id, scheme)


def test_every_source_line_and_mention_of_the_report_uses_its_short_or_full_form(built_site, site, catalogue):
    report = project.identity().report
    texts = {}
    for path in site.rglob("*.html"):
        texts[path.relative_to(site).as_posix()] = flat(soup(path).get_text(" "))
    for entry in catalogue:
        chart = project.Chart.of(entry)
        with zipfile.ZipFile(site / chart.file_url("", "zip")) as bundle:
            texts[chart.file("zip")] = flat(bundle.read(f"{chart.id}/README.txt").decode("utf-8"))
        texts[chart.file("xlsx")] = flat(" ".join(map(str, about_sheet((site / chart.file_url("", "xlsx")).read_bytes()).values())))
        texts[chart.image_url("", "credit-svg-light")] = flat(
            drawn_text((site / chart.image_url("", "credit-svg-light")).read_text(encoding="utf-8")))
        assert usermeta(built_site, entry)["source"].startswith(report.short + ","), chart.id
    assert texts
    for name, text in texts.items():
        # "CTC West Point" only ever opens the short citation; the report's full title only the full one.
        for found in re.finditer(re.escape(report.short_author), text):
            assert text[found.start():].startswith(report.short), (name, text[found.start():found.start() + 90])
        for found in re.finditer(re.escape(report.title), text):
            assert text[:found.end() + len(report.dated) + 4].endswith(f"“{report.title}” ({report.dated})"), name
        # Whoever is credited under a licence is credited in the one line.
        about = project.identity()
        for found in re.finditer(re.escape(f"{about.credit}, {about.licence}"), text):
            assert text[:found.start()].endswith("Chart: "), (name, text[max(0, found.start() - 60):found.end()])
            assert text[found.end():].startswith(f". Source: {report.short}"), name


def test_the_reuse_page_and_readme_show_the_line_itself(site):
    reuse = soup(site / project.page_url("", "reuse.md") / "index.html")
    assert flat(reuse.select_one(".btc-credit-line").get_text()) == project.credit_line()
    markdown = (ROOT / "docs/reuse.md").read_text(encoding="utf-8")
    assert project.identity().credit not in markdown  # typed nowhere: the macro prints it
    readme = flat((ROOT / "README.md").read_text(encoding="utf-8").replace("*", ""))
    assert project.credit_line() in readme


def test_every_card_says_whose_the_claim_is(site, catalogue):
    """A shared card carries the credit line, with the report's short citation."""
    from scripts.charts import export, images

    chart = '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="200" viewBox="0 0 640 200"><rect width="640" height="200"/></svg>'
    captions = {**export.site_captions(), "title": "A headline"}
    for svg in (images.chart_card_svg(chart, captions), images.page_card_svg("Methods", captions),
                images.page_card_svg("Networks", captions, chart)):
        assert project.credit_line() in flat(drawn_text(svg))


def test_the_workbook_gives_its_absolute_address_and_the_chart_pages_citation(built_site, site, catalogue):
    canonical = site_url(ROOT)
    for entry in catalogue:
        chart = project.Chart.of(entry)
        about = about_sheet((site / chart.file_url("", "xlsx")).read_bytes())
        assert about["Address"] == chart.file_url(canonical, "xlsx")
        own = soup(site / chart.chart_page_url("") / "index.html")
        plain = own.select_one(".btc-citation--plain").get_text()
        # The page cites the deployed address, the workbook the canonical one: otherwise the same words.
        deployed = chart.file_url(built_site.site_url, "vegalite")
        assert about["Citation"] == plain.replace(deployed, chart.file_url(canonical, "vegalite")), chart.id


def test_chart_citations_name_the_dataset_and_give_apa_its_date():
    about = project.identity()
    cites = project.citations("https://example.org/charts/c/v2/c.vl.json", "c", "A chart", 2, "2027-03-04")
    assert f"In {about.title}." in cites["plain"] and f"In {about.title}." in cites["apa"]
    assert "(2027, March 4)" in cites["apa"] and "(Version 2) [Data set]" in cites["apa"]
    assert f"In {about.name}." not in cites["plain"]


def test_page_descriptions_name_the_site_as_it_is_named():
    """Front matter spells the site's name once, the model's way (no "Beyond the Caliphate - Belgium")."""
    variant = re.compile(r"Beyond the Caliphate\s*(?:[-–—]\s*|)Belgium")
    for path in sorted((ROOT / "docs").rglob("*.md")):
        assert not variant.search(path.read_text(encoding="utf-8")), path.relative_to(ROOT)


def test_chart_pages_name_the_context_page_the_zip_and_the_embed_subtitle_as_they_are(site, catalogue):
    for entry in catalogue:
        chart = project.Chart.of(entry)
        own = soup(site / chart.chart_page_url("") / "index.html")
        context = flat(own.select_one(".btc-chart-page__context").get_text())
        assert context.endswith(f"on the {project.section_page(chart.section).title} page."), context
        with zipfile.ZipFile(site / chart.file_url("", "zip")) as bundle:
            held = {name.split("/", 1)[1] for name in bundle.namelist()}
        zip_link = own.find("a", href=re.compile(re.escape(chart.file("zip").rsplit("/", 1)[-1]) + "$"))
        # A link that says "everything" holds every file of the version; else it says what it holds.
        if "everything" in zip_link.get_text().lower():
            assert held >= {path.rsplit("/", 1)[-1] for path in chart.files().values()}
        readme = next(item for item in own.select("details li") if item.code and item.code.get_text() == "README.txt")
        assert "this file" not in readme.get_text()
        if entry.get("subtitle"):
            embed = soup(site / chart.embed_url("", "auto") / "index.html")
            assert flat(embed.select_one("figcaption .btc-chart__subtitle").get_text()) == entry["subtitle"]
