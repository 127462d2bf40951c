"""Read the Frictionless Data Package in data/ and turn its tables into typed DataFrames.

The descriptor (data/datapackage.json) and each table's schema are hand-curated; this module
only reads them. Schema-level checks (types, required values, enums, keys, foreign keys) are
delegated to frictionless; cross-table checks live in scripts.validate.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from scripts.errors import BuildError


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, located as precisely as we can."""

    file: str
    message: str
    row: int | None = None  # line number in the file (the header is line 1)
    column: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}"


class DataError(BuildError):
    """Bad input data; the message lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{len(problems)} data problem(s):\n{lines}")


class MissingRow(KeyError):
    """Code asked for a row by its key and the table has none (or more than one): a data problem."""

    def __init__(self, file: str, key_column: str, key, found: int):
        self.problem = Problem(
            file,
            f"no row with {key_column} = {key!r}; the build needs it (a total, claim or category that a "
            "check, finding or chart reads)" if found == 0 else
            f"{found} rows with {key_column} = {key!r}; the build needs exactly one",
            column=key_column,
        )
        super().__init__(str(self.problem))

    def __str__(self) -> str:  # KeyError would print its message quoted
        return str(self.problem)


DESCRIPTOR = "datapackage.json"


def _read_json(path: Path, file: str) -> tuple[object, list[Problem]]:
    """A JSON file's content, or the problems that stop it being read (never an exception)."""
    if path.is_symlink():
        return None, [Problem(file, "is a symbolic link; put the file itself here")]
    if not path.is_file():
        return None, [Problem(file, "file is missing")]
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        return None, [Problem(file, f"is not valid UTF-8 (byte {err.start}); save it as UTF-8")]
    try:
        return json.loads(text), []
    except json.JSONDecodeError as err:
        return None, [Problem(file, f"is not valid JSON: {err.msg} (line {err.lineno}, column {err.colno})")]


def load_descriptor(data_dir: Path) -> dict:
    """The descriptor; DataError (not a traceback) if it is missing or not valid JSON."""
    descriptor, problems = _read_json(data_dir / DESCRIPTOR, f"{data_dir.name}/{DESCRIPTOR}")
    if problems:
        raise DataError(problems)
    return descriptor


def source_resources(descriptor: dict) -> list[dict]:
    """Resources that are hand-curated tables (not derived outputs, not geometry)."""
    return [
        r
        for r in descriptor["resources"]
        if str(r["path"]).startswith("source/") and r.get("format", "csv") == "csv"
    ]


def _relative(data_dir: Path, resource_path: str) -> str:
    # Name files as a reader of the repository sees them, wherever the tree was copied.
    return f"{data_dir.name}/{resource_path}"


# Characters no page or chart can show: C0 controls other than tab and line feed, DEL, C1
# controls and Unicode noncharacters. They are errors in HTML and XML, and the chart renderer
# aborts the whole process on some of them, so they are stopped here with a location.
UNPRINTABLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff"
    + "".join(chr(plane + 0xFFFE) + chr(plane + 0xFFFF) for plane in range(0x10000, 0x110000, 0x10000))
    + "]"
)


def _unprintable_cells(file: str, text: str) -> list[Problem]:
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0] if rows else []
    problems = []
    for number, row in enumerate(rows, start=1):
        for index, value in enumerate(row):
            found = UNPRINTABLE.search(value)
            if found:
                column = header[index] if index < len(header) and number > 1 else None
                problems.append(Problem(
                    file,
                    f"contains U+{ord(found.group()):04X}, a control character or noncharacter that no "
                    "page or chart can show; remove it",
                    row=number, column=column,
                ))
    return problems


def _check_encoding(data_dir: Path, resource: dict) -> list[Problem]:
    """Catch what frictionless would silently tolerate: BOMs, CRLF, non-UTF-8 bytes, control characters."""
    file = _relative(data_dir, resource["path"])
    path = data_dir / resource["path"]
    if not path.exists():
        return [Problem(file, "file is missing")]
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        return [Problem(file, "starts with a UTF-8 byte-order mark; save it without one", row=1)]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        return [Problem(file, f"is not valid UTF-8 (byte {err.start}); save it as UTF-8", row=line)]
    if "\r" in text:
        line = text[: text.index("\r")].count("\n") + 1
        return [Problem(file, "uses CR or CRLF line endings; use LF", row=line)]
    if UNPRINTABLE.search(text):
        return _unprintable_cells(file, text)
    return []


