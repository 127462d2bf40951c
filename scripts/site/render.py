"""HTML fragments for the pages: findings, chart figures, ledger and data dictionary tables.

Everything that comes from data is escaped here, once, with html.escape: labels in the data
are untrusted text as far as the page is concerned.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import pandas as pd

from scripts import ledger as ledger_module
from scripts import project
from scripts.numbers import ISO_DAY, ISO_MONTH, in_words
from scripts.project import Chart, identity
from scripts.site import manifest

# What each ledger status means, in words: scripts.ledger.STATUSES is the one source of the wording.
STATUSES = ledger_module.STATUSES
DIFFERS = ("mismatch", "differs_public_record")
SCHEMES = ("light", "dark")


@dataclass
class SiteState:
    """What the pages are rendered from: the (staged) ledger, chart catalogue and assets."""

    root: Path
    ledger: pd.DataFrame
    charts_dir: Path
    assets_dir: Path
    site_url: str
    catalogue: list[dict] = field(default_factory=list)
    # While the build still draws the charts: the file that says why a drawing stopped short.
    drawing_stopped: Path | None = None

    @classmethod
    def load(cls, files: manifest.SiteFiles) -> SiteState:
        catalogue_path = files.charts / "index.json"
        catalogue = json.loads(catalogue_path.read_text(encoding="utf-8")) if catalogue_path.exists() else []
        if isinstance(catalogue, dict):
            catalogue = catalogue.get("charts", [])
        return cls(
            root=files.root,
            ledger=ledger_module.load(files.ledger),
            charts_dir=files.charts,
            assets_dir=files.chart_assets,
            site_url=files.site_url,
            catalogue=catalogue,
            drawing_stopped=files.drawing_stopped,
        )

    def row(self, finding_id: str) -> pd.Series:
        if finding_id not in self.ledger.index:
            raise KeyError(f"finding {finding_id!r} is not in the ledger (data/derived/findings.csv)")
        return self.ledger.loc[finding_id]

    def chart_meta(self, chart_id: str) -> dict:
        path = self.assets_dir / chart_id / "meta.json"
        known = any(entry["id"] == chart_id for entry in self.catalogue)
        if known and self.drawing_stopped is not None:  # pages are rendered while charts are drawn
            manifest.wait_for_file(path, self.drawing_stopped, chart_id)
        if not path.exists():
            charts = ", ".join(entry["id"] for entry in self.catalogue) or "none"
            raise KeyError(f"chart {chart_id!r} has no rendered assets (charts: {charts})")
        return json.loads(path.read_text(encoding="utf-8"))

    def chart_entry(self, chart_id: str) -> dict:
        for entry in self.catalogue:
            if entry["id"] == chart_id:
                return entry
        raise KeyError(f"chart {chart_id!r} is not in charts/index.json")

    def chart(self, chart_id: str, version: int | None = None) -> Chart:
        """The addresses of a chart's current version (or of another of its versions)."""
        return Chart.of(self.chart_entry(chart_id), version)

    def chart_file(self, chart_id: str, kind: str) -> str:
        """Path of a published chart file ("vegalite", "csv", "xlsx" or "zip") relative to charts/."""
        return self.chart(chart_id).file(kind)

    def chart_spec(self, chart_id: str, version: int | None = None) -> dict:
        path = self.charts_dir / self.chart(chart_id, version).file("vegalite")
        return json.loads(path.read_text(encoding="utf-8"))


# Findings ---------------------------------------------------------------------------------


def format_row(row: pd.Series, words: bool = False) -> str:
    """A ledger row as printed on the site: its display text, or a small count in words."""
    if words:
        if row["unit"] == "share" or row["bound"] != "exact":
            raise ValueError(f"finding {row.name!r} cannot be written in words (only exact counts under ten)")
        return in_words(float(row["value"]))
    return str(row["display"])


def plain_value(state: SiteState, finding_id: str, words: bool = False) -> str:
    return format_row(state.row(finding_id), words)


def reported(state: SiteState, finding_id: str) -> str:
    """The report's printed text, marked as the report's words (tests tell it from our prose)."""
    row = state.row(finding_id)
    if pd.isna(row["reported_text"]):
        raise KeyError(f"finding {finding_id!r} has no figure in the report")
    return (
        f'<span class="btc-report-text" data-finding="{escape(finding_id)}">'
        f'{escape(str(row["reported_text"]))}</span>'
    )


# Where Methods explains a finding in full (docs/methods.md anchors): "why they differ" and the
# ledger row lead there rather than to a row that restates the formula.
METHODS_ANCHORS = {
    "brussels-charleroi-incidents": "brussels",
    "brussels-charleroi-share": "brussels",
    "brussels-incidents": "brussels",
    "elsewhere-incidents": "brussels",
    "moroccan-linked-share": "moroccan-share",
    "belgian-citizen-share-of-all-individuals": "key-findings-citizenship",
    "route-overlap-arrest-actions": "route-overlap",
    "network-links-total": "network-overlap",
    "network-double-links": "network-overlap",
    "network-tied-arrest-actions": "network-overlap",
    "part-of-whole-arrest-actions": "network-overlap",
    "part-of-whole-share": "network-overlap",
    "knife-attacks": "which-attacks",
    "knife-attacks-inspired": "which-attacks",
    "explosive-attacks": "which-attacks",
    "linked-attack-deaths": "which-attacks",
    "inspired-attack-deaths": "which-attacks",
    "inspired-attackers-killed": "which-attacks",
    "attack-injured-total": "which-attacks",
    "linked-attack-injured": "which-attacks",
    "threat-level-lowered-to": "threat-level-dates",
    "threat-level-peak": "threat-level-dates",
    "level-four-national-days": "threat-level-dates",
    "level-three-or-more-days": "threat-level-dates",
    "threat-level-changes": "threat-level-dates",
}


