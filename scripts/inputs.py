"""Checks on the inputs that come before any table is typed: the package's files, each table's
header, each cell's form, and whether its values are plausible as well as well-typed.

Every finding is a Problem (file, row, column, message); nothing here raises on bad input.
Run by scripts.datapackage.validate_schemas before frictionless, which then checks constraints,
keys and foreign keys on cells already known to be well formed.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import re
import unicodedata
from datetime import date
from pathlib import Path, PurePosixPath

from scripts.datapackage import DESCRIPTOR, Problem, _read_json, _relative

# Files in data/ that the descriptor does not declare but that belong there (paths relative to
# data/). Everything else in data/source and data/schemas must be a declared table or schema.
EXEMPT = ("source/public/README.md",)
# The folders the build checks file by file; data/derived is the build's own output.
CHECKED_DIRS = ("source", "schemas")

TABLE_FORMATS = ("csv", "xlsx")
FIELD_TYPES = {"string", "integer", "number", "boolean", "date", "yearmonth"}
MAX_CELL = 2000  # characters in one cell; the longest note in the data is about 600
MAX_INTEGER = 2**53 - 1  # the largest integer a chart (JavaScript) or JSON reader holds exactly
FORMULA_START = ("=", "+", "-", "@", "\t")  # what spreadsheets run as a formula (OWASP CSV injection)
NON_FINITE = {"nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}


def _data_file(data_dir: Path, relative: str) -> str:
    return _relative(data_dir, relative)


# The package: descriptor, resources, schema files, and nothing undeclared ---------------------

def _safe_path(data_dir: Path, value, file: str, what: str) -> list[Problem]:
    """A path in the descriptor must be relative, stay inside data/ and not pass a link."""
    if not isinstance(value, str) or not value:
        return [Problem(file, f"{what} must be a path relative to data/, such as source/report/incidents.csv")]
    pure = PurePosixPath(value)
    if pure.is_absolute() or "\\" in value or ".." in pure.parts or value.startswith("~"):
        return [Problem(file, f"{what} {value!r} leaves data/: paths must stay inside it (no '..', no absolute path)")]
    path = data_dir
    for part in pure.parts:
        path = path / part
        if path.is_symlink():
            return [Problem(file, f"{what} {value!r} goes through a symbolic link ({_data_file(data_dir, str(path.relative_to(data_dir)))}); "
                                  "put the file itself in data/")]
    return []


def check_package(data_dir: Path, descriptor) -> list[Problem]:
    """The descriptor's structure, every schema file, and the files in data/ it does not declare."""
    file = _data_file(data_dir, DESCRIPTOR)
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list) \
            or not descriptor["resources"]:
        return [Problem(file, "must be a JSON object with a non-empty \"resources\" list")]
    problems: list[Problem] = []
    if not isinstance(descriptor.get("name"), str) or not re.fullmatch(r"[a-z0-9._-]+", descriptor["name"]):
        problems.append(Problem(file, "needs a \"name\" of lowercase letters, digits, dots, hyphens and underscores"))
    names: set[str] = set()
    declared: set[str] = set(EXEMPT)
    for number, resource in enumerate(descriptor["resources"], start=1):
        where = f"resource {number}"
        if not isinstance(resource, dict):
            problems.append(Problem(file, f"{where} is not a JSON object"))
            continue
        name = resource.get("name")
        if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]+", name):
            problems.append(Problem(file, f"{where} needs a \"name\" of lowercase letters, digits and underscores"))
        elif name in names:
            problems.append(Problem(file, f"{where}: the name {name!r} is used twice"))
        else:
            names.add(name)
            where = f"resource {name!r}"
        # A table needs its schema; other files (map shapes, a README, the ledger as JSON) have none.
        keys = ("path", "schema") if is_table(resource) or "schema" in resource else ("path",)
        for key in keys:
            found = _safe_path(data_dir, resource.get(key), file, f"{where}: its {key}")
            problems += found
            if not found:
                declared.add(resource[key])
        if not problems and str(resource["path"]).startswith("source/") and "schema" in keys:
            problems += _check_schema_file(data_dir, resource["schema"])
    if problems:
        return problems
    for folder in CHECKED_DIRS:
        top = data_dir / folder
        for path in sorted(top.rglob("*")) if top.is_dir() else ():
            relative = path.relative_to(data_dir).as_posix()
            if path.is_symlink():
                problems.append(Problem(_data_file(data_dir, relative), "is a symbolic link; data/ holds only real "
                                        "files (a link's target would be published)"))
            elif path.is_file() and relative not in declared:
                problems.append(Problem(_data_file(data_dir, relative), f"is not declared in data/{DESCRIPTOR}; "
                                        "declare it as a resource or schema, or remove it (the only exemptions "
                                        "are EXEMPT in scripts/inputs.py)"))
    for path in sorted(data_dir.iterdir()) if data_dir.is_dir() else ():
        if path.is_symlink():
            problems.append(Problem(_data_file(data_dir, path.name), "is a symbolic link; data/ holds only real files"))
    return problems


