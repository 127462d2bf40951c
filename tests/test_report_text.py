"""Every quote of the report in data/ and the ledger is the report's own wording."""

from __future__ import annotations

import csv
import json
import os

import pytest

import re

from scripts import report_text
from scripts.paths import CHARTS, DATA, DERIVED


@pytest.fixture(scope="module")
def source() -> str:
    text = report_text.load(report_text.REPORT_TEXT)
    if text is None:
        if os.environ.get("CI"):
            pytest.fail(f"the report's text is missing ({report_text.REPORT_TEXT.name} in the shared sources)")
        pytest.skip("the report's text is not available beside this checkout")
    return text


def quoted_cells() -> list[tuple[str, int, str, str]]:
    """(file, row, column, text) for every quote of the report the data package holds."""
    package = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    cells = []
    for resource in package["resources"]:
        if not resource["path"].startswith("source/report/"):
            continue
        with (DATA / resource["path"]).open(encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.DictReader(handle), start=2):
                for column in ("quote", "reported_text"):
                    if row.get(column):
                        cells.append((resource["path"], number, column, row[column]))
    with (DERIVED / "findings.csv").open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            for column in ("report_quote", "reported_text"):
                if row[column]:
                    cells.append(("derived/findings.csv", number, column, row[column]))
    return cells


def test_every_quote_and_printed_figure_is_verbatim(source):
    cells = quoted_cells()
    assert len(cells) > 150
    wrong = [f"data/{path} row {row}, column {column}: {text!r}"
             for path, row, column, text in cells if not report_text.appears_in(text, source)]
    assert not wrong, "not in the report's text:\n" + "\n".join(wrong)


QUOTED = re.compile(r"“([^”]+)”")


def chart_quotes() -> list[tuple[str, str]]:
    """(chart, text) for every passage in curly quotes in a chart's title, description and notes."""
    catalogue = json.loads((CHARTS / "index.json").read_text(encoding="utf-8"))
    catalogue = catalogue["charts"] if isinstance(catalogue, dict) else catalogue
    found = []
    for entry in catalogue:
        spec = (CHARTS / entry["files"]["vegalite"]).read_text(encoding="utf-8")
        notes = json.loads(spec).get("title", {})
        notes = " ".join(notes.get("text", [])) if isinstance(notes, dict) else ""
        for text in (entry["title"], entry.get("description", ""), notes):
            found.extend((entry["id"], match.strip(" .,;:")) for match in QUOTED.findall(text))
    return found


def test_every_quote_in_a_chart_is_verbatim(source):
    """A chart quotes the report word for word (the Moroccan links' context, the acquittal rate …)."""
    quotes = chart_quotes()
    assert len(quotes) > 5
    wrong = [f"{chart}: “{text}”" for chart, text in quotes
             if text.strip(" …") and not report_text.appears_in(text, source)]
    assert not wrong, "not in the report's text:\n" + "\n".join(wrong)


@pytest.mark.parametrize("fragment, verbatim", [
    ("Thirty-eight individuals, 33% of the total", True),  # the hyphen lost at a line end
    ("we haven't seen evidence yet", True),  # curly and straight apostrophes are one
    ("Islamic State–connected attacks in Morocco", True),  # a dash at a line end
    ("One arrest action was connected … One arrest action was also", True),  # an elision
    ("One arrest action was also … One arrest action was connected", False),  # order kept
    ("fairly well networked", True),
    ("densely networked", False),
    ("closely tied to the Islamic State's leadership", False),
])
def test_the_normalisation(source, fragment, verbatim):
    assert report_text.appears_in(fragment, source) is verbatim
