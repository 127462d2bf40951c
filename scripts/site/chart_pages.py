"""One permanent page per chart, and the Reuse page's catalogue that links to them.

Each chart's page is an ordinary MkDocs page (so it gets the theme, search and the sitemap): the
build writes a small Markdown file per chart into its staged copy of docs/ (write_sources), whose
one macro call renders chart_page() below. docs/ in the repository is never written.
"""

from __future__ import annotations

import csv
import json
from html import escape
from pathlib import Path


from scripts import project
from scripts.errors import BuildError
from scripts.site import render

# The styles a chart's page gives, as headed on it, and in render.citations.
CITATION_STYLES = {"plain": "Plain text", "apa": "APA", "chicago": "Chicago", "bibtex": "BibTeX"}
# The catalogue offers these straight away; everything else is on the chart's page.
CATALOGUE_FILES = ("PNG", "CSV", "Excel", render.DATA_DOWNLOADS["zip"])
PREVIEW_WIDTH = 320  # px: the catalogue's thumbnails
UNSAFE_IN_FRONT_MATTER = ("<", ">", "&", "{", "}")


class ChartPageError(BuildError):
    """A chart's page cannot be written."""


def write_sources(docs_dir: Path, charts_dir: Path) -> list[Path]:
    """One Markdown file per chart of the catalogue (charts_dir/index.json) in the staged docs/:
    front matter and one macro call."""
    catalogue = json.loads((charts_dir / "index.json").read_text(encoding="utf-8"))
    if isinstance(catalogue, dict):
        catalogue = catalogue.get("charts", [])
    written = []
    for entry in catalogue:
        chart = project.Chart.of(entry)
        path = docs_dir / project.chart_page_source(chart.id)
        if path.exists():
            raise ChartPageError(f"docs/{project.chart_page_source(chart.id)}: the build writes chart {chart.id}'s "
                                 "page here; move this file")
        front = {
            "title": entry["title"],
            "description": entry.get("subtitle") or entry["title"],
        }
        for key in ("title", "description"):
            # The theme prints a page's title and description unescaped, and the macros plugin
            # reads braces: a chart's title and subtitle are code, so refuse rather than escape.
            if any(char in front[key] for char in UNSAFE_IN_FRONT_MATTER):
                raise ChartPageError(f"chart {chart.id}: its {key} {front[key]!r} has one of "
                                     f"{' '.join(UNSAFE_IN_FRONT_MATTER)}, which its page's head cannot carry")
        lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in front.items()]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("---\n" + "\n".join(lines) + f'\n---\n\n{{{{ chart_page("{chart.id}") }}}}\n', encoding="utf-8")
        written.append(path)
    return written


# A chart's page ---------------------------------------------------------------------------------


def chart_page(state: render.SiteState, chart_id: str, base: str) -> str:
    """The chart, its description, data, files, embed code, citations, findings and versions.

    Markdown headings between HTML blocks, so the page gets a table of contents and permalinks.
    """
    entry = state.chart_entry(chart_id)
    chart = state.chart(chart_id)
    context = project.section_page(chart.section)
    parts = [
        f'<div class="btc-chart-page">\n{render.chart_figure(state, chart_id, base, standalone=True)}\n</div>',
        f'<p class="btc-chart-page__description">{escape(entry.get("description", ""))}</p>',
        f'<p class="btc-chart-page__context"><a href="{chart.page_url(base)}">See this chart in context</a> '
        f"on the {escape(context.title)} page.</p>",
        "## Download {#download}",
        _downloads(state, chart_id, base),
        "## Embed {#embed}",
        _embed_code(state, chart_id),
        "## Cite {#cite}",
        _citations(state, chart_id),
        "## Findings it draws {#findings}",
        _findings(state, chart_id, base),
        "## Versions and corrections {#versions}",
        _versions(state, chart_id, base),
    ]
    return "\n\n".join(parts) + "\n"


def _links(state: render.SiteState, chart_id: str, base: str) -> list[tuple[str, str]]:
    """Every file of the current version, and its embed pages: (href, label)."""
    chart = state.chart(chart_id)
    return [
        *render.download_links(state, chart_id, base),
        (chart.embed_url(base), "Embed page"),
        (chart.embed_url(base, "light"), "Embed page (always light)"),
        (chart.embed_url(base, "dark"), "Embed page (always dark)"),
    ]


