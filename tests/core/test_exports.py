"""Issue 12 item 4: exported text cannot run as a formula; numbers stay numbers (CSV and XLSX)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from tests.world import World, bearer

from ipops.core.exports import Sheet, csv_text, escape_text, xlsx_bytes

INJECTIONS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "=cmd|' /C calc'!A0"]


def test_escape_table() -> None:
    expected = [
        '\'=HYPERLINK("http://x","y")',
        "'+1+1",
        "'-2+3",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "'=cmd|' /C calc'!A0",
    ]
    assert [escape_text(t) for t in INJECTIONS] == expected
    assert [escape_text(t) for t in ("A", "-12.50", "+86", "a=b", "")] == ["A", "-12.50", "+86", "a=b", ""]


def test_csv_keeps_numbers_unquoted() -> None:
    text = csv_text(["name", "amount", "rate"], [["=1+1", Decimal("-12.50"), -0.25], ["A", 3, None]])
    assert text == "name,amount,rate\n'=1+1,-12.50,-0.25\nA,3,\n"


def test_xlsx_has_numeric_cells_and_no_formula() -> None:
    content = xlsx_bytes([Sheet("t", ["name", "amount"], [[name, Decimal("-12.50")] for name in INJECTIONS])])
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    cells = list(sheet.iter_rows(min_row=2))
    assert all(row[0].data_type == "s" and str(row[0].value).startswith("'") for row in cells)
    assert all(row[1].data_type == "n" and row[1].value == -12.5 for row in cells)


def test_a_dataset_named_like_a_formula_is_escaped_in_the_anonymous_report(
    client: TestClient, world: World
) -> None:
    name = "=cmd|' /C calc'!A0"
    created = client.post(
        "/api/v1/reports/datasets",
        headers=bearer(client, "alliance_admin"),
        data={"name": name, "as_of": "2021-04-26"},
        files={
            "file": (
                "j.csv",
                b"region_code,year,indicator,value\n320000,2020,patent_grants,499167\n",
                "text/csv",
            )
        },
    )
    assert created.status_code == 201, created.text
    params = {"alliance": "yrd-test", "year": 2020}
    found = []
    for table in ("figures", "sources"):
        text = client.get("/api/v1/reports/innovation.csv", params={**params, "table": table}).text
        found += [cell for row in csv.reader(io.StringIO(text)) for cell in row if "cmd|" in cell]
    assert found and all(cell == "'" + name for cell in found)
    book = load_workbook(io.BytesIO(client.get("/api/v1/reports/innovation.xlsx", params=params).content))
    cells = [
        c for s in book.worksheets for row in s.iter_rows() for c in row if c.value and "cmd|" in str(c.value)
    ]
    assert cells and all(c.data_type == "s" and not str(c.value).startswith("=") for c in cells)
    assert "'" + name in {c.value for c in cells}
