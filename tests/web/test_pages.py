"""Server-rendered pages: language negotiation, the dashboard, the registry pages and HTMX partials."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from fastapi.testclient import TestClient
from tests.world import PASSWORD, World

from ipops.web.i18n import negotiate, translations

HTML = {"accept": "text/html"}
REPO = Path(__file__).resolve().parents[2]


def _sign_in(client: TestClient, username: str) -> None:
    response = client.post(
        "/login", data={"username": username, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303


def test_locale_negotiation() -> None:
    assert negotiate(explicit=None, user_pref=None, accept_language=None, default="zh_CN") == "zh_CN"
    assert negotiate(explicit=None, user_pref=None, accept_language="en-US,en;q=0.9", default="zh_CN") == "en"
    assert (
        negotiate(explicit=None, user_pref=None, accept_language="fr;q=1,zh-CN;q=0.8", default="en")
        == "zh_CN"
    )
    assert negotiate(explicit="en", user_pref="zh_CN", accept_language="zh", default="zh_CN") == "en"
    assert negotiate(explicit=None, user_pref="en", accept_language="zh", default="zh_CN") == "en"


def test_catalogues_translate_every_message() -> None:
    method_map = [("src/ipops/web/**.py", "python"), ("src/ipops/**/templates/**.html", "jinja2")]
    messages = {
        message
        for _, _, message, _, _ in extract_from_dir(
            str(REPO), method_map=method_map, keywords={"_": None, "N_": None}
        )
        if isinstance(message, str)
    }
    assert len(messages) > 80
    zh = translations("zh_CN")
    untranslated = sorted(m for m in messages if zh.gettext(m) == m)
    assert untranslated == []


def test_login_page_in_both_languages(client: TestClient) -> None:
    assert "登录" in client.get("/login", headers=HTML).text
    english = client.get("/login", headers={**HTML, "accept-language": "en"}).text
    assert "Sign in" in english
    assert "登录" not in english.replace("中文", "")
    switched = client.get("/lang/en?next=/login", follow_redirects=False)
    assert switched.headers["location"] == "/login"
    assert "ipops_lang=en" in switched.headers["set-cookie"]
    assert "Username" in client.get("/login", headers=HTML).text


def test_user_language_preference_is_remembered(client: TestClient, world: World) -> None:
    _sign_in(client, "ent_admin")
    client.get("/lang/en", follow_redirects=False)
    client.cookies.delete("ipops_lang")
    assert "Dashboard" in client.get("/", headers=HTML).text


def test_dashboard_and_registry_pages(client: TestClient, world: World) -> None:
    _sign_in(client, "ent_admin")
    dashboard = client.get("/", headers=HTML)
    assert "工作台" in dashboard.text
    assert "登记新的知识产权" in dashboard.text
    form = client.get("/assets/new", headers=HTML)
    assert "苏州示例科技有限公司" in form.text
    created = client.post(
        "/assets/new",
        data={
            "ip_type": "utility_model",
            "title": "一种散热装置",
            "owner_org_id": str(world.orgs["suzhou_ent"]),
            "legal_status": "granted",
            "visibility": "private",
            "ipc_classes": "F28D 15/02",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    detail = client.get(created.headers["location"], headers=HTML)
    assert "一种散热装置" in detail.text
    assert "实用新型专利" in detail.text
    assert "F28D 15/02" in detail.text
    partial = client.get("/assets", params={"q": "散热"}, headers={**HTML, "hx-request": "true"})
    assert "一种散热装置" in partial.text
    assert "<html" not in partial.text
    full = client.get("/assets", headers=HTML)
    assert "<html" in full.text
    assert "一种散热装置" in full.text
    invalid = client.post(
        "/assets/new",
        data={
            "ip_type": "invention",
            "title": "x",
            "application_number": "201010567234.5",
            "owner_org_id": str(world.orgs["suzhou_ent"]),
        },
    )
    assert invalid.status_code == 422
    assert "编码校验失败" in invalid.text


def test_pages_require_sign_in_and_hide_others_records(client: TestClient, world: World) -> None:
    redirect = client.get("/assets/new", headers=HTML, follow_redirects=False)
    assert redirect.status_code == 303
    assert redirect.headers["location"].startswith("/login?next=")
    missing = client.get("/assets/999999", headers=HTML)
    assert missing.status_code == 404
    assert "not_found" in missing.text


def test_cross_site_form_posts_are_refused(client: TestClient, world: World) -> None:
    _sign_in(client, "ent_admin")
    forged = client.post(
        "/assets/new",
        data={"ip_type": "trademark", "title": "forged"},
        headers={"origin": "https://evil.example"},
    )
    assert (forged.status_code, forged.json()["code"]) == (403, "forbidden")
    same_site = client.post("/logout", headers={"origin": "http://testserver"}, follow_redirects=False)
    assert same_site.status_code == 303


def test_alliance_page_and_organisation_registration(client: TestClient, world: World) -> None:
    _sign_in(client, "alliance_admin")
    page = client.get("/alliance", headers=HTML)
    assert "苏州市" in page.text and "苏州示例科技有限公司" in page.text and "登记机构" in page.text
    bad = client.post(
        "/alliance/organisations",
        data={
            "name": "校验失败公司",
            "kind": "enterprise",
            "uscc": "91320500MA00000X0X",
            "region_code": "320500",
        },
    )
    assert bad.status_code == 422 and "编码校验失败" in bad.text
    from ipops.sample import fictional_uscc

    good = client.post(
        "/alliance/organisations",
        data={
            "name": "新登记示例公司",
            "kind": "law_firm",
            "uscc": fictional_uscc("320100", 77),
            "region_code": "320100",
        },
        follow_redirects=False,
    )
    assert good.status_code == 303
    assert "新登记示例公司" in client.get("/alliance", headers=HTML).text


def test_enterprise_sees_directory_but_cannot_register(client: TestClient, world: World) -> None:
    _sign_in(client, "ent_admin")
    page = client.get("/alliance", headers=HTML)
    assert page.status_code == 200 and "登记机构" not in page.text
    forged = client.post(
        "/alliance/organisations",
        data={
            "name": "越权公司",
            "kind": "enterprise",
            "uscc": "91320500MA00000X0X",
            "region_code": "320500",
        },
    )
    assert forged.status_code == 422  # the USCC fails first; with a valid one the policy refuses:
    from ipops.sample import fictional_uscc

    refused = client.post(
        "/alliance/organisations",
        data={
            "name": "越权公司",
            "kind": "enterprise",
            "uscc": fictional_uscc("320500", 88),
            "region_code": "320500",
        },
    )
    assert refused.status_code == 422 and "无权执行此操作" in refused.text


def test_openapi_docs_work_offline(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "/static/swagger/swagger-ui-bundle.js" in docs.text and "cdn" not in docs.text.lower()
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200
    spec = client.get("/api/openapi.json").json()
    for path in (
        "/api/v1/assets",
        "/api/v1/assets/{asset_id}/transfer",
        "/api/v1/auth/token",
        "/api/v1/audit",
    ):
        assert path in spec["paths"]


def test_detail_page_records_events_and_transfers(client: TestClient, world: World) -> None:
    _sign_in(client, "ent_admin")
    created = client.post(
        "/assets/new",
        data={
            "ip_type": "trademark",
            "title": "示例转让商标",
            "owner_org_id": str(world.orgs["suzhou_ent"]),
            "legal_status": "granted",
            "visibility": "alliance",
            "nice_classes": "9",
        },
        follow_redirects=False,
    )
    location = created.headers["location"]
    page = client.get(location, headers=HTML)
    # the owner may transfer; legal events are the office's to record, so the owner gets no event form
    assert 'id="transfer-form"' in page.text and 'id="event-form"' not in page.text
    refused = client.post(
        f"{location}/events", data={"kind": "renewed", "occurred_on": "2031-01-01"}, headers=HTML
    )
    assert refused.status_code == 403
    _sign_in(client, "suzhou_admin")
    office_page = client.get(location, headers=HTML).text
    assert 'id="event-form"' in office_page and 'id="transfer-form"' not in office_page
    event = client.post(
        f"{location}/events", data={"kind": "renewed", "occurred_on": "2031-01-01"}, follow_redirects=False
    )
    assert event.status_code == 303
    _sign_in(client, "ent_admin")
    stale = client.post(
        f"{location}/transfer",
        data={
            "version": "1",
            "new_owner_org_id": str(world.orgs["hangzhou_ent"]),
            "occurred_on": "2024-05-01",
        },
    )
    assert stale.status_code == 422 and "记录已被修改" in stale.text
    moved = client.post(
        f"{location}/transfer",
        data={
            "version": "2",
            "new_owner_org_id": str(world.orgs["hangzhou_ent"]),
            "occurred_on": "2024-05-01",
            "note": "整体转让",
        },
        follow_redirects=False,
    )
    assert moved.status_code == 303
    after = client.get(location, headers=HTML).text
    assert "杭州示例网络有限公司" in after and "整体转让" in after and "续展" in after
    assert 'id="transfer-form"' not in after  # the seller no longer owns it
