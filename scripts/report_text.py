"""Checking that a quote is the report's own words.

The report's text reaches this project as an extraction from its PDF: lines are broken
mid-sentence, words hyphenated at a line end lost their hyphen ("Thirtyeight"), and quotation
marks are curly. A quote in data/ or the ledger is verbatim when it matches that text under
one normalisation, defined here and used by every check:

- white space and line breaks collapse to one space;
- curly and straight quotation marks and apostrophes are the same;
- a dash at a line end joins the next line ("State–\nlinked" reads "State–linked");
- hyphens are ignored, so a hyphen lost at a line end ("Thirty-\\neight" → "Thirtyeight") still
  matches the written word;
- an ellipsis ("…" or "...") stands for an elision: the parts on either side must appear in
  that order.

The text itself is not part of this repository (it is the report, quoted here only in short
extracts); it is read from the project's shared sources when they are present.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from scripts.paths import ROOT

# The shared sources sit beside the checkout (as they do for the project's CI).
REPORT_TEXT = ROOT.parent / "shared" / "sources" / "beyond-the-caliphate-belgium.txt"

_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "′": "'", "“": '"', "”": '"', "„": '"', "″": '"'})
_LINE_END_DASH = re.compile(r"([–—])[ \t]*\n\s*")
_ELLIPSIS = re.compile(r"\s*(?:…|\.\.\.)\s*")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(_QUOTES)
    text = _LINE_END_DASH.sub(r"\1", text)  # "State–\nlinked" is the word "State–linked"
    text = text.replace("\u00ad", "").replace("-", "")
    return " ".join(text.split())


def appears_in(fragment: str, source: str) -> bool:
    """Is ``fragment`` the report's wording (see the rules above)? ``source`` is normalised."""
    position = 0
    for part in _ELLIPSIS.split(fragment):
        part = normalise(part)
        if not part:
            continue
        found = source.find(part, position)
        if found < 0:
            return False
        position = found + len(part)
    return True


def load(path: Path) -> str | None:
    """The normalised report text, or None where the shared sources are not available."""
    if not path.is_file():
        return None
    return normalise(path.read_text(encoding="utf-8"))
