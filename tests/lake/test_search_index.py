"""The lake's search index: maintained by ingest, idempotent, and finding real CNIPA and USPTO documents."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from tests.lake.test_indicators_data import CN, A, build_constructed_lake

from ipops.core.config import Settings
from ipops.core.search import SearchRequest, rebuild
from ipops.lake import service
from ipops.lake.ingest import ingest_paths
from ipops.lake.search_index import lake_index_dir, lake_source
from ipops.lake.store import LakeStore
from ipops.web.app import create_app

CNIPA = "patents/cnipa_jpo_wipo_st36_st96_PatentStandardization"
USPTO = "patents/uspto_grant_bulk_ipg"


@pytest.fixture(scope="module")
def real_lake(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> LakeStore:
    store = LakeStore(tmp_path_factory.mktemp("real") / "lake")
    ingest_paths([shared_data / CNIPA, shared_data / USPTO], sink=store)
    store.flush()
    return store


def titles(store: LakeStore, **kwargs: object) -> list[str]:
    """Titles of the hits of a lake search, in rank order."""
    return [str(d["title"]) for d in service.search(store=store, **kwargs)]  # type: ignore[arg-type]


def test_ingest_maintains_the_index(real_lake: LakeStore) -> None:
    index = service.lake_index(store=real_lake)
    assert lake_index_dir(real_lake.root).is_dir()
    # 227 documents: US 209, CN 9, JP 5, EP 2, FR 1, XX 1 (counted in the Parquet datasets by DuckDB)
    assert index.count() == 227


def test_chinese_queries_find_and_rank_cnipa_documents(real_lake: LakeStore) -> None:
    assert titles(real_lake, text="跨链")[0] == "一种基于合约管理的跨链去中心化方法"
    assert titles(real_lake, text="放射治疗")[0] == "一种医用放射治疗装置"
    assert titles(real_lake, text="放射治疗 装置")[0] == "一种医用放射治疗装置"
    hit = service.search(store=real_lake, text="跨链")[0]
    assert hit["doc_id"] == "CN-113783949-A" and hit["score"] > 0
    assert "<mark>跨链</mark>" in hit["highlights"]["title"]


def test_english_stemming_battery_batteries(real_lake: LakeStore) -> None:
    expected = {
        "US-08088512-B2",
        "US-07314687-B2",
        "US-06983169-B2",
    }  # the abstracts that say battery/batteries
    singular = [d["doc_id"] for d in service.search(store=real_lake, text="battery")]
    plural = [d["doc_id"] for d in service.search(store=real_lake, text="batteries")]
    assert set(singular) == set(plural) == expected
    assert singular[0] == plural[0] == "US-08088512-B2"  # "Self organizing battery structure method"


def test_filters_and_facets_on_real_documents(real_lake: LakeStore) -> None:
    page = service.search_page(store=real_lake, office="CN", limit=3)
    assert page["total"] == 9
    assert page["facets"]["office"] == [{"value": "CN", "count": 9}]
    years = sorted((b["value"], b["count"]) for b in page["facets"]["filing_year"])
    assert years == [("2008", 1), ("2014", 4), ("2015", 1), ("2017", 1), ("2021", 2)]
    everything = service.search_page(store=real_lake, limit=1)
    offices = [(b["value"], b["count"]) for b in everything["facets"]["office"]]
    assert offices == [("US", 209), ("CN", 9), ("JP", 5), ("EP", 2), ("FR", 1), ("XX", 1)]
    # applicants' GB/T 2260 codes: 浙商银行 330100 (Hangzhou), 叶建鑫 330300 (Wenzhou), both in Zhejiang
    assert {d["doc_id"] for d in service.search(store=real_lake, region="330000")} == {
        "CN-113783949-A",
        "CN-104223590-A",
    }
    assert [d["doc_id"] for d in service.search(store=real_lake, region="330100")] == ["CN-113783949-A"]
    assert [d["doc_id"] for d in service.search(store=real_lake, applicant="浙商银行")] == ["CN-113783949-A"]
    dated = service.search(store=real_lake, office="CN", date_from=_d("2021-01-01"), date_to=_d("2021-12-31"))
    assert {d["doc_id"] for d in dated} == {"CN-113783949-A", "CN-113784721-A"}


def _d(text: str) -> object:
    import datetime as dt

    return dt.date.fromisoformat(text)


def test_reingest_and_rebuild_are_idempotent(tmp_path: Path, shared_data: Path) -> None:
    store = LakeStore(tmp_path / "lake")
    source = [shared_data / CNIPA]
    ingest_paths(source, sink=store)
    store.flush()
    first = service.lake_index(store=store).count()
    ingest_paths(source, sink=LakeStore(tmp_path / "lake"))  # every document is a duplicate now
    assert service.lake_index(store=store).count() == first
    assert rebuild(lake_source(store)) == first
    again = service.lake_index(store=store).search(SearchRequest(text="跨链"))
    assert [h.doc_id for h in again.hits] == ["CN-113783949-A"]


@pytest.fixture
def lake_client(tmp_path: Path, session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    build_constructed_lake(tmp_path / "lake")
    app = create_app(
        settings=Settings(env="test", lake_dir=tmp_path / "lake"), session_factory=session_factory
    )
    with TestClient(app) as client:
        yield client


def test_api_pages_totals_and_facets(lake_client: TestClient) -> None:
    listed = lake_client.get("/api/v1/lake/documents", params={"limit": 3})
    assert listed.headers["x-total-count"] == "10" and len(listed.json()) == 3
    page = lake_client.get("/api/v1/lake/search", params={"ipc": "H01L", "limit": 2}).json()
    assert page["total"] == 4 and len(page["items"]) == 2
    assert page["facets"]["office"] == [{"value": "US", "count": 4}]
    years = sorted((b["value"], b["count"]) for b in page["facets"]["filing_year"])
    assert years == [("2006", 1), ("2010", 2), ("2015", 1)]
    # WIPO field 1 (electrical machinery) for H01M, per the bundled concordance
    cn = lake_client.get("/api/v1/lake/search", params={"q": "负极材料"}).json()
    assert [d["doc_id"] for d in cn["items"]] == [CN]
    assert cn["facets"]["field"][0]["value"] == "1"
    assert cn["facets"]["field"][0]["label_zh"]
    by_region = lake_client.get("/api/v1/lake/documents", params={"region": "320000"}).json()
    assert [d["doc_id"] for d in by_region] == [CN]
    later = lake_client.get("/api/v1/lake/search", params={"office": "US", "offset": 6}).json()
    assert (later["total"], len(later["items"])) == (7, 1)
    bad = lake_client.get("/api/v1/lake/search", params={"ipc": "(("})
    assert (bad.status_code, bad.json()["code"]) == (422, "validation_error")
    html = lake_client.get("/lake", params={"q": "acme"}, headers={"accept": "text/html"}).text
    assert "按相关度排序" in html and A in html and "公开机构" in html
