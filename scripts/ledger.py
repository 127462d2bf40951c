"""The findings ledger: every number on the site, beside the report's own figure.

Each finding (scripts.findings) is computed from the tables; the printed figure comes from
data/source/report/claims.csv under the same id. The status says how the two compare, using
the rounding the report itself uses for that figure.
"""

from __future__ import annotations

import json
import math
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd

from scripts import paths
from scripts.findings import FindingSpec, all_findings

COLUMNS = [
    "id", "section", "statement", "value", "unit", "formula",
    "reported_value", "reported_text", "source_ref", "status",
]
STATUSES = ("match", "mismatch", "derived", "not_in_report")
LEDGER_CSV = "findings.csv"
LEDGER_JSON = "findings.json"


def _half_up(x: float, places: int = 0) -> Decimal:
    # The report rounds halves up (e.g. 17.5% would print as 18%); Python's round() would not.
    return Decimal(repr(x)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def agrees(value: float, reported: float, rounding: str) -> bool:
    """Does our value print as the report's figure, given how the report rounds it?"""
    if rounding == "exact":
        return math.isclose(value, reported, rel_tol=0, abs_tol=1e-9)
    if rounding == "percent":
        return _half_up(value * 100) == _half_up(reported * 100)
    if rounding == "percent_1dp":
        return _half_up(value * 100, 1) == _half_up(reported * 100, 1)
    if rounding == "floor_percent":  # "a little more than 18%"
        return math.floor(value * 100 + 1e-9) == round(reported * 100) and value > reported
    if rounding == "at_least":
        return value >= reported
    if rounding == "more_than":
        return value > reported
    if rounding == "approximately":
        return abs(value - reported) <= 0.05 * abs(reported)
    raise ValueError(f"unknown rounding rule {rounding!r}")


def _clean(value: float, unit: str) -> float | int:
    """Counts as integers; shares and money to a fixed precision so output bytes are stable."""
    if isinstance(value, bool) or pd.isna(value):
        raise ValueError("finding returned no number")
    if unit == "share":
        if not 0 <= value <= 1:
            raise ValueError(f"share {value} is outside 0–1")
        return round(float(value), 6)
    if float(value).is_integer():
        return int(value)
    return round(float(value), 6)


def _source_ref(spec: FindingSpec, claim: pd.Series | None, tables) -> str:
    parts = []
    if claim is not None:
        ref = f"report: {claim['report_section']}"
        if pd.notna(claim["footnote"]):
            ref += f", fn {int(claim['footnote'])}"
        parts.append(ref)
    files = [tables[name].attrs["path"].removeprefix("data/") for name in spec.inputs if name != "claims"]
    parts.append("data: " + ", ".join(files))
    return "; ".join(parts)


def compute(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Run every finding and compare it with the report; one row per finding."""
    claims = tables["claims"].set_index("claim_id")
    specs = all_findings()
    unknown_claims = sorted(set(claims.index) - {spec.id for spec in specs})
    if unknown_claims:
        raise ValueError(
            f"{tables['claims'].attrs['path']}: claims with no finding to check them: "
            + ", ".join(unknown_claims)
        )
    rows = []
    for spec in specs:
        try:
            value = _clean(spec.compute(tables), spec.unit)
        except Exception as err:  # name the finding: a bare pandas error would not
            raise ValueError(f"finding {spec.id} ({spec.section}) failed: {err}") from err
        claim = claims.loc[spec.id] if spec.id in claims.index else None
        if claim is not None:
            reported = float(claim["reported_value"])
            status = "match" if agrees(value, reported, claim["rounding"]) else "mismatch"
            reported_value, reported_text = _clean(reported, spec.unit), claim["reported_text"]
        else:
            status = "not_in_report" if spec.uses_public_facts else "derived"
            reported_value, reported_text = None, None
        rows.append({
            "id": spec.id,
            "section": spec.section,
            "statement": spec.statement,
            "value": value,
            "unit": spec.unit,
            "formula": spec.formula,
            "reported_value": reported_value,
            "reported_text": reported_text,
            "source_ref": _source_ref(spec, claim, tables),
            "status": status,
        })
    return pd.DataFrame(rows, columns=COLUMNS)


def _number(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def _json_number(value, unit: str):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if unit != "share" and float(value).is_integer():
        return int(value)
    return float(value)


def write(ledger: pd.DataFrame, out_dir: Path) -> list[Path]:
    """Write findings.csv and findings.json into out_dir (the caller makes this atomic)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_frame = ledger.copy()
    for column in ("value", "reported_value"):
        csv_frame[column] = csv_frame[column].map(_number)
    csv_path = out_dir / LEDGER_CSV
    csv_frame.to_csv(csv_path, index=False, lineterminator="\n", na_rep="")
    records = []
    for row in ledger.astype(object).where(ledger.notna(), None).to_dict(orient="records"):
        for column in ("value", "reported_value"):
            row[column] = _json_number(row[column], row["unit"])
        records.append(row)
    json_path = out_dir / LEDGER_JSON
    json_path.write_text(
        json.dumps({"columns": COLUMNS, "findings": records}, indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    return [csv_path, json_path]


def load(path: Path = paths.DERIVED / LEDGER_CSV) -> pd.DataFrame:
    """The committed ledger, indexed by id, values as numbers."""
    frame = pd.read_csv(path, dtype={"reported_text": "string"}, keep_default_na=False, na_values=[""])
    return frame.set_index("id")