def validate_schemas(data_dir: Path) -> list[Problem]:
    """Validate every source table against its Table Schema, foreign keys included."""
    from frictionless import Package, system

    from scripts import inputs

    descriptor = load_descriptor(data_dir)
    problems = inputs.check_package(data_dir, descriptor)
    if problems:
        return problems
    resources = source_resources(descriptor)
    problems = [p for r in resources for p in _check_encoding(data_dir, r)]
    if problems:
        return problems
    problems = inputs.check_tables(data_dir, resources)
    if problems:
        return problems
    package = Package(
        {"name": descriptor["name"], "resources": resources}, basepath=str(data_dir)
    )
    with system.use_context(trusted=True):
        report = package.validate()
    files = {r["name"]: _relative(data_dir, r["path"]) for r in resources}
    for task in report.tasks:
        file = files.get(task.name, task.place)
        for error in task.errors:
            row = getattr(error, "row_number", None)
            column = getattr(error, "field_name", None)
            problems.append(Problem(file, _describe(error), row=row, column=column))
    return problems


def _describe(error) -> str:
    """Say what is wrong in a reader's words; frictionless's own note follows for detail."""
    note = error.note or ""
    cell = getattr(error, "cell", None)
    if error.type == "constraint-error":
        bound = re.search(r'"(minimum|maximum)" is "([^"]*)"', note)
        if '"required"' in note:
            return "missing value"
        if '"enum"' in note:
            return f"{cell!r} is not one of the allowed values ({note})"
        if '"maximum" is "1"' in note:
            return f"share {cell} is outside 0–1"
        if bound:
            side = "below the minimum" if bound.group(1) == "minimum" else "above the maximum"
            return f"{cell} is {side} {bound.group(2)} that the schema allows"
        return f"breaks a constraint: {note}"
    kinds = {
        "type-error": "wrong type",
        "primary-key": "duplicate key",
        "foreign-key": "unknown key",
        "missing-cell": "missing value",
        "extra-cell": "extra value",
        "blank-row": "blank row",
        "duplicate-label": "duplicate column",
        "missing-label": "missing column",
        "incorrect-label": "unexpected column",
    }
    kind = kinds.get(error.type, error.type)
    return f"{kind}: {note}" if note else kind


def _dtype(field: dict) -> str:
    return {
        "integer": "Int64",
        "number": "float64",
        "boolean": "boolean",
    }.get(field["type"], "string")


def load_tables(data_dir: Path) -> dict[str, pd.DataFrame]:
    """Every source table as a DataFrame typed from its schema (nullable integers stay integers)."""
    descriptor = load_descriptor(data_dir)
    tables: dict[str, pd.DataFrame] = {}
    for resource in source_resources(descriptor):
        schema = _schema(data_dir, resource)
        frame = pd.read_csv(
            data_dir / resource["path"],
            dtype="string",
            keep_default_na=False,
            na_values=[""],
            encoding="utf-8",
        )
        for field in schema["fields"]:
            name = field["name"]
            kind = _dtype(field)
            if kind == "boolean":
                words = {**{w: True for w in field.get("trueValues", ["true"])},
                         **{w: False for w in field.get("falseValues", ["false"])}}
                frame[name] = frame[name].map(words).astype("boolean")
            elif kind == "float64":
                frame[name] = pd.to_numeric(frame[name]).astype("float64")
            elif kind == "Int64":
                frame[name] = pd.to_numeric(frame[name]).astype("Int64")
        frame.attrs["path"] = _relative(data_dir, resource["path"])
        tables[resource["name"]] = frame
    return tables


def _schema(data_dir: Path, resource: dict) -> dict:
    schema = resource["schema"]
    if isinstance(schema, str):
        return json.loads((data_dir / schema).read_text(encoding="utf-8"))
    return schema
