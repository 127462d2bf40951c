"""The project model: the site's sections, pages, identity and addresses, each written once.

Everything else derives from here: the ledger's and the charts' section order, the page titles,
the MkDocs navigation (tests/test_project.py fails when mkdocs.yml disagrees), the citations and
credits, and every address the site publishes. Adding a section or renaming a page is one edit
here plus its Markdown.

Kept free of heavy imports (pandas, Altair): the command line and MkDocs' macros load it early.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from scripts.paths import ROOT

# Pages ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """A part of the story: its findings, its charts and the page that tells it."""

    id: str  # as findings and charts name it (a Python identifier)
    title: str  # as the ledger and the chart catalogue head it


@dataclass(frozen=True)
class Page:
    source: str  # the file under docs/
    title: str  # its title in the navigation
    section: Section | None = None

    @property
    def path(self) -> str:
        """The page's address under the site root ("" for the home page, else ending in "/")."""
        stem = self.source.rsplit(".", 1)[0]
        if stem == "index":
            return ""
        return stem.removesuffix("/index") + "/"


PAGES = (
    Page("index.md", "Home", Section("overview", "Overview")),
    Page("geography.md", "Geography", Section("geography", "Geography")),
    Page("networks.md", "Networks", Section("networks", "Networks")),
    Page("nationalities.md", "Nationalities", Section("nationalities", "Nationalities")),
    Page("weapons-targets.md", "Weapons and targets", Section("weapons_targets", "Weapons and targets")),
    Page("threat-levels.md", "Threat levels and justice", Section("threat_levels", "Threat levels and justice")),
    Page("methods.md", "Methods"),
    Page("ledger.md", "Findings ledger"),
    Page("data-dictionary.md", "Data dictionary"),
    Page("reproduce.ipynb", "Reproduce"),
    Page("reuse.md", "Reuse the charts"),
    Page("about.md", "About"),
    Page("contributing/editorial.md", "Editorial guide"),
)
PAGE_PATHS = tuple(page.path for page in PAGES)  # in navigation order
SECTIONS = tuple(page.section for page in PAGES if page.section is not None)
SECTION_IDS = tuple(section.id for section in SECTIONS)


def section(section_id: str) -> Section:
    for candidate in SECTIONS:
        if candidate.id == section_id:
            return candidate
    raise KeyError(f"no section {section_id!r} (sections: {', '.join(SECTION_IDS)})")


def section_page(section_id: str) -> Page:
    """The page that tells a section's story."""
    for page in PAGES:
        if page.section is not None and page.section.id == section_id:
            return page
    raise KeyError(f"no page tells section {section_id!r}")


def page_by_source(source: str) -> Page:
    for page in PAGES:
        if page.source == source:
            return page
    raise KeyError(f"no page for docs/{source}")


def nav() -> list[dict[str, str]]:
    """The navigation as mkdocs.yml writes it."""
    return [{page.title: page.source} for page in PAGES]


# Identity ------------------------------------------------------------------------------------

SITE_NAME = "Beyond the Caliphate: Belgium"
CITATION_FILE = "CITATION.cff"
# CITATION.cff names licences by SPDX id; pages and images print the short name and link the deed.
LICENCES = {"CC-BY-4.0": ("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/")}


@dataclass(frozen=True)
class Report:
    """The report the site is built on, as CITATION.cff's first reference describes it."""

    title: str
    author: str
    year: int
    month: int
    url: str
    short_title: str  # CITATION.cff's abbreviation of the title
    short_author: str  # the institution's alias

    @property
    def short(self) -> str:
        """The short citation: every source line starts with it, and the credit line ends with it."""
        return f"{self.short_author}, “{self.short_title}” ({self.dated})"

    @property
    def dated(self) -> str:
        return dt.date(self.year, self.month, 1).strftime("%B %Y")

    @property
    def reference(self) -> str:
        """Who, what and when, without the address."""
        return f"{self.author}, “{self.title}” ({self.dated})"

    @property
    def full(self) -> str:
        """The citation used in credits, zips, chart metadata and the pages' DC.source."""
        return f"{self.reference}, {self.url}"


@dataclass(frozen=True)
class Identity:
    name: str  # the site's name (mkdocs.yml site_name)
    title: str  # the dataset's title in citations
    credit: str  # who made it
    version: str
    released: dt.date
    licence: str  # short name, e.g. "CC BY 4.0"
    licence_url: str
    report: Report

    @property
    def year(self) -> str:
        return str(self.released.year)


