"""Data files that open cleanly: the Excel copies of the published CSVs, and the published Data Package.

The workbooks are read back with openpyxl and compared with their CSV cell by cell, the CSV typed
independently of the writer: by its schema where the table has one, else by pandas' own reading.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import time
import types
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from scripts import workbook
from scripts.paths import CHARTS, DATA, DERIVED
from scripts.project import identity

ISO_DAY = "%Y-%m-%d"


def committed_workbooks() -> list[tuple[Path, Path, Path | None]]:
    """(csv, xlsx, schema or None) for every chart version's CSV and for the ledger."""
    pairs = []
    for csv_path in sorted(CHARTS.glob("*/v*/*.csv")):
        schema = csv_path.with_name(csv_path.name.removesuffix(".csv") + ".schema.json")  # if charts/ has one
        pairs.append((csv_path, csv_path.with_suffix(".xlsx"), schema if schema.is_file() else None))
    pairs.append((DERIVED / "findings.csv", DERIVED / "findings.xlsx", DATA / "schemas" / "findings.schema.json"))
    return pairs


WORKBOOKS = committed_workbooks()


def expected_by_schema(text: str, field: dict):
    """A CSV cell as its schema types it (None when empty)."""
    if text == "":
        return None
    kind = field.get("type", "string")
    if kind == "integer":
        return int(text)
    if kind == "number":
        return float(text)
    if kind == "boolean":
        return text in field.get("trueValues", ["true"])
    if kind == "date":
        return dt.datetime.strptime(text, ISO_DAY).date()
    if kind == "yearmonth":
        return dt.datetime.strptime(text + "-01", ISO_DAY).date()
    return text


def expected_by_pandas(path: Path) -> dict[str, list]:
    """Each column as pandas reads the CSV: its numbers, booleans and ISO days typed, the rest text."""
    frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
    columns = {}
    for name in frame.columns:
        series = frame[name]
        if pd.api.types.is_bool_dtype(series):
            values = [bool(v) for v in series]
        elif pd.api.types.is_integer_dtype(series):
            values = [int(v) for v in series]
        elif pd.api.types.is_float_dtype(series):
            values = [None if pd.isna(v) else float(v) for v in series]
        else:
            present = [v for v in series if not pd.isna(v)]
            days = pd.to_datetime(pd.Series(present, dtype="object"), format=ISO_DAY, errors="coerce")
            if present and days.notna().all():
                values = [None if pd.isna(v) else dt.datetime.strptime(v, ISO_DAY).date() for v in series]
            elif present and all(isinstance(v, bool) for v in present):  # booleans with gaps
                values = [None if pd.isna(v) else bool(v) for v in series]
            else:
                values = [None if pd.isna(v) else str(v) for v in series]
        columns[name] = values
    return columns


def assert_cell(cell, expected, where: str) -> None:
    if expected is None:
        assert cell.value is None, where
    elif isinstance(expected, bool):
        assert cell.data_type == "b" and cell.value is expected, where
    elif isinstance(expected, (int, float)):
        # A number cell, never text that looks like one.
        assert cell.data_type == "n" and isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool), where
        # Excel keeps 15 significant digits and openpyxl writes 16; closer than that is equal.
        assert math.isclose(cell.value, expected, rel_tol=1e-15, abs_tol=0), (where, cell.value, expected)
    elif isinstance(expected, dt.date):
        assert cell.is_date and cell.value.date() == expected, where
        assert "yy" in cell.number_format, (where, cell.number_format)
    else:
        assert cell.data_type == "s" and cell.value == expected, (where, cell.value, expected)


