"""How numbers are written on the site: one formatting for the ledger, the pages and the charts."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

# Days and months as the data writes them (ISO 8601): a month the source gives without a day
# stays a month, never the first of it.
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
ISO_MONTH = re.compile(r"[0-9]{4}-[0-9]{2}")

SHARE_UNITS = frozenset({"share", "proportion", "fraction"})  # value in [0, 1]
PERCENT_UNITS = frozenset({"percent", "pct", "%"})  # value already in [0, 100]
EURO_UNITS = frozenset({"eur", "euro", "euros"})
YEAR_UNITS = frozenset({"year"})
WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def half_up(x: float, places: int = 0) -> Decimal:
    # The report rounds halves up (17.5% prints as 18%); Python's round() would not.
    return Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def display(value: float, unit: str, digits: int = 0, bound: str = "exact") -> str:
    """The one way a finding is printed: shares with a fixed number of decimals, half up."""
    if unit in SHARE_UNITS:
        pct = float(value) * 100
        text = f"{half_up(pct, digits)}%"
        if text in ("0%", "100%") and pct not in (0, 100):  # never round a part to none or all
            text = _percent(pct)
    else:
        text = format_value(value, unit)
    return f"at least {text}" if bound == "lower" else text


def in_words(value: float) -> str:
    """Whole numbers under ten as a newsroom writes them in prose ("no deaths", "three")."""
    if not float(value).is_integer() or not 0 <= value < len(WORDS):
        raise ValueError(f"{value} has no word form (whole numbers 0–9 only)")
    return WORDS[int(value)]


def format_value(value: float | int, unit: str) -> str:
    """Human formatting: 0.912 share → "91%", 4123 people → "4,123", 1.375e8 eur → "€137.5 million".

    Only shares, percentages and money carry a symbol; other units are left to the prose.
    """
    unit = unit.strip().lower()
    if unit in SHARE_UNITS:
        return _percent(value * 100)
    if unit in PERCENT_UNITS:
        return _percent(value)
    if unit in EURO_UNITS:
        return _euros(value)
    if unit in YEAR_UNITS:
        return str(int(value))
    # Any other unit (people, plots, days, level...) is named by the sentence around it.
    return _number(value)


def _number(value: float | int, max_decimals: int = 2) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return _trim_zeros(f"{value:,.{max_decimals}f}")


def _percent(pct: float) -> str:
    # Whole percentages unless rounding would make a non-zero share read as 0%
    # (or a partial one as 100%); then add decimals until it no longer does.
    for decimals in range(0, 3):
        rounded = round(pct, decimals)
        misleading = (rounded == 0 and pct != 0) or (rounded == 100 and pct != 100)
        if not misleading:
            break
    return f"{_trim_zeros(f'{pct:.{decimals}f}')}%"


def _euros(value: float) -> str:
    magnitude = abs(value)
    for threshold, word in ((1e9, "billion"), (1e6, "million")):
        if magnitude >= threshold:
            return f"€{_trim_zeros(f'{value / threshold:.1f}')} {word}"
    return f"€{_number(value)}"


def _trim_zeros(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text