def page_metadata(root: Path = ROOT) -> dict[str, str]:
    """What every page's head says of the site (scripts/site/overrides/main.html prints it; each
    page's social card is added by scripts.site.cards)."""
    about = identity(root)
    return {
        "published": about.released.isoformat(),
        "rights": about.licence,
        "source": about.report.full,
    }


@cache
def _identity(path: Path, modified: int) -> Identity:
    cff = yaml.safe_load(path.read_text(encoding="utf-8"))
    reference = cff["references"][0]
    licence, licence_url = LICENCES[cff["license"]]
    released = cff["date-released"]
    if not isinstance(released, dt.date):
        released = dt.date.fromisoformat(str(released))
    return Identity(
        name=SITE_NAME,
        title=cff["title"],
        credit=cff["authors"][0]["name"],
        version=str(cff["version"]),
        released=released,
        licence=licence,
        licence_url=licence_url,
        report=Report(
            title=reference["title"],
            author=reference["authors"][0]["name"],
            year=int(reference["year"]),
            month=int(reference["month"]),
            url=reference["url"],
            short_title=reference["abbreviation"],
            short_author=reference["institution"]["alias"],
        ),
    )


def identity(root: Path = ROOT) -> Identity:
    """Title, credit, licence, version, release date and report, from CITATION.cff."""
    path = (root / CITATION_FILE).resolve()
    return _identity(path, path.stat().st_mtime_ns)  # read again once the file changes


def credit_line(source: str | None = None, root: Path = ROOT) -> str:
    """The one credit line, printed wherever a chart or page of the site travels: who made it, its
    licence, and its source (a chart's own source line, which starts with the report's short
    citation; else that short citation)."""
    about = identity(root)
    return f"Chart: {about.credit}, {about.licence}. Source: {(source or about.report.short).rstrip('.')}."


def apa_date(day: dt.date) -> str:
    """A date as APA puts it after the author: "2026, November 28"."""
    return f"{day.year}, {day:%B} {day.day}"


def citations(url: str, chart_id: str | None = None, chart_title: str = "", chart_version: int = 1, date: str = "",
              root: Path = ROOT) -> dict[str, str]:
    """The site's citation at ``url``, or (``chart_id``) one chart version's: its title, number and
    date (ISO, "" if not yet published), ``url`` its permanent address. Plain, APA, Chicago, BibTeX."""
    about = identity(root)
    team, report = about.credit, about.report
    if chart_id is not None:
        title, version, container = chart_title, str(chart_version), about.title
        day = dt.date.fromisoformat(date) if date else about.released
        version_text = version + (f" ({date})" if date else "")
    else:
        title, version, container, day = about.title, about.version, None, about.released
        version_text = version
    year = str(day.year)
    in_container = f" In {container}." if container else ""
    key = "btcbelgium" + (chart_id.replace("-", "") if chart_id else "site")
    return {
        "plain": f"{team}, “{title}”, version {version_text}, {year}.{in_container} {url}. Based on {report.full}. "
                 f"{about.licence}.",
        "apa": f"{team}. ({apa_date(day)}). {title} (Version {version}) [Data set].{in_container} {url}",
        "chicago": f"{team}. “{title}.”{in_container} Version {version_text}, {year}. {url}.",
        "bibtex": (
            f"@misc{{{key},\n  author = {{{{{team}}}}},\n  title = {{{{{title}}}}},\n"
            f"  year = {{{year}}},\n  version = {{{version}}},\n" + (f"  date = {{{date}}},\n" if date else "")
            + f"  howpublished = {{\\url{{{url}}}}},\n"
            f"  note = {{Based on {report.reference}, \\url{{{report.url}}}. {about.licence}}}\n}}"
        ),
    }


# Addresses -----------------------------------------------------------------------------------
#
# One function per kind of address the site publishes. Each takes ``base``, what the address is
# relative to: "" (the site's root: the path of the file under site/, and how charts/ records
# addresses), a relative prefix from the page that links it ("../", "../../"), or the site's
# absolute URL (ending in "/"). Pages, embeds, bundles, chart specs, citations and tests call
# these; nothing else spells an address.


def relative_base(path: str) -> str:
    """The prefix that leads from the page at ``path`` (under the site root) back to the root."""
    depth = path.strip("/").count("/") + 1 if path.strip("/") else 0
    return "../" * depth


def page_url(base: str, source: str = "index.md") -> str:
    """A page, by its file under docs/."""
    return base + page_by_source(source).path


