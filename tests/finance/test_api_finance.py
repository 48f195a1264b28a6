"""Finance over HTTP: the pledge blocks transfer in the registry, alerts come from registry events, and
every record is refused (404) to those who may not see it."""

from __future__ import annotations

import io
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader
from tests.finance.support import CSV_HEADER, second_bank
from tests.world import World, bearer

from ipops.core.uow import UnitOfWork

DAY = "2026-01-15"


def _asset(client: TestClient, world: World, headers: dict[str, str], **overrides: Any) -> int:
    body: dict[str, Any] = {
        "ip_type": "invention",
        "title": "一种电池热管理系统",
        "legal_status": "granted",
        "expiry_date": "2045-12-31",
        "owners": [{"org_id": world.orgs["suzhou_ent"]}],
    }
    body.update(overrides)
    response = client.post("/api/v1/assets", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _pledged_loan(client: TestClient, world: World) -> tuple[int, int, dict[str, dict[str, str]]]:
    h = {u: bearer(client, u) for u in ("ent_admin", "banker", "appraiser")}
    asset_id = _asset(client, world, h["ent_admin"])
    assert (
        client.put(
            f"/api/v1/finance/banks/{world.orgs['shanghai_bank']}/policy", json={}, headers=h["banker"]
        ).status_code
        == 200
    )
    loan = client.post(
        "/api/v1/finance/loans",
        json={
            "bank_org_id": world.orgs["shanghai_bank"],
            "amount": {"amount": "300000", "currency": "CNY"},
            "term_months": 24,
            "annual_rate": "0.0385",
            "asset_ids": [asset_id],
        },
        headers=h["ent_admin"],
    )
    assert loan.status_code == 201, loan.text
    loan_id = loan.json()["id"]
    engaged = client.post(
        f"/api/v1/assets/{asset_id}/grants",
        json={
            "org_id": world.orgs["hangzhou_appraiser"],
            "actions": ["read", "appraise"],
            "reason": "评估委托",
        },
        headers=h["ent_admin"],
    )
    assert engaged.status_code == 201, engaged.text
    appraisal = {
        "asset_id": asset_id,
        "report_number": "浙评报字[2026]第001号",
        "p10": {"amount": "1000000"},
        "p50": {"amount": "1400000"},
        "p90": {"amount": "1900000"},
        "appraised_on": DAY,
    }
    assert (
        client.post("/api/v1/finance/appraisals", json=appraisal, headers=h["appraiser"]).status_code == 201
    )
    assert (
        client.post(
            f"/api/v1/finance/loans/{loan_id}/submit", json={"occurred_on": DAY}, headers=h["ent_admin"]
        ).status_code
        == 200
    )
    approved = client.post(
        f"/api/v1/finance/loans/{loan_id}/approve", json={"occurred_on": DAY}, headers=h["banker"]
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    registered = client.post(
        f"/api/v1/finance/loans/{loan_id}/register",
        json={"registration_number": "Y2026000042", "registered_on": DAY},
        headers=h["banker"],
    )
    assert registered.status_code == 200, registered.text
    return loan_id, asset_id, h


def _transfer(client: TestClient, world: World, asset_id: int, headers: dict[str, str]) -> Any:
    version = client.get(f"/api/v1/assets/{asset_id}", headers=headers).json()["version"]
    return client.post(
        f"/api/v1/assets/{asset_id}/transfer",
        json={"version": version, "new_owners": [{"org_id": world.orgs["suzhou_ent2"]}], "occurred_on": DAY},
        headers=headers,
    )


def test_pledge_blocks_transfer_until_repaid(client: TestClient, world: World) -> None:
    loan_id, asset_id, h = _pledged_loan(client, world)
    blocked = _transfer(client, world, asset_id, h["ent_admin"])
    assert (blocked.status_code, blocked.json()["code"]) == (409, "asset_encumbered")
    assessment = client.get(f"/api/v1/finance/loans/{loan_id}/assessment", headers=h["banker"]).json()
    assert assessment["collateral_value"]["amount"] == "700000.00"
    assert assessment["max_amount"]["amount"] == "350000.00"
    wrong = client.post(
        f"/api/v1/finance/loans/{loan_id}/repay", json={"occurred_on": DAY}, headers=h["banker"]
    )
    assert (wrong.status_code, wrong.json()["code"]) == (409, "invalid_state")
    borrower_tries = client.post(
        f"/api/v1/finance/loans/{loan_id}/disburse", json={"occurred_on": DAY}, headers=h["ent_admin"]
    )
    assert (borrower_tries.status_code, borrower_tries.json()["code"]) == (403, "forbidden")
    for step in ("disburse", "repay"):
        assert (
            client.post(
                f"/api/v1/finance/loans/{loan_id}/{step}", json={"occurred_on": DAY}, headers=h["banker"]
            ).status_code
            == 200
        )
    assert _transfer(client, world, asset_id, h["ent_admin"]).status_code == 200
    admin = bearer(client, "alliance_admin")  # the asset now belongs to another organisation
    events = [e["kind"] for e in client.get(f"/api/v1/assets/{asset_id}/events", headers=admin).json()]
    assert events[-3:] == ["pledged", "pledge_released", "transferred"]


def test_alert_from_a_registry_event_appears_once(client: TestClient, world: World) -> None:
    loan_id, asset_id, h = _pledged_loan(client, world)
    admin = bearer(client, "alliance_admin")
    lapsed = client.post(
        f"/api/v1/assets/{asset_id}/events",
        json={"kind": "lapsed", "occurred_on": DAY, "note": "未缴年费"},
        headers=bearer(client, "suzhou_admin"),  # the office records the lapse from its register
    )
    assert lapsed.status_code == 201
    first = client.post("/api/v1/finance/monitor", headers=admin).json()
    assert [(a["previous_status"], a["current_status"]) for a in first["new_alerts"]] == [
        ("granted", "lapsed")
    ]
    assert client.post("/api/v1/finance/monitor", headers=admin).json()["new_alerts"] == []
    assert len(client.get(f"/api/v1/finance/loans/{loan_id}", headers=h["banker"]).json()["alerts"]) == 1
    assert len(client.get("/api/v1/finance/alerts", headers=h["ent_admin"]).json()) == 1
    assert client.post("/api/v1/finance/monitor", headers=h["banker"]).json()["code"] == "forbidden"


def test_who_sees_a_loan(client: TestClient, world: World, uow: UnitOfWork) -> None:
    second_bank(uow, world)
    h = {u: bearer(client, u) for u in ("ent_admin", "ent_member", "banker", "banker2")}
    asset_id = _asset(client, world, h["ent_admin"])
    client.put(f"/api/v1/finance/banks/{world.orgs['shanghai_bank']}/policy", json={}, headers=h["banker"])
    refused_policy = client.put(
        f"/api/v1/finance/banks/{world.orgs['shanghai_bank']}/policy", json={}, headers=h["banker2"]
    )
    assert refused_policy.status_code == 403
    loan_id = client.post(
        "/api/v1/finance/loans",
        json={
            "bank_org_id": world.orgs["shanghai_bank"],
            "amount": {"amount": "1000"},
            "term_months": 12,
            "annual_rate": "0.04",
            "asset_ids": [asset_id],
        },
        headers=h["ent_member"],
    ).json()["id"]
    url = f"/api/v1/finance/loans/{loan_id}"
    assert client.get(url, headers=h["banker"]).status_code == 404  # a draft is not yet addressed to the bank
    member_submit = client.post(f"{url}/submit", json={"occurred_on": DAY}, headers=h["ent_member"])
    assert (member_submit.status_code, member_submit.json()["code"]) == (403, "forbidden")
    assert client.post(f"{url}/submit", json={"occurred_on": DAY}, headers=h["ent_admin"]).status_code == 200
    seen = {"ent_admin", "ent_member", "banker", "alliance_admin", "suzhou_admin", "jiangsu_admin"}
    hidden = {
        "banker2",
        "ent2_admin",
        "hz_admin",
        "appraiser",
        "suzhou_staff",
        "nanjing_staff",
        "visitor",
        "gba_admin",
    }
    for username in seen | hidden:
        headers = h.get(username) or bearer(client, username)
        status = client.get(url, headers=headers).status_code
        listed = [x["id"] for x in client.get("/api/v1/finance/loans", headers=headers).json()["items"]]
        assert (status == 200) == (username in seen), username
        assert (loan_id in listed) == (username in seen), username
    other = client.post(f"{url}/approve", json={"occurred_on": DAY}, headers=h["banker2"])
    assert (other.status_code, other.json()["code"]) == (404, "not_found")
    assert client.get(url).json()["code"] == "unauthenticated"


def test_deal_over_http_with_exports_and_refusals(client: TestClient, world: World) -> None:
    h = {u: bearer(client, u) for u in ("ent_admin", "ent_member", "banker", "hz_admin")}
    assets = [
        _asset(client, world, h["ent_admin"], title="发明甲"),
        _asset(
            client, world, h["ent_admin"], ip_type="trademark", title="商标乙", registration_number="60000001"
        ),
        _asset(client, world, h["ent_admin"], ip_type="software_copyright", title="软件丙"),
    ]
    royalties = ";".join(["40000"] * 36)
    text = "\n".join(
        [
            CSV_HEADER,
            f"licence,LIC-1,无锡示例电子有限公司,320200,{assets[0]},CNY,,,,,2026-02-28,{royalties}",
            f"licence,LIC-2,上海示例零售有限公司,310000,{assets[1]},CNY,,,,,2026-02-28,{royalties}",
            f"lease,LSE-1,南京示例软件有限公司,320100,{assets[2]},CNY,1200000,0.06,36,0,2026-02-28,",
            "receivable,REC-1,,310000,,CNY,1000,,,,2026-06-30,",
        ]
    )
    imported = client.post(
        "/api/v1/finance/contracts/import",
        files={"file": ("pool.csv", text.encode("utf-8-sig"), "text/csv")},
        headers=h["ent_admin"],
    ).json()
    assert (imported["rows"], imported["imported"], [p["line"] for p in imported["rejected"]]) == (4, 3, [5])
    deal = client.post(
        "/api/v1/finance/deals",
        json={
            "name": "IP ABS 2026-1",
            "start_date": "2026-01-31",
            "term_months": 36,
            "arranger_org_id": world.orgs["shanghai_bank"],
        },
        headers=h["ent_admin"],
    )
    assert deal.status_code == 201, deal.text
    deal_id = deal.json()["id"]
    base = f"/api/v1/finance/deals/{deal_id}"
    pool = client.post(f"{base}/pool", json={"contract_ids": imported["contract_ids"]}, headers=h["banker"])
    assert pool.status_code == 200, pool.text
    total = pool.json()["pool_balance"]["amount"]
    senior = f"{float(total) * 0.85:.2f}"
    sub = f"{float(total) - float(senior):.2f}"
    tranches = {
        "tranches": [
            {"name": "A", "seniority": "senior", "balance": senior, "rate": "0.03"},
            {"name": "Sub", "seniority": "subordinated", "balance": sub},
        ]
    }
    assert (
        client.put(f"{base}/structure", json=tranches, headers=h["ent_member"]).json()["code"] == "forbidden"
    )
    assert client.put(f"{base}/structure", json=tranches, headers=h["hz_admin"]).json()["code"] == "not_found"
    assert client.put(f"{base}/structure", json=tranches, headers=h["ent_admin"]).status_code == 200
    run = client.post(f"{base}/runs", json={"cdr": ["0", "0.1"], "cpr": ["0"]}, headers=h["ent_admin"])
    assert run.status_code == 201, run.text
    run_id = run.json()["id"]
    assert (
        client.get(f"{base}/runs/{run_id}", headers=h["ent_member"]).json()["scenarios"][1]["cdr"]
        == "0.100000"
    )
    csv_text = client.get(f"{base}/runs/{run_id}/cashflows.csv", headers=h["ent_member"]).text
    assert csv_text.splitlines()[0].startswith("scenario,cdr,cpr,tranche,period,date,balance")
    assert len(csv_text.splitlines()) == 1 + 2 * 2 * 36
    xlsx = client.get(f"{base}/runs/{run_id}/cashflows.xlsx", headers=h["banker"])
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames == ["summary", "pool", "tranches"]
    html = client.get(f"{base}/summary.html", headers={**h["ent_admin"], "accept-language": "en"}).text
    assert "IP ABS 2026-1" in html and "<svg" in html
    pdf = client.get(f"{base}/summary.pdf", headers=h["ent_admin"])
    assert pdf.headers["content-type"] == "application/pdf"
    assert "IPABS2026-1" in "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages
    ).replace(" ", "")
    for path in (base, f"{base}/runs/{run_id}", f"{base}/summary.pdf", f"{base}/runs/{run_id}/cashflows.csv"):
        assert client.get(path, headers=h["hz_admin"]).status_code == 404
    assert [d["id"] for d in client.get("/api/v1/finance/deals", headers=h["hz_admin"]).json()["items"]] == []
    assert [d["id"] for d in client.get("/api/v1/finance/deals", headers=h["banker"]).json()["items"]] == [
        deal_id
    ]
