"""The read-only bundle of data every chart function is drawn from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

LEDGER_COLUMNS = (
    "section",
    "statement",
    "value",
    "unit",
    "formula",
    "reported_value",
    "reported_text",
    "source_ref",
    "status",
)

SHARE_UNITS = frozenset({"share", "proportion", "fraction"})  # value in [0, 1]
PERCENT_UNITS = frozenset({"percent", "pct", "%"})  # value already in [0, 100]
EURO_UNITS = frozenset({"eur", "euro", "euros"})
YEAR_UNITS = frozenset({"year"})


# eq=False: the fields are DataFrames, which cannot be compared or hashed as a whole,
# so identity semantics are the only meaningful ones.
@dataclass(frozen=True, eq=False)
class ChartContext:
    """Tables and the findings ledger, as handed to every chart function.

    ``ledger`` is indexed by finding id with the columns in ``LEDGER_COLUMNS``;
    ``value`` is a number or NaN (finding not computable / not yet verified).
    """

    tables: Mapping[str, pd.DataFrame]
    ledger: pd.DataFrame

    def __post_init__(self) -> None:
        if "id" in self.ledger.columns:  # as computed, before ledger.load() indexes it
            object.__setattr__(self, "ledger", self.ledger.set_index("id"))
        missing = [column for column in ("value", "unit") if column not in self.ledger.columns]
        if missing:
            raise ValueError(f"the ledger has no {', '.join(missing)} column (expected {', '.join(LEDGER_COLUMNS)})")

    def table(self, name: str) -> pd.DataFrame:
        """The named table, or a KeyError that lists what is available."""
        try:
            return self.tables[name]
        except KeyError:
            available = ", ".join(sorted(self.tables)) or "none"
            raise KeyError(f"table {name!r} is not loaded (available: {available})") from None

    def finding(self, finding_id: str) -> pd.Series:
        """The ledger row of one finding."""
        if finding_id not in self.ledger.index:
            raise KeyError(f"finding {finding_id!r} is not in the ledger")
        row = self.ledger.loc[finding_id]
        if isinstance(row, pd.DataFrame):  # a duplicated index label
            raise KeyError(f"finding {finding_id!r} appears {len(row)} times in the ledger")
        return row

    def value(self, finding_id: str) -> float | int:
        """The computed value of a finding: int when whole (except shares), else float."""
        row = self.finding(finding_id)
        raw = row.get("value")
        if raw is None or _is_missing(raw):
            status = row.get("status", "unknown")
            raise KeyError(f"finding {finding_id!r} has no value (status: {status})")
        number = float(raw)
        # Whole numbers come back as int (a CSV round-trip with gaps makes them floats).
        return int(number) if number.is_integer() and _unit(row) not in SHARE_UNITS else number

    def fmt(self, finding_id: str) -> str:
        """The value of a finding formatted for prose and alt text."""
        return format_value(self.value(finding_id), _unit(self.finding(finding_id)))


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


def _unit(row: pd.Series) -> str:
    unit = row.get("unit")
    return "" if unit is None or _is_missing(unit) else str(unit).strip().lower()


def _is_missing(value: object) -> bool:
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


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

