"""Images ready to publish, print and share: credit images, print size, social cards, SVG labels."""

from __future__ import annotations

import json
import re
import struct
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from scripts import project
from scripts.charts import export, images
from scripts.site import cards

SVG = "{http://www.w3.org/2000/svg}"
SCHEMES = ("light", "dark")


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def drawn_text(svg: str) -> str:
    """The text an SVG draws (its <text> elements, not its title or description), as one line."""
    root = ET.fromstring(svg)
    return " ".join(" ".join(element.itertext()) for element in root.iter(f"{SVG}text"))


def image(chart: dict, role: str, site: Path) -> Path:
    return site / project.Chart.of(chart).image_url("", role)


# ---------------------------------------------------------------------------
# Measuring and wrapping


def test_font_metrics_come_from_the_font():
    regular, bold = images.face(False), images.face(True)
    assert regular.width("M", 100) > regular.width("i", 100) > 0
    assert bold.width("Belgium", 20) > regular.width("Belgium", 20)  # bold is wider
    assert regular.width("ab", 10) == pytest.approx(regular.width("a", 10) + regular.width("b", 10))


@pytest.mark.parametrize("text", [
    "By the public record, Belgium's national threat level stayed raised from the Paris attacks",
    "A" * 300,  # one word longer than any line
    "💥👩🏽‍🚒🇧🇪 attack <svg/onload=alert(1)> مرحبا",
])
def test_wrapped_lines_fit_and_keep_every_character(text):
    for size, width in ((18, 632), (48, 1088), (12, 120)):
        lines = images.wrap(text, size, width, bold=size > 12)
        assert all(images.face(size > 12).width(line, size) <= width or len(line) == 1 for line in lines)
        assert "".join("".join(lines).split()) == "".join(text.split())


def test_labels_are_the_first_children_and_name_the_image_once():
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>'
    named = images.accessible(svg, "demo", "A <title> & more", "What it shows")
    assert images.accessible(named, "demo", "A <title> & more", "What it shows") == named  # idempotent
    root = ET.fromstring(named)
    assert [child.tag for child in root][:2] == [f"{SVG}title", f"{SVG}desc"]
    assert root[0].text == "A <title> & more" and root[1].text == "What it shows"
    assert root.attrib["role"] == "img" and root.attrib["aria-labelledby"] == root[0].attrib["id"]
    assert root.attrib["aria-describedby"] == root[1].attrib["id"]


def test_hostile_texts_are_escaped_in_the_credit_image(bad_input):
    chart = '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="200" viewBox="0 0 640 200"><rect width="640" height="200"/></svg>'
    hostile = '<script>alert(1)</script> & "quotes" ' + "long" * 80
    captions = {**export.site_captions(), "id": "demo", "title": hostile, "subtitle": hostile,
                "description": hostile, "source": hostile}
    svg = images.credit_svg(chart, captions, "light")
    assert "<script" not in svg
    root = ET.fromstring(svg)
    assert root[0].text == hostile
    assert "<script>alert(1)</script>" in drawn_text(svg)
    bad_input("credit image: markup, ampersand, quotes and a 320-letter word in a chart's texts", "escaped")


# ---------------------------------------------------------------------------
# What the build publishes


def test_every_chart_has_credit_images_in_both_schemes(site, catalogue):
    about = project.identity()
    for chart in catalogue:
        for scheme in SCHEMES:
            svg = image(chart, f"credit-svg-{scheme}", site).read_text(encoding="utf-8")
            text = re.sub(r"\s+", " ", drawn_text(svg))
            for needle in (chart["title"], chart["subtitle"], about.credit, about.licence, "Source: "):
                assert needle in text, (chart["id"], scheme, needle)
            width, height = images.chart_parts(svg)[:2]
            assert png_size(image(chart, f"credit-png-{scheme}", site).read_bytes()) == (
                round(width * export.PNG_SCALE), round(height * export.PNG_SCALE))


def test_print_png_is_at_least_3000_pixels_wide(site, catalogue):
    for chart in catalogue:
        width, height = png_size(image(chart, "print-png", site).read_bytes())
        assert width >= 3000, chart["id"]
        svg_width, svg_height = images.chart_parts(image(chart, "credit-svg-light", site).read_text(encoding="utf-8"))[:2]
        assert height == pytest.approx(svg_height * width / svg_width, abs=1), chart["id"]  # not stretched


def test_every_card_is_1200_by_630(site, catalogue):
    chart_cards = [image(chart, "card", site) for chart in catalogue]
    page_cards = [site / project.card_url("", page.path) for page in project.PAGES]
    assert len(set(page_cards)) == len(project.PAGES)
    for card in chart_cards + page_cards:
        assert png_size(card.read_bytes()) == (1200, 630), card.name


def test_every_picture_of_a_chart_has_a_role_and_is_published(site, catalogue):
    named = {name for name, _ in project.CHART_IMAGES.values()}
    drawn = {name for name in export.SITE_ASSET_FILES if name.endswith((".png", ".svg"))}
    assert named == drawn
    for chart in catalogue:
        for role in project.CHART_IMAGES:
            assert image(chart, role, site).stat().st_size > 0, (chart["id"], role)


