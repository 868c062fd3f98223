"""The report as an Excel workbook: a sheet saying what it covers, then one per table.

The module has no Django in it: callers pass translated text and the tables the page
shows (`presentation.Table`), so the file holds the page's figures, as numbers a
spreadsheet can sum rather than as text. No cell is ever a formula: a unit named
`=HYPERLINK(...)` stays a name, and characters XML cannot hold are left out.
"""

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from beatdesk.reports.presentation import Cell as Value
from beatdesk.reports.presentation import ColumnKind, Table

# Excel's own limit on a sheet's name, and the characters it refuses in one.
SHEET_NAME_LENGTH = 31
NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")
NUMBER_FORMATS = {
    ColumnKind.DAY: "yyyy-mm-dd",
    ColumnKind.COUNT: "0",
    ColumnKind.HOURS: "0.0",
    ColumnKind.SHARE: "0%",
}
COLUMN_WIDTH = 18
FIRST_COLUMN_WIDTH = 28
DEFINITION_WIDTH = 100


@dataclass(frozen=True, slots=True)
class TableSheet:
    """One table of the report, with the title and the definition the page gives it."""

    name: str
    title: str
    definition: str
    table: Table


def write_workbook(
    about_name: str, about: Sequence[tuple[str, str]], sheets: Sequence[TableSheet]
) -> bytes:
    """Return an .xlsx file: a sheet `about_name` of `about` lines, then one per table."""
    book = Workbook()
    first = book.active
    assert isinstance(first, Worksheet)
    first.title = _sheet_name(about_name)
    _write_about(first, about, sheets)
    for sheet in sheets:
        _write_table(book.create_sheet(_sheet_name(sheet.name)), sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _write_about(
    sheet: Worksheet, about: Sequence[tuple[str, str]], tables: Sequence[TableSheet]
) -> None:
    """Write what the report covers, then each table's title and how it counts."""
    for row, (label, text) in enumerate(about, start=1):
        _write_text(sheet, row, 1, label, bold=True)
        _write_text(sheet, row, 2, text)
    row = len(about) + 1
    for table in tables:
        _write_text(sheet, row + 1, 1, table.title, bold=True)
        definition = _write_text(sheet, row + 2, 1, table.definition)
        definition.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.merge_cells(start_row=row + 2, start_column=1, end_row=row + 2, end_column=2)
        row += 3
    sheet.column_dimensions["A"].width = FIRST_COLUMN_WIDTH
    sheet.column_dimensions["B"].width = DEFINITION_WIDTH


def _write_table(sheet: Worksheet, table_sheet: TableSheet) -> None:
    """Write the table's head, then its rows with each number in its column's format."""
    table = table_sheet.table
    for column, name in enumerate(table.head, start=1):
        _write_text(sheet, 1, column, name, bold=True)
        width = FIRST_COLUMN_WIDTH if column == 1 else COLUMN_WIDTH
        sheet.column_dimensions[get_column_letter(column)].width = width
    for row, values in enumerate(table.values, start=2):
        for column, (kind, value) in enumerate(zip(table.kinds, values, strict=True), start=1):
            _write_value(sheet, row, column, kind, value)
    sheet.freeze_panes = "B2"


def _write_value(sheet: Worksheet, row: int, column: int, kind: ColumnKind, value: Value) -> None:
    # An empty cell says "none" (a median of no answers), as the page's dash does.
    if value is None:
        return
    if isinstance(value, str):
        _write_text(sheet, row, column, value)
        return
    cell = sheet.cell(row=row, column=column, value=value)
    cell.number_format = NUMBER_FORMATS.get(kind, "General")


def _write_text(sheet: Worksheet, row: int, column: int, text: str, *, bold: bool = False) -> Cell:
    cell = sheet.cell(row=row, column=column, value=ILLEGAL_CHARACTERS_RE.sub("", text))
    # openpyxl takes any text starting with "=" for a formula; this one stays plain text.
    cell.data_type = "s"
    if bold:
        cell.font = Font(bold=True)
    return cell


def _sheet_name(name: str) -> str:
    cleaned = NOT_IN_SHEET_NAMES.sub(" ", ILLEGAL_CHARACTERS_RE.sub("", name)).strip("' ")
    return cleaned[:SHEET_NAME_LENGTH] or "Sheet"
