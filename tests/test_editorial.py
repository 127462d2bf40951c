"""Editorial rules a machine can check, on the built site (see docs/contributing/editorial.md).

(a) No number in page prose outside a ledger value, except the exceptions listed in ALLOWED.
(b) One rendering per finding: pages, chart text and CSVs, and the ledger print it alike.
(c) No "at least at least", and none of the report's hedged phrases upgraded (BANNED, HEDGED).

Each check is a plain function of a page's HTML, so the tests at the bottom can feed it a
deliberately broken page and see it fail.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections import defaultdict
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from scripts import report_text
from scripts.numbers import WORDS, half_up, in_words
from scripts.paths import ROOT
from scripts.project import PAGE_PATHS as PAGES

PAGE_FILES = [f"{path}index.html" for path in PAGES]

# --- what counts as a number ------------------------------------------------------------------

_UNITS = "two three four five six seven eight nine".split()
_TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_ORDINALS = (
    "third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth "
    "fifteenth sixteenth seventeenth eighteenth nineteenth twentieth thirtieth fortieth fiftieth "
    "hundredth thousandth"
).split()
# "one" and "no" are left out on purpose: in prose they are pronouns and determiners far more
# often than counts ("no one", "one name per event"); "first" and "second" likewise.
_NUMBER_WORD = (
    r"\b(?:zero|" + "|".join(_TENS) + r")(?:-(?:one|" + "|".join(_UNITS) + r"))?\b"
    r"|\b(?:" + "|".join(_UNITS + _TEENS + ["hundred", "thousand", "million", "billion", "dozen"] + _ORDINALS) + r")\b"
)
# A digit inside a name ("Shariah4Belgium") is part of the name, not a number.
NUMBER = re.compile(r"(?<![A-Za-z])\d[\d,.]*(?![A-Za-z])|" + _NUMBER_WORD, re.IGNORECASE)

_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_LEVEL = r"(?:one|two|three|four|[1-4])"
# The allowed exceptions, each a pattern removed from prose before numbers are looked for.
ALLOWED = {
    "a date": rf"\b\d{{1,2}}(?:(?:–| to | and )\d{{1,2}})? {_MONTH}(?: \d{{4}})?\b|\b{_MONTH} \d{{1,2}}, \d{{4}}\b",
    "a year or a range of years": r"\b(?:19|20)\d{2}(?:[–-](?:19|20)?\d{2})?\b",
    "a figure, table or footnote number": r"\b(?:Figures?|Tables?|[Ff]ootnotes?)\s+\d+(?:\s*(?:and|,|–)\s*\d+)*\b",
    "the name of a threat level": rf"\b[Ll]evels? {_LEVEL}(?:(?:,| or| and| to) {_LEVEL})*\b",
    "a licence's name and version": r"\b(?:CC BY|Creative Commons Attribution) \d\.\d\b",
    "the name of a coordinate system": r"\bWGS ?84\b",
    "a number in the name of an event": r"machete attack on two policewomen|knife attack on two police officers",
    "the tolerance of the rounding rule \"approximately\" (Methods)": r"within a twentieth of the printed number",
}
_ALLOWED = re.compile("|".join(f"(?:{pattern})" for pattern in ALLOWED.values()))

# Ledger values and the report's printed words (finding, reported), and what is not prose.
LEDGER_VALUES = ".btc-finding, span.btc-reported, span.btc-report-text"
NOT_PROSE = (
    "code, pre, script, style, svg, figure, .btc-chart-block, .btc-table-wrap, .btc-status-summary, "
    ".btc-reuse, .btc-ledger-filter, a.headerlink, .jp-CodeCell, .jp-OutputArea, del, .btc-finding-about"
)
_QUOTED = re.compile(r"“([^”]+)”|\"([^\"]+)\"")
ELISION = " … "


def report_source() -> str:
    """The report's text, normalised; worktrees sit one folder deeper than a checkout."""
    for path in (report_text.REPORT_TEXT, ROOT.parent.parent / "shared" / "sources" / report_text.REPORT_TEXT.name):
        text = report_text.load(path)
        if text is not None:
            return text
    if os.environ.get("CI"):
        pytest.fail("the report's text is missing from the shared sources")
    pytest.skip("the report's text is not available beside this checkout")


def article(html: str) -> BeautifulSoup:
    doc = BeautifulSoup(html, "html.parser")
    return doc.select_one("article") or doc