def is_table(resource: dict) -> bool:
    """A resource read as rows and columns (CSV unless it names another format)."""
    return resource.get("format", "csv") in TABLE_FORMATS


def _check_schema_file(data_dir: Path, relative: str) -> list[Problem]:
    file = _data_file(data_dir, relative)
    schema, problems = _read_json(data_dir / relative, file)
    if problems:
        return problems
    fields = schema.get("fields") if isinstance(schema, dict) else None
    if not isinstance(fields, list) or not fields:
        return [Problem(file, "must be a JSON object with a non-empty \"fields\" list")]
    seen: set[str] = set()
    for number, field in enumerate(fields, start=1):
        if not isinstance(field, dict) or not isinstance(field.get("name"), str) or not field["name"]:
            problems.append(Problem(file, f"field {number} needs a \"name\""))
            continue
        name = field["name"]
        if name in seen:
            problems.append(Problem(file, f"field {name!r} is listed twice", column=name))
        seen.add(name)
        kind = field.get("type", "string")
        constraints = field.get("constraints", {})
        if kind not in FIELD_TYPES:
            problems.append(Problem(file, f"field {name!r} has type {kind!r}; the build reads "
                                    + ", ".join(sorted(FIELD_TYPES)), column=name))
        elif not isinstance(constraints, dict):
            problems.append(Problem(file, f"field {name!r}: \"constraints\" must be an object", column=name))
        elif kind == "boolean" and not (field.get("trueValues") and field.get("falseValues")):
            problems.append(Problem(file, f"boolean field {name!r} must list its trueValues and falseValues",
                                    column=name))
        elif kind in ("date", "yearmonth") and not ("minimum" in constraints and "maximum" in constraints):
            problems.append(Problem(file, f"{kind} field {name!r} must declare the period the table can cover "
                                    "(constraints minimum and maximum)", column=name))
    return problems


def schema_of(data_dir: Path, resource: dict) -> dict:
    schema, _ = _read_json(data_dir / resource["schema"], "")
    return schema


# Tables: header by name, then every cell's form -----------------------------------------------

def check_tables(data_dir: Path, resources: list[dict]) -> list[Problem]:
    problems: list[Problem] = []
    texts: list[tuple[str, int, str, str]] = []  # (file, row, column, value) of every text cell
    for resource in resources:
        file = _data_file(data_dir, resource["path"])
        schema = schema_of(data_dir, resource)
        rows = list(csv.reader(io.StringIO((data_dir / resource["path"]).read_text(encoding="utf-8"))))
        found = check_header(file, rows, schema["fields"])
        if found:
            problems += found
            continue
        fields = schema["fields"]
        for number, row in enumerate(rows[1:], start=2):
            for field, value in zip(fields, row):
                message = check_cell(field, value)
                if message:
                    problems.append(Problem(file, message, row=number, column=field["name"]))
                elif field.get("type", "string") == "string" and value:
                    texts.append((file, number, field["name"], value))
    if problems:
        return problems
    return look_alikes(texts)


