"""Social cards for the pages: what each page's head says about the picture a share shows, and
the page cards themselves (a chart's card is drawn with its other images, scripts.charts.images).

A page's card shows its title and the site's name; a page that tells a section shows its lead
chart (the first one its Markdown draws) beside them. A chart's own page shows that chart's card.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import vl_convert as vlc

from scripts import cache, project
from scripts.charts import images
from scripts.paths import ROOT

# A chart macro in a page's Markdown, as scripts.site.macros defines it.
CHART_MACRO = re.compile(r"""\{\{-?\s*chart\(\s*["']([a-z0-9-]+)["']""")


def lead_chart(docs_dir: Path, page: project.Page) -> str | None:
    """The first chart a page draws, by its id (None: the page draws none)."""
    path = docs_dir / page.source
    if path.suffix != ".md" or not path.is_file():
        return None
    found = CHART_MACRO.search(path.read_text(encoding="utf-8"))
    return found.group(1) if found else None


def _headline(page: project.Page) -> tuple[str, str]:
    """(title, label above it) of a page's card: the home page's title is the site's name."""
    return (project.SITE_NAME, "") if page.path == "" else (page.title, project.SITE_NAME)


def share_meta(site_url: str, catalogue: list[dict], docs_dir: Path) -> dict[str, dict]:
    """Each page's social card by the page's path: its address, size and alternative text.

    Covers every page of the model and every chart's own page (project.chart_page_path).
    """
    width, height = images.CARD_SIZE
    titles = {entry["id"]: entry["title"] for entry in catalogue}
    share = {}
    for page in project.PAGES:
        title, _ = _headline(page)
        alt = title if page.path == "" else f"{title} — {project.SITE_NAME}"
        lead = lead_chart(docs_dir, page)
        if lead in titles:
            alt += f", beside the chart “{titles[lead]}”"
        share[page.path] = {"image": project.card_url(site_url, page.path), "width": width, "height": height, "alt": alt}
    for entry in catalogue:
        chart = project.Chart.of(entry)
        share[project.chart_page_path(chart.id)] = {
            "image": project.card_url(site_url, chart=chart), "width": width, "height": height,
            "alt": f"{entry['title']} — a chart from {project.SITE_NAME}",
        }
    return share


def write_page_cards(catalogue: list[dict], docs_dir: Path, site_dir: Path, cache_dir: Path) -> list[Path]:
    """Draw every page's card into the site (after the chart images are in it); return the files.

    Each PNG is cached under the SVG it is drawn from, vl-convert's version and the code that
    draws it, so a build whose titles and lead charts are unchanged draws none.
    """
    from scripts.charts.export import site_captions  # Altair: only when drawing

    captions = site_captions()
    charts = {entry["id"]: project.Chart.of(entry) for entry in catalogue}
    drawing_code = cache.code_digest(ROOT, [images.__name__])  # how an SVG becomes the PNG
    written = []
    for page in project.PAGES:
        lead = lead_chart(docs_dir, page)
        chart_svg = None
        if lead in charts:
            chart_svg = (site_dir / charts[lead].asset_url("", "light.svg")).read_text(encoding="utf-8")
        title, label = _headline(page)
        svg = images.page_card_svg(title, captions, chart_svg, label)
        key = cache.key(svg, vlc.__version__, drawing_code)
        drawn = cache.entry(cache_dir, f"{key}.png", lambda path, svg=svg: path.write_bytes(images.png(svg)))
        target = site_dir / project.card_url("", page.path)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(drawn, target)
        written.append(target)
    return written
