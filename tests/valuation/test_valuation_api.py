"""Valuation service and API: request, run, sign-off by appraisers only, re-run, read refusals, PDF."""

from __future__ import annotations

import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import update
from sqlalchemy.orm import Session
from tests.world import World, bearer

from ipops.assets.models import Asset
from ipops.core.audit import audit_trail
from ipops.core.money import Money
from ipops.valuation.service import latest_signed_range

INVENTION_NUMBER = "201010567234.6"
HTML = {"accept": "text/html"}


def make_asset(client: TestClient, world: World, *, visibility: str = "private", **extra: Any) -> int:
    body: dict[str, Any] = {
        "ip_type": "invention",
        "title": "一种锂电池隔膜的制备方法",
        "application_number": INVENTION_NUMBER,
        "application_date": "2015-10-28",
        "legal_status": "granted",
        "visibility": visibility,
        "owners": [{"org_id": world.orgs["suzhou_ent"]}],
        **extra,
    }
    response = client.post("/api/v1/assets", json=body, headers=bearer(client, "ent_admin"))
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def request_body(asset_id: int, world: World, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "asset_id": asset_id,
        "scenario": "finance",
        "method": "relief_from_royalty",
        "inputs": {
            "revenue": {"dist": "lognormal", "p10": 8_000_000, "p90": 14_000_000},
            "discount_rate": {"dist": "triangular", "low": 0.1, "mode": 0.13, "high": 0.18},
            "growth": {"dist": "pert", "low": -0.02, "mode": 0.04, "high": 0.08},
        },
        "settings": {"paths": 20_000, "seed": 7},
        "indicator_scores": {"stability": 80, "market_share": 60},
        "technology_cycle_years": 8,
        "valuation_date": "2025-01-01",
        "appraiser_org_id": world.orgs["hangzhou_appraiser"],
        **extra,
    }
    return body


def run_flow(client: TestClient, world: World) -> tuple[int, dict[str, Any]]:
    asset_id = make_asset(client, world)
    owner = bearer(client, "ent_admin")
    created = client.post("/api/v1/valuations/requests", json=request_body(asset_id, world), headers=owner)
    assert created.status_code == 201, created.text
    ran = client.post(f"/api/v1/valuations/requests/{created.json()['id']}/run", headers=owner)
    assert ran.status_code == 201, ran.text
    return asset_id, ran.json()