def about_id(finding_id: str) -> str:
    """The id of the hidden text that describes a finding to assistive technology (one per page)."""
    return f"about-{finding_id}"


def finding_about(row: pd.Series) -> str:
    """A finding in plain words: what it counts, how it was got, and what was done to it."""
    return f"{row['statement']}. {row['explanation']} Status: {STATUSES[row['status']]}."


def finding(state: SiteState, finding_id: str, words: bool = False, base: str = "", describe: bool = True) -> str:
    """A number on a page: a link to its ledger row, described in plain words to screen readers.

    The link works by tap, click and keyboard; the description (``describe``: written once per
    page, the later uses of the same finding point at it) is visually hidden text, not a title.
    """
    row = state.row(finding_id)
    text = escape(format_row(row, words))
    about = escape(finding_about(row))
    html = (
        f'<a class="btc-finding btc-finding--{row["status"]}" data-finding="{escape(finding_id)}" '
        f'href="{escape(project.ledger_row_url(base, finding_id))}" aria-describedby="{about_id(finding_id)}">{text}</a>'
    )
    if describe:
        html += f'<span class="btc-finding-about" id="{about_id(finding_id)}" hidden>{about}</span>'
    if row["status"] in DIFFERS:
        html += (
            f' <span class="btc-reported">(the report prints “{escape(str(row["reported_text"]))}”;'
            f' <a href="{why_they_differ(finding_id, base)}">why they differ</a>)</span>'
        )
    return html


def why_they_differ(finding_id: str, base: str = "") -> str:
    """Where a finding's difference from the report is explained: Methods, else its ledger note."""
    if finding_id in METHODS_ANCHORS:
        return project.methods_url(base, METHODS_ANCHORS[finding_id])
    return escape(project.ledger_row_url(base, finding_id))


# Charts ------------------------------------------------------------------------------------


NARROW_MEDIA = "(max-width: 559.98px)"  # phones: the 340 px layout instead of the 640 px one
# Embeds only: the wide layout once the iframe is wide enough to show it at no less than 85 % of
# its size (an 8 px margin each side); embed.css holds the same breakpoint.
WIDE_MEDIA = "(min-width: 832px)"


def chart_frame(chart: Chart, base: str, meta: dict, description: str, wide: bool = False,
                pictures: Callable[[str], str] | None = None) -> str:
    """The static pictures (wide and narrow, light and dark) in a box of their exact shape.

    The live chart later draws into the same box, so nothing on the page moves. The box is the
    chart for assistive technology: an image named by the written description, the same before
    and after the live view replaces the pictures (their own alt text is empty, so the
    description is said once). chart-loader.js makes it focusable for the keyboard mode.
    ``wide`` (embed pages) adds the wide layout and each layout's own width, which embed.css
    uses so that a drawing is never shown larger than it was drawn. ``pictures`` gives a drawn
    file's address (default: the site's own renders).
    """
    pictures = pictures or (lambda name: chart.asset_url(base, name))
    ratios = (
        f"--btc-ratio: {meta['width']} / {meta['height']}; "
        f"--btc-ratio-narrow: {meta['narrow_width']} / {meta['narrow_height']}"
    )
    if wide:
        ratios += (
            f"; --btc-ratio-wide: {meta['wide_width']} / {meta['wide_height']}; --btc-width: {meta['width']}px; "
            f"--btc-width-narrow: {meta['narrow_width']}px; --btc-width-wide: {meta['wide_width']}px"
        )
    drawn = "".join(
        "<picture>"
        + (
            f'<source media="{WIDE_MEDIA}" srcset="{pictures(scheme + "-wide.svg")}" '
            f'width="{_pixels(meta["wide_width"])}" height="{_pixels(meta["wide_height"])}">'
            if wide else ""
        )
        + f'<source media="{NARROW_MEDIA}" srcset="{pictures(scheme + "-narrow.svg")}" '
        f'width="{_pixels(meta["narrow_width"])}" height="{_pixels(meta["narrow_height"])}">'
        f"{_static_image(chart, base, scheme, _pixels(meta['width']), _pixels(meta['height']), '', src=pictures(scheme + '.svg'))}"
        "</picture>"
        for scheme in SCHEMES
    )
    return f'<div class="btc-chart__frame" style="{ratios}" role="img" aria-label="{description}">{drawn}</div>'


def _pixels(size: float) -> int:
    """HTML wants whole pixels in width and height; the exact ratio is in the CSS above.

    Rounded down, so the image's placeholder box is never taller than the frame it sits in.
    """
    return int(size)


