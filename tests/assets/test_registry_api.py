"""The registry API: create, list, update, transfer and events, with problem+json errors and audit rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.world import World, bearer

from ipops.assets.service import confirm_pledge, register_pledge, release_pledge, reserve_pledge
from ipops.core.audit import AuditEntry, audit_trail
from ipops.core.uow import UnitOfWork

# A well-formed CNIPA invention application number: weights 2..9,2..5 over the 12 digits, sum mod 11 = 6.
INVENTION_NUMBER = "201010567234.6"


def invention(world: World, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "ip_type": "invention",
        "title": "一种锂电池隔膜的制备方法",
        "title_en": "Preparation of a lithium battery separator",
        "application_number": INVENTION_NUMBER,
        "application_date": "2010-10-28",
        "legal_status": "granted",
        "grant_date": "2013-04-10",
        "ipc_classes": ["H01M2/16", "H01M 10/0525"],
        "visibility": "private",
        "owners": [{"org_id": world.orgs["suzhou_ent"]}],
    }
    body.update(overrides)
    return body


def test_create_read_and_audit(client: TestClient, world: World, db_session: Session) -> None:
    headers = bearer(client, "ent_admin")
    response = client.post("/api/v1/assets", json=invention(world), headers=headers)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["region_code"] == "320500"  # derived from the owner organisation
    assert created["ipc_classes"] == ["H01M 2/16", "H01M 10/0525"]  # normalised
    assert created["expiry_date"] == "2030-10-27"  # invention: 20 years from filing
    assert created["owners"][0]["name"] == "苏州示例科技有限公司"
    detail = client.get(f"/api/v1/assets/{created['id']}", headers=headers).json()
    assert [e["kind"] for e in detail["events"]] == ["filed"]
    trail = audit_trail(db_session, entity_type="asset", entity_id=created["id"])
    assert [t.action for t in trail] == ["asset.created"]
    assert trail[0].actor_label == "ent_admin"
    assert trail[0].at is not None
    assert trail[0].at.tzinfo is not None
    assert trail[0].summary["after"]["title"] == "一种锂电池隔膜的制备方法"


def test_list_filters_and_pagination(client: TestClient, world: World) -> None:
    headers = bearer(client, "ent_admin")
    client.post("/api/v1/assets", json=invention(world), headers=headers)
    for index in range(3):
        mark = {
            "ip_type": "trademark",
            "title": f"示例商标{index}",
            "registration_number": f"5000000{index}",
            "nice_classes": [9, 42] if index else [35],
            "visibility": "public",
            "legal_status": "granted",
            "owners": [{"org_id": world.orgs["suzhou_ent"]}],
        }
        assert client.post("/api/v1/assets", json=mark, headers=headers).status_code == 201
    assert client.get("/api/v1/assets", headers=headers).json()["total"] == 4
    marks = client.get("/api/v1/assets", params={"ip_type": "trademark"}, headers=headers).json()
    assert marks["total"] == 3
    assert client.get("/api/v1/assets", params={"nice_class": 9}, headers=headers).json()["total"] == 2
    assert client.get("/api/v1/assets", params={"nice_class": 4}, headers=headers).json()["total"] == 0
    assert client.get("/api/v1/assets", params={"ipc": "H01M"}, headers=headers).json()["total"] == 1
    assert client.get("/api/v1/assets", params={"q": "隔膜"}, headers=headers).json()["total"] == 1
    assert client.get("/api/v1/assets", params={"q": "separator"}, headers=headers).json()["total"] == 1
    page = client.get("/api/v1/assets", params={"size": 3, "page": 2}, headers=headers).json()
    assert (page["total"], len(page["items"]), page["page"]) == (4, 1, 2)
    anonymous = client.get("/api/v1/assets").json()
    assert anonymous["total"] == 3  # only the public trademarks


def test_validation_errors_are_problem_json(client: TestClient, world: World) -> None:
    headers = bearer(client, "ent_admin")
    bad_check_digit = client.post(
        "/api/v1/assets", json=invention(world, application_number="201010567234.5"), headers=headers
    )
    assert bad_check_digit.status_code == 422
    assert bad_check_digit.headers["content-type"] == "application/problem+json"
    assert bad_check_digit.json()["code"] == "invalid_code"
    wrong_type = client.post("/api/v1/assets", json=invention(world, ip_type="design"), headers=headers)
    assert wrong_type.json()["code"] == "invalid_code"
    shares = invention(world, owners=[{"org_id": world.orgs["suzhou_ent"], "share": "0.5"}])
    assert (
        client.post("/api/v1/assets", json=shares, headers=headers).json()["code"] == "owner_shares_invalid"
    )
    bad_ipc = client.post("/api/v1/assets", json=invention(world, ipc_classes=["Z99"]), headers=headers)
    assert bad_ipc.status_code == 422
    assert bad_ipc.json()["code"] == "validation_error"
    secret = {
        "ip_type": "trade_secret",
        "title": "配方",
        "abstract": "the recipe itself",
        "owners": [{"org_id": world.orgs["suzhou_ent"]}],
    }
    assert client.post("/api/v1/assets", json=secret, headers=headers).json()["code"] == "validation_error"
    outside = invention(world, owners=[{"name": "深圳某公司", "address": "广东省深圳市南山区"}])
    response = client.post("/api/v1/assets", json=outside, headers=bearer(client, "alliance_admin"))
    assert response.json()["code"] == "region_not_in_alliance"
    duplicate = client.post("/api/v1/assets", json=invention(world), headers=headers)
    assert duplicate.status_code == 201
    again = client.post("/api/v1/assets", json=invention(world), headers=headers)
    assert (again.status_code, again.json()["code"]) == (409, "duplicate")
    assert client.post("/api/v1/assets", json=invention(world)).json()["code"] == "unauthenticated"


def test_update_with_optimistic_concurrency(client: TestClient, world: World) -> None:
    headers = bearer(client, "ent_member")
    created = client.post("/api/v1/assets", json=invention(world), headers=headers).json()
    ok = client.patch(
        f"/api/v1/assets/{created['id']}", json={"version": 1, "title_en": "New title"}, headers=headers
    )
    assert ok.status_code == 200
    assert ok.json()["version"] == 2
    stale = client.patch(
        f"/api/v1/assets/{created['id']}", json={"version": 1, "title": "x"}, headers=headers
    )
    assert (stale.status_code, stale.json()["code"]) == (409, "conflict")


def test_transfer_is_atomic_and_blocked_while_pledged(
    client: TestClient, world: World, uow: UnitOfWork, db_session: Session
) -> None:
    headers = bearer(client, "ent_admin")
    created = client.post("/api/v1/assets", json=invention(world), headers=headers).json()
    asset_id = created["id"]
    member = client.post(
        f"/api/v1/assets/{asset_id}/transfer",
        headers=bearer(client, "ent_member"),
        json={
            "version": 1,
            "occurred_on": "2024-01-02",
            "new_owners": [{"org_id": world.orgs["hangzhou_ent"]}],
        },
    )
    assert (member.status_code, member.json()["code"]) == (403, "forbidden")  # members may not transfer

    with uow:  # a pledge of loan 1 (the finance domain takes these steps through the registry's service)
        reserve_pledge(
            uow.session,
            actor=world.users["ent_admin"],
            asset_ids=[asset_id],
            loan_id=1,
            bank_org_id=world.orgs["shanghai_bank"],
        )
        confirm_pledge(
            uow.session,
            actor=world.users["banker"],
            asset_ids=[asset_id],
            loan_id=1,
            borrower_org_id=world.orgs["suzhou_ent"],
        )
        register_pledge(
            uow.session,
            actor=world.users["banker"],
            asset_ids=[asset_id],
            loan_id=1,
            registration_number="Y2024000001",
            registered_on=dt.date(2024, 1, 1),
        )
        uow.commit()
    blocked = client.post(
        f"/api/v1/assets/{asset_id}/transfer",
        headers=headers,
        json={
            "version": 4,
            "occurred_on": "2024-01-02",
            "new_owners": [{"org_id": world.orgs["hangzhou_ent"]}],
        },
    )
    assert (blocked.status_code, blocked.json()["code"]) == (409, "asset_encumbered")

    with uow:
        release_pledge(
            uow.session,
            actor=world.users["banker"],
            asset_ids=[asset_id],
            loan_id=1,
            occurred_on=dt.date(2024, 6, 1),
            why="repaid",
        )
        uow.commit()
    moved = client.post(
        f"/api/v1/assets/{asset_id}/transfer",
        headers=headers,
        json={
            "version": 5,
            "occurred_on": "2024-07-01",
            "note": "sale",
            "new_owners": [
                {"org_id": world.orgs["hangzhou_ent"], "share": "0.7"},
                {"org_id": world.orgs["suzhou_ent"], "share": "0.3"},
            ],
        },
    )
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert [o["name"] for o in body["owners"]] == ["杭州示例网络有限公司", "苏州示例科技有限公司"]
    assert body["region_code"] == "330100"  # the region follows the new first owner
    events = client.get(f"/api/v1/assets/{asset_id}/events", headers=headers).json()
    assert [e["kind"] for e in events] == ["filed", "pledged", "pledge_released", "transferred"]
    actions = db_session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.entity_type == "asset", AuditEntry.entity_id == str(asset_id))
        .order_by(AuditEntry.id)
    ).all()
    assert actions == [
        "asset.created",
        "asset.pledge_reserved",
        "asset.pledge_approved",
        "asset.pledged",
        "asset.pledge_released",
        "asset.transferred",
    ]


def test_events_move_legal_status(client: TestClient, world: World) -> None:
    headers = bearer(client, "ent_admin")
    created = client.post("/api/v1/assets", json=invention(world), headers=headers).json()
    by_owner = client.post(
        f"/api/v1/assets/{created['id']}/events",
        headers=headers,
        json={"kind": "restored", "occurred_on": "2016-10-28"},
    )
    assert by_owner.status_code == 403  # an owner does not restate what the office records
    office = bearer(client, "suzhou_admin")
    lapsed = client.post(
        f"/api/v1/assets/{created['id']}/events",
        headers=office,
        json={"kind": "lapsed", "occurred_on": "2016-10-28", "note": "annuity not paid"},
    )
    assert lapsed.status_code == 201
    assert client.get(f"/api/v1/assets/{created['id']}", headers=headers).json()["legal_status"] == "lapsed"
    refused = client.post(
        f"/api/v1/assets/{created['id']}/events",
        headers=office,
        json={"kind": "transferred", "occurred_on": "2016-10-28"},
    )
    assert refused.status_code == 422
