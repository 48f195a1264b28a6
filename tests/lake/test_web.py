"""The lake's API and pages: search in Chinese and English, and a document page with its indicators."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from tests.lake.test_indicators_data import CN, A, build_constructed_lake

from ipops.core.config import Settings
from ipops.web.app import create_app


@pytest.fixture
def lake_client(tmp_path: Path, session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    build_constructed_lake(tmp_path / "lake")
    app = create_app(
        settings=Settings(env="test", lake_dir=tmp_path / "lake"), session_factory=session_factory
    )
    with TestClient(app) as client:
        yield client


def test_search_api(lake_client: TestClient) -> None:
    by_text = lake_client.get("/api/v1/lake/documents", params={"q": "负极材料"}).json()
    assert [d["doc_id"] for d in by_text] == [CN]
    by_applicant = lake_client.get("/api/v1/lake/documents", params={"applicant": "acme"}).json()
    assert {d["doc_id"] for d in by_applicant} == {A, "US-1100005-B1"}
    by_ipc = lake_client.get("/api/v1/lake/documents", params={"ipc": "H01M"}).json()
    assert [d["doc_id"] for d in by_ipc] == [CN]
    dated = lake_client.get(
        "/api/v1/lake/documents", params={"ipc": "H01L", "date_from": "2010-01-01", "date_to": "2010-12-31"}
    ).json()
    assert {d["doc_id"] for d in dated} == {A, "US-1100005-B1"}
    stats = lake_client.get("/api/v1/lake/stats").json()
    assert stats["rows"]["documents"] == 10


def test_document_api_has_parties_and_indicators(lake_client: TestClient) -> None:
    detail = lake_client.get(f"/api/v1/lake/documents/{A}").json()
    assert detail["document"]["claims_count"] == 10
    assert detail["parties"][0]["name"] == "Acme Semiconductor Inc."
    assert detail["indicators"]["originality"] == pytest.approx(26 / 36)
    assert detail["indicators"]["grant_lag_days"] == 730
    missing = lake_client.get("/api/v1/lake/documents/US-0000000-B1")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")


def test_pages(lake_client: TestClient) -> None:
    page = lake_client.get("/lake", params={"q": "负极"}, headers={"accept": "text/html"})
    assert "专利数据湖" in page.text and CN in page.text
    partial = lake_client.get("/lake", params={"applicant": "Boxco"}, headers={"hx-request": "true"})
    assert "US-1100006-B1" in partial.text and "<html" not in partial.text
    document = lake_client.get(f"/lake/documents/{A}", headers={"accept": "text/html"})
    assert (
        "原创性" in document.text and "0.722" in document.text and "Acme Semiconductor Inc." in document.text
    )