def _static_image(chart: Chart, base: str, scheme: str, width, height, description: str, lazy: bool = False,
                  src: str = "") -> str:
    # Where both twins carry alt text, only one is ever displayed: the palette hides the other
    # with display:none, which also takes it out of the accessibility tree, so it is announced
    # once. On a chart's frame and the Reuse page's thumbnails they have none. The dark one is lazy, so a browser never fetches it while it is hidden (the light palette).
    loading = ' loading="lazy"' if scheme == "dark" or lazy else ""
    return (
        f'<img class="btc-chart__static btc-chart__static--{scheme}" src="{src or chart.asset_url(base, scheme + ".svg")}" '
        f'width="{width}" height="{height}" alt="{description}"{loading} decoding="async">'
    )


def chart_data_attributes(chart: Chart, base: str, wide: bool = False, pictures: Callable[[str], str] | None = None) -> str:
    suffixes = ("", "-narrow", "-wide") if wide else ("", "-narrow")
    pictures = pictures or (lambda name: chart.asset_url(base, name))
    return (
        f'data-chart="{chart.id}" '
        + " ".join(
            f'data-vega-{scheme}{suffix}="{pictures(scheme + suffix + ".vg.json")}"'
            for scheme in SCHEMES
            for suffix in suffixes
        )
        + f' data-narrow-media="{NARROW_MEDIA}"'
        + (f' data-wide-media="{WIDE_MEDIA}"' if wide else "")
    )


def chart_figure(state: SiteState, chart_id: str, base: str, standalone: bool = False) -> str:
    """A chart as newsrooms print one: title and a one-line subtitle above, a source line below.

    The long written description is said once, as the picture's alt text (and, once the live
    view replaces the picture, as the view's accessible name); the figure is named by its title
    and subtitle. The data table and the download menu sit beside the figure, in one block;
    ``standalone`` (the chart's own page, which lists every file below it): the table open, no menu.
    """
    meta = state.chart_meta(chart_id)
    entry = state.chart_entry(chart_id)
    spec = state.chart_spec(chart_id)
    usermeta = spec.get("usermeta", {})
    chart = state.chart(chart_id)
    title = escape(entry["title"])
    subtitle = entry.get("subtitle") or usermeta.get("subtitle") or ""
    description = escape(entry.get("description") or usermeta.get("description", ""))
    data_table = chart_data_table(state, chart_id)
    credit = escape(project.credit_line(usermeta.get("source"), state.root))
    head = f'<span class="btc-chart__title">{title}</span>'
    if subtitle:
        head += f' <span class="btc-chart__subtitle">{escape(subtitle)}</span>'
    return (
        '<div class="btc-chart-block">\n'
        f'<figure class="btc-chart" id="{chart.anchor}" {chart_data_attributes(chart, base)}>\n'
        f"<figcaption>{head}</figcaption>\n"
        f"{chart_frame(chart, base, meta, description)}\n"
        f'<p class="btc-chart__source">{credit}</p>\n'
        "</figure>\n"
        '<div class="btc-chart__tools">'
        f'<details class="btc-chart__data"{" open" if standalone else ""}><summary>Data behind the chart<span class="btc-visually-hidden">: {title}</span></summary>\n'
        f"{data_table}\n</details>\n"
        f"{'' if standalone else _download_menu(state, chart_id, base)}</div>\n</div>"
    )


# The data files of a version, by kind (scripts.project.CHART_FILES), as download links name them.
DATA_DOWNLOADS = {
    "csv": "CSV",
    "xlsx": "Excel",
    "schema": "CSV schema (Table Schema JSON)",
    "vegalite": "Vega-Lite JSON",
    "zip": "Zip: chart, data and images",
}


def download_links(state: SiteState, chart_id: str, base: str) -> list[tuple[str, str]]:
    """Every file a reader can take away for one chart, the current version's: (href, label)."""
    chart = state.chart(chart_id)
    links = [(chart.image_url(base, role), label) for role, (_, label) in project.CHART_IMAGES.items()]
    links += [(chart.file_url(base, kind), label) for kind, label in DATA_DOWNLOADS.items()]
    links += [
        (chart.file_url(base, f"{scheme}{layout}.vg.json"), f"Compiled Vega, {name} layout ({scheme})")
        for layout, name in (("", "standard"), ("-narrow", "phone"), ("-wide", "wide")) for scheme in SCHEMES
    ]
    return links


def _link(href: str, label: str) -> str:
    download = " download" if not href.endswith("/") and "#" not in href else ""
    return f'<a href="{href}"{download}>{label}</a>'


# Under each chart on a page: the essentials only; the full set (dark images, zip, embed code,
# citations) is on the chart's own page.
MENU_FILES = ("PNG", "SVG", "CSV", "Excel", "Vega-Lite JSON")


def _download_menu(state: SiteState, chart_id: str, base: str) -> str:
    files = dict((label, href) for href, label in download_links(state, chart_id, base))
    links = [(files[label], label) for label in MENU_FILES]
    chart = state.chart(chart_id)
    links += [(chart.embed_url(base), "Embed"), (chart.chart_page_url(base), "All files, embed code and citations")]
    items = "".join(f"<li>{_link(href, label)}</li>" for href, label in links)
    return (
        '<details class="btc-chart__downloads">'
        f"<summary>Download and embed</summary><ul>{items}</ul></details>"
    )