def test_request_run_sign_and_latest_range(client: TestClient, world: World, db_session: Session) -> None:
    asset_id, report = run_flow(client, world)
    assert report["status"] == "draft" and report["method_version"] == "rfr-1.0"
    assert report["seed"] == 7 and report["paths"] == 20_000
    assert float(report["p10"]["amount"]) <= float(report["p50"]["amount"]) <= float(report["p90"]["amount"])
    context = report["context"]
    assert context["life"]["binding"] == "technology" and context["life"]["economic_years"] == 8
    assert context["indicators"]["leaves"] == {"stability": 80.0, "market_share": 60.0}
    assert report["inputs"]["inputs"]["royalty_rate"]["dist"] == "triangular"  # drawn from the prior
    assert context["royalty_prior"]["source"]
    assert latest_signed_range(db_session, asset_id=asset_id) is None

    refused = client.post(
        f"/api/v1/valuations/reports/{report['id']}/sign", headers=bearer(client, "ent_admin")
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    banker = client.post(f"/api/v1/valuations/reports/{report['id']}/sign", headers=bearer(client, "banker"))
    assert banker.status_code in (403, 404)

    appraiser = bearer(client, "appraiser")
    first = client.post(f"/api/v1/valuations/reports/{report['id']}/sign", headers=appraiser)
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "signing" and first.json()["seal"] is None
    again = client.post(f"/api/v1/valuations/reports/{report['id']}/sign", headers=appraiser)
    assert again.status_code == 409  # each appraiser signs once
    assert latest_signed_range(db_session, asset_id=asset_id) is None
    signed = client.post(
        f"/api/v1/valuations/reports/{report['id']}/sign", headers=bearer(client, "appraiser2")
    )
    assert signed.status_code == 200, signed.text
    body = signed.json()
    assert body["status"] == "signed" and body["signed_at"]
    assert [s["signer_name"] for s in body["signatures"]] == ["appraiser", "appraiser2"]
    assert body["seal"]["org_id"] == world.orgs["hangzhou_appraiser"]
    closed = client.post(f"/api/v1/valuations/reports/{report['id']}/sign", headers=appraiser)
    assert closed.status_code == 409

    found = latest_signed_range(db_session, asset_id=asset_id)
    assert found is not None and found.report_id == report["id"]
    assert found.p10 == Money.of(report["p10"]["amount"], "CNY")
    assert found.signed_at.tzinfo is not None
    rng = client.get(f"/api/v1/valuations/assets/{asset_id}/range", headers=bearer(client, "ent_admin"))
    assert rng.status_code == 200 and rng.json()["report_id"] == report["id"]

    trail = audit_trail(db_session, entity_type="valuation_report", entity_id=report["id"])
    assert [t.action for t in trail] == [
        "valuation.run",
        "valuation.signature_added",
        "valuation.signature_added",
        "valuation.signed",
    ]
    assert trail[-1].actor_label == "appraiser2"


def test_rerun_reproduces_exactly(client: TestClient, world: World) -> None:
    _, report = run_flow(client, world)
    rerun = client.post(
        f"/api/v1/valuations/reports/{report['id']}/rerun", headers=bearer(client, "appraiser")
    )
    assert rerun.status_code == 200, rerun.text
    assert rerun.json()["reproduced"] is True
    assert rerun.json()["p50"] == report["p50"]


def test_outsider_cannot_read_private_valuation(client: TestClient, world: World) -> None:
    asset_id, report = run_flow(client, world)
    for user in ("hz_admin", "ent2_admin", "gba_admin"):
        headers = bearer(client, user)
        assert client.get(f"/api/v1/valuations/reports/{report['id']}", headers=headers).status_code == 404
        assert client.get(f"/api/v1/valuations/assets/{asset_id}/reports", headers=headers).status_code == 404
        assert (
            client.get(f"/valuations/reports/{report['id']}", headers={**headers, **HTML}).status_code == 404
        )
    assert client.get(f"/api/v1/valuations/reports/{report['id']}").status_code == 401
    # the owner and the engaged firm's appraisers may read; a valuation is the owner's business, so the
    # region's administration (which reads the asset) does not see it without a grant
    for user in ("ent_member", "appraiser", "appraiser2"):
        response = client.get(f"/api/v1/valuations/reports/{report['id']}", headers=bearer(client, user))
        assert response.status_code == 200, user
    office = bearer(client, "suzhou_admin")
    assert client.get(f"/api/v1/valuations/reports/{report['id']}", headers=office).status_code == 404
    assert client.get(f"/api/v1/valuations/assets/{asset_id}/reports", headers=office).json() == []


def test_who_may_request(client: TestClient, world: World) -> None:
    asset_id = make_asset(client, world, visibility="alliance")
    body = request_body(asset_id, world)
    assert (
        client.post("/api/v1/valuations/requests", json=body, headers=bearer(client, "hz_admin")).status_code
        == 403
    )
    banker = client.post("/api/v1/valuations/requests", json=body, headers=bearer(client, "banker"))
    assert banker.status_code == 403  # a bank with no business with the asset
    review = client.post(
        f"/api/v1/assets/{asset_id}/grants",
        json={
            "org_id": world.orgs["shanghai_bank"],
            "actions": ["read", "read_valuations"],
            "reason": "质押审查",
        },
        headers=bearer(client, "ent_admin"),
    )
    assert review.status_code == 201, review.text
    banker = client.post("/api/v1/valuations/requests", json=body, headers=bearer(client, "banker"))
    assert banker.status_code == 201, banker.text
    bad = {**body, "inputs": {**body["inputs"], "revenue": {"dist": "weibull"}}}
    invalid = client.post("/api/v1/valuations/requests", json=bad, headers=bearer(client, "ent_admin"))
    assert invalid.status_code == 422


def test_lapsed_asset_values_zero_and_lake_is_optional(
    client: TestClient, world: World, db_session: Session
) -> None:
    asset_id = make_asset(client, world, legal_status="lapsed")
    db_session.execute(update(Asset).where(Asset.id == asset_id).values(lake_doc_id="CN-NOT-IN-LAKE"))
    db_session.commit()
    owner = bearer(client, "ent_admin")
    body = request_body(asset_id, world)
    created = client.post("/api/v1/valuations/requests", json=body, headers=owner).json()
    report = client.post(f"/api/v1/valuations/requests/{created['id']}/run", headers=owner).json()
    assert report["context"]["life"]["economic_years"] == 0
    assert report["context"]["lake"]["source"] in ("document not in lake", "lake unavailable")
    assert report["p90"]["amount"] in ("0.00", "0")


def test_report_page_and_pdf(client: TestClient, world: World) -> None:
    _, report = run_flow(client, world)
    headers = bearer(client, "appraiser")
    page = client.get(
        f"/valuations/reports/{report['id']}", headers={**headers, **HTML, "accept-language": "en"}
    )
    assert page.status_code == 200
    assert "Relief from royalty" in page.text and "<svg" in page.text and "sign-form" in page.text
    zh = client.get(
        f"/valuations/reports/{report['id']}", headers={**headers, **HTML, "accept-language": "zh-CN"}
    )
    assert "许可费节省法" in zh.text
    pdf = client.get(f"/valuations/reports/{report['id']}.pdf", headers={**headers, "accept-language": "en"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Relief from royalty" in text and "rfr-1.0" in text
    listing = client.get(f"/valuations/assets/{report['asset_id']}", headers={**headers, **HTML})
    assert listing.status_code == 200 and f"/valuations/reports/{report['id']}" in listing.text


def test_market_and_cost_methods_through_the_service(client: TestClient, world: World) -> None:
    asset_id = make_asset(client, world)
    owner = bearer(client, "ent_admin")
    deal = {"type": "invention", "industry": "batteries", "region": "320500", "exclusivity": "exclusive"}
    comparables = [
        {**deal, "price": 2_000_000, "date": "2024-01-01", "remaining_life": 10, "reference": "苏州 2024-01"},
        {
            **deal,
            "price": 1_200_000,
            "date": "2024-06-30",
            "remaining_life": 6,
            "exclusivity": "non_exclusive",
            "region": "330100",
            "reference": "杭州 2024-06",
        },
    ]
    market = request_body(
        asset_id,
        world,
        method="market_comparables",
        inputs={"comparables": comparables, "subject": {"industry": "batteries", "exclusivity": "exclusive"}},
    )
    cost = request_body(
        asset_id,
        world,
        method="cost",
        inputs={
            "cost_items": {"rd": 3_000_000, "filing": 80_000},
            "developer_profit_rate": {"dist": "triangular", "low": 0.05, "mode": 0.1, "high": 0.2},
            "functional": {"dist": "uniform", "low": 0.1, "high": 0.3},
        },
    )
    reports = []
    for body in (market, cost):
        created = client.post("/api/v1/valuations/requests", json=body, headers=owner)
        assert created.status_code == 201, created.text
        ran = client.post(f"/api/v1/valuations/requests/{created.json()['id']}/run", headers=owner)
        assert ran.status_code == 201, ran.text
        reports.append(ran.json())
    market_report, cost_report = reports
    assert market_report["method_version"] == "mkt-range-1.0" and market_report["paths"] == 2
    subject = market_report["result"]["inputs"]["subject"]
    # the subject's type, region and remaining life come from the registry asset
    assert (subject["ip_type"], subject["region"], subject["remaining_life"]) == ("invention", "320500", 8.0)
    assert cost_report["method_version"] == "cost-mc-1.0"
    assert float(cost_report["p10"]["amount"]) < float(cost_report["p90"]["amount"])
    physical = cost_report["context"]["physical_from_life"]
    assert physical["remaining_years"] == 8.0 and physical["used_years"] == pytest.approx(9.18, abs=0.01)
    appraiser = bearer(client, "appraiser")
    for report in reports:
        again = client.post(f"/api/v1/valuations/reports/{report['id']}/rerun", headers=appraiser).json()
        assert again["reproduced"] is True
    page = client.get(f"/valuations/reports/{market_report['id']}", headers={**appraiser, **HTML})
    assert "市场法（可比交易）" in page.text and "苏州 2024-01" in page.text
    page = client.get(f"/valuations/reports/{cost_report['id']}", headers={**appraiser, **HTML})
    assert "成本法" in page.text and "成本项目" in page.text
    bad = {**cost, "inputs": {"cost_items": {"rd": 1}, "royalty_rate": 0.05}}
    created = client.post("/api/v1/valuations/requests", json=bad, headers=owner).json()
    refused = client.post(f"/api/v1/valuations/requests/{created['id']}/run", headers=owner)
    assert refused.status_code == 422 and "unknown cost-method inputs" in refused.json()["detail"]
    bad_basis = {**cost, "inputs": {"cost_items": {"rd": 1}, "basis": "guesswork"}}
    created = client.post("/api/v1/valuations/requests", json=bad_basis, headers=owner).json()
    refused = client.post(f"/api/v1/valuations/requests/{created['id']}/run", headers=owner)
    assert refused.status_code == 422 and "guesswork" in refused.json()["detail"]
