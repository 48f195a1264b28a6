"""Account administration: who lists whom; deactivation and resets sign people out; own password."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.world import PASSWORD, World, bearer

NEW_PASSWORD = "a-brand-new-passphrase"  # noqa: S105 - test credential


def usernames(client: TestClient, who: str) -> list[str]:
    response = client.get("/api/v1/users", headers=bearer(client, who))
    assert response.status_code == 200, response.text
    return [u["username"] for u in response.json()]


def test_each_administrator_lists_only_the_accounts_it_administers(client: TestClient, world: World) -> None:
    assert usernames(client, "ent_admin") == ["ent_member"]
    assert usernames(client, "suzhou_admin") == ["suzhou_staff", "ent_admin", "ent_member", "ent2_admin"]
    jiangsu = usernames(client, "jiangsu_admin")
    assert "nanjing_staff" in jiangsu and "suzhou_admin" in jiangsu
    assert not {"hz_admin", "banker", "appraiser", "alliance_admin", "jiangsu_admin"} & set(jiangsu)
    everyone = usernames(client, "alliance_admin")
    assert "gba_admin" not in everyone and len(everyone) == 12  # every YRD account but the caller's own
    for refused in ("ent_member", "banker", "appraiser", "suzhou_staff", "visitor"):
        assert client.get("/api/v1/users", headers=bearer(client, refused)).status_code == 403
    assert client.get("/api/v1/users").status_code == 401


def test_deactivation_signs_out_and_blocks_sign_in(client: TestClient, world: World) -> None:
    member = bearer(client, "ent_member")
    member_id = world.users["ent_member"].user_id
    admin = bearer(client, "ent_admin")
    # another organisation's administrator cannot even see the account
    other = client.post(f"/api/v1/users/{member_id}/deactivate", headers=bearer(client, "ent2_admin"))
    assert other.status_code == 404
    done = client.post(f"/api/v1/users/{member_id}/deactivate", headers=admin)
    assert done.status_code == 200 and done.json()["is_active"] is False
    assert client.get("/api/v1/me", headers=member).status_code == 401  # the live token stopped working
    login = client.post("/api/v1/auth/token", json={"username": "ent_member", "password": PASSWORD})
    assert login.status_code == 401
    assert client.post(f"/api/v1/users/{member_id}/activate", headers=admin).json()["is_active"] is True
    assert client.get("/api/v1/me", headers=bearer(client, "ent_member")).status_code == 200
    own = world.users["ent_admin"].user_id
    assert client.post(f"/api/v1/users/{own}/deactivate", headers=admin).status_code == 403  # not oneself
    audit = client.get(
        "/api/v1/audit", params={"entity_type": "user"}, headers=bearer(client, "alliance_admin")
    ).json()
    actions = [row["action"] for row in audit]
    assert "user.deactivated" in actions and "user.activated" in actions


def test_password_reset_and_self_service_change(client: TestClient, world: World) -> None:
    staff_id = world.users["suzhou_staff"].user_id
    staff = bearer(client, "suzhou_staff")
    short = client.post(
        f"/api/v1/users/{staff_id}/password",
        json={"new_password": "short"},
        headers=bearer(client, "suzhou_admin"),
    )
    assert short.status_code == 422
    refused = client.post(
        f"/api/v1/users/{staff_id}/password",
        json={"new_password": NEW_PASSWORD},
        headers=bearer(client, "hz_admin"),
    )
    assert refused.status_code == 404
    reset = client.post(
        f"/api/v1/users/{staff_id}/password",
        json={"new_password": NEW_PASSWORD},
        headers=bearer(client, "suzhou_admin"),
    )
    assert reset.status_code == 204
    assert client.get("/api/v1/me", headers=staff).status_code == 401
    token = client.post("/api/v1/auth/token", json={"username": "suzhou_staff", "password": NEW_PASSWORD})
    assert token.status_code == 200
    mine = {"Authorization": f"Bearer {token.json()['access_token']}"}
    other_session = {
        "Authorization": "Bearer "
        + client.post(
            "/api/v1/auth/token", json={"username": "suzhou_staff", "password": NEW_PASSWORD}
        ).json()["access_token"]
    }
    wrong = client.post(
        "/api/v1/me/password", json={"current_password": "nope", "new_password": PASSWORD}, headers=mine
    )
    assert wrong.status_code == 422 and wrong.json()["code"] == "validation_error"
    changed = client.post(
        "/api/v1/me/password", json={"current_password": NEW_PASSWORD, "new_password": PASSWORD}, headers=mine
    )
    assert changed.status_code == 204
    assert client.get("/api/v1/me", headers=mine).status_code == 200  # the session that changed it stays
    assert client.get("/api/v1/me", headers=other_session).status_code == 401  # the others are signed out