def check_header(file: str, rows: list[list[str]], fields: list[dict]) -> list[Problem]:
    """Columns are matched by name: say which are missing, which unexpected, and the likely typo."""
    expected = [field["name"] for field in fields]
    if not rows or not any(cell.strip() for cell in rows[0]):
        return [Problem(file, "is empty: it needs a header row (" + ", ".join(expected) + ") and at least one row",
                        row=1)]
    header = rows[0]
    problems = []
    for name in sorted({name for name in header if header.count(name) > 1}):
        problems.append(Problem(file, f"column `{name}` appears more than once in the header", row=1, column=name))
    missing = [name for name in expected if name not in header]
    unexpected = [name for name in header if name not in expected]
    guessed = set()
    for name in unexpected:
        guess = difflib.get_close_matches(name, [m for m in missing if m not in guessed], n=1, cutoff=0.6)
        guessed.update(guess)
        hint = f"; did you mean `{guess[0]}`?" if guess else f"; the schema's columns are {', '.join(expected)}"
        problems.append(Problem(file, f"unexpected column `{name}`, not in the schema{hint}", row=1, column=name))
    for name in (m for m in missing if m not in guessed):
        problems.append(Problem(file, f"missing column `{name}`", row=1, column=name))
    if not problems and header != expected:
        problems.append(Problem(file, "columns are in a different order from the schema's: "
                                + ", ".join(expected), row=1))
    if not problems and len(rows) < 2:
        problems.append(Problem(file, "has a header but no rows; every table holds at least one row", row=1))
    return problems


def check_cell(field: dict, value: str) -> str | None:
    """What is wrong with one cell's form, in a reader's words; None if nothing."""
    kind = field.get("type", "string")
    constraints = field.get("constraints", {})
    if len(value) > MAX_CELL:
        return f"is {len(value)} characters long; one cell holds at most {MAX_CELL}"
    if value and not value.strip():
        if constraints.get("required"):
            return "is empty after trimming spaces, but a value is required"
        return "holds only spaces; leave it empty or write a value"
    if value == "":
        return None  # required or not: frictionless says "missing value"
    if kind in ("integer", "number"):
        return _check_number(kind, value, constraints)
    if kind == "boolean":
        allowed = [*field["trueValues"], *field["falseValues"]]
        if value not in allowed:
            return (f"{value!r} is not a boolean this table accepts: write "
                    + " or ".join(allowed) + " (the schema's trueValues and falseValues)")
        return None
    if kind in ("date", "yearmonth"):
        return _check_date(kind, value, constraints)
    if value.startswith(FORMULA_START):
        shown = "a tab" if value[0] == "\t" else f"'{value[0]}'"
        return (f"starts with {shown}, which a spreadsheet would run as a formula; "
                "reword it so that it starts with a letter, digit or quotation mark")
    return None


def _check_number(kind: str, value: str, constraints: dict) -> str | None:
    what = "a whole number" if kind == "integer" else "a number"
    signed = isinstance(constraints.get("minimum"), (int, float)) and constraints["minimum"] < 0
    if value != value.strip() or " " in value or "\u00a0" in value:
        return f"{value!r} has spaces in it; write {what} as digits only"
    if value.lower() in NON_FINITE:
        return f"{value!r} is not {what}; write the figure, or leave the cell empty if there is none"
    if value[0] == "-" and not signed:
        return f"negative count {value}: it cannot be below {constraints.get('minimum', 0)}; write digits only"
    if value[0] == "+":
        return f"{value!r} has a sign; write {what} as digits only ({value[1:]})"
    digits = r"-?[0-9]+" if signed else r"[0-9]+"
    pattern = digits if kind == "integer" else digits + r"(\.[0-9]+)?"
    if not re.fullmatch(pattern, value):
        if re.search(r"[_,'\u2009]", value):
            return f"{value!r} has a separator in it; write {what} as digits only"
        if kind == "integer" and re.fullmatch(r"-?[0-9]+\.[0-9]+", value):
            return f"{value!r} is not a whole number"
        return f"{value!r} is not {what} (digits only" + (", with a point for decimals)" if kind == "number" else ")")
    number = float(value)
    if not math.isfinite(number) or abs(number) > MAX_INTEGER:
        return f"{value!r} is too large: the limit is {MAX_INTEGER} (the largest integer a chart holds exactly)"
    return None