def section_url(base: str, section_id: str) -> str:
    """The page that tells a section's story."""
    return base + section_page(section_id).path


def ledger_row_url(base: str, finding_id: str) -> str:
    return f"{page_url(base, 'ledger.md')}#finding-{finding_id}"


def methods_url(base: str, anchor: str) -> str:
    """A part of Methods (an anchor of docs/methods.md)."""
    return f"{page_url(base, 'methods.md')}#{anchor}"


def corrections_url(base: str) -> str:
    return f"{page_url(base, 'about.md')}#corrections"


def data_dictionary_url(base: str, resource: str) -> str:
    """A table's entry in the data dictionary, by its resource name in the Data Package."""
    return f"{page_url(base, 'data-dictionary.md')}#table-{resource}"


# The published Data Package: data/ as in the repository, under the site's data/.
DATA_FOLDER = "data/"


def data_file_url(base: str, path: str = "datapackage.json") -> str:
    """A published data file, by its path under data/ (as the Data Package names it)."""
    return f"{base}{DATA_FOLDER}{path}"


def asset_url(base: str, name: str) -> str:
    """A site-wide asset (stylesheet, script, icon), by its path under assets/."""
    return f"{base}assets/{name}"


# Charts: every published file of one chart version lives in one folder, charts/<id>/v<N>/ (in the
# repository for the data files the chart step commits, on the site for all of them), and never
# changes once published (scripts/site/versions.py checks it against a committed record).
# site/charts/<id>/ itself is left for the chart's own page.
CHARTS_FOLDER = "charts/"  # the published copy of the repository's charts/
CHART_ASSETS_FOLDER = "assets/charts/"  # the site's own render assets for its pages (not a published promise)
# The embed page of each colour scheme, under embed/: "auto" follows the reader's, the others fix one.
SCHEME_FOLDERS = {"auto": "", "light": "light/", "dark": "dark/"}
# Every picture of a chart version a reader can take away, by role: (file name as drawn, label of
# its download link). Drawn by scripts.charts.static and scripts.charts.images.
CHART_IMAGES = {
    "png-light": ("light.png", "PNG"),
    "png-dark": ("dark.png", "PNG (dark)"),
    "svg-light": ("light.svg", "SVG"),
    "svg-dark": ("dark.svg", "SVG (dark)"),
    "png-narrow-light": ("light-narrow.png", "Phone PNG"),
    "png-narrow-dark": ("dark-narrow.png", "Phone PNG (dark)"),
    "svg-narrow-light": ("light-narrow.svg", "Phone SVG"),
    "svg-narrow-dark": ("dark-narrow.svg", "Phone SVG (dark)"),
    "svg-wide-light": ("light-wide.svg", "Wide SVG"),
    "svg-wide-dark": ("dark-wide.svg", "Wide SVG (dark)"),
    "credit-png-light": ("light-credit.png", "PNG with credit"),
    "credit-png-dark": ("dark-credit.png", "PNG with credit (dark)"),
    "credit-svg-light": ("light-credit.svg", "SVG with credit"),
    "credit-svg-dark": ("dark-credit.svg", "SVG with credit (dark)"),
    "print-png": ("light-print.png", "PNG for print (3000 px)"),
    "card": ("card.png", "Social card"),
}
# Social cards (Open Graph, Twitter): a chart's is its "card" image; each page has its own.
PAGE_CARDS_FOLDER = "assets/cards/"
# The files the chart step writes and the repository commits: kind → file name ("{id}": the chart id).
COMMITTED_CHART_FILES = {"vegalite": "{id}.vl.json", "csv": "{id}.csv", "xlsx": "{id}.xlsx", "schema": "{id}.schema.json"}
# The drawn files the site publishes (as scripts.charts.static and images name them) → published
# name: the chart id in every name, so a downloaded file says what it is.
RENDERED_CHART_FILES = {
    name: f"{{id}}-{name}"
    for name in dict.fromkeys((
        *(name for name, _ in CHART_IMAGES.values()),
        *(f"{scheme}.vg.json" for scheme in ("light", "dark")),
        *(f"{scheme}-{layout}.{ext}" for layout in ("narrow", "wide") for ext in ("svg", "vg.json")
          for scheme in ("light", "dark")),
    ))
}
# Every file of a version: the list index.json, the zip, the site step and the record all follow.
CHART_FILES = {
    **COMMITTED_CHART_FILES,
    **RENDERED_CHART_FILES,
    "zip": "{id}.zip",
    **{f"embed-{scheme}": f"embed/{folder}index.html" for scheme, folder in SCHEME_FOLDERS.items()},
}