# The page's "Data behind the chart" table: the columns a reader needs, with human headers.
# The published CSV (charts/v<N>/<id>.csv) keeps every column for reusers; ids, provenance
# keys, styling roles and layout positions (x, y, label_at, start, end, tiers …) stay out of
# the page. "value" is printed as the ledger's display text where the row is a finding.
DATA_COLUMNS: dict[str, dict[str, str]] = {
    "overview-linked-vs-inspired": {"kind": "Incidents", "connection": "Connection", "value": "Number"},
    "geography-regions-map": {"place": "Place", "value": "Incidents"},
    "geography-incidents-by-place": {"place": "Place", "value": "Incidents"},
    "geography-antwerp-fighters-vs-incidents": {"measure": "Measure", "value": "Share"},
    "nationalities-citizenship": {"group": "Group", "countries": "Countries", "value": "Individuals"},
    "nationalities-moroccan-links": {"group": "Group", "value": "Figure", "share_display": "Share of all individuals"},
    "nationalities-belgian-birthplaces": {"birthplace": "Place of birth", "value": "Belgian citizens"},
    "nationalities-data-coverage": {"attribute": "Attribute", "value": "Individuals", "of": "Out of"},
    "networks-table-1": {"network": "Network", "group": "Group", "value": "Links to arrest actions", "note": "Asterisk"},
    "networks-diagram": {"element": "Element", "name": "Name", "group": "Group", "value": "Number"},
    "networks-local-vs-deployed": {"route": "Route", "value": "Arrest actions"},
    "threat-levels-timeline": {"layer": "Kind", "pin": "Pin", "event": "Event", "place": "Place",
                               "date": "From", "end": "To", "detail": "Detail", "value": "Level"},
    "threat-levels-verdicts-2016": {"outcome": "Outcome", "value": "Verdicts"},
    "threat-levels-convict-status": {"situation": "Where they were", "value": "Share of those convicted"},
    "weapons-targets-attack-timeline": {"attack": "Attack", "date": "Date", "place": "Place",
                                        "connection": "The report's coding", "weapon": "Weapon",
                                        "target": "Target", "value": "Killed", "injured": "Injured"},
    "weapons-targets-data-coverage": {"measure": "Measure", "value": "Count", "of": "Out of", "of_what": "Of"},
    "weapons-targets-tatp": {"event": "Event", "month": "Month", "where": "Where"},
}
# A chart missing from DATA_COLUMNS shows its CSV without these, names humanised.
INTERNAL_COLUMNS = frozenset({
    "role", "unit", "status", "derived", "finding_id", "source_table", "source_key", "source_column",
    "x", "y", "x2", "y2", "label_at", "start", "end", "pin_top", "pin_base", "tier", "label_tier",
    "guide_at", "label_align", "label_side", "name_break", "floor", "key", "base_level",
    "previous_level", "share_of_kind", "share_of_all", "share_of_detailed", "share_of_whole", "whole",
    "checked_by", "share_finding_id",
})


def _data_columns(chart_id: str, header: list[str]) -> dict[str, str]:
    if chart_id in DATA_COLUMNS:
        return {name: label for name, label in DATA_COLUMNS[chart_id].items() if name in header}
    return {name: name.replace("_", " ").capitalize() for name in header if name not in INTERNAL_COLUMNS}


def _shown_value(state: SiteState, row: dict[str, str], column: str) -> str:
    cell = row.get(column) or ""
    if ISO_DAY.fullmatch(cell):  # the CSV keeps ISO days; readers get "22 March 2016"
        day = dt.date.fromisoformat(cell)
        return f"{day.day} {day:%B %Y}"
    if ISO_MONTH.fullmatch(cell):  # a month without a day ("2015-01"): "January 2015"
        return f"{dt.date.fromisoformat(cell + '-01'):%B %Y}"
    if column != "value" or not cell:
        return cell
    finding_id = row.get("finding_id") or ""
    if finding_id and finding_id in state.ledger.index:
        return format_row(state.row(finding_id))
    number = float(cell)
    if row.get("unit") == "share":
        return f"{number:.0%}"
    return str(int(number)) if number.is_integer() else f"{number:g}"


def drawn_finding_ids(row: dict[str, str]) -> list[str]:
    """The findings a chart's CSV row draws: its ``finding_id``, then any ``<what>_finding_id``
    (a second number on the row, such as a count's share)."""
    return [row[name] for name in ("finding_id", *_secondary_finding_columns(row)) if row.get(name)]


def _secondary_finding_columns(row: dict[str, str]) -> list[str]:
    return sorted(name for name in row if name.endswith("_finding_id"))


def _note(state: SiteState, row: dict[str, str]) -> str:
    """What the chart marks on a row: a derived figure, one that differs from the report, or the
    report's own printed figure that a finding (``checked_by``) found not to fit its counts."""
    checked_by = row.get("checked_by") or ""
    if checked_by in state.ledger.index and state.row(checked_by)["status"] in DIFFERS:
        return f"as the report prints it ({state.row(checked_by)['status']})"
    for finding_id in (row[name] for name in _secondary_finding_columns(row) if row[name]):
        if finding_id in state.ledger.index and state.row(finding_id)["status"] in DIFFERS:
            ours = state.row(finding_id)
            return f"{format_row(ours)} is ours; the report prints {ours['reported_text']}"
    finding_id = row.get("finding_id") or ""
    if finding_id and finding_id in state.ledger.index:
        ledger_row = state.row(finding_id)
        if ledger_row["status"] in DIFFERS:
            return f"the report prints {ledger_row['reported_text']}"
        if ledger_row["status"] == "derived":
            return "derived (our computation)"
    return "derived (our computation)" if row.get("derived") == "true" else ""