def _check_date(kind: str, value: str, constraints: dict) -> str | None:
    form = "YYYY-MM-DD" if kind == "date" else "YYYY-MM"
    try:
        if kind == "date":
            if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
                raise ValueError
            date.fromisoformat(value)
        else:
            if not re.fullmatch(r"[0-9]{4}-(0[1-9]|1[0-2])", value):
                raise ValueError
    except ValueError:
        return f"{value!r} is not a {'date' if kind == 'date' else 'month'} ({form})"
    low, high = str(constraints["minimum"]), str(constraints["maximum"])
    if not low <= value <= high:
        return f"{value} is outside the period this table can cover, {low} to {high} (declared in its schema)"
    return None


# Look-alike characters ------------------------------------------------------------------------
#
# A small confusable skeleton (after Unicode TR39): compatibility decomposition, invisible format
# characters dropped, and the Cyrillic and Greek letters that look like Latin ones mapped to them.
# Two words with the same skeleton but different characters are one name typed two ways.

LOOK_ALIKES = str.maketrans({
    # Cyrillic
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
    "Х": "X", "У": "Y", "І": "I", "Ј": "J", "Ѕ": "S", "Ԛ": "Q", "Ԝ": "W", "Ү": "Y",
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s",
    "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "ɡ": "g",
    # Greek
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ο": "o", "ν": "v", "ι": "i", "κ": "k", "ρ": "p", "υ": "u",
    "α": "a",
    # Latin and digits that pass for each other
    "ı": "i", "ſ": "s", "ℓ": "l",
})
WORD = re.compile(r"[^\W_]+(?:[\u00ad\u200b-\u200d\u2060\ufeff][^\W_]+)*")
SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")


def skeleton(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    visible = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Cf")
    return visible.translate(LOOK_ALIKES)


def _scripts(word: str) -> set[str]:
    found = set()
    for ch in word:
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            found.update(script for script in SCRIPTS if name.startswith(script))
    return found


def _odd_letters(word: str) -> str:
    odd = [ch for ch in dict.fromkeys(word) if not ch.isascii()]
    return ", ".join(f"{ch} (U+{ord(ch):04X} {unicodedata.name(ch, '?')})" for ch in odd)


def look_alikes(cells: list[tuple[str, int, str, str]]) -> list[Problem]:
    """Words that read as another word of the data, or mix Latin with Cyrillic or Greek letters."""
    first_seen: dict[str, tuple[str, str, int, str]] = {}
    words: list[tuple[str, str, int, str]] = []
    for file, row, column, value in cells:
        for match in WORD.finditer(value):
            word = match.group()
            words.append((word, file, row, column))
            if word.isascii() or not _scripts(word) - {"LATIN"}:
                first_seen.setdefault(skeleton(word), (word, file, row, column))
    problems = []
    reported = set()
    for word, file, row, column in words:
        key = skeleton(word)
        if key == word or (word, file, row, column) in reported:
            continue
        twin = first_seen.get(key)
        if twin and twin[0] != word:
            problems.append(Problem(
                file, f"{word!r} looks like {twin[0]!r} ({twin[1]}, row {twin[2]}, column {twin[3]}) but is "
                f"written with {_odd_letters(word)}; type it with the same letters", row=row, column=column))
            reported.add((word, file, row, column))
        elif len(_scripts(word)) > 1:
            problems.append(Problem(
                file, f"{word!r} mixes {' and '.join(sorted(s.title() for s in _scripts(word)))} letters in one word "
                f"({_odd_letters(word)}); type it in one script", row=row, column=column))
    return problems
