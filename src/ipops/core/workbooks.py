"""Reading uploaded XLSX workbooks within limits, so that a small file cannot take the server down (issue 12).

    rows = workbooks.read_first_sheet(content)   # list of rows, or a 422 spreadsheet_too_large

Before openpyxl builds anything, the zip directory is judged: the unpacked size of all parts together
(IPOPS_MAX_XLSX_UNZIPPED_BYTES) and each part's compression ratio (IPOPS_MAX_XLSX_COMPRESSION_RATIO; a
zip bomb unpacks to thousands of times its size). Python's zipfile never unpacks a part beyond the size
the directory declares, so a directory that lies is caught as a broken file. The first sheet's declared
dimension is then checked against IPOPS_MAX_XLSX_ROWS and IPOPS_MAX_XLSX_COLUMNS (a 1.5 KB file can
declare a sheet of a million rows by sixteen thousand columns, which openpyxl pads with empty cells), and
rows are counted as they stream, so a sheet without a dimension or with a false one is stopped as well.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from ipops.core.bounds import Bound, limit_of
from ipops.core.config import Settings
from ipops.core.errors import DomainError, ErrorCode

RATIO_GRACE_BYTES = 1_048_576  # small parts are left alone: a tiny XML part can compress very well
REFUSALS = {
    Bound.XLSX_ROWS: "The spreadsheet has more than %(limit)s rows.",
    Bound.XLSX_COLUMNS: "The spreadsheet has more than %(limit)s columns.",
    Bound.XLSX_UNZIPPED_BYTES: "The spreadsheet unpacks to more than %(limit)s bytes.",
    Bound.XLSX_COMPRESSION_RATIO: "A part of the spreadsheet unpacks to more than %(limit)s times its size.",
}
NOT_A_WORKBOOK = "The file is not a readable XLSX workbook."


def too_large(bound: Bound, *, value: int, limit: int) -> DomainError:
    """The 422 for a spreadsheet over one of its limits, naming the limit."""
    return DomainError(
        ErrorCode.SPREADSHEET_TOO_LARGE,
        f"{bound.value}: {value} > {limit}",
        msgid=REFUSALS[bound],
        msgargs={"limit": limit},
        bound=bound.value,
        limit=limit,
        value=value,
    )


def unreadable(reason: str) -> DomainError:
    """The 422 for a file that is not a workbook openpyxl can read."""
    return DomainError(ErrorCode.VALIDATION_ERROR, reason, msgid=NOT_A_WORKBOOK)


def check_archive(content: bytes, *, settings: Settings | None = None) -> None:
    """Refuse an XLSX whose parts unpack too large or compress like a zip bomb, from its directory alone."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise unreadable(f"not a zip archive: {exc}") from exc
    ceiling = limit_of(Bound.XLSX_UNZIPPED_BYTES, settings=settings)
    unpacked = sum(p.file_size for p in parts)
    if unpacked > ceiling:
        raise too_large(Bound.XLSX_UNZIPPED_BYTES, value=unpacked, limit=ceiling)
    ratio = limit_of(Bound.XLSX_COMPRESSION_RATIO, settings=settings)
    for part in parts:
        if part.file_size > RATIO_GRACE_BYTES and part.file_size > ratio * max(part.compress_size, 1):
            raise too_large(
                Bound.XLSX_COMPRESSION_RATIO,
                value=part.file_size // max(part.compress_size, 1),
                limit=ratio,
            )


def read_first_sheet(content: bytes, *, settings: Settings | None = None) -> list[list[Any]]:
    """The values of the first sheet, row by row (trailing empty cells dropped), within every limit."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    check_archive(content, settings=settings)
    max_rows = limit_of(Bound.XLSX_ROWS, settings=settings)
    max_columns = limit_of(Bound.XLSX_COLUMNS, settings=settings)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            if not book.worksheets:
                raise unreadable("the workbook has no sheet")
            sheet = book.worksheets[0]
            if (sheet.max_row or 0) > max_rows:  # the declared dimension, before any row is padded
                raise too_large(Bound.XLSX_ROWS, value=sheet.max_row, limit=max_rows)
            if (sheet.max_column or 0) > max_columns:
                raise too_large(Bound.XLSX_COLUMNS, value=sheet.max_column, limit=max_columns)
            rows: list[list[Any]] = []
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                if number > max_rows:  # gaps are filled one row at a time, so this stops a false dimension
                    raise too_large(Bound.XLSX_ROWS, value=number, limit=max_rows)
                values = list(row)
                while values and values[-1] is None:
                    values.pop()
                if len(values) > max_columns:
                    raise too_large(Bound.XLSX_COLUMNS, value=len(values), limit=max_columns)
                rows.append(values)
            return rows
        finally:
            book.close()
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, OSError) as exc:
        raise unreadable(f"unreadable workbook: {exc}") from exc