def test_every_svg_is_named_by_the_catalogue(site, catalogue):
    for chart in catalogue:
        folder = site / project.Chart.of(chart).asset_url("")
        svgs = sorted(folder.glob("*.svg"))
        assert {path.name for path in svgs} == {name for name, _ in project.CHART_IMAGES.values() if name.endswith(".svg")}
        for path in svgs:
            root = ET.fromstring(path.read_text(encoding="utf-8"))
            title, desc = root[0], root[1]
            assert (title.tag, desc.tag) == (f"{SVG}title", f"{SVG}desc"), (chart["id"], path.name)
            assert title.text == chart["title"] and desc.text == chart["description"], (chart["id"], path.name)
            assert root.attrib["role"] == "img" and root.attrib["aria-labelledby"] == title.attrib["id"]
            assert root.attrib["aria-describedby"] == desc.attrib["id"]


def test_every_page_shares_its_own_card(site, built_site, catalogue):
    site_url = built_site.site_url
    pages = [path for path in sorted(site.rglob("*.html")) if "og:title" in path.read_text(encoding="utf-8")]
    assert len(pages) >= len(project.PAGES)
    images_seen = set()
    for path in pages:
        head = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").head
        meta = {tag.get("property") or tag.get("name"): tag["content"] for tag in head.find_all("meta", content=True)}
        name = path.relative_to(site).as_posix()
        address = meta["og:image"]
        assert address.startswith(site_url), name
        card = site / address[len(site_url):]
        assert png_size(card.read_bytes()) == (1200, 630), name
        assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "630"), name
        assert meta["og:image:alt"].strip(), name
        assert meta["twitter:card"] == "summary_large_image" and meta["twitter:image"] == address, name
        images_seen.add(address)
    for page in project.PAGES:  # each page its own card
        html = (site / page.path / "index.html").read_text(encoding="utf-8")
        assert f'<meta property="og:image" content="{project.card_url(site_url, page.path)}">' in html, page.path
    assert len(images_seen) >= len(project.PAGES)


def test_chart_pages_are_given_their_charts_card(built_site, catalogue):
    share = cards.share_meta("https://example.org/", catalogue, built_site.root / "docs")
    for chart in catalogue:
        entry = share[project.chart_page_path(chart["id"])]
        assert entry["image"] == project.Chart.of(chart).card_url("https://example.org/")
        assert chart["title"] in entry["alt"]
    # A section page's card shows, and its text names, the first chart the page draws.
    lead = cards.lead_chart(built_site.root / "docs", project.section_page("geography"))
    assert lead is not None and any(chart["id"] == lead for chart in catalogue)
    assert next(chart["title"] for chart in catalogue if chart["id"] == lead) in share["geography/"]["alt"]


def test_zips_hold_the_credit_images_and_the_phone_layouts(site, catalogue):
    for chart in catalogue:
        addresses = project.Chart.of(chart)
        with zipfile.ZipFile(site / addresses.file_url("", "zip")) as bundle:
            for name, role in ((f"{chart['id']}-light-credit.png", "credit-png-light"),
                               (f"{chart['id']}-dark-credit.svg", "credit-svg-dark"),
                               (f"{chart['id']}-light-narrow.png", "png-narrow-light"),
                               (f"{chart['id']}-dark-narrow.svg", "svg-narrow-dark")):
                assert bundle.read(f"{chart['id']}/{name}") == image(chart, role, site).read_bytes(), (chart["id"], name)


def test_images_are_drawn_alike_every_time(site, catalogue):
    """The same chart gives the same bytes: drawn here, twice, and by the build's render worker."""
    chart = catalogue[0]
    spec = json.loads((site / project.Chart.of(chart).file_url("", "vegalite")).read_text(encoding="utf-8"))
    captions = export.image_captions(chart["id"], spec)
    bare = {f"{scheme}.svg": image(chart, f"svg-{scheme}", site).read_bytes() for scheme in SCHEMES}
    first = images.publish_files(chart["id"], bare, captions)
    assert images.publish_files(chart["id"], bare, captions) == first
    for name, data in first.items():
        assert (site / project.Chart.of(chart).asset_url("", name)).read_bytes() == data, name


def test_page_cards_are_cached(built_site, catalogue, tmp_path, monkeypatch):
    site = tmp_path / "site"
    (site / "assets").mkdir(parents=True)
    (site / "assets" / "charts").symlink_to(built_site.site / "assets" / "charts")
    docs = built_site.root / "docs"
    written = cards.write_page_cards(catalogue, docs, site, tmp_path / "cache")
    drawn = {path: path.read_bytes() for path in written}
    assert all(data == (built_site.site / path.relative_to(site)).read_bytes() for path, data in drawn.items())

    def no_drawing(*args, **kwargs):
        raise AssertionError("cache miss: a card was drawn again")

    monkeypatch.setattr(images.vlc, "svg_to_png", no_drawing)
    for path in written:
        path.unlink()
    cards.write_page_cards(catalogue, docs, site, tmp_path / "cache")
    assert {path: path.read_bytes() for path in written} == drawn
