"""Reading a table people made in a spreadsheet: CSV (any separator Excel writes, UTF-8 with or
without BOM, or Windows-1252) or XLSX, row by row with the row numbers the spreadsheet shows.

Row numbers: the first row is line 1 (where the column names are); an empty row counts, as it
does on screen, and a cell with line breaks is still one row. Cells come as stripped text, or
as a `date` where the spreadsheet holds a real date.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

Cell = str | date

#: Columns read per row: enough for any import; a sheet with thousands of empty formatted
#: columns does not make thousands of cells.
MAX_COLUMNS = 40

_SEPARATORS = (";", ",", "\t")


class Unreadable(ValueError):
    """The file is not a table this module can read; `.message` is for the person."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Sheet:
    #: (line, cells) for every row after the first, in order; line 1 is `header`.
    rows: list[tuple[int, list[Cell]]]
    header: list[str]
    #: More rows than `max_rows` were in the file (the rest is not read).
    too_many: bool


def header_key(text: str) -> str:
    """A column name as typed, compared without case, punctuation or extra spaces:
    " Datum_ontvangen: " and "datum ontvangen" are the same."""
    text = re.sub(r"[_\-:*.()]+", " ", str(text).replace("\ufeff", ""))
    return " ".join(text.split()).casefold()


def read_sheet(data: bytes, *, max_rows: int,
               header_score: Callable[[list[str]], int] = lambda cells: 0) -> Sheet:
    """The rows of an XLSX (its first sheet) or CSV file. For a CSV the separator is the one
    whose first line gives the best `header_score` (the number of column names the caller
    knows), so a comma in a text never decides it. Raises Unreadable."""
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data, max_rows)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise Unreadable(_l("This is an old Excel file (.xls). Save it as .xlsx or as CSV and "
                            "choose it again."))
    return _read_csv(data, max_rows, header_score)


def decode_text(data: bytes) -> str | None:
    """A CSV file's text: UTF-8 (with or without BOM) or, as Excel on Dutch Windows saves it,
    Windows-1252; None when it is neither, or holds NUL (a binary file)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            return None
    return None if "\x00" in text else text


def _decode(data: bytes) -> str:
    text = decode_text(data)
    if text is None:
        raise Unreadable(_l("The file is not a readable CSV or XLSX file."))
    return text


def _read_csv(data: bytes, max_rows: int, header_score) -> Sheet:
    text = _decode(data)

    def first_row(separator: str) -> list[str]:
        return next(csv.reader(io.StringIO(text), delimiter=separator), [])
    separator = max(_SEPARATORS, key=lambda sep: (header_score(first_row(sep)),
                                                  len(first_row(sep))))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        header = [cell.strip() for cell in next(reader, [])][:MAX_COLUMNS]
        rows, too_many = [], False
        # Line numbers count records, not physical lines: a text with line breaks is one row.
        for line, cells in enumerate(reader, start=2):
            if len(rows) >= max_rows:
                too_many = any(cell.strip() for cell in cells) or too_many
                if too_many:
                    break
                continue
            rows.append((line, [cell.strip() for cell in cells[:MAX_COLUMNS]]))
    except csv.Error as error:
        raise Unreadable(_l("The CSV file could not be read (%(error)s).", error=str(error))) from None
    return Sheet(_trim(rows), header, too_many)


def _cell(value) -> Cell:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_xlsx(data: bytes, max_rows: int) -> Sheet:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    unreadable = Unreadable(_l("The XLSX file could not be read. Open it in your spreadsheet "
                               "program, save it again as .xlsx (or CSV) and choose it again."))
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        raise unreadable from None
    try:
        sheet = book.worksheets[0]
        rows, header, too_many = [], [], False
        # Read-only mode gives every row from the first, empty ones too, so that the count is
        # the spreadsheet's row number.
        for line, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True),
                                      start=1):
            cells = [_cell(value) for value in values]
            if line == 1:
                header = [str(cell) for cell in cells]
                continue
            if len(rows) >= max_rows:
                if any(cells):
                    too_many = True
                    break
                continue
            rows.append((line, cells))
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError):
        raise unreadable from None
    finally:
        book.close()
    return Sheet(_trim(rows), header, too_many)


def _trim(rows: list[tuple[int, list[Cell]]]) -> list[tuple[int, list[Cell]]]:
    """Without the empty rows at the end (a spreadsheet's formatted but unused rows)."""
    while rows and not any(rows[-1][1]):
        rows.pop()
    return rows


_MONTHS = {name: number for number, names in enumerate((
    ("januari", "january", "jan"), ("februari", "february", "feb"), ("maart", "march", "mrt", "mar"),
    ("april", "apr"), ("mei", "may"), ("juni", "june", "jun"), ("juli", "july", "jul"),
    ("augustus", "august", "aug"), ("september", "sept", "sep"),
    ("oktober", "october", "okt", "oct"), ("november", "nov"), ("december", "dec")), start=1)
    for name in names}
_NUMERIC = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_WORDS = re.compile(r"^(\d{1,2})\.?\s+([a-z]+)\.?\s+(\d{4})$")


def parse_date(value: Cell) -> date:
    """A date as people write it in a Dutch or English spreadsheet: 12-11-2026 (day first),
    12/11/2026, 12.11.2026, 2026-11-12, 12 november 2026, or a real spreadsheet date.
    Raises ValueError."""
    if isinstance(value, date):
        return value
    text = value.strip().casefold()
    if match := _NUMERIC.match(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := _ISO.match(text):
        year, month, day = (int(part) for part in match.groups())
    elif (match := _WORDS.match(text)) and match.group(2) in _MONTHS:
        day, month, year = int(match.group(1)), _MONTHS[match.group(2)], int(match.group(3))
    else:
        raise ValueError(value)
    return date(year, month, day)
