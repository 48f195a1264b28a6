"""The accounts page and the own-account page: scoped lists, forms with readable errors, refusals."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.world import PASSWORD, World, bearer

HTML = {"accept": "text/html", "accept-language": "zh-CN"}


def test_org_admin_manages_its_own_accounts(client: TestClient, world: World) -> None:
    admin = {**bearer(client, "ent_admin"), **HTML}
    page = client.get("/alliance/users", headers=admin)
    assert page.status_code == 200
    assert 'data-username="ent_member"' in page.text and 'data-username="ent2_admin"' not in page.text
    assert '<option value="org_member"' in page.text and '<option value="region_admin"' not in page.text
    bad = client.post(
        "/alliance/users",
        data={"username": "new_staff", "display_name": "新员工", "password": "short", "role": "org_member"},
        headers=admin,
    )
    assert bad.status_code == 422 and "password" in bad.text
    made = client.post(
        "/alliance/users",
        data={
            "username": "new_staff",
            "display_name": "新员工",
            "password": "a-long-enough-password",
            "role": "org_member",
            "org_id": str(world.orgs["suzhou_ent"]),
        },
        headers=admin,
        follow_redirects=False,
    )
    assert made.status_code == 303
    listed = client.get("/alliance/users", headers=admin).text
    assert 'data-username="new_staff"' in listed
    member_id = world.users["ent_member"].user_id
    off = client.post(f"/alliance/users/{member_id}/active", data={"active": "0"}, headers=admin)
    assert off.status_code == 200 and "已停用" in off.text  # followed the redirect back to the list
    reset = client.post(
        f"/alliance/users/{member_id}/password", data={"new_password": "another-long-password"}, headers=admin
    )
    assert "密码已重置" in reset.text


def test_accounts_page_is_refused_to_non_administrators(client: TestClient, world: World) -> None:
    for who in ("banker", "ent_member", "suzhou_staff"):
        page = client.get("/alliance/users", headers={**bearer(client, who), **HTML})
        assert page.status_code == 403, who
    assert client.get("/alliance/users", headers=HTML, follow_redirects=False).status_code in (303, 401)


def test_own_password_change_from_the_account_page(client: TestClient, world: World) -> None:
    signed_in = client.post(
        "/login", data={"username": "suzhou_staff", "password": PASSWORD}, follow_redirects=False
    )
    assert signed_in.status_code == 303
    page = client.get("/account", headers=HTML)
    assert page.status_code == 200 and "修改密码" in page.text and "suzhou_staff" in page.text
    wrong = client.post(
        "/account/password",
        data={"current_password": "nope", "new_password": "a-new-long-password"},
        headers=HTML,
    )
    assert wrong.status_code == 422 and "the current password is wrong" in wrong.text
    done = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": "a-new-long-password"},
        headers=HTML,
    )
    assert done.status_code == 200 and "您的密码已修改" in done.text
    assert client.get("/account", headers=HTML).status_code == 200  # this session survives the change
    old = client.post("/api/v1/auth/token", json={"username": "suzhou_staff", "password": PASSWORD})
    assert old.status_code == 401