def _embed_code(state: render.SiteState, chart_id: str) -> str:
    """One snippet that follows the reader's colour scheme; fixed light and dark ones apart, so a
    pasted block always shows the chart once."""
    snippets = {scheme: render.embed_snippet(state, chart_id, scheme) for scheme in render.EMBED_SCHEMES}
    return (
        "<p>Paste this where the chart should appear. The chart follows the reader's light or dark "
        "setting; the script fits the iframe's height to the chart and needs no inline script.</p>"
        f'<pre class="btc-embed-code" data-search-exclude><code>{escape(snippets["auto"])}</code></pre>'
        "<details data-search-exclude><summary>Embed code that stays light, or dark</summary>"
        + "".join(
            f"<p>Always {scheme}:</p>"
            f'<pre class="btc-embed-code btc-embed-code--{scheme}"><code>{escape(snippets[scheme])}</code></pre>'
            for scheme in render.SCHEMES
        )
        + "</details>"
    )


def _downloads(state: render.SiteState, chart_id: str, base: str) -> str:
    entry = state.chart_entry(chart_id)
    spec_url = state.chart(chart_id).file_url(state.site_url, "vegalite")
    items = "".join(f"<li>{render._link(href, label)}</li>" for href, label in _links(state, chart_id, base))
    bundle = "".join(
        f"<li><code>{escape(name.format(id=chart_id))}</code>: {escape(about)}</li>" for name, _, about in render.BUNDLE_FILES
    )
    return (
        f'<p class="btc-reuse__version">Version {entry["version"]}, published {escape(entry["date"])}. '
        f"Permanent address: <code>{escape(spec_url)}</code> (its data never changes; a corrected chart gets a "
        f'new version, listed <a href="#versions">below</a>).</p>'
        f'<ul class="btc-chart-page__files">{items}</ul>'
        f"<details data-search-exclude><summary>What the zip holds</summary><ul>{bundle}</ul></details>"
    )


def _citations(state: render.SiteState, chart_id: str) -> str:
    blocks = "".join(
        f"<p>{escape(label)}:</p>{render.citation_block(state, style, chart_id)}" for style, label in CITATION_STYLES.items()
    )
    usermeta = state.chart_spec(chart_id).get("usermeta", {})
    credit = escape(project.credit_line(usermeta.get("source"), state.root))
    return (f'<p>Print this credit line with the chart:</p><p class="btc-chart-page__credit">{credit}</p>'
            "<p>To cite the chart in a bibliography or a footnote:</p>"
            f'<div class="btc-chart-page__citations" data-search-exclude>{blocks}</div>')


def _drawn(state: render.SiteState, chart_id: str) -> tuple[list[str], list[str], bool]:
    """Finding ids, data tables, and whether some row is drawn from a table with no finding."""
    path = state.charts_dir / state.chart_file(chart_id, "csv")
    findings: list[str] = []
    tables: list[str] = []
    table_only = False
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            table_only |= bool(row.get("source_table")) and not render.drawn_finding_ids(row)
            pairs = [(finding_id, findings) for finding_id in render.drawn_finding_ids(row)]
            for value, seen in [*pairs, (row.get("source_table") or "", tables)]:
                if value and value not in seen:
                    seen.append(value)
    return findings, tables, table_only


def _findings(state: render.SiteState, chart_id: str, base: str) -> str:
    finding_ids, tables, table_only = _drawn(state, chart_id)
    parts = []
    if finding_ids:
        rows = []
        for finding_id in finding_ids:
            cells = render.finding_cells(finding_id, state.row(finding_id), base, words=True)
            rows.append(f'<tr data-finding="{escape(finding_id)}">{cells}</tr>')
        head = "".join(f'<th scope="col">{name}</th>'
                       for name in ("Finding", "Ours", "Report prints", "The report's words", "Status"))
        caption = "Ledger rows this chart draws"
        colgroup = "".join(f'<col class="btc-col-{name}">' for name in ("finding", "figure", "figure", "words", "status"))
        parts.append(
            f"<p>Each of these rows of the chart's data is a finding of the "
            f'<a href="{project.page_url(base, "ledger.md")}">findings ledger</a>, drawn with the value printed there.</p>'
            f'<div class="btc-table-wrap btc-ledger-wrap" role="region" aria-label="{caption}">'
            f'<table class="btc-ledger btc-ledger--section btc-chart-page__findings"><caption>{caption}</caption>'
            f"<colgroup>{colgroup}</colgroup>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        )
    if tables:
        names = render._resource_names(state)
        paths = {name: path for path, name in names.items()}
        links = ", ".join(
            (f'<a href="{escape(project.data_file_url(base, paths[table]))}">{escape(paths[table].rsplit("/", 1)[-1])}</a> '
             f'(<a href="{escape(project.data_dictionary_url(base, table))}">columns</a>)')
            if table in paths else f"<code>{escape(table)}</code>"
            for table in tables
        )
        if table_only:
            lead = "Its other rows come" if finding_ids else "Its rows come"
            parts.append(f"<p>{lead} straight from the data tables, each row naming its table, key and column in "
                         f"the chart's CSV: {links}.</p>")
        else:
            parts.append(f"<p>The chart's CSV also names, for each row, the row of the data table its figure is "
                         f"transcribed in: {links}.</p>")
    return "\n".join(parts) or "<p>This chart draws no finding of the ledger.</p>"


def corrections(state: render.SiteState, chart_id: str) -> list[dict[str, str]]:
    """The corrections log's rows scoped to one chart (scope chart:<id>)."""
    with (state.root / "data/source/corrections.csv").open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["scope"] == f"chart:{chart_id}"]


