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

SECTIONS = (
    "overview",
    "geography",
    "networks",
    "nationalities",
    "weapons_targets",
    "threat_levels",
)
UNITS = {
    "share", "incidents", "arrest_actions", "attacks", "people", "networks", "countries",
    "links", "verdicts", "years", "eur", "level", "days", "rank", "plots", "changes",
}
# Tables that hold public facts rather than the report's own figures: a finding that reads
# them is "not_in_report" unless the report prints the same figure.
PUBLIC_TABLES = {"attacks", "attack_identification", "other_events", "threat_levels", "places", "sources"}

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

    @property
    def uses_public_facts(self) -> bool:
        return any(name in PUBLIC_TABLES for name in self.inputs)


REGISTRY: dict[str, FindingSpec] = {}


def finding(section: str, id: str, *, statement: str, unit: str, formula: str, inputs: tuple[str, ...]):
    """Register a finding. The decorated function takes the tables and returns one number."""
    if section not in SECTIONS:
        raise ValueError(f"finding {id}: unknown section {section!r}")
    if unit not in UNITS:
        raise ValueError(f"finding {id}: unknown unit {unit!r}")
    if not _ID.match(id):
        raise ValueError(f"finding id {id!r} is not kebab-case")

    def register(fn: Callable[[Tables], float]) -> Callable[[Tables], float]:
        if id in REGISTRY:
            raise ValueError(f"finding {id} is defined twice")
        REGISTRY[id] = FindingSpec(id, section, statement, unit, formula, tuple(inputs), fn)
        return fn

    return register


def all_findings() -> list[FindingSpec]:
    """Every finding, in section order then in the order each module defines them."""
    for section in SECTIONS:
        importlib.import_module(f"scripts.findings.{section}")
    return sorted(REGISTRY.values(), key=lambda spec: SECTIONS.index(spec.section))


# Small helpers shared by the section modules.

def cell(frame: pd.DataFrame, key_column: str, key, column: str):
    """The one value of `column` in the row whose `key_column` equals `key`."""
    rows = frame.loc[frame[key_column] == key, column]
    if len(rows) != 1:
        raise KeyError(f"{frame.attrs.get('path', 'table')}: expected one row with {key_column} = {key!r}, found {len(rows)}")
    return rows.iloc[0]


def incidents(tables: Tables, connection: str | None = None, incident_type: str | None = None) -> int:
    frame = tables["incidents"]
    if connection:
        frame = frame[frame["connection"] == connection]
    if incident_type:
        frame = frame[frame["incident_type"] == incident_type]
    return int(frame["incidents"].sum())
