"""Every numeric finding of the site, one module per site section.

A finding is a function that computes one number from the data tables with pandas. Its
decorator says what the number means, how it is computed (in words) and which tables it reads.
The ledger (scripts.ledger) runs them all and sets each beside the report's printed figure,
which it looks up by the same id in data/source/report/claims.csv.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from scripts.errors import DefinitionError, defined_at
from scripts.project import SECTION_IDS

UNITS = {
    "share", "incidents", "arrest_actions", "attacks", "people", "networks", "countries",
    "links", "verdicts", "years", "eur", "level", "days", "rank", "plots", "changes",
}
# Tables that hold public facts rather than the report's own figures: a finding that reads
# them is "not_in_report" unless the report prints the same figure, and agreement with the
# report then only says that our reading of the public record fits it.
PUBLIC_TABLES = {"attacks", "attack_identification", "other_events", "threat_levels", "places", "sources"}
# How a value relates to the report's printed figure, which decides what its status may claim:
# - "recount": computed from other transcribed figures, so agreement is a real check;
# - "transcribed": the printed figure itself, copied into a table (agreement only proves the copy);
# - "back_calculated": worked back from the printed figure, so it agrees by construction.
BASES = ("recount", "transcribed", "back_calculated")
# What our value is: exact, or a lower bound (the report's "at least", or an inference that
# only bounds the count from below).
BOUNDS = ("exact", "lower")
# How a figure copied from the report is explained when its finding says nothing more.
TRANSCRIBED_EXPLANATION = "The report's own figure, copied as it prints it."

Tables = dict[str, pd.DataFrame]
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class FindingSpec:
    id: str
    section: str
    statement: str
    unit: str
    formula: str
    inputs: tuple[str, ...]
    compute: Callable[[Tables], float]
    basis: str = "recount"
    bound: str = "exact"
    digits: int = 0
    note: str = ""
    explanation: str = ""

    @property
    def uses_public_facts(self) -> bool:
        return any(name in PUBLIC_TABLES for name in self.inputs)


REGISTRY: dict[str, FindingSpec] = {}


def finding(section: str, id: str, *, statement: str, unit: str, formula: str, inputs: tuple[str, ...],
            basis: str = "recount", bound: str = "exact", digits: int = 0, note: str = "",
            explanation: str = ""):
    """Register a finding. The decorated function takes the tables and returns one number.

    ``digits`` is the one precision a share is shown with everywhere (page, chart, CSV);
    ``note`` is our plain-words reading of the row, e.g. why it differs from the report;
    ``explanation`` says how the number was got, in plain words for a reader (``formula`` is
    the same in the tables' terms). Every figure we compute needs one; a figure copied from
    the report gets ``TRANSCRIBED_EXPLANATION`` unless it says more.
    """
    problem = (
        "a computed figure needs a plain-words explanation" if basis != "transcribed" and not explanation
        else f"unknown basis {basis!r} (expected one of {', '.join(BASES)})" if basis not in BASES
        else f"unknown bound {bound!r} (expected one of {', '.join(BOUNDS)})" if bound not in BOUNDS
        else f"unknown section {section!r} (expected one of {', '.join(SECTION_IDS)})" if section not in SECTION_IDS
        else f"unknown unit {unit!r} (expected one of {', '.join(sorted(UNITS))})" if unit not in UNITS
        else "its id is not kebab-case" if not _ID.match(id)
        else ""
    )

    def register(fn: Callable[[Tables], float]) -> Callable[[Tables], float]:
        # Checked here, where the function is known, so the message names its file and line.
        if problem:
            raise DefinitionError(f"{defined_at(fn)}: finding {id!r}: {problem}")
        if id in REGISTRY:
            raise DefinitionError(f"{defined_at(fn)}: finding {id!r} is defined twice "
                                  f"(first at {defined_at(REGISTRY[id].compute)})")
        REGISTRY[id] = FindingSpec(
            id, section, statement, unit, formula, tuple(inputs), fn,
            basis=basis, bound=bound, digits=digits, note=note,
            explanation=explanation or TRANSCRIBED_EXPLANATION,
        )
        return fn

    return register


def all_findings() -> list[FindingSpec]:
    """Every finding, in section order then in the order each module defines them."""
    for section in SECTION_IDS:
        importlib.import_module(f"scripts.findings.{section}")
    return sorted(REGISTRY.values(), key=lambda spec: SECTION_IDS.index(spec.section))


# Small helpers shared by the section modules.

def cell(frame: pd.DataFrame, key_column: str, key, column: str):
    """The one value of `column` in the row whose `key_column` equals `key`."""
    from scripts.datapackage import MissingRow

    rows = frame.loc[frame[key_column] == key, column]
    if len(rows) != 1:
        raise MissingRow(frame.attrs.get("path", "table"), key_column, key, len(rows))
    return rows.iloc[0]


def transcribed(tables: Tables, claim_id: str) -> float:
    """A figure the report prints only in its text: the claim row is the transcription itself."""
    return float(cell(tables["claims"], "claim_id", claim_id, "reported_value"))


def incidents(tables: Tables, connection: str | None = None, incident_type: str | None = None) -> int:
    frame = tables["incidents"]
    if connection:
        frame = frame[frame["connection"] == connection]
    if incident_type:
        frame = frame[frame["incident_type"] == incident_type]
    return int(frame["incidents"].sum())