def _versions(state: render.SiteState, chart_id: str, base: str) -> str:
    current = state.chart(chart_id)
    logged = corrections(state, chart_id)
    changes = {int(row["chart_version"]): row for row in logged if row["chart_version"].strip().isdigit()}
    rows = []
    for version in range(current.version, 0, -1):
        chart = project.Chart(current.id, current.section, version)
        spec_path = state.charts_dir / chart.file("vegalite")
        date = ""
        if spec_path.exists():
            date = json.loads(spec_path.read_text(encoding="utf-8")).get("usermeta", {}).get("date", "")
        change = changes.get(version)
        what = escape(change["change"]) if change else ("First publication." if version == 1 else "")
        date = change["date"] if change else date
        spec = f'<a href="{chart.file_url(base, "vegalite")}">{escape(chart.file("vegalite"))}</a>' if spec_path.exists() else "—"
        label = f"{version} (current)" if version == current.version else str(version)
        rows.append(f"<tr><td>{label}</td><td>{escape(date)}</td><td>{what}</td><td>{spec}</td></tr>")
    for row in logged:  # a logged change that made no new version (wording, say)
        if not row["chart_version"].strip().isdigit():
            rows.append(f"<tr><td>—</td><td>{escape(row['date'])}</td><td>{escape(row['change'])}</td><td>—</td></tr>")
    head = "".join(f'<th scope="col">{name}</th>' for name in ("Version", "Date", "What changed", "Specification"))
    return (
        '<div class="btc-table-wrap" role="region" aria-label="Versions of this chart">'
        '<table class="btc-table btc-chart-page__versions"><caption>Versions of this chart</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        f'<p>Every change to the site is in the <a href="{project.corrections_url(base)}">corrections log</a>.</p>'
    )


# The Reuse page's catalogue ---------------------------------------------------------------------


def catalogue(state: render.SiteState, base: str) -> str:
    """Per chart: a small lazy preview, the title, one line, its page and the main downloads."""
    cards = []
    for entry in state.catalogue:
        chart_id = entry["id"]
        chart = state.chart(chart_id)
        meta = state.chart_meta(chart_id)
        page = chart.chart_page_url(base)
        height = round(PREVIEW_WIDTH * meta["height"] / meta["width"])
        previews = "".join(render._static_image(chart, base, scheme, PREVIEW_WIDTH, height, "", lazy=True)
                           for scheme in render.SCHEMES)
        files = dict((label, href) for href, label in render.download_links(state, chart_id, base))
        links = " · ".join(render._link(files[label], label) for label in CATALOGUE_FILES if label in files)
        cards.append(
            f'<section class="btc-reuse" id="reuse-{chart_id}">'
            # The thumbnail repeats the title's link for the pointer; the title's link is the one announced.
            f'<a class="btc-chart btc-reuse__preview" href="{page}" tabindex="-1" aria-hidden="true">{previews}</a>'
            f'<h3 class="btc-reuse__title"><a href="{page}">{escape(entry["title"])}</a></h3>'
            f'<p class="btc-reuse__line">{escape(entry.get("subtitle") or "")}</p>'
            f'<p class="btc-chart__downloads">{links} · <a href="{page}#embed">Embed and cite'
            f'<span class="btc-visually-hidden">: {escape(entry["title"])}</span></a></p>'
            "</section>"
        )
    return f'<div class="btc-reuse-list">{"".join(cards)}</div>'
