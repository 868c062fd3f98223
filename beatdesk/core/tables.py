"""Rows of an operator's CSV or Excel file, each with its line number, for all-or-nothing imports.

The matrix and the unit areas are both kept in spreadsheets by the people who run them; both
imports read them the same way: UTF-8 CSV (a byte-order mark allowed) or the first sheet of
an .xlsx workbook, the first row naming the columns (each once), blank rows skipped, cells
trimmed.
Problems are in the active language (English on the command line).
"""

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.utils.translation import gettext as _

Row = tuple[int, dict[str, str]]
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
# A province's matrix is a few thousand rows; far more is a mistake or an attack, and an
# all-or-nothing import of it would hold the database's write lock for minutes.
MAX_ROWS = 10_000
# A workbook is a zip: its parts may unpack to a thousand times their packed size.
MAX_UNPACKED_BYTES = 30 * 1024 * 1024


class TableFileError(Exception):
    """The file cannot be imported; `problems` lists each with its line number."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _clean(value: object) -> str:
    return "" if value is None else str(value).strip()


def _refuse_repeated_columns(header: Iterable[str | None]) -> None:
    """Refuse a first row that names a column twice: one of the two would be lost unseen."""
    seen: set[str] = set()
    repeated: list[str] = []
    for name in (_clean(cell) for cell in header):
        if name and name in seen and name not in repeated:
            repeated.append(name)
        seen.add(name)
    if repeated:
        message = _("line 1: the column %(column)s is named more than once; keep one")
        raise TableFileError([message % {"column": name[:64]} for name in repeated])


def _rows_from_csv(data: bytes) -> Iterator[Row]:
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    _refuse_repeated_columns(reader.fieldnames or [])
    for line, row in enumerate(reader, start=2):
        cells = {key.strip(): _clean(value) for key, value in row.items() if key}
        if any(cells.values()):
            yield line, cells


def _rows_from_excel(data: bytes) -> Iterator[Row]:
    from openpyxl import load_workbook

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if sum(part.file_size for part in archive.infolist()) > MAX_UNPACKED_BYTES:
            raise TableFileError([_("the workbook unpacks to more than 30 MB; save it smaller")])

    sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [_clean(cell) for cell in next(rows, ())]
    _refuse_repeated_columns(header)
    for line, values in enumerate(rows, start=2):
        cells = dict(zip(header, (_clean(value) for value in values), strict=False))
        if any(cells.values()):
            yield line, cells


def _bounded(rows: Iterator[Row]) -> list[Row]:
    """Take the rows, refusing the file as soon as it holds more than MAX_ROWS."""
    taken: list[Row] = []
    for row in rows:
        if len(taken) == MAX_ROWS:
            message = _("the file has more than %(rows)s rows; split it")
            raise TableFileError([message % {"rows": f"{MAX_ROWS:,}"}])
        taken.append(row)
    return taken


def read_table(path: Path, key_column: str) -> list[Row]:
    """Read the rows of a file on disk with their line numbers (see `read_table_data`)."""
    return read_table_data(path.name, path.read_bytes(), key_column)


def read_table_data(name: str, data: bytes, key_column: str) -> list[Row]:
    """Read the rows of file `name` with their line numbers; refuse another format, or a
    header without `key_column`, or a file with no rows, naming the problem."""
    suffix = Path(name).suffix.lower()
    try:
        if suffix in EXCEL_SUFFIXES:
            rows = _bounded(_rows_from_excel(data))
        elif suffix == ".csv":
            rows = _bounded(_rows_from_csv(data))
        else:
            raise TableFileError([_("%(name)s: use a .csv or .xlsx file") % {"name": name}])
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        message = _("line %(line)s: the file is not UTF-8 text") % {"line": line}
        raise TableFileError([message]) from None
    except csv.Error as error:
        message = _("%(name)s: not a readable CSV file (%(error)s)")
        raise TableFileError([message % {"name": name, "error": error}]) from None
    except (zipfile.BadZipFile, KeyError, OSError):
        message = _("%(name)s: not an Excel workbook (.xlsx)") % {"name": name}
        raise TableFileError([message]) from None
    if not rows:
        raise TableFileError([_("%(name)s: the file has no rows to import") % {"name": name}])
    if key_column not in rows[0][1]:
        message = _("%(name)s: the first row must name the columns, with `%(column)s`")
        raise TableFileError([message % {"name": name, "column": key_column}])
    return rows
