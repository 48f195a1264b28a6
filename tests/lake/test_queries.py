"""Ibis lake queries on DuckDB over the constructed lake."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from tests.lake.test_indicators_data import CN, A, E, build_constructed_lake

from ipops.lake import queries
from ipops.lake.classify import load_fraunhofer_nace, load_industry_csv
from ipops.lake.store import LakeStore


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> Any:
    store: LakeStore = build_constructed_lake(tmp_path_factory.mktemp("lake"))
    return store.connect()


def _rows(expr: Any) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = expr.to_pyarrow().to_pylist()
    return rows


def test_counts_by_office_and_year(con: Any) -> None:
    rows = _rows(queries.counts_by(con, dimensions=("office", "filing_year")))
    assert rows[:3] == [
        {"office": "CN", "filing_year": 2020, "documents": 1},
        {"office": "EP", "filing_year": 2007, "documents": 2},
        {"office": "US", "filing_year": 2006, "documents": 3},
    ]
    assert sum(int(str(r["documents"])) for r in rows) == 10


def test_counts_by_region_and_type(con: Any) -> None:
    rows = _rows(queries.counts_by(con, dimensions=("region", "ip_type")))
    assert {"region": "320000", "ip_type": "invention", "documents": 1} in rows  # 320583 -> Jiangsu
    with pytest.raises(ValueError, match="dimensions"):
        queries.counts_by(con, dimensions=("colour",))


def test_top_applicants(con: Any) -> None:
    rows = _rows(queries.top_applicants(con, limit=2))
    assert rows == [
        {"name": "Acme Semiconductor Inc.", "documents": 2, "country": "US"},
        {"name": "Boxco Ltd", "documents": 1, "country": "GB"},
    ]
    assert _rows(queries.top_applicants(con, office="CN"))[0]["name"] == "江苏某某新能源科技有限公司"


def test_technology_field_composition_is_fractional(con: Any) -> None:
    rows = _rows(queries.technology_field_composition(con, by=("filing_year",)))
    year_2010 = {r["field_number"]: r["documents"] for r in rows if r["filing_year"] == 2010}
    # A: H01L (8) twice + G06F (6) -> half each field; E: H01L only.
    assert year_2010 == pytest.approx({8: 1.5, 6: 0.5})
    assert sum(float(str(r["documents"])) for r in rows) == pytest.approx(10)
    semis = next(r for r in rows if r["field_number"] == 8)
    assert (semis["field_en"], semis["field_zh"]) == ("Semiconductors", "半导体")


def test_main_fields(con: Any) -> None:
    rows = {r["doc_id"]: r["field_number"] for r in _rows(queries.main_fields(con))}
    assert rows[A] == 8
    assert rows[CN] == 1


def test_industry_composition_from_csv(con: Any, tmp_path: Path) -> None:
    table = tmp_path / "industry.csv"
    table.write_text(
        "ipc_prefix,industry_code,industry_name,weight\n"
        "H01M,C384,电池制造,1\nH01M10/,C3841,锂离子电池制造,1\nH01L,C397,电子器件制造,1\n",
        encoding="utf-8",
    )
    rows = _rows(queries.industry_composition(con, concordance=load_industry_csv(table), by=("office",)))
    cn = {r["industry_code"]: r["documents"] for r in rows if r["office"] == "CN"}
    assert cn == pytest.approx({"C384": 0.5, "C3841": 0.5})  # H01M 4/36 and H01M 10/0525
    us = {r["industry_code"]: r["documents"] for r in rows if r["office"] == "US"}
    assert us["C397"] == pytest.approx(4)  # A, B, E, F: unmatched subclasses (B65D, G06F) do not dilute


def test_industry_composition_fraunhofer(con: Any, shared_data: Path) -> None:
    nace = load_fraunhofer_nace(shared_data / "classification" / "fraunhofer_nace_ipc_concordance")
    rows = _rows(queries.industry_composition(con, concordance=nace))
    assert rows[0]["industry_code"] == "26"
    assert sum(float(str(r["documents"])) for r in rows) == pytest.approx(10, abs=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"text": "负极材料"}, [CN]),
        ({"text": "TITLE OF US-1000001"}, [A]),
        ({"applicant": "acme"}, [E, A]),
        ({"applicant": "江苏"}, [CN]),
        ({"ipc_prefix": "H01M 10"}, [CN]),
        ({"ipc_prefix": "H01L21/76898"}, [A]),  # a CPC symbol
        ({"applicant": "acme", "date_from": dt.date(2010, 3, 1)}, [E]),
        ({"office": "cn", "date_to": dt.date(2019, 1, 1)}, []),
        ({"text": "100%_"}, []),  # wildcards in the text are literal
    ],
)
def test_search_documents(con: Any, kwargs: dict[str, Any], expected: list[str]) -> None:
    rows = _rows(queries.search_documents(con, **kwargs))
    assert [r["doc_id"] for r in rows] == expected