@dataclass(frozen=True)
class Chart:
    """The addresses of one version of a chart."""

    id: str
    section: str
    version: int = 1

    @classmethod
    def of(cls, entry, version: int | None = None) -> Chart:
        """From a chart catalogue entry or a spec's usermeta (id, section, version); ``version``: another
        of its versions."""
        return cls(entry["id"], entry["section"], int(version or entry.get("version") or 1))

    @property
    def anchor(self) -> str:
        """The id of the chart's figure on its page."""
        return f"chart-{self.id}"

    def page_url(self, base: str) -> str:
        """The chart in context, on its section's page."""
        return f"{section_url(base, self.section)}#{self.anchor}"

    def folder_url(self, base: str) -> str:
        """The folder of this version: every file of it, and nothing else, lives under it."""
        return f"{base}{CHARTS_FOLDER}{self.id}/v{self.version}/"

    def file(self, kind: str) -> str:
        """A published file of this version (a CHART_FILES kind), relative to charts/."""
        return chart_file(self.id, self.version, kind)

    def file_url(self, base: str, kind: str) -> str:
        return f"{base}{CHARTS_FOLDER}{self.file(kind)}"

    def files(self) -> dict[str, str]:
        """Every file of this version, kind → path relative to charts/."""
        return {kind: self.file(kind) for kind in CHART_FILES}

    def asset_url(self, base: str, name: str = "") -> str:
        """The site's own render of the current version ("light.svg", "dark-narrow.vg.json", ...) that
        its pages show; no name: their folder, which is also where assets_folder() puts them.
        Readers are given the version's own copies (file_url) instead."""
        return f"{base}{CHART_ASSETS_FOLDER}{self.id}/{name}"

    def image_url(self, base: str, role: str) -> str:
        """One of this version's published pictures, by its role in CHART_IMAGES."""
        return self.file_url(base, CHART_IMAGES[role][0])

    def card_url(self, base: str) -> str:
        """The chart's social card, for a page that shows this chart alone."""
        return self.image_url(base, "card")

    def embed_url(self, base: str, scheme: str = "auto") -> str:
        """This version alone, for an iframe; its index.html is written there."""
        return self.file_url(base, f"embed-{scheme}").removesuffix("index.html")

    def reuse_url(self, base: str) -> str:
        """The chart's entry in the Reuse page's catalogue: a preview and links."""
        return f"{page_url(base, 'reuse.md')}#reuse-{self.id}"

    def chart_page_url(self, base: str) -> str:
        """The chart's own permanent page: files, embed code, citations, findings, versions.
        Not versioned: it shows the current version and lists the earlier ones."""
        return base + chart_page_path(self.id)


def chart_page_source(chart_id: str) -> str:
    """The Markdown file the build writes, in its staged copy of docs/, for a chart's own page."""
    return f"{CHARTS_FOLDER}{chart_id}.md"


def page_card_url(base: str, path: str) -> str:
    """A page's social card, by the page's path under the site root ("" for the home page)."""
    name = path.strip("/").replace("/", "-") or "index"
    return f"{base}{PAGE_CARDS_FOLDER}{name}.png"


def chart_page_path(chart_id: str) -> str:
    """Where a chart's own page lives under the site root."""
    return Page(chart_page_source(chart_id), chart_id).path


def card_url(base: str, path: str = "", chart: Chart | None = None) -> str:
    """The social card a page shows when shared: a chart's own card for ``chart`` (the page that
    shows that chart alone), else the card of the page at ``path``."""
    return chart.card_url(base) if chart is not None else page_card_url(base, path)


def chart_file(chart_id: str, version: int, kind: str) -> str:
    """Where a version's file lives, relative to charts/ (here and on the site)."""
    return f"{chart_id}/v{version}/{CHART_FILES[kind].format(id=chart_id)}"


def parse_chart_file(name: str) -> tuple[str, int, str] | None:
    """(chart id, version, kind) of a path relative to charts/ that chart_file makes, else None."""
    chart_id, _, rest = name.partition("/")
    folder, _, file_name = rest.partition("/")
    if not chart_id or not (folder.startswith("v") and folder[1:].isdigit()):
        return None
    for kind, pattern in CHART_FILES.items():
        if file_name == pattern.format(id=chart_id):
            return chart_id, int(folder[1:]), kind
    return None
