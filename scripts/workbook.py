"""Excel copies of the published CSVs: typed cells, so a spreadsheet in any locale opens them as data.

A CSV opened in Excel with Belgian (or other continental) settings goes through its locale: the
comma that separates our columns is read as a decimal comma, "0.35" becomes text or a date. An
.xlsx holds numbers, dates and booleans as typed cells, which every locale shows in its own
format. Each workbook has the table on its first sheet ("Data": the CSV's header and rows, one
for one) and an "About" sheet: title, source, credit, licence and citation.

The workbook is made from the CSV's own text, so the two cannot disagree. Column types come from
the table's schema where it has one (Table Schema fields), else from the values themselves.

The bytes are reproducible: openpyxl stamps the current time into docProps/core.xml and into
every zip entry; both are replaced by a fixed day (the version's publication date).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence

from scripts.numbers import ISO_DAY

DATA_SHEET = "Data"
ABOUT_SHEET = "About"
DATE_FORMAT = "yyyy-mm-dd"  # ISO: read the same way in every locale
MONTH_FORMAT = "yyyy-mm"
MAX_WIDTH = 60  # characters; longer text wraps in the cell's own view
CORE_XML = "docProps/core.xml"
NO_DATE = dt.date(1980, 1, 1)  # the earliest day a zip entry can carry: for a version without a date

INTEGER = re.compile(r"-?(0|[1-9][0-9]*)")
NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
BOOLEANS = {"true": True, "false": False, "True": True, "False": False}


def column_types(header: Sequence[str], rows: Sequence[Sequence[str]], fields: Sequence[dict] | None = None) -> list[str]:
    """Each column's Table Schema type: from ``fields`` where it names the column, else guessed.

    The guess types a column only when every non-empty value has that form: whole numbers,
    numbers (neither with a leading zero, which a number cell would lose: codes such as "04000"
    stay text), ISO days, booleans.
    """
    declared = {field["name"]: field.get("type", "string") for field in fields or ()}
    types = []
    for index, name in enumerate(header):
        if name in declared:
            types.append(declared[name])
            continue
        values = [row[index] for row in rows if row[index] != ""]
        if not values:
            types.append("string")
        elif all(INTEGER.fullmatch(value) for value in values):
            types.append("integer")
        elif all(NUMBER.fullmatch(value) for value in values):
            types.append("number")
        elif all(value in BOOLEANS for value in values):
            types.append("boolean")
        elif all(ISO_DAY.fullmatch(value) and _is_day(value) for value in values):
            types.append("date")
        else:
            types.append("string")
    return types


def _is_day(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def cell_value(text: str, kind: str, field: dict | None = None):
    """A CSV cell as the Python value its cell holds (None for an empty cell)."""
    if text == "":
        return None
    if kind == "integer":
        return int(text)
    if kind == "number":
        number = float(text)
        return int(number) if INTEGER.fullmatch(text) else number
    if kind == "boolean":
        words = {**{w: True for w in (field or {}).get("trueValues", ["true", "True"])},
                 **{w: False for w in (field or {}).get("falseValues", ["false", "False"])}}
        return words[text]
    if kind == "date":
        return dt.date.fromisoformat(text)
    if kind == "yearmonth":
        return dt.date.fromisoformat(f"{text}-01")
    return text


def table_workbook(csv_text: str, about: Sequence[tuple[str, str]], day: dt.date,
                   fields: Sequence[dict] | None = None) -> bytes:
    """The .xlsx bytes of one CSV table with its About sheet, stamped with ``day``."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    header, *rows = list(csv.reader(io.StringIO(csv_text)))
    types = column_types(header, rows, fields)
    by_name = {field["name"]: field for field in fields or ()}

    book = Workbook()
    sheet = book.active
    sheet.title = DATA_SHEET
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([cell_value(text, kind, by_name.get(name)) for text, kind, name in zip(row, types, header)])
    for column, kind in enumerate(types, start=1):
        if kind in ("date", "yearmonth"):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
                cell.number_format = DATE_FORMAT if kind == "date" else MONTH_FORMAT
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            # openpyxl takes text starting with "=" for a formula; here it is text, as in the CSV.
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    for column, name in enumerate(header, start=1):
        longest = max([len(name), *(len(row[column - 1]) for row in rows)])
        sheet.column_dimensions[get_column_letter(column)].width = min(longest, MAX_WIDTH) + 2
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions

    notes = book.create_sheet(ABOUT_SHEET)
    for label, text in about:
        notes.append([label, text])
    for (label, text) in notes.iter_rows():
        label.font = Font(bold=True)
        label.alignment = text.alignment = Alignment(vertical="top", wrap_text=True)
        if isinstance(text.value, str) and text.value.startswith("="):
            text.data_type = "s"
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["B"].width = 100
    return _stamped(book, day)


def _stamped(book, day: dt.date) -> bytes:
    """The saved workbook with ``day`` as its creation and modification time, in the XML and the zip."""
    from openpyxl.xml.functions import tostring

    from scripts.project import identity

    moment = dt.datetime(day.year, day.month, day.day)
    book.properties.creator = identity().credit
    book.properties.created = moment
    saved = io.BytesIO()
    book.save(saved)  # sets "modified" to now, so core.xml is written again below
    book.properties.modified = moment
    core = tostring(book.properties.to_tree())
    out = io.BytesIO()
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = core if item.filename == CORE_XML else source.read(item)
            info = zipfile.ZipInfo(item.filename, date_time=(day.year, day.month, day.day, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data, compresslevel=9)
    return out.getvalue()


def about_rows(*, title: str, description: str, source: str, version: str, address: str,
               data_file: str, citation: str) -> list[tuple[str, str]]:
    """The About sheet: what the table is, where it comes from, and how to credit and cite it.

    ``address`` is the workbook's permanent address (the project's canonical one, mkdocs.yml's
    site_url: the committed files do not depend on where a copy is deployed); ``citation`` the
    plain citation its page gives.
    """
    from scripts.project import credit_line, identity

    ident = identity()
    return [
        ("Title", title),
        ("Description", description),
        ("Data", f"The sheet {DATA_SHEET} holds {data_file} row for row: numbers, dates and true/false values "
                 "as typed cells, empty cells where the CSV has none."),
        ("Source", source),
        ("Report", ident.report.full),
        ("Credit", credit_line(source)),
        ("Licence", f"{ident.licence}, {ident.licence_url}. You may republish and adapt these data with credit; "
                    "the report and its quotes remain the CTC's."),
        ("Citation", citation),
        ("Version", version),
        ("Address", address),
    ]
