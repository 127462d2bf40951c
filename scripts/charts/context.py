"""The read-only bundle of data every chart function is drawn from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from scripts.numbers import EURO_UNITS, PERCENT_UNITS, SHARE_UNITS, YEAR_UNITS, format_value  # noqa: F401

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
    # The layout's cache folder, where the map shapes are kept between builds (None: none, so
    # the shapes are dissolved in this process).
    cache: Path | None = None

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
        """A finding as the site prints it everywhere: the ledger's display text."""
        row = self.finding(finding_id)
        display = row.get("display")
        if display is not None and not _is_missing(display):
            return str(display)
        return format_value(self.value(finding_id), _unit(row))


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
