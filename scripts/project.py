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

    @property
    def short(self) -> str:
        """The source line under a chart."""
        return f"CTC West Point, {SITE_NAME} ({self.year})"

    @property
    def dated(self) -> str:
        return dt.date(self.year, self.month, 1).strftime("%B %Y")

    @property
    def full(self) -> str:
        """The citation used in credits, zips and chart metadata."""
        return f"{self.author}, “{self.title}” ({self.dated}), {self.url}"


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


@cache
def _identity(path: Path) -> Identity:
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
        ),
    )


def identity(root: Path = ROOT) -> Identity:
    """Title, credit, licence, version, release date and report, from CITATION.cff."""
    return _identity((root / CITATION_FILE).resolve())