@pytest.mark.parametrize("csv_path, xlsx_path, schema_path", WORKBOOKS, ids=[p[1].name for p in WORKBOOKS])
def test_every_workbook_holds_its_csv_in_typed_cells(csv_path, xlsx_path, schema_path):
    assert xlsx_path.is_file(), f"{xlsx_path.name}: no workbook beside {csv_path.name}"
    book = openpyxl.load_workbook(xlsx_path)
    assert book.sheetnames == ["Data", "About"]
    sheet = book["Data"]
    with csv_path.open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    assert [cell.value for cell in sheet[1]] == header
    assert sheet.max_row == len(rows) + 1 and sheet.max_column == len(header)
    if schema_path is not None:
        fields = {field["name"]: field for field in json.loads(schema_path.read_text(encoding="utf-8"))["fields"]}
        expected = {name: [expected_by_schema(row[index], fields[name]) for row in rows] for index, name in enumerate(header)}
    else:
        expected = expected_by_pandas(csv_path)
    for index, name in enumerate(header, start=1):
        for number, value in enumerate(expected[name], start=2):
            assert_cell(sheet.cell(row=number, column=index), value, f"{xlsx_path.name}, row {number}, column {name}")


def test_numeric_and_date_columns_are_typed_not_text():
    """The point of the workbooks: some column of each kind really is typed (not all left as text)."""
    seen = set()
    for _, xlsx_path, _ in WORKBOOKS:
        for row in openpyxl.load_workbook(xlsx_path)["Data"].iter_rows(min_row=2):
            seen.update("date" if cell.is_date else cell.data_type for cell in row if cell.value is not None)
    assert {"n", "b", "date", "s"} <= seen


def about(path: Path) -> dict[str, str]:
    return {label: text for label, text in openpyxl.load_workbook(path)["About"].iter_rows(values_only=True)}


def test_about_sheet_carries_title_credit_licence_and_citation():
    ident = identity()
    index = {entry["id"]: entry for entry in json.loads((CHARTS / "index.json").read_text(encoding="utf-8"))}
    for entry in index.values():
        path = CHARTS / entry["files"]["xlsx"]
        notes = about(path)
        assert notes["Title"] == entry["title"], path.name
        assert ident.licence in notes["Licence"] and ident.licence_url in notes["Licence"], path.name
        assert ident.credit in notes["Credit"] and ident.licence in notes["Credit"], path.name
        assert entry["title"] in notes["Citation"] and ident.credit in notes["Citation"], path.name
        assert ident.report.url in notes["Report"] and notes["Source"], path.name
        assert f"chart version {entry['version']}" in notes["Version"], path.name
        # Stamped with the version's date, not the time it was built.
        assert openpyxl.load_workbook(path).properties.created.date().isoformat() == entry["date"], path.name
    notes = about(DERIVED / "findings.xlsx")
    assert notes["Title"] == "Findings ledger" and ident.licence_url in notes["Licence"] and ident.credit in notes["Credit"]


def test_every_chart_version_lists_its_workbook():
    for entry in json.loads((CHARTS / "index.json").read_text(encoding="utf-8")):
        assert entry["files"]["xlsx"] == entry["files"]["csv"].removesuffix(".csv") + ".xlsx"
        assert (CHARTS / entry["files"]["xlsx"]).is_file()


SAMPLE = "name,count,share,day,flag,code\nBrussels,62,0.5,2016-03-22,true,04000\n=1+1,,,,false,\n"


def write_at(moment: float, monkeypatch) -> bytes:
    """A workbook written while the clock says ``moment`` (seconds since the epoch)."""
    import openpyxl.packaging.core as core
    import openpyxl.writer.excel as excel

    fake_now = dt.datetime.fromtimestamp(moment, tz=dt.timezone.utc)

    class Clock(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return fake_now if tz else fake_now.replace(tzinfo=None)

    fake = types.SimpleNamespace(datetime=Clock, timezone=dt.timezone, date=dt.date)
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: moment)
        patch.setattr(core, "datetime", fake)
        patch.setattr(excel, "datetime", fake)
        rows = [("Title", "Sample")]
        return workbook.table_workbook(SAMPLE, rows, dt.date(2026, 11, 28))


def test_the_same_table_gives_the_same_bytes_whatever_the_clock(monkeypatch):
    first = write_at(1_700_000_000, monkeypatch)
    later = write_at(1_900_000_000, monkeypatch)
    assert first == later
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 11, 28, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode("utf-8")
    assert "2026-11-28T00:00:00Z" in core and "2023" not in core and "2030" not in core


