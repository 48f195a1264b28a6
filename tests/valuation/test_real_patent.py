"""A real patent end to end: bundled office record, registry asset, lake link, valuation report and PDF."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from tests.valuation.test_valuation_api import HTML, request_body
from tests.world import World, bearer

from ipops.core.config import get_settings
from ipops.core.uow import UnitOfWork
from ipops.lake.link import link_documents_to_assets
from ipops.lake.samples import ingest_bundled_samples
from ipops.lake.store import LakeStore

DOC_ID = "US-08926509-B2"  # bundled from USPTO/PatentPublicData (CC0): xml2014/US08926509.xml
TITLE = "Wireless physiological sensor patches and systems"


@pytest.fixture
def sample_lake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LakeStore]:
    store = LakeStore(tmp_path / "lake")
    ingest_bundled_samples(store)
    monkeypatch.setenv("IPOPS_LAKE_DIR", str(store.root))
    get_settings.cache_clear()
    yield store
    get_settings.cache_clear()


def test_valuation_report_for_a_real_sample_patent(
    client: TestClient, world: World, uow: UnitOfWork, sample_lake: LakeStore
) -> None:
    admin = bearer(client, "alliance_admin")
    created = client.post(
        "/api/v1/assets",
        json={
            "ip_type": "invention",
            "title": TITLE,
            "jurisdiction": "US",
            "application_number": "12134151",
            "legal_status": "granted",
            "visibility": "alliance",
            "region_code": "320500",
            "owners": [{"name": "Hmicro, Inc.", "country": "US"}],
        },
        headers=admin,
    )
    assert created.status_code == 201, created.text
    asset_id = int(created.json()["id"])

    links = link_documents_to_assets(store=sample_lake, uow=uow)
    assert [(link.asset_id, link.doc_id, link.matched_on) for link in links] == [
        (asset_id, DOC_ID, "application_number")
    ]
    asset = client.get(f"/api/v1/assets/{asset_id}", headers=admin).json()
    # the empty registry fields were filled from the office record
    assert asset["lake_doc_id"] == DOC_ID
    assert (asset["application_date"], asset["grant_date"]) == ("2008-06-05", "2015-01-06")
    assert asset["ipc_classes"] and all(symbol[:1] in "ABCDEFGH" for symbol in asset["ipc_classes"])

    banker = bearer(client, "banker")
    review = client.post(  # the office opens the record to the bank that reviews it for a pledge
        f"/api/v1/assets/{asset_id}/grants",
        json={
            "org_id": world.orgs["shanghai_bank"],
            "actions": ["read", "read_valuations"],
            "reason": "质押审查",
        },
        headers=admin,
    )
    assert review.status_code == 201, review.text
    body = request_body(asset_id, world, indicator_scores={})
    request = client.post("/api/v1/valuations/requests", json=body, headers=banker)
    assert request.status_code == 201, request.text
    ran = client.post(f"/api/v1/valuations/requests/{request.json()['id']}/run", headers=banker)
    assert ran.status_code == 201, ran.text
    report = ran.json()
    lake = report["context"]["lake"]
    assert (lake["doc_id"], lake["source"]) == (DOC_ID, "lake")
    assert lake["scores"]  # the OECD indicators of the real document feed the GB/T 42748 tree
    assert float(report["p10"]["amount"]) < float(report["p50"]["amount"]) < float(report["p90"]["amount"])

    appraiser = bearer(client, "appraiser")
    page = client.get(
        f"/valuations/reports/{report['id']}", headers={**appraiser, **HTML, "accept-language": "en"}
    )
    assert page.status_code == 200 and TITLE in page.text
    pdf = client.get(
        f"/valuations/reports/{report['id']}.pdf", headers={**appraiser, "accept-language": "en"}
    )
    assert pdf.status_code == 200
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Wireless physiological sensor" in " ".join(text.replace("\x00", "").split())