def prose_text(html: str) -> str:
    """A page's prose: ledger values become an elision mark, non-prose is dropped."""
    body = article(html)
    for element in body.select(LEDGER_VALUES):
        element.replace_with(ELISION)
    for element in body.select(NOT_PROSE):
        element.decompose()
    return " ".join(body.get_text(" ").split())


def without_report_quotes(text: str, source: str) -> str:
    """The text minus every quotation that is the report's own words (ledger values elided)."""

    def keep_or_drop(match: re.Match) -> str:
        quoted = (match.group(1) or match.group(2)).strip().rstrip(".,;:")
        return " " if quoted.strip(" …") and report_text.appears_in(quoted, source) else match.group(0)

    return _QUOTED.sub(keep_or_drop, text)


def stray_numbers(html: str, source: str) -> list[str]:
    """Numbers in prose that are neither ledger values, nor report quotes, nor allowed exceptions."""
    text = _ALLOWED.sub(" ", without_report_quotes(prose_text(html), source))
    found = []
    for match in NUMBER.finditer(text):
        found.append(text[max(0, match.start() - 40): match.end() + 40])
    return found


# --- (a) no number in prose outside the ledger --------------------------------------------------


@pytest.fixture(scope="module")
def source() -> str:
    return report_source()


def test_no_number_in_prose_outside_a_ledger_value(site, source):
    offenders = []
    for name in PAGE_FILES:
        for context in stray_numbers((site / name).read_text(encoding="utf-8"), source):
            offenders.append(f"{name}: …{context}…")
    assert not offenders, "\n".join(offenders)


# --- (b) one rendering per finding ----------------------------------------------------------------


def _share_variants(value: float) -> set[str]:
    return {f"{half_up(value * 100, digits)}%" for digits in (0, 1)}


def renderings(site: Path, charts: Path, ledger: dict[str, dict]) -> dict[str, dict[str, set[str]]]:
    """finding id → {text it is printed as → places}, from the ledger, pages, chart text and CSVs."""
    seen: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for finding_id, row in ledger.items():
        seen[finding_id][row["display"]].add("ledger display")
    for name in PAGE_FILES:
        doc = BeautifulSoup((site / name).read_text(encoding="utf-8"), "html.parser")
        for span in doc.select(".btc-finding[data-finding]"):
            finding_id, text = span["data-finding"], span.get_text()
            row = ledger[finding_id]
            if text in WORDS and row["bound"] == "exact" and row["unit"] != "share" and in_words(float(row["value"])) == text:
                text = row["display"]  # the same count written as a word (words=True)
            seen[finding_id][text].add(name)
    catalogue = json.loads((charts / "index.json").read_text(encoding="utf-8"))
    catalogue = catalogue["charts"] if isinstance(catalogue, dict) else catalogue
    for entry in catalogue:
        with (charts / entry["files"]["csv"]).open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        used = {row.get("finding_id") for row in rows} - {None, ""}
        for row in rows:
            if row.get("finding_id") and row.get("display"):
                seen[row["finding_id"]][row["display"]].add(f"chart {entry['id']} CSV")
        # Title, description (the alt text and caption) and labels: a share the chart may print must
        # not appear at another precision, unless another finding it may print reads so.
        spec = json.loads((charts / entry["files"]["vegalite"]).read_text(encoding="utf-8"))
        text = " ".join([entry["title"], entry.get("description", ""), spec.get("usermeta", {}).get("description", "")]
                        + [row.get("label", "") for row in rows])
        # The findings it may print: those its rows name, and those of its section.
        used |= {f for f, row in ledger.items() if row["section"] == entry["section"]}
        displays = {ledger[f]["display"] for f in used if f in ledger}
        for display in sorted(displays, key=len, reverse=True):  # "at least 44%" is not a bare "44%"
            text = text.replace(display, " ")
        for finding_id in used & ledger.keys():
            row = ledger[finding_id]
            if row["unit"] != "share":
                continue
            for variant in _share_variants(float(row["value"])) - displays:
                if re.search(rf"(?<![\d.]){re.escape(variant)}", text):
                    seen[finding_id][variant].add(f"chart {entry['id']} text")
    return seen


def test_each_finding_reads_the_same_everywhere(built_site):
    with (built_site.derived / "findings.csv").open(encoding="utf-8", newline="") as handle:
        ledger = {row["id"]: row for row in csv.DictReader(handle)}
    differing = {
        finding_id: {text: sorted(places) for text, places in texts.items()}
        for finding_id, texts in renderings(built_site.site, built_site.charts, ledger).items()
        if len(texts) > 1
    }
    assert not differing, json.dumps(differing, indent=1, ensure_ascii=False)


