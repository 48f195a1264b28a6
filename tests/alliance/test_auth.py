"""Sign-in: argon2 passwords, bearer tokens, session cookies, rate limiting, logout and tenancy rules."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.world import PASSWORD, World, bearer

from ipops.alliance.models import AuthToken, User
from ipops.alliance.schemas import OrganisationCreate, UserCreate
from ipops.alliance.service import create_organisation, create_user
from ipops.core.authz import Role
from ipops.core.errors import DomainError, ErrorCode
from ipops.core.uow import UnitOfWork


def test_passwords_are_argon2_and_tokens_hashed(
    client: TestClient, world: World, db_session: Session
) -> None:
    user = db_session.scalars(select(User).where(User.username == "ent_admin")).one()
    assert user.password_hash.startswith("$argon2id$")
    headers = bearer(client, "ent_admin")
    token = headers["Authorization"].split()[1]
    stored = db_session.scalars(select(AuthToken.token_hash)).all()
    assert token not in stored
    assert all(len(h) == 64 for h in stored)
    me = client.get("/api/v1/me", headers=headers).json()
    assert me == {
        "user_id": user.id,
        "username": "ent_admin",
        "role": "org_admin",
        "alliance_id": world.alliance_id,
        "region_code": "320500",
        "org_id": world.orgs["suzhou_ent"],
    }


def test_wrong_password_and_unknown_user(client: TestClient, world: World) -> None:
    wrong = client.post("/api/v1/auth/token", json={"username": "ent_admin", "password": "nope-nope-nope"})
    assert (wrong.status_code, wrong.json()["code"]) == (401, "invalid_credentials")
    unknown = client.post("/api/v1/auth/token", json={"username": "ghost", "password": PASSWORD})
    assert unknown.json()["code"] == "invalid_credentials"
    assert client.get("/api/v1/me").json()["code"] == "unauthenticated"
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer forged"}).status_code == 401


def test_rate_limit_after_repeated_failures(client: TestClient, world: World) -> None:
    for _ in range(5):
        response = client.post("/api/v1/auth/token", json={"username": "banker", "password": "bad-password"})
        assert response.status_code == 401
    limited = client.post("/api/v1/auth/token", json={"username": "banker", "password": PASSWORD})
    assert (limited.status_code, limited.json()["code"]) == (429, "rate_limited")
    assert int(limited.headers["retry-after"]) > 0


def test_logout_revokes_token(client: TestClient, world: World) -> None:
    headers = bearer(client, "appraiser")
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_session_cookie_login_and_safe_redirect(client: TestClient, world: World) -> None:
    response = client.post(
        "/login",
        data={"username": "suzhou_admin", "password": PASSWORD, "next": "https://evil.example/"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"  # never an open redirect
    cookie = response.headers["set-cookie"]
    assert "ipops_session=" in cookie
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    page = client.get("/", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "suzhou_admin" in page.text
    failed = client.post("/login", data={"username": "suzhou_admin", "password": "wrong-password"})
    assert failed.status_code == 401
    assert "用户名或密码错误" in failed.text


def test_tenancy_rules_for_users_and_organisations(uow: UnitOfWork, world: World) -> None:
    ent_admin = world.users["ent_admin"]
    member = create_user(
        uow=uow,
        actor=ent_admin,
        data=UserCreate(
            username="new_member",
            display_name="n",
            password=PASSWORD,
            role=Role.ORG_MEMBER,
            org_id=world.orgs["suzhou_ent"],
        ),
    )
    assert member.region_code == "320500"
    assert member.alliance_id == world.alliance_id
    refusals = [
        (
            ent_admin,
            UserCreate(
                username="refused1",
                display_name="x",
                password=PASSWORD,
                role=Role.REGION_ADMIN,
                region_code="320500",
            ),
        ),
        (
            ent_admin,
            UserCreate(
                username="refused2",
                display_name="x",
                password=PASSWORD,
                role=Role.ORG_MEMBER,
                org_id=world.orgs["hangzhou_ent"],
            ),
        ),
        (
            world.users["suzhou_admin"],
            UserCreate(
                username="refused3",
                display_name="x",
                password=PASSWORD,
                role=Role.CENTRE_STAFF,
                region_code="320100",
            ),
        ),
        (
            world.users["suzhou_admin"],
            UserCreate(username="refused4", display_name="x", password=PASSWORD, role=Role.ALLIANCE_ADMIN),
        ),
    ]
    for actor, data in refusals:
        with pytest.raises(DomainError) as refused:
            create_user(uow=uow, actor=actor, data=data)
        assert refused.value.code == ErrorCode.FORBIDDEN, data.username
    bad_uscc = OrganisationCreate(
        name="错误代码公司", kind="enterprise", uscc="91320500MA00000X0X", region_code="320500"
    )
    with pytest.raises(DomainError) as invalid:
        create_organisation(uow=uow, actor=world.users["alliance_admin"], data=bad_uscc)
    assert invalid.value.code == ErrorCode.INVALID_CODE


def test_audit_log_is_scoped_to_what_the_caller_administers(client: TestClient, world: World) -> None:
    asset = {"ip_type": "trademark", "title": "审计测试", "owners": [{"org_id": world.orgs["suzhou_ent"]}]}
    created = client.post("/api/v1/assets", json=asset, headers=bearer(client, "ent_admin")).json()
    query = {"entity_type": "asset", "entity_id": str(created["id"])}
    for allowed in ("alliance_admin", "suzhou_admin", "ent_admin"):
        rows = client.get("/api/v1/audit", params=query, headers=bearer(client, allowed)).json()
        assert [r["action"] for r in rows] == ["asset.created"], allowed
        assert rows[0]["actor_label"] == "ent_admin"
    for refused in ("nanjing_staff", "ent2_admin", "hz_admin", "banker", "gba_admin"):
        rows = client.get("/api/v1/audit", params=query, headers=bearer(client, refused)).json()
        assert rows == [], refused
