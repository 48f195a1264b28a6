"""Spreadsheet exports (CSV, XLSX) that a spreadsheet cannot run as formulas (issue 12 item 4).

    exports.csv_text(header, rows)                     # text cells starting = + - @ tab CR get a leading '
    exports.xlsx_bytes([exports.Sheet("summary", header, rows), ...])

Every export goes through here. A text cell that a spreadsheet would read as a formula is prefixed with an
apostrophe (OWASP's advice for CSV injection); numbers stay numbers: unquoted in CSV, numeric cells in
XLSX, so a negative amount is written as -12.50, not '-12.50. Text that is a plain number ("-3.5") is a
number to a spreadsheet, not a formula, so it is left as it is.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
# XML 1.0 refuses these control characters; openpyxl would raise on them
ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def escape_text(text: str) -> str:
    """A text cell as a spreadsheet must show it: with a leading apostrophe when it would be a formula."""
    if text.startswith(FORMULA_TRIGGERS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_cell(value: Any) -> Any:
    """One CSV cell: numbers as numbers (Decimal at its own scale), dates in ISO 8601, text escaped."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return escape_text(str(value))


def xlsx_cell(value: Any) -> Any:
    """One XLSX cell: Decimal as a number, dates as dates, text escaped and without XML-illegal bytes."""
    if value is None or isinstance(value, bool | int | float | dt.date | dt.datetime | dt.time):
        return value
    if isinstance(value, Decimal):
        return float(value)
    return escape_text(ILLEGAL_XML.sub("", str(value)))


def csv_text(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> str:
    """A table as CSV text (one header row, LF line ends); QUOTE_MINIMAL leaves numbers unquoted."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([csv_cell(h) for h in header])
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class Sheet:
    """One worksheet of an XLSX export: its title (at most 31 characters), a header row and the rows."""

    title: str
    header: Sequence[Any]
    rows: Iterable[Sequence[Any]]


def xlsx_bytes(sheets: Iterable[Sheet]) -> bytes:
    """Sheets as one XLSX workbook; no cell is ever written as a formula."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for sheet in sheets:
        target = book.create_sheet(sheet.title[:31])
        target.append([xlsx_cell(h) for h in sheet.header])
        for row in sheet.rows:
            target.append([xlsx_cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
