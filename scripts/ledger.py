"""The findings ledger: every number on the site, beside the report's own figure.

Each finding (scripts.findings) is computed from the tables; the printed figure comes from
data/source/report/claims.csv under the same id. The status says how the two compare, using
the rounding the report itself uses for that figure.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd

from scripts import paths
from scripts.datapackage import DataError, MissingRow, Problem
from scripts.errors import DefinitionError, defined_at
from scripts.findings import FindingSpec, all_findings
from scripts.numbers import display, half_up

COLUMNS = [
    "id", "section", "statement", "value", "display", "unit", "bound", "formula",
    "explanation", "reported_value", "reported_text", "status", "note", "report_quote", "source_ref",
]
# What each status claims, in the words the site uses for it (Methods and the data package
# say the same): a status never claims more checking than was done.
STATUSES = {
    "match": "recounted from the report's other figures; agrees with the figure it prints",
    "mismatch": "recounted from the report's other figures; differs from the figure it prints",
    "transcribed": "the report's own figure, copied; nothing independent to check it against",
    "by_construction": "worked back from the report's figure, so it agrees by construction",
    "fits_public_record": "counted from public sources as we identified the events; agrees with the report's figure",
    "differs_public_record": "counted from public sources as we identified the events; differs from the report's figure",
    "derived": "not printed in the report; computed by us from its figures",
    "not_in_report": "not printed in the report; computed by us from public sources",
}
LEDGER_CSV = "findings.csv"
LEDGER_JSON = "findings.json"
LEDGER_XLSX = "findings.xlsx"
LEDGER_SCHEMA = paths.DATA / "schemas" / "findings.schema.json"


def agrees(value: float, reported: float, rounding: str) -> bool:
    """Does our value print as the report's figure, given how the report rounds it?"""
    if rounding == "exact":
        return math.isclose(value, reported, rel_tol=0, abs_tol=1e-9)
    if rounding == "percent":
        return half_up(value * 100) == half_up(reported * 100)
    if rounding == "percent_1dp":
        return half_up(value * 100, 1) == half_up(reported * 100, 1)
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
    # claims.csv holds the printed figure; it is the data only for a figure printed nowhere else.
    files = [tables[name].attrs["path"].removeprefix("data/") for name in spec.inputs if name != "claims"]
    files = files or [tables["claims"].attrs["path"].removeprefix("data/")]
    parts.append("data: " + ", ".join(files))
    return "; ".join(parts)


def split_outside_brackets(text: str, separator: str = ";") -> list[str]:
    """``text`` cut at each ``separator`` that is not inside square brackets, parts trimmed.

    A section whose heading is not in the text available to us is written "[nationalities
    section; heading …]", so a source_ref's own separator also appears inside its brackets.
    """
    parts, current, depth = [], [], 0
    for char in text:
        depth += {"[": 1, "]": -1}.get(char, 0)
        if char == separator and depth <= 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return parts


_BRACKETED_SECTION = re.compile(r"\[([^;\]]+)(?:;[^\]]*)?\]")


def report_place(source_ref: str) -> str:
    """Where in the report a finding's sentence is, for readers: "nationalities section, footnote 25".

    The bracketed note about our copy of the report is kept out (Methods explains it once).
    """
    for part in split_outside_brackets(source_ref):
        if part.startswith("report: "):
            where = _BRACKETED_SECTION.sub(lambda m: m.group(1).strip(), part.removeprefix("report: "))
            return re.sub(r", fn (\d+)$", r", footnote \1", where)
    return ""


def _status(spec: FindingSpec, agrees_with_print: bool) -> str:
    """What the comparison with the printed figure may claim, given where our value comes from."""
    if spec.basis in ("transcribed", "back_calculated"):
        if not agrees_with_print:  # a copy that differs from its original is a typo, not a finding
            raise ValueError(f"finding {spec.id} is {spec.basis} from the report but does not agree with its printed figure")
        return "transcribed" if spec.basis == "transcribed" else "by_construction"
    if spec.uses_public_facts:
        return "fits_public_record" if agrees_with_print else "differs_public_record"
    return "match" if agrees_with_print else "mismatch"


