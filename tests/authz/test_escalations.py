"""Every escalation and leak that the review and the PostgreSQL probe found (issue 10), one test each.

Each test was run on the code before the policy rework and failed there; it passes after. Steps that use
endpoints the old code did not have (accepting a co-ownership, say) are written so that the old code skips
past them and fails on the assertion that names the hole.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.world import PASSWORD, World, bearer

DAY = "2026-01-15"
HTML = {"accept": "text/html"}


def _asset(client: TestClient, headers: dict[str, str], owners: list[dict[str, Any]], **extra: Any) -> int:
    body: dict[str, Any] = {
        "ip_type": "invention",
        "title": "一种固态电池电解质膜",
        "legal_status": "granted",
        "expiry_date": "2045-12-31",
        "visibility": "private",
        "owners": owners,
        **extra,
    }
    response = client.post("/api/v1/assets", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _joint_asset(client: TestClient, world: World) -> int:
    """Asset owned 60 % by the Suzhou enterprise and 40 % by the Hangzhou one, accepted by both."""
    asset_id = _asset(
        client,
        bearer(client, "ent_admin"),
        [
            {"org_id": world.orgs["suzhou_ent"], "share": "0.6"},
            {"org_id": world.orgs["hangzhou_ent"], "share": "0.4"},
        ],
    )
    # the co-owner accepts its share (the old code has no such step and made it an owner at once)
    client.post(f"/api/v1/assets/{asset_id}/ownership/accept", headers=bearer(client, "hz_admin"))
    return asset_id


def _version(client: TestClient, asset_id: int, headers: dict[str, str]) -> int:
    return int(client.get(f"/api/v1/assets/{asset_id}", headers=headers).json()["version"])


# ------------------------------------------------------------------------------------------------------------
# Region admin into any organisation


@pytest.mark.parametrize(
    ("role", "org_key"),
    [("org_admin", "hangzhou_ent"), ("financier", "shanghai_bank"), ("appraiser", "hangzhou_appraiser")],
)
def test_region_admin_cannot_create_accounts_in_another_regions_organisation(
    client: TestClient, world: World, role: str, org_key: str
) -> None:
    body = {
        "username": f"evil_{role}",
        "display_name": "x",
        "password": PASSWORD,
        "role": role,
        "org_id": world.orgs[org_key],
        "region_code": "320500",  # the Suzhou office claims its own region for another region's firm
    }
    created = client.post("/api/v1/users", json=body, headers=bearer(client, "suzhou_admin"))
    assert created.status_code in (403, 404), created.text
    token = client.post("/api/v1/auth/token", json={"username": f"evil_{role}", "password": PASSWORD})
    assert token.status_code == 401
    if role == "financier":  # the account that was made could then set the other region's bank policy
        assert world.users["banker"].org_id == world.orgs["shanghai_bank"]


# ------------------------------------------------------------------------------------------------------------
# Joint ownership


def test_a_minority_co_owner_cannot_transfer_the_whole_asset(client: TestClient, world: World) -> None:
    asset_id = _joint_asset(client, world)
    minority = bearer(client, "hz_admin")
    moved = client.post(
        f"/api/v1/assets/{asset_id}/transfer",
        json={
            "version": _version(client, asset_id, minority),
            "occurred_on": DAY,
            "new_owners": [{"org_id": world.orgs["hangzhou_ent"]}],
        },
        headers=minority,
    )
    assert moved.status_code == 409, moved.text
    assert moved.json()["code"] == "consent_required"
    owners = client.get(f"/api/v1/assets/{asset_id}", headers=bearer(client, "ent_admin")).json()["owners"]
    assert [o["org_id"] for o in owners] == [world.orgs["suzhou_ent"], world.orgs["hangzhou_ent"]]


def test_a_co_owner_cannot_pledge_a_jointly_owned_asset_alone(client: TestClient, world: World) -> None:
    asset_id = _joint_asset(client, world)
    minority, banker = bearer(client, "hz_admin"), bearer(client, "banker")
    bank = world.orgs["shanghai_bank"]
    client.put(f"/api/v1/finance/banks/{bank}/policy", json={}, headers=banker)
    loan = client.post(
        "/api/v1/finance/loans",
        json={
            "bank_org_id": bank,
            "amount": {"amount": "100000", "currency": "CNY"},
            "term_months": 12,
            "annual_rate": "0.04",
            "asset_ids": [asset_id],
        },
        headers=minority,
    )
    if loan.status_code == 201:
        loan_id = loan.json()["id"]
        appraisal = {
            "asset_id": asset_id,
            "report_number": "浙评报字[2026]第007号",
            "p10": {"amount": "1000000"},
            "p50": {"amount": "1400000"},
            "p90": {"amount": "1900000"},
            "appraised_on": DAY,
        }
        client.post("/api/v1/finance/appraisals", json=appraisal, headers=bearer(client, "appraiser"))
        client.post(f"/api/v1/finance/loans/{loan_id}/submit", json={"occurred_on": DAY}, headers=minority)
        client.post(f"/api/v1/finance/loans/{loan_id}/approve", json={"occurred_on": DAY}, headers=banker)
        status = client.get(f"/api/v1/finance/loans/{loan_id}", headers=minority).json()["status"]
        assert status in ("draft", "withdrawn"), status
    detail = client.get(f"/api/v1/assets/{asset_id}", headers=bearer(client, "ent_admin")).json()
    assert detail["pledged"] is False


def test_an_owner_cannot_add_a_co_owner_without_its_acceptance(client: TestClient, world: World) -> None:
    asset_id = _asset(
        client,
        bearer(client, "ent_admin"),
        [
            {"org_id": world.orgs["suzhou_ent"], "share": "0.5"},
            {"org_id": world.orgs["hangzhou_ent"], "share": "0.5"},
        ],
    )
    invited = bearer(client, "hz_admin")
    owners = client.get(f"/api/v1/assets/{asset_id}", headers=invited).json()["owners"]
    assert [o.get("status") for o in owners] == ["accepted", "pending"]
    edit = client.patch(f"/api/v1/assets/{asset_id}", json={"version": 1, "title": "改名"}, headers=invited)
    assert edit.status_code == 403  # not an owner until it accepts
    accepted = client.post(f"/api/v1/assets/{asset_id}/ownership/accept", headers=invited)
    assert accepted.status_code == 200, accepted.text
    assert [o["status"] for o in accepted.json()["owners"]] == ["accepted", "accepted"]


# ------------------------------------------------------------------------------------------------------------
# The audit log and administrators' accounts


def test_the_audit_log_does_not_show_administrators_a_trade_secret(client: TestClient, world: World) -> None:
    title = "蚀刻配方参数（商业秘密）"
    secret = client.post(
        "/api/v1/assets",
        json={"ip_type": "trade_secret", "title": title, "owners": [{"org_id": world.orgs["suzhou_ent"]}]},
        headers=bearer(client, "ent_admin"),
    ).json()["id"]
    query = {"entity_type": "asset", "entity_id": str(secret)}
    for admin in ("alliance_admin", "suzhou_admin"):
        response = client.get("/api/v1/audit", params=query, headers=bearer(client, admin))
        assert response.status_code == 200
        rows = response.json()
        assert [r["action"] for r in rows] == ["asset.created"], admin
        assert title not in response.text and "苏州示例科技有限公司" not in response.text, admin
        assert rows[0]["redacted"] is True and rows[0]["actor_org_id"] == world.orgs["suzhou_ent"]
    owner_view = client.get("/api/v1/audit", params=query, headers=bearer(client, "ent_admin"))
    assert title in owner_view.text and owner_view.json()[0]["redacted"] is False


def test_administrators_cannot_make_or_reset_an_organisations_admin(client: TestClient, world: World) -> None:
    body = {
        "username": "back_door",
        "display_name": "x",
        "password": PASSWORD,
        "role": "org_admin",
        "org_id": world.orgs["suzhou_ent"],
    }
    for admin in ("alliance_admin", "suzhou_admin"):
        made = client.post(
            "/api/v1/users", json={**body, "username": f"bd_{admin}"}, headers=bearer(client, admin)
        )
        assert made.status_code == 403, (admin, made.text)
        reset = client.post(
            f"/api/v1/users/{world.users['ent_admin'].user_id}/password",
            json={"new_password": "taken-over-account"},
            headers=bearer(client, admin),
        )
        assert reset.status_code in (403, 404), admin
    assert (
        client.post("/api/v1/auth/token", json={"username": "ent_admin", "password": PASSWORD}).status_code
        == 200
    )


# ------------------------------------------------------------------------------------------------------------
# Banks and other organisations' contracts


def _contract(client: TestClient, headers: dict[str, str], reference: str) -> int:
    response = client.post(
        "/api/v1/finance/contracts",
        json={
            "kind": "receivable",
            "reference": reference,
            "obligor": "无锡示例电子有限公司",
            "amount": "500000",
            "first_due": "2026-06-30",
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_a_bank_cannot_open_a_deal_for_another_organisation_and_read_its_contracts(
    client: TestClient, world: World
) -> None:
    _contract(client, bearer(client, "ent_admin"), "SZ-RCV-0001")
    banker = bearer(client, "banker")
    deal = client.post(
        "/api/v1/finance/deals",
        json={
            "name": "擅自发起的专项计划",
            "originator_org_id": world.orgs["suzhou_ent"],
            "start_date": "2026-02-01",
            "term_months": 24,
            "discount_rate": "0.06",
        },
        headers=banker,
    )
    assert deal.status_code == 403, deal.text
    contracts = client.get(
        "/api/v1/finance/contracts", params={"org_id": world.orgs["suzhou_ent"]}, headers=banker
    )
    assert contracts.status_code == 404
    assert "SZ-RCV-0001" not in contracts.text


def test_pool_refusals_do_not_reveal_other_organisations_contracts(client: TestClient, world: World) -> None:
    foreign = _contract(client, bearer(client, "ent2_admin"), "SECRET-REF-0042")
    owner = bearer(client, "ent_admin")
    deal = client.post(
        "/api/v1/finance/deals",
        json={
            "name": "苏州示例专项计划",
            "arranger_org_id": world.orgs["shanghai_bank"],
            "start_date": "2026-02-01",
            "term_months": 24,
            "discount_rate": "0.06",
        },
        headers=owner,
    )
    assert deal.status_code == 201, deal.text
    deal_id = deal.json()["id"]
    for who in ("ent_admin", "banker"):
        refused = client.post(
            f"/api/v1/finance/deals/{deal_id}/pool",
            json={"contract_ids": [foreign]},
            headers=bearer(client, who),
        )
        assert refused.status_code == 404, (who, refused.text)
        assert "SECRET-REF-0042" not in refused.text, who


# ------------------------------------------------------------------------------------------------------------
# Valuations and appraisals


def _valuation_report(client: TestClient, world: World, asset_id: int) -> dict[str, Any]:
    owner = bearer(client, "ent_admin")
    request = client.post(
        "/api/v1/valuations/requests",
        json={
            "asset_id": asset_id,
            "scenario": "finance",
            "method": "relief_from_royalty",
            "inputs": {
                "revenue": {"dist": "lognormal", "p10": 8_000_000, "p90": 14_000_000},
                "discount_rate": {"dist": "triangular", "low": 0.1, "mode": 0.13, "high": 0.18},
                "growth": {"dist": "pert", "low": -0.02, "mode": 0.04, "high": 0.08},
            },
            "settings": {"paths": 2_000, "seed": 7},
            "technology_cycle_years": 8,
            "valuation_date": "2025-01-01",
            "appraiser_org_id": world.orgs["hangzhou_appraiser"],
        },
        headers=owner,
    )
    assert request.status_code == 201, request.text
    ran = client.post(f"/api/v1/valuations/requests/{request.json()['id']}/run", headers=owner)
    assert ran.status_code == 201, ran.text
    report: dict[str, Any] = ran.json()
    return report


def test_valuations_of_a_public_asset_are_not_open_to_competitors(client: TestClient, world: World) -> None:
    asset_id = _asset(
        client,
        bearer(client, "ent_admin"),
        [{"org_id": world.orgs["suzhou_ent"]}],
        visibility="public",
        application_date="2015-10-28",
    )
    report = _valuation_report(client, world, asset_id)
    for outsider in ("hz_admin", "ent2_admin", "gba_admin", "visitor", "nanjing_staff"):
        headers = bearer(client, outsider)
        assert client.get(f"/api/v1/valuations/reports/{report['id']}", headers=headers).status_code == 404
        listed = client.get(f"/api/v1/valuations/assets/{asset_id}/reports", headers=headers)
        assert listed.status_code == 404 or listed.json() == [], outsider
    assert (
        client.get(
            f"/api/v1/valuations/reports/{report['id']}", headers=bearer(client, "ent_admin")
        ).status_code
        == 200
    )


def test_an_appraiser_cannot_record_an_appraisal_of_a_private_asset_in_a_draft_loan(
    client: TestClient, world: World
) -> None:
    owner = bearer(client, "ent_admin")
    asset_id = _asset(client, owner, [{"org_id": world.orgs["suzhou_ent"]}])
    client.put(
        f"/api/v1/finance/banks/{world.orgs['shanghai_bank']}/policy",
        json={},
        headers=bearer(client, "banker"),
    )
    loan = client.post(
        "/api/v1/finance/loans",
        json={
            "bank_org_id": world.orgs["shanghai_bank"],
            "amount": {"amount": "100000", "currency": "CNY"},
            "term_months": 12,
            "annual_rate": "0.04",
            "asset_ids": [asset_id],
        },
        headers=owner,
    )
    assert loan.status_code == 201, loan.text
    recorded = client.post(
        "/api/v1/finance/appraisals",
        json={
            "asset_id": asset_id,
            "report_number": "浙评报字[2026]第099号",
            "p10": {"amount": "9000000"},
            "p50": {"amount": "9500000"},
            "p90": {"amount": "9900000"},
            "appraised_on": DAY,
        },
        headers=bearer(client, "appraiser"),
    )
    assert recorded.status_code == 404, recorded.text


def test_one_appraiser_alone_does_not_sign_a_statutory_report(client: TestClient, world: World) -> None:
    asset_id = _asset(
        client,
        bearer(client, "ent_admin"),
        [{"org_id": world.orgs["suzhou_ent"]}],
        application_date="2015-10-28",
    )
    report = _valuation_report(client, world, asset_id)
    first = client.post(
        f"/api/v1/valuations/reports/{report['id']}/sign", headers=bearer(client, "appraiser")
    )
    assert first.status_code == 200, first.text
    assert first.json()["status"] != "signed"  # 资产评估法 art. 26: two appraisers and the firm's seal
    again = client.post(
        f"/api/v1/valuations/reports/{report['id']}/sign", headers=bearer(client, "appraiser")
    )
    assert again.status_code == 409


# ------------------------------------------------------------------------------------------------------------
# Registry facts, collateral, credentials, forms


def test_owners_cannot_restate_registry_facts(client: TestClient, world: World) -> None:
    owner = bearer(client, "ent_admin")
    asset_id = _asset(client, owner, [{"org_id": world.orgs["suzhou_ent"]}])
    for change in ({"legal_status": "lapsed"}, {"expiry_date": "2060-01-01"}, {"visibility": "restricted"}):
        response = client.patch(f"/api/v1/assets/{asset_id}", json={"version": 1, **change}, headers=owner)
        assert response.status_code in (403, 422), (change, response.text)
    detail = client.get(f"/api/v1/assets/{asset_id}", headers=owner).json()
    assert (detail["legal_status"], detail["expiry_date"], detail["visibility"]) == (
        "granted",
        "2045-12-31",
        "private",
    )


def test_a_submitted_loan_reserves_its_collateral(client: TestClient, world: World) -> None:
    owner, banker = bearer(client, "ent_admin"), bearer(client, "banker")
    asset_id = _asset(client, owner, [{"org_id": world.orgs["suzhou_ent"]}])
    client.put(f"/api/v1/finance/banks/{world.orgs['shanghai_bank']}/policy", json={}, headers=banker)
    loan = client.post(
        "/api/v1/finance/loans",
        json={
            "bank_org_id": world.orgs["shanghai_bank"],
            "amount": {"amount": "100000", "currency": "CNY"},
            "term_months": 12,
            "annual_rate": "0.04",
            "asset_ids": [asset_id],
        },
        headers=owner,
    ).json()
    submitted = client.post(
        f"/api/v1/finance/loans/{loan['id']}/submit", json={"occurred_on": DAY}, headers=owner
    )
    assert submitted.status_code == 200, submitted.text
    moved = client.post(
        f"/api/v1/assets/{asset_id}/transfer",
        json={
            "version": _version(client, asset_id, owner),
            "occurred_on": DAY,
            "new_owners": [{"org_id": world.orgs["suzhou_ent2"]}],
        },
        headers=owner,
    )
    assert (moved.status_code, moved.json()["code"]) == (409, "asset_encumbered")


def test_a_bad_bearer_token_is_refused_with_401(client: TestClient, world: World) -> None:
    for path in ("/api/v1/assets", "/api/v1/me", "/api/v1/reports/datasets?alliance=yrd-test"):
        response = client.get(path, headers={"Authorization": "Bearer nope"})
        assert response.status_code == 401, path
        assert response.json()["code"] == "unauthenticated"
    assert client.get("/api/v1/assets").status_code == 200  # no credential at all is the public visitor


@pytest.mark.parametrize("who", ["visitor", "banker", "appraiser"])
@pytest.mark.parametrize("path", ["/assets/new", "/finance/loans/new"])
def test_read_only_roles_get_no_write_forms(client: TestClient, world: World, who: str, path: str) -> None:
    login = client.post("/login", data={"username": who, "password": PASSWORD}, follow_redirects=False)
    assert login.status_code == 303
    page = client.get(path, headers=HTML)
    assert page.status_code == 403, (who, path)
    assert "<form" not in page.text.split("<main>", 1)[-1].split("</main>", 1)[0]
    posted = client.post(path, data={"ip_type": "invention", "title": "x"}, headers=HTML)
    assert posted.status_code == 403, (who, path)
    body = posted.text.split("<main>", 1)[-1]
    assert "无权" in body and "Not allowed" not in body


# ------------------------------------------------------------------------------------------------------------
# Boundaries


def test_a_missing_domain_module_fails_at_start_up() -> None:
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'ipops.valuation.api':\n"
        "            raise ModuleNotFoundError(name=name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "from ipops.web.app import create_app\n"
        "create_app()\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter on a fixed script
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode != 0, "the app started without the valuation routes"
    assert "ipops.valuation" in result.stderr and "api" in result.stderr.rsplit("Error", 1)[-1]
