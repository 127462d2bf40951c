"""Alt text and chart descriptions written from ledger values and chart data.

Descriptions are generated, never typed, so that a number in the alt text is
always the number in the ledger.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from scripts.charts.context import ChartContext

# "{finding-id}" placeholders; ids may contain letters, digits, "_", "-", "." and ":".
_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_.:\-]+)\}")
# "{reported:finding-id}": the figure as the report words it ("a little more than 18%"), quoted.
REPORTED = "reported:"


def fill(template: str, ctx: ChartContext) -> str:
    """Replace every ``{finding-id}`` in ``template`` by that finding's formatted value, and every
    ``{reported:finding-id}`` by the report's own words for it, in quotation marks."""

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name.startswith(REPORTED):
            return f"“{ctx.finding(name.removeprefix(REPORTED))['reported_text']}”"
        return ctx.fmt(name)

    return _PLACEHOLDER.sub(replace, template)


def from_ledger(template: str) -> Callable[[ChartContext], str]:
    """A ``description=`` callable for ``@chart`` that fills ``template`` from the ledger.

    >>> from_ledger("{overview-linked-share} of {overview-plots} plots were linked.")
    """
    placeholders = _PLACEHOLDER.findall(template)
    if not placeholders:
        raise ValueError(f"template has no {{finding-id}} placeholder: {template!r}")

    def describe(ctx: ChartContext) -> str:
        return fill(template, ctx)

    describe.finding_ids = tuple(name.removeprefix(REPORTED) for name in placeholders)  # type: ignore[attr-defined]  # for checks/tests
    return describe


def list_phrase(items: Sequence[str], conjunction: str = "and") -> str:
    """["a", "b", "c"] → "a, b and c"."""
    items = [str(item) for item in items]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def top_categories(
    frame: pd.DataFrame,
    label: str,
    value: str,
    n: int = 3,
    formatter: Callable[[float], str] = lambda number: f"{number:,.0f}",
) -> str:
    """The ``n`` largest rows as prose: "Brussels (45), Antwerp (30) and Vilvoorde (10)".

    Ties keep the frame's order, so the phrase is deterministic.
    """
    largest = frame.sort_values(value, ascending=False, kind="stable").head(n)
    return list_phrase([f"{row[label]} ({formatter(row[value])})" for _, row in largest.iterrows()])