# --- (c) hedges kept ------------------------------------------------------------------------------

# The report's hedged wording → upgrades of it the site must never print.
BANNED = {
    "at least at least": r"\bat least at least\b",
    '"fairly well networked", not "densely networked"': r"\bdensely[- ]networked\b",
    '"fairly well networked", not "well networked" alone': r"(?<!fairly )\bwell[- ]networked\b",
    '"can be considered as parts of a whole", not "one whole"': r"\b(?:were|was|are|formed|form) (?:one|a single) whole\b",
    '"representatives of the Islamic State", not its "leadership"': r"\bleadership\b",
    'the report asks whether the return to level two was "mainly" due to pressure': r"\balso played a part\b",
    '"acquittal", not "not convictions"': r"\b(?:were|was) not convictions\b|\bnot convictions (?:part|share)\b",
    "the same explosive was used, not that TATP ties the cells to other attacks": r"\bties the Belgian cells\b",
    '"Ninety-one percent", "an overwhelming majority", an acquittal rate of 8%: never "almost every"':
        r"\balmost (?:every|all)\b",
    "a gap in our copy of the report is not the report's: \"not in the text available to us\"":
        r"\bsurviving text\b|\bmissing from the source text\b|\bthe report's Figure 2 values are missing\b",
}
# A phrase the site may use only with the report's hedge in the same sentence.
HEDGED = {
    "planned from within the same circle": "sufficient indications",
    "recruitment organi": "most likely",
}


def hedge_problems(html: str, source: str) -> list[str]:
    body = article(html)
    for element in body.select("del"):  # a counter-example, struck through (the editorial guide)
        element.decompose()
    alts = " ".join(img.get("alt", "") for img in body.find_all("img"))
    alts += " " + " ".join(el.get("aria-label", "") for el in body.select("[role=img]"))
    text = " ".join((body.get_text(" ") + " " + alts).split())
    unquoted = without_report_quotes(text, source)
    problems = [f"{rule}: …{unquoted[max(0, m.start() - 50): m.end() + 50]}…"
                for rule, pattern in BANNED.items() for m in re.finditer(pattern, unquoted, re.IGNORECASE)]
    for sentence in re.split(r"(?<=[.!?])\s+", unquoted):
        for phrase, hedge in HEDGED.items():
            if phrase in sentence.lower() and hedge not in sentence.lower():
                problems.append(f'"{phrase}" without "{hedge}": {sentence[:160]}')
    return problems


def test_no_hedge_dropped_or_word_upgraded(site, source):
    problems = [f"{name}: {problem}" for name in PAGE_FILES
                for problem in hedge_problems((site / name).read_text(encoding="utf-8"), source)]
    assert not problems, "\n".join(problems)


# --- the checks can fail ----------------------------------------------------------------------------


def _page(body: str) -> str:
    return f"<html><body><article>{body}</article></body></html>"


def test_the_prose_check_catches_typed_numbers(source):
    span = '<span class="btc-finding" data-finding="individuals-total">135</span>'
    assert not stray_numbers(_page(f"<p>The report counts {span} individuals on 22 March 2016, in Table 1.</p>"), source)
    assert not stray_numbers(_page('<p>The report says it "killed more than 30 people".</p>'), source)
    assert not stray_numbers(_page("<p>The rise to level three, then level two.</p>"), source)
    assert stray_numbers(_page("<p>The report counts 135 individuals.</p>"), source)
    assert stray_numbers(_page("<p>Sixty-one of them were Belgian.</p>"), source)
    assert stray_numbers(_page("<p>It lists seventeen plots.</p>"), source)
    # A quotation that is not the report's words does not shelter its numbers.
    assert stray_numbers(_page('<p>The report says "three hundred people".</p>'), source)


def test_the_hedge_check_catches_upgrades(source):
    assert not hedge_problems(_page('<p>The report calls them "fairly well networked".</p>'), source)
    assert hedge_problems(_page("<p>They were densely networked.</p>"), source)
    assert hedge_problems(_page("<p>They were at least at least ten.</p>"), source)
    assert hedge_problems(_page("<p>Close to the Islamic State's leadership.</p>"), source)
    assert hedge_problems(_page("<p>Almost every arrest action was linked.</p>"), source)
    assert hedge_problems(_page("<p>Not broken down in the surviving text.</p>"), source)
    assert hedge_problems(_page("<p>The attacks were all planned from within the same circle.</p>"), source)
    assert not hedge_problems(
        _page("<p>There are sufficient indications, the report says, that they were planned from within the same circle.</p>"),
        source,
    )
