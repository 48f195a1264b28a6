"""Issue 12 item 2: XLSX bombs built here are refused with spreadsheet_too_large before openpyxl pads them."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from tests.world import World, bearer

from ipops.core.config import Settings
from ipops.core.errors import DomainError
from ipops.core.workbooks import read_first_sheet

SHEET = "xl/worksheets/sheet1.xml"


def small_workbook() -> bytes:
    """A real two-row statistics table."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["region_code", "year", "indicator", "value"])
    sheet.append(["320000", 2020, "patent_grants", 499167])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_sheet(content: bytes, rewrite: object) -> bytes:
    """The workbook with its first sheet's XML rewritten by `rewrite(xml) -> xml`."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == SHEET:
                data = rewrite(data.decode()).encode()  # type: ignore[operator]
            target.writestr(item.filename, data)
    return out.getvalue()


def huge_dimension() -> bytes:
    """A ~5 KB file that declares a sheet of 1,048,576 rows by 16,384 columns."""
    return with_sheet(
        small_workbook(),
        lambda xml: re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', xml),
    )


def zip_bomb(rows: int) -> bytes:
    """A workbook whose sheet repeats one row `rows` times: megabytes of XML in a few kilobytes."""
    row = '<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>320000</t></is></c></row>'
    body = "".join(row.format(n=2) for _ in range(rows))  # the same row again and again compresses best
    return with_sheet(
        small_workbook(),
        lambda xml: re.sub(r"<sheetData>.*</sheetData>", f"<sheetData>{body}</sheetData>", xml, flags=re.S),
    )


def refusal(content: bytes, settings: Settings | None = None) -> dict[str, object]:
    with pytest.raises(DomainError) as refused:
        read_first_sheet(content, settings=settings)
    assert refused.value.code.value == "spreadsheet_too_large" and refused.value.status == 422
    return refused.value.extra


def test_a_real_table_reads() -> None:
    assert read_first_sheet(small_workbook()) == [
        ["region_code", "year", "indicator", "value"],
        ["320000", 2020, "patent_grants", 499167],
    ]


def test_a_tiny_file_declaring_a_huge_sheet_is_refused() -> None:
    content = huge_dimension()
    assert len(content) < 10_000
    assert refusal(content) == {"bound": "xlsx_rows", "limit": 100_000, "value": 1_048_576}
    assert refusal(content, Settings(max_xlsx_rows=2_000_000)) == {
        "bound": "xlsx_columns",
        "limit": 500,
        "value": 16_384,
    }


def test_a_zip_bomb_is_refused_from_its_directory() -> None:
    content = zip_bomb(100_000)  # ~7 MB of XML
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet = archive.getinfo(SHEET)
    assert sheet.file_size > 100 * sheet.compress_size and len(content) < 200_000
    ratio = refusal(content)
    assert (ratio["bound"], ratio["limit"]) == ("xlsx_compression_ratio", 100)
    unpacked = refusal(
        content, Settings(max_xlsx_compression_ratio=100_000, max_xlsx_unzipped_bytes=1_000_000)
    )
    assert (unpacked["bound"], unpacked["limit"]) == ("xlsx_unzipped_bytes", 1_000_000)


def test_rows_of_a_sheet_without_a_dimension_are_counted() -> None:
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 31))

    def rewrite(xml: str) -> str:
        xml = re.sub(r"<dimension [^>]*/>", "", xml)
        return re.sub(r"<sheetData>.*</sheetData>", f"<sheetData>{rows}</sheetData>", xml, flags=re.S)

    content = with_sheet(small_workbook(), rewrite)
    assert len(read_first_sheet(content)) == 30
    assert refusal(content, Settings(max_xlsx_rows=10)) == {"bound": "xlsx_rows", "limit": 10, "value": 11}


def test_the_upload_gets_a_catalogued_problem(client: TestClient, world: World) -> None:
    headers = {**bearer(client, "alliance_admin"), "accept-language": "zh-CN"}
    refused = client.post(
        "/api/v1/reports/datasets",
        headers=headers,
        data={"name": "bomb", "as_of": "2021-04-26"},
        files={"file": ("bomb.xlsx", huge_dimension(), "application/octet-stream")},
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    body = refused.json()
    assert (body["code"], body["bound"], body["limit"]) == ("spreadsheet_too_large", "xlsx_rows", 100_000)
    assert body["title"] == "电子表格超出允许的规模，未读取"
    assert body["detail"] == "电子表格超过 100000 行，未读取。"
    english = client.post(
        "/api/v1/reports/datasets",
        headers={**headers, "accept-language": "en"},
        data={"name": "bomb", "as_of": "2021-04-26"},
        files={"file": ("bomb.xlsx", huge_dimension(), "application/octet-stream")},
    )
    assert english.json()["detail"] == "The spreadsheet has more than 100000 rows, so it was not read."