def chart_data_table(state: SiteState, chart_id: str) -> str:
    """The data behind one chart as a reader's table (cards on a phone: each cell says its column)."""
    path = state.charts_dir / state.chart_file(chart_id, "csv")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = _data_columns(chart_id, list(reader.fieldnames or []))
        rows = list(reader)
    cells = [[_shown_value(state, row, name) for name in columns] for row in rows]
    labels = list(columns.values())
    notes = [_note(state, row) for row in rows]
    if any(notes):
        labels.append("Note")
        cells = [[*line, note] for line, note in zip(cells, notes)]
    head = "".join(f'<th scope="col">{escape(label)}</th>' for label in labels)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td data-label="{escape(label)}">{escape(cell)}</td>' for label, cell in zip(labels, line)
        )
        + "</tr>"
        for line in cells
    )
    title = escape(state.chart_entry(chart_id)["title"])
    # On a phone the rows become cards (display: block); Chromium keeps the table's semantics,
    # and each cell shows its header beside it. Searchable: the description is no longer page
    # text (it is the chart's accessible name), so a search for a place or a country finds this.
    return (
        f'<table class="btc-table btc-data-table"><caption>{title}</caption>'
        f'<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    )


def _csv_table(path: Path, caption: str) -> str:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    head = "".join(f'<th scope="col">{escape(cell)}</th>' for cell in header)
    lines = "".join("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in body)
    return (
        f'<div class="btc-table-wrap" data-search-exclude tabindex="0" role="region" aria-label="{escape(caption)}">'
        f'<table class="btc-table"><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>'
        f"<tbody>{lines}</tbody></table></div>"
    )


# Ledger and data dictionary ------------------------------------------------------------------


def charts_using(state: SiteState) -> dict[str, list[dict]]:
    """Finding id → the catalogue entries of the charts whose data rows name it (finding_id column)."""
    using: dict[str, list[dict]] = {}
    for entry in state.catalogue:
        path = state.charts_dir / state.chart_file(entry["id"], "csv")
        if not path.exists():
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            ids = {finding_id for row in csv.DictReader(handle) for finding_id in drawn_finding_ids(row)}
        for finding_id in sorted(ids):
            using.setdefault(finding_id, []).append(entry)
    return using


def _cell(label: str, content: str, css: str = "") -> str:
    """A ledger cell; its label heads it when a phone shows each row as a card."""
    klass = f' class="{css}"' if css else ""
    return f'<td data-label="{escape(label)}"{klass}>{content}</td>'


def _data_links(state: SiteState, source_ref: str, base: str) -> str:
    """The data files a finding rests on: each to its published CSV and its data-dictionary entry."""
    names = _resource_names(state)
    files = source_ref.split("data: ", 1)[1] if "data: " in source_ref else ""
    links = []
    for path in (part.strip() for part in files.split(",") if part.strip()):
        name = names.get(path)
        dictionary = f' (<a href="{escape(project.data_dictionary_url(base, name))}">columns</a>)' if name else ""
        links.append(f'<a href="{escape(project.data_file_url(base, path))}">{escape(path.rsplit("/", 1)[-1])}</a>{dictionary}')
    return ", ".join(links)


def _resource_names(state: SiteState) -> dict[str, str]:
    """Data file path (as in source_ref) → its resource name in the Data Package."""
    descriptor = json.loads((state.root / "data/datapackage.json").read_text(encoding="utf-8"))
    return {resource["path"]: resource["name"] for resource in descriptor["resources"]}


def _report_words(row: pd.Series) -> str:
    """The report's sentence, with the section it is in and a link to the report."""
    if pd.isna(row["report_quote"]):
        return '<span class="btc-ledger__none">The report prints no figure for this.</span>'
    where = ledger_module.report_place(str(row["source_ref"]))
    return (
        f"<q>{escape(str(row['report_quote']))}</q>"
        f'<span class="btc-ledger__source">{escape(where)}, in <a href="{escape(identity().report.url)}">the report</a></span>'
    )


def finding_cells(finding_id: str, row: pd.Series, base: str, words: bool = False) -> str:
    """A finding as cells of a findings table: its statement linked to its ledger row, our figure,
    the report's, (``words``: the report's own words,) and its status."""
    printed = "" if pd.isna(row["reported_text"]) else escape(str(row["reported_text"]))
    return (
        _cell("Finding", f'<a href="{escape(project.ledger_row_url(base, finding_id))}">{escape(row["statement"])}</a>'
              f'<span class="btc-ledger__explanation">{escape(str(row["explanation"]))}</span>')
        + _cell("Ours", escape(format_row(row)), "btc-ledger__figure")
        + _cell("Report prints", printed or "—", "btc-ledger__figure")
        + (_cell("The report's words", _report_words(row)) if words else "")
        + _cell("Status", f'<span class="btc-status btc-status--{row["status"]}">{escape(STATUSES[row["status"]])}</span>')
    )


def section_findings(state: SiteState, section: str, base: str = "") -> str:
    """A section page's "all findings in this section": each row links to its row in the ledger."""
    frame = state.ledger[state.ledger["section"] == section]
    rows = []
    for finding_id, row in frame.iterrows():
        rows.append(f"<tr>{finding_cells(finding_id, row, base)}</tr>")
    caption = f"Findings ledger: {project.section(section).title}"
    head = "".join(f'<th scope="col">{name}</th>' for name in ("Finding", "Ours", "Report prints", "Status"))
    colgroup = "".join(f'<col class="btc-col-{name}">' for name in ("finding", "figure", "figure", "status"))
    return (
        f'<div class="btc-table-wrap btc-ledger-wrap" data-search-exclude role="region" aria-label="{caption}">'
        f'<table class="btc-ledger btc-ledger--section"><caption>{caption}</caption><colgroup>{colgroup}</colgroup>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


LEDGER_HEADINGS = ("Finding, in plain words", "Figures", "Status", "The report's words", "Our note, data and charts")


def ledger_table(state: SiteState, section: str | None = None, base: str = "") -> str:
    """The ledger: on its own page (no section) one table per section; on a section page, its rows."""
    if section is not None:
        return section_findings(state, section, base)
    using = charts_using(state)
    parts = []
    for name, title in ((part.id, part.title) for part in project.SECTIONS):
        frame = state.ledger[state.ledger["section"] == name]
        if frame.empty:
            continue
        rows = []
        for finding_id, row in frame.iterrows():
            printed = "" if pd.isna(row["reported_text"]) else escape(str(row["reported_text"]))
            evidence = []
            if not pd.isna(row["note"]):
                note = escape(str(row["note"]))
                if finding_id in METHODS_ANCHORS:
                    note += f' Explained in <a href="{project.methods_url(base, METHODS_ANCHORS[finding_id])}">Methods</a>.'
                evidence.append(f'<span class="btc-ledger__note">{note}</span>')
            elif finding_id in METHODS_ANCHORS:
                evidence.append(f'<span>Explained in <a href="{project.methods_url(base, METHODS_ANCHORS[finding_id])}">Methods</a>.</span>')
            data = _data_links(state, str(row["source_ref"]), base)
            charts = ", ".join(
                f'<a href="{escape(Chart.of(entry).page_url(base))}" '
                f'aria-label="{escape(project.section(entry["section"]).title)} chart: {escape(entry["title"])}">'
                f'{escape(project.section(entry["section"]).title)}</a>'
                for entry in using.get(finding_id, [])
            )
            sources = "; ".join(part for part in (f"Data: {data}" if data else "", f"charts: {charts}" if charts else "") if part)
            if sources:
                evidence.append(f"<span>{sources}</span>")
            figures = (
                f'<span class="btc-ledger__ours">Ours: <strong>{escape(format_row(row))}</strong></span>'
                f'<span class="btc-ledger__printed">Report: {printed or "—"}</span>'
            )
            rows.append(
                f'<tr id="finding-{escape(finding_id)}" data-status="{escape(row["status"])}">'
                + _cell(LEDGER_HEADINGS[0], f'<strong>{escape(row["statement"])}</strong>'
                        f'<span class="btc-ledger__explanation">{escape(str(row["explanation"]))}</span>'
                        f'<code class="btc-ledger__id">{escape(finding_id)}</code>')
                + _cell(LEDGER_HEADINGS[1], figures, "btc-ledger__figures")
                + _cell(LEDGER_HEADINGS[2], f'<span class="btc-status btc-status--{row["status"]}">{escape(STATUSES[row["status"]])}</span>'
                        f' <code>{escape(row["status"])}</code>')
                + _cell(LEDGER_HEADINGS[3], _report_words(row))
                + _cell(LEDGER_HEADINGS[4], "".join(evidence), "btc-ledger__evidence")
                + "</tr>"
            )
        head = "".join(f'<th scope="col">{label}</th>' for label in LEDGER_HEADINGS)
        colgroup = "".join(
            f'<col class="btc-col-{name}">' for name in ("finding", "figures", "status", "words", "evidence")
        )
        parts.append(
            f'<section class="btc-ledger-section" data-section="{name}">'
            f'<h2 id="section-{name}">{escape(title)}</h2>'
            f'<div class="btc-table-wrap btc-ledger-wrap" data-search-exclude role="region" aria-label="Findings ledger: {escape(title)}">'
            f'<table class="btc-ledger btc-ledger--full"><caption>Findings ledger: {escape(title)}</caption>'
            f"<colgroup>{colgroup}</colgroup>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div></section>"
        )
    return "\n".join(parts)


def status_summary(state: SiteState) -> str:
    """Each status, what it means (scripts.ledger.STATUSES) and how many findings carry it."""
    counts = state.ledger["status"].value_counts()
    items = "".join(
        f'<li><code>{status}</code> — <span class="btc-status btc-status--{status}">{escape(meaning)}</span>: '
        f"{_plural(int(counts.get(status, 0)), 'finding')}</li>"
        for status, meaning in STATUSES.items()
    )
    return f'<ul class="btc-status-summary">{items}</ul>'


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def data_dictionary(state: SiteState) -> str:
    descriptor = json.loads((state.root / "data/datapackage.json").read_text(encoding="utf-8"))
    parts = []
    others = [r for r in descriptor["resources"] if r.get("format", "csv") != "csv"]
    for resource in descriptor["resources"]:
        if resource in others:
            continue
        schema_path = state.root / "data" / resource["schema"]
        schema = json.loads(schema_path.read_text(encoding="utf-8"))
        rows = "".join(
            f"<tr><td><code>{escape(f['name'])}</code></td><td>{escape(f['type'])}</td>"
            f"<td>{escape(f.get('description', ''))}</td><td>{escape(_constraints(f))}</td></tr>"
            for f in schema["fields"]
        )
        key = ", ".join(schema.get("primaryKey", []))
        parts.append(
            f'<h3 id="table-{escape(resource["name"])}">{escape(resource["title"])} '
            f'<small><code>{escape(resource["path"])}</code></small></h3>'
            f"<p>{escape(resource.get('description', ''))} Key: <code>{escape(key)}</code>.</p>"
            f'<div class="btc-table-wrap" data-search-exclude tabindex="0" role="region" aria-label="Fields of {escape(resource["name"])}">'
            f"<table class=\"btc-table\"><thead><tr><th scope=\"col\">Field</th><th scope=\"col\">Type</th>"
            f"<th scope=\"col\">Meaning</th><th scope=\"col\">Constraints</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></div>"
        )
    if others:  # the same data in other formats, the map shapes, notes: described, not tabulated
        rows = "".join(
            f'<tr id="table-{escape(r["name"])}"><td><code>{escape(r["path"])}</code></td><td>{escape(r.get("format", ""))}</td>'
            f"<td>{escape(r['title'])}: {escape(r.get('description', ''))}</td></tr>"
            for r in others
        )
        parts.append(
            '<h3 id="other-files">Other files in the package</h3>'
            '<div class="btc-table-wrap" data-search-exclude tabindex="0" role="region" aria-label="Other files in the package">'
            '<table class="btc-table"><thead><tr><th scope="col">File</th><th scope="col">Format</th>'
            f'<th scope="col">What it holds</th></tr></thead><tbody>{rows}</tbody></table></div>'
        )
    return "\n".join(parts)


def _constraints(field_: dict) -> str:
    constraints = field_.get("constraints", {})
    words = []
    for name, value in constraints.items():
        if name == "enum":
            words.append("one of " + ", ".join(map(str, value)))
        elif value is True:
            words.append(name)
        else:
            words.append(f"{name} {value}")
    if "unit" in field_:
        words.append(f"unit: {field_['unit']}")
    return "; ".join(words)


def palette_table(state: SiteState) -> str:
    """The charts' semantic palette (scripts.charts.theme), one row per colour role."""
    from scripts.charts import theme

    if not hasattr(theme, "palette_table"):
        return "<p>The palette is defined in <code>scripts/charts/theme.py</code>.</p>"
    rows = "".join(
        f'<tr><td><code>{escape(role["role"])}</code></td>'
        f'<td><span class="btc-swatch" style="background:{escape(role["light"])}"></span> <code>{escape(role["light"])}</code></td>'
        f'<td><span class="btc-swatch" style="background:{escape(role["dark"])}"></span> <code>{escape(role["dark"])}</code></td>'
        f'<td>{escape(role["meaning"])}</td><td>{escape(role["legend"])}</td></tr>'
        for role in theme.palette_table()
    )
    head = "".join(f'<th scope="col">{name}</th>' for name in ("Role", "Light", "Dark", "Meaning", "Legend label"))
    return (
        '<div class="btc-table-wrap" data-search-exclude tabindex="0" role="region" aria-label="Chart palette">'
        f'<table class="btc-table"><caption>The charts\' colours and what each means</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>"
    )


def sources_table(state: SiteState) -> str:
    path = state.root / "data/source/sources.csv"
    return _csv_table(path, caption="Sources")


def attack_identification(state: SiteState) -> str:
    path = state.root / "data/source/public/attack_identification.csv"
    return _csv_table(path, caption="Candidates for the four attacks: our decisions")


def corrections_log(state: SiteState) -> str:
    path = state.root / "data/source/corrections.csv"
    return _csv_table(path, caption="Corrections and changes")


# Reuse and citation -----------------------------------------------------------------------------


def citations(state: SiteState, chart_id: str | None = None, version: int | None = None,
              base: str | None = None) -> dict[str, str]:
    """The site's citation, or a chart version's (the current one unless ``version``), with its permanent
    address under ``base`` (default: the deployed site's address); project.citations words them."""
    base = state.site_url if base is None else base
    if not chart_id:
        return project.citations(base, root=state.root)
    chart = state.chart(chart_id, version)
    usermeta = state.chart_spec(chart_id, version).get("usermeta", {})
    return project.citations(chart.file_url(base, "vegalite"), chart_id,
                             usermeta.get("title") or state.chart_entry(chart_id)["title"], chart.version,
                             usermeta.get("date") or "", root=state.root)


def byline(state: SiteState) -> str:
    """"By <team> · Updated <date>": the date of the last commit, as every date the build prints."""
    from datetime import datetime, timezone

    team = identity(state.root).credit
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = datetime.fromtimestamp(int(epoch), tz=timezone.utc).date() if epoch else identity(state.root).released
    return (
        f'<p class="btc-byline">By the {escape(team)} · Updated '
        f'<time datetime="{when.isoformat()}">{when.day} {when:%B %Y}</time></p>'
    )


def citation_block(state: SiteState, style: str = "plain", chart_id: str | None = None) -> str:
    text = citations(state, chart_id)[style]
    return f'<pre class="btc-citation btc-citation--{style}"><code>{escape(text)}</code></pre>'


# What each chart's zip holds, as scripts.site.publish packs it and the Reuse page lists it:
# (file name in the bundle, where it comes from, what it is)
BUNDLE_FILES = (
    ("{id}.vl.json", "spec", "Vega-Lite specification with the data inline; paste it into https://vega.github.io/editor/"),
    ("{id}.csv", "csv", "the data the chart shows, UTF-8 CSV"),
    ("{id}.xlsx", "xlsx", "the same data as an Excel workbook: typed cells, and an About sheet with credit and licence"),
    ("{id}-light.png", "light.png", "image, light background, 2x resolution"),
    ("{id}-dark.png", "dark.png", "image, dark background, 2x resolution"),
    ("{id}-light.svg", "light.svg", "vector image, light background"),
    ("{id}-dark.svg", "dark.svg", "vector image, dark background"),
    ("{id}-light-credit.png", "light-credit.png", "image with headline, source, credit and licence, ready to publish"),
    ("{id}-dark-credit.png", "dark-credit.png", "the same, dark background"),
    ("{id}-light-credit.svg", "light-credit.svg", "vector image with headline, source, credit and licence"),
    ("{id}-dark-credit.svg", "dark-credit.svg", "the same, dark background"),
    ("{id}-light-narrow.png", "light-narrow.png", "the layout for phones (340 px wide), 2x resolution"),
    ("{id}-dark-narrow.png", "dark-narrow.png", "the same, dark background"),
    ("{id}-light-narrow.svg", "light-narrow.svg", "the layout for phones, vector image"),
    ("{id}-dark-narrow.svg", "dark-narrow.svg", "the same, dark background"),
    ("README.txt", "readme", "licence, credit and citations"),
)


# Embed pages: the reader's own colour scheme at embed/<id>/, a fixed one at embed/<id>/<scheme>/.
EMBED_SCHEMES = ("auto", *SCHEMES)
# The snippet's fallback height, for hosts without the helper script: it must hold the whole
# embed page at any common width, so the caption is reckoned at the narrowest (320 px, less the
# page's margins), with generous average glyph widths (px) and line heights (px) of embed.css.
EMBED_NARROWEST = 304
EMBED_PADDING = 16
CAPTION_LINES = (  # (what, average glyph width, line height)
    ("title", 8.2, 17.7),
    ("subtitle", 7.6, 20.3),
    ("credit", 7.6, 20.3),
)


def embed_credit(state: SiteState, chart_id: str, version: int | None = None) -> str:
    """What an embedded chart says under it (linked to the chart's own page): the one credit line,
    and which version of the chart it is."""
    usermeta = state.chart_spec(chart_id, version).get("usermeta", {})
    number, date = usermeta.get("version") or state.chart(chart_id, version).version, usermeta.get("date") or ""
    return f"{project.credit_line(usermeta.get('source'), state.root)} Version {number}" + (f" ({date})." if date else ".")


def embed_height(meta: dict, texts: dict[str, str], credit: str) -> int:
    """A height (px) at which the embed page shows the whole chart at any width from 320 px up.

    Each layout is shown at most at the size it was drawn (embed.css), so the tallest of the
    three bounds the chart; ``texts`` gives the caption's title and subtitle.
    """
    chart = max(meta["height"], meta["narrow_height"], meta.get("wide_height", 0))
    caption = 0.0
    for what, glyph, line in CAPTION_LINES:
        text = credit if what == "credit" else texts[what]
        lines = math.ceil(len(text) * glyph / EMBED_NARROWEST) + 1  # one more for word wrapping
        caption += lines * line
    return math.ceil(chart + caption + EMBED_PADDING)


def embed_snippet(state: SiteState, chart_id: str, scheme: str = "auto") -> str:
    """The HTML a host pastes to embed one chart: one iframe and the auto-height helper.

    ``scheme`` "auto" follows the reader's colour scheme; "light" and "dark" fix one. The iframe
    carries no obsolete attributes: its width and border are set in a style attribute (which the
    helper repeats through the DOM, for hosts whose policy ignores style attributes), and its
    height fits the chart at any width (see embed_height) until the helper measures it.
    """
    entry = state.chart_entry(chart_id)
    height = embed_height(state.chart_meta(chart_id), {"title": entry["title"], "subtitle": entry.get("subtitle") or ""},
                          embed_credit(state, chart_id))
    return (
        f'<iframe src="{state.chart(chart_id).embed_url(state.site_url, scheme)}" title="{escape(entry["title"])}" '
        f'class="btc-embed-frame" height="{height}" loading="lazy" '
        'style="display:block;width:100%;border:0"></iframe>\n'
        f'<script src="{project.asset_url(state.site_url, "js/embed-host.js")}" async></script>'
    )