def test_guessed_types_keep_codes_and_formula_like_text_as_text(monkeypatch):
    sheet = openpyxl.load_workbook(io.BytesIO(write_at(1_700_000_000, monkeypatch)))["Data"]
    name, count, share, day, flag, code = sheet[2]
    assert (count.value, share.value, flag.value) == (62, 0.5, True)
    assert day.is_date and day.value.date() == dt.date(2016, 3, 22)
    assert code.data_type == "s" and code.value == "04000"  # a code with a leading zero stays as written
    formula_like = sheet["A3"]
    assert formula_like.data_type == "s" and formula_like.value == "=1+1"  # text, never run


# The published Data Package --------------------------------------------------------------------

# Numeric fields without a unit, and why: a footnote's number, an identifier, a step on the
# threat-level scale (1 to 4) and a chart's version number count nothing.
UNITLESS = {"footnote", "geonames_id", "level", "chart_version"}
PER_ROW = "per row, in the column "


@pytest.fixture(scope="module")
def published(built_site) -> Path:
    return built_site.site / "data"


@pytest.fixture(scope="module")
def descriptor(published) -> dict:
    return json.loads((published / "datapackage.json").read_text(encoding="utf-8"))


def test_every_published_data_file_belongs_to_the_package(published, descriptor):
    files = {path.relative_to(published).as_posix() for path in published.rglob("*") if path.is_file()}
    paths = {resource["path"] for resource in descriptor["resources"]}
    schemas = {resource["schema"] for resource in descriptor["resources"] if isinstance(resource.get("schema"), str)}
    assert files - paths - schemas - {"datapackage.json"} == set()
    assert paths <= files, "resources whose file is not published"
    for expected in ("derived/findings.csv", "derived/findings.xlsx", "derived/findings.json",
                     "derived/geo/belgium-regions.geojson", "derived/geo/belgium-provinces.geojson"):
        assert expected in paths, expected


def schema_of(published: Path, resource: dict) -> dict:
    schema = resource["schema"]
    return json.loads((published / schema).read_text(encoding="utf-8")) if isinstance(schema, str) else schema


def test_every_field_is_described_and_every_quantity_has_its_unit(published, descriptor):
    missing = []
    for resource in descriptor["resources"]:
        assert resource.get("title") and resource.get("description"), resource["name"]
        if "schema" not in resource:
            continue
        fields = schema_of(published, resource)["fields"]
        names = {field["name"] for field in fields}
        for field in fields:
            where = f"{resource['name']}.{field['name']}"
            if not str(field.get("description", "")).strip():
                missing.append(f"{where}: no description")
            if field.get("type") not in ("integer", "number"):
                assert "unit" not in field, f"{where}: a unit on a {field.get('type')} field"
            elif field["name"] in UNITLESS:
                assert "unit" not in field, f"{where} counts nothing; it should carry no unit"
            elif not str(field.get("unit", "")).strip():
                missing.append(f"{where}: no unit")
            elif field["unit"].startswith(PER_ROW):
                assert field["unit"].removeprefix(PER_ROW) in names, f"{where}: {field['unit']!r} names no column"
    assert not missing, "\n".join(missing)


def test_map_shapes_describe_every_property_their_features_carry(published, descriptor):
    for resource in descriptor["resources"]:
        if resource.get("format") != "geojson":
            continue
        shapes = json.loads((published / resource["path"]).read_text(encoding="utf-8"))
        properties = {key for feature in shapes["features"] for key in feature["properties"]}
        assert properties, resource["name"]
        for key in properties:
            assert key in resource["description"], f"{resource['name']}: property {key} is not described"


def test_published_package_validates(published):
    from frictionless import Package, system

    with system.use_context(trusted=True):
        package = Package(str(published / "datapackage.json"))
        report = package.validate()
    assert report.valid, report.flatten(["taskName", "rowNumber", "fieldName", "type", "note"])[:10]
    # The ledger's workbook is read as a table against the ledger's schema, from its Data sheet.
    with system.use_context(trusted=True):
        rows = package.get_resource("findings_xlsx").read_rows()
    assert len(rows) == len(pd.read_csv(published / "derived/findings.csv"))
