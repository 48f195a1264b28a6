"""Joint ownership, consents, freezes, licences and record grants over HTTP (issue 10 parts 1 and 2)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from tests.world import World, bearer

DAY = "2026-01-15"


def _asset(client: TestClient, world: World, owners: list[dict[str, Any]], **extra: Any) -> int:
    body = {
        "ip_type": "invention",
        "title": "一种储能电池管理方法",
        "legal_status": "granted",
        "expiry_date": "2045-12-31",
        "owners": owners,
        **extra,
    }
    response = client.post("/api/v1/assets", json=body, headers=bearer(client, "ent_admin"))
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _joint(client: TestClient, world: World) -> int:
    asset_id = _asset(
        client,
        world,
        [
            {"org_id": world.orgs["suzhou_ent"], "share": "0.6"},
            {"org_id": world.orgs["hangzhou_ent"], "share": "0.4"},
        ],
    )
    accepted = client.post(f"/api/v1/assets/{asset_id}/ownership/accept", headers=bearer(client, "hz_admin"))
    assert accepted.status_code == 200, accepted.text
    return asset_id


def _transfer(client: TestClient, asset_id: int, who: str, to: int) -> Any:
    headers = bearer(client, who)
    version = client.get(f"/api/v1/assets/{asset_id}", headers=headers).json()["version"]
    return client.post(
        f"/api/v1/assets/{asset_id}/transfer",
        json={"version": version, "occurred_on": DAY, "new_owners": [{"org_id": to}]},
        headers=headers,
    )


def test_a_transfer_of_a_joint_asset_needs_each_co_owners_consent_to_it(
    client: TestClient, world: World
) -> None:
    asset_id = _joint(client, world)
    buyer, elsewhere = world.orgs["suzhou_ent2"], world.orgs["nanjing_uni"]
    minority = bearer(client, "hz_admin")
    assert _transfer(client, asset_id, "ent_admin", buyer).json()["code"] == "consent_required"
    other = client.post(
        f"/api/v1/assets/{asset_id}/consents",
        json={"action": "transfer", "counterparty_org_id": elsewhere, "terms": "转让价 100 万元"},
        headers=minority,
    )
    assert other.status_code == 201, other.text
    assert (
        _transfer(client, asset_id, "ent_admin", buyer).json()["code"] == "consent_required"
    )  # another buyer
    withdrawn = client.post(
        f"/api/v1/assets/{asset_id}/consents",
        json={"action": "transfer", "counterparty_org_id": buyer},
        headers=minority,
    ).json()
    client.delete(f"/api/v1/assets/{asset_id}/consents/{withdrawn['id']}", headers=minority)
    assert _transfer(client, asset_id, "ent_admin", buyer).json()["code"] == "consent_required"  # withdrawn
    given = client.post(
        f"/api/v1/assets/{asset_id}/consents",
        json={"action": "transfer", "counterparty_org_id": buyer},
        headers=minority,
    )
    assert given.status_code == 201
    moved = _transfer(client, asset_id, "ent_admin", buyer)
    assert moved.status_code == 200, moved.text
    assert [(o["org_id"], o["status"]) for o in moved.json()["owners"]] == [(buyer, "pending")]
    consents = client.get(f"/api/v1/assets/{asset_id}/consents", headers=bearer(client, "ent2_admin")).json()
    assert [c["used_for"] for c in consents if c["id"] == given.json()["id"]] == ["transfer"]  # used up


def test_a_co_owner_licenses_non_exclusively_alone_but_not_exclusively(
    client: TestClient, world: World
) -> None:
    asset_id = _joint(client, world)
    minority = bearer(client, "hz_admin")
    licence = {"licensee_name": "无锡示例电子", "reference": "NL-1", "starts_on": DAY}
    assert (
        client.post(f"/api/v1/assets/{asset_id}/licences", json=licence, headers=minority).status_code == 201
    )
    exclusive = {**licence, "reference": "EL-1", "exclusive": True, "field": "储能"}
    refused = client.post(f"/api/v1/assets/{asset_id}/licences", json=exclusive, headers=minority)
    assert (refused.status_code, refused.json()["code"]) == (409, "consent_required")


def test_an_exclusive_licence_blocks_overlapping_licences_only(client: TestClient, world: World) -> None:
    asset_id = _asset(client, world, [{"org_id": world.orgs["suzhou_ent"]}])
    owner = bearer(client, "ent_admin")
    base = {
        "licensee_name": "某车企",
        "starts_on": "2026-01-01",
        "ends_on": "2028-12-31",
        "territory": "中国",
    }
    granted = client.post(
        f"/api/v1/assets/{asset_id}/licences",
        json={**base, "reference": "EX-1", "exclusive": True, "field": "新能源汽车"},
        headers=owner,
    )
    assert granted.status_code == 201 and granted.json()["encumbrances"][0]["kind"] == "exclusive_licence"
    overlap = client.post(
        f"/api/v1/assets/{asset_id}/licences",
        json={**base, "reference": "NX-1", "field": "新能源汽车"},
        headers=owner,
    )
    assert (overlap.status_code, overlap.json()["code"]) == (409, "asset_encumbered")
    other_field = client.post(
        f"/api/v1/assets/{asset_id}/licences",
        json={**base, "reference": "NX-2", "field": "储能电站"},
        headers=owner,
    )
    assert other_field.status_code == 201
    sold = _transfer(client, asset_id, "ent_admin", world.orgs["suzhou_ent2"])
    assert sold.status_code == 200  # the buyer takes it subject to the licence
    events = client.get(f"/api/v1/assets/{asset_id}/events", headers=bearer(client, "suzhou_admin"))
    assert events.json()[-1]["data"]["subject_to"] == ["exclusive_licence licence:EX-1"]


def test_a_judicial_freeze_blocks_every_act_until_lifted(client: TestClient, world: World) -> None:
    asset_id = _asset(client, world, [{"org_id": world.orgs["suzhou_ent"]}])
    order = {"court": "苏州市中级人民法院", "order_number": "(2026)苏05执保12号", "starts_on": DAY}
    by_owner = client.post(
        f"/api/v1/assets/{asset_id}/freezes", json=order, headers=bearer(client, "ent_admin")
    )
    assert by_owner.status_code == 403
    frozen = client.post(
        f"/api/v1/assets/{asset_id}/freezes", json=order, headers=bearer(client, "suzhou_admin")
    )
    assert frozen.status_code == 201, frozen.text
    freeze_id = frozen.json()["encumbrances"][0]["id"]
    assert (
        _transfer(client, asset_id, "ent_admin", world.orgs["suzhou_ent2"]).json()["code"]
        == "asset_encumbered"
    )
    licence = {"licensee_name": "某公司", "reference": "NL-9", "starts_on": DAY}
    blocked = client.post(
        f"/api/v1/assets/{asset_id}/licences", json=licence, headers=bearer(client, "ent_admin")
    )
    assert blocked.json()["code"] == "asset_encumbered"
    lifted = client.delete(
        f"/api/v1/assets/{asset_id}/freezes/{freeze_id}", headers=bearer(client, "suzhou_admin")
    )
    assert lifted.status_code == 200
    assert _transfer(client, asset_id, "ent_admin", world.orgs["suzhou_ent2"]).status_code == 200


def test_a_declined_share_goes_back_to_the_organisation_that_named_it(
    client: TestClient, world: World
) -> None:
    asset_id = _asset(
        client,
        world,
        [
            {"org_id": world.orgs["suzhou_ent"], "share": "0.7"},
            {"org_id": world.orgs["hangzhou_ent"], "share": "0.3"},
        ],
    )
    pending = _transfer(client, asset_id, "ent_admin", world.orgs["suzhou_ent2"])
    assert pending.json()["code"] == "ownership_pending"  # nothing moves while who owns it is unsettled
    declined = client.post(f"/api/v1/assets/{asset_id}/ownership/decline", headers=bearer(client, "hz_admin"))
    assert declined.status_code == 200
    assert [(o["org_id"], o["share"]) for o in declined.json()["owners"]] == [
        (world.orgs["suzhou_ent"], "1.000000")
    ]
    again = client.post(f"/api/v1/assets/{asset_id}/ownership/accept", headers=bearer(client, "hz_admin"))
    assert again.status_code == 404  # no longer named, no longer shown


def test_a_record_grant_opens_one_record_until_revoked(client: TestClient, world: World) -> None:
    asset_id = _asset(client, world, [{"org_id": world.orgs["suzhou_ent"]}])
    reader = bearer(client, "hz_admin")
    assert client.get(f"/api/v1/assets/{asset_id}", headers=reader).status_code == 404
    missing_reason = client.post(
        f"/api/v1/assets/{asset_id}/grants",
        json={"org_id": world.orgs["hangzhou_ent"]},
        headers=bearer(client, "ent_admin"),
    )
    assert missing_reason.status_code == 422
    grant = client.post(
        f"/api/v1/assets/{asset_id}/grants",
        json={"org_id": world.orgs["hangzhou_ent"], "reason": "尽职调查 due diligence", "valid_days": 30},
        headers=bearer(client, "ent_admin"),
    )
    assert grant.status_code == 201, grant.text
    assert client.get(f"/api/v1/assets/{asset_id}", headers=reader).status_code == 200
    patched = client.patch(f"/api/v1/assets/{asset_id}", json={"version": 1, "title": "改名"}, headers=reader)
    assert patched.status_code == 403  # a read grant reads
    listed = client.get(f"/api/v1/assets/{asset_id}/grants", headers=bearer(client, "ent_admin")).json()
    assert [(g["reason"], g["granted_by_label"]) for g in listed] == [("尽职调查 due diligence", "ent_admin")]
    revoked = client.delete(
        f"/api/v1/assets/{asset_id}/grants/{grant.json()['id']}", headers=bearer(client, "ent_admin")
    )
    assert revoked.status_code == 204
    assert client.get(f"/api/v1/assets/{asset_id}", headers=reader).status_code == 404
    secret = client.post(
        "/api/v1/assets",
        json={"ip_type": "trade_secret", "title": "配方", "owners": [{"org_id": world.orgs["suzhou_ent"]}]},
        headers=bearer(client, "ent_admin"),
    ).json()["id"]
    by_admin = client.post(
        f"/api/v1/assets/{secret}/grants",
        json={"org_id": world.orgs["hangzhou_ent"], "reason": "查看"},
        headers=bearer(client, "alliance_admin"),
    )
    assert by_admin.status_code == 404  # administrators do not even know a trade secret exists


def test_a_pledged_asset_moves_with_the_pledgees_consent(client: TestClient, world: World, uow: Any) -> None:
    from tests.finance.support import approved_loan

    _, asset_id = approved_loan(uow, world)
    buyer = world.orgs["suzhou_ent2"]
    assert _transfer(client, asset_id, "ent_admin", buyer).json()["code"] == "asset_encumbered"
    consent = client.post(
        f"/api/v1/assets/{asset_id}/consents",
        json={"action": "transfer", "counterparty_org_id": buyer},
        headers=bearer(client, "banker"),
    )
    assert consent.status_code == 201, consent.text
    assert consent.json()["capacity"] == "pledgee"
    assert _transfer(client, asset_id, "ent_admin", buyer).status_code == 200