def compute(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Run every finding and compare it with the report; one row per finding.

    A problem in the data that only a finding reveals (a row it needs was deleted, a transcribed
    figure disagrees with its claim, a claim no finding checks) raises DataError naming the file,
    row and column, with every such problem listed.
    """
    claims_path = tables["claims"].attrs.get("path", "claims.csv")
    claims = tables["claims"].set_index("claim_id")
    claim_rows = {claim_id: number for number, claim_id in enumerate(tables["claims"]["claim_id"], start=2)}
    specs = all_findings()
    problems: list[Problem] = []
    for claim_id in claims.index:
        if claim_id not in {spec.id for spec in specs}:
            problems.append(Problem(claims_path, f"claim {claim_id!r} has no finding to check it (claim ids are "
                                    "finding ids: see the Findings ledger)", row=claim_rows[claim_id], column="claim_id"))
    rows = []
    for spec in specs:
        inputs = ", ".join(tables[name].attrs.get("path", name) for name in spec.inputs if name in tables)
        try:
            value = _clean(spec.compute(tables), spec.unit)
        except MissingRow as missing:
            problem = missing.problem
            problems.append(Problem(problem.file, f"{problem.message} (finding {spec.id})", problem.row, problem.column))
            continue
        except Exception as err:  # name the finding and what it reads: a bare pandas error would not
            problems.append(Problem(inputs or claims_path, f"finding {spec.id} ({spec.section}) cannot be computed "
                                    f"from these tables: {err}"))
            continue
        claim = claims.loc[spec.id] if spec.id in claims.index else None
        if claim is not None:
            reported = float(claim["reported_value"])
            try:
                agreed = agrees(value, reported, claim["rounding"])
            except ValueError as err:  # a rule the schema allows but this module does not know
                problems.append(Problem(claims_path, str(err), row=claim_rows[spec.id], column="rounding"))
                continue
            try:
                status = _status(spec, agreed)
                reported_value = _clean(reported, spec.unit)
            except ValueError as err:
                problems.append(Problem(claims_path, f"{err}: ours is {value:g}, the claim's is {reported:g}",
                                        row=claim_rows[spec.id], column="reported_value"))
                continue
            reported_text = claim["reported_text"]
            quote = claim["quote"]
        else:
            if spec.basis != "recount":
                problems.append(Problem(claims_path, f"no claim {spec.id!r}: finding {spec.id} is {spec.basis} "
                                        "from the report, so the report's printed figure must be here",
                                        column="claim_id"))
                continue
            status = "not_in_report" if spec.uses_public_facts else "derived"
            reported_value, reported_text, quote = None, None, None
        rows.append({
            "id": spec.id,
            "section": spec.section,
            "statement": spec.statement,
            "value": value,
            "display": display(value, spec.unit, spec.digits, spec.bound),
            "unit": spec.unit,
            "bound": spec.bound,
            "formula": spec.formula,
            "explanation": spec.explanation,
            "reported_value": reported_value,
            "reported_text": reported_text,
            "status": status,
            "note": spec.note or None,
            "report_quote": quote,
            "source_ref": _source_ref(spec, claim, tables),
        })
    if problems:
        raise DataError(problems)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    shown = dict(zip(frame["id"], frame["display"]))
    by_id = {spec.id: spec for spec in specs}
    frame["note"] = [_fill(note, shown, by_id[finding_id]) for finding_id, note in zip(frame["id"], frame["note"])]
    return frame


_PLACEHOLDER = re.compile(r"\{([a-z0-9-]+)\}")


def _fill(note: str | None, shown: dict[str, str], spec: FindingSpec) -> str | None:
    """A note names other findings as {finding-id}, so its numbers read as the ledger's do."""
    if not isinstance(note, str):  # no note (pandas holds it as NaN)
        return None

    def number(match: re.Match) -> str:
        if match.group(1) not in shown:
            raise DefinitionError(f"{defined_at(spec.compute)}: finding {spec.id!r}: its note names "
                                  f"{{{match.group(1)}}}, which is not a finding")
        return shown[match.group(1)]

    return _PLACEHOLDER.sub(number, note)


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
    """Write findings.csv, findings.json and findings.xlsx into out_dir (the caller makes this atomic)."""
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
    xlsx_path = out_dir / LEDGER_XLSX
    xlsx_path.write_bytes(ledger_workbook(csv_path.read_text(encoding="utf-8")))
    return [csv_path, json_path, xlsx_path]


def ledger_workbook(csv_text: str) -> bytes:
    """The ledger as an Excel workbook, typed by its schema and stamped with the release date."""
    from scripts import workbook
    from scripts.paths import ROOT, site_url
    from scripts.project import citations, data_file_url, identity

    ident = identity()
    address = data_file_url(site_url(ROOT), f"derived/{LEDGER_XLSX}")
    about = workbook.about_rows(
        title="Findings ledger",
        description="Every number on the site beside the report's own figure and sentence; the status column "
                    "says what was done to each (see the Methods page).",
        source=f"{ident.report.short}, and the public sources each row's source_ref names", version=f"version {ident.version}, released {ident.released.isoformat()}",
        address=address, data_file=f"data/derived/{LEDGER_CSV}", citation=citations(address)["plain"],
    )
    fields = json.loads(LEDGER_SCHEMA.read_text(encoding="utf-8"))["fields"]
    return workbook.table_workbook(csv_text, about, ident.released, fields)


def load(path: Path) -> pd.DataFrame:
    """The committed ledger, indexed by id, values as numbers."""
    text = {column: "string" for column in ("reported_text", "display", "note", "report_quote")}
    frame = pd.read_csv(path, dtype=text, keep_default_na=False, na_values=[""])
    return frame.set_index("id")
