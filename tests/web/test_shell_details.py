"""The shell's details: region names instead of codes, the region picker, favicon, API docs, error pages."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from tests.world import PASSWORD, World

from ipops.web.regions import picker_groups, region_label

HTML = {"accept": "text/html"}


def _sign_in(client: TestClient, username: str) -> None:
    response = client.post(
        "/login", data={"username": username, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303


@pytest.mark.parametrize(
    ("code", "locale", "label"),
    [
        ("320500", "zh_CN", "江苏省 苏州市"),
        ("320500", "en", "Suzhou, Jiangsu"),
        ("310000", "zh_CN", "上海市"),
        ("320505", "zh_CN", "江苏省 苏州市 虎丘区"),
        ("310101", "zh_CN", "上海市 黄浦区"),  # the 市辖区 grouping row is not a place
        ("310100", "zh_CN", "上海市"),  # ... and its name is the municipality's, said once
        ("999999", "zh_CN", "999999"),  # unknown codes are shown as given
        (None, "zh_CN", ""),
    ],
)
def test_region_labels(code: str | None, locale: str, label: str) -> None:
    assert region_label(code, locale=locale) == label


def test_picker_lists_provinces_with_cities_and_municipal_districts() -> None:
    groups = {group.label: dict(group.options) for group in picker_groups("zh_CN")}
    assert len(groups) == 34
    assert groups["江苏省"]["320000"] == "江苏省"
    assert groups["江苏省"]["320500"] == "苏州市"
    assert len(groups["江苏省"]) == 14  # the province and its 13 prefecture-level cities
    assert groups["上海市"]["310101"] == "黄浦区"
    assert "310100" not in groups["上海市"]  # 市辖区 is a grouping row


def test_pages_show_region_names_and_pick_regions(client: TestClient, world: World) -> None:
    _sign_in(client, "alliance_admin")
    users = client.get("/alliance/users", headers=HTML).text
    assert "江苏省 苏州市" in users
    assert '<option value="320500">苏州市</option>' in users  # the new-account form's picker
    alliance = client.get("/alliance", headers=HTML).text
    assert "浙江省 杭州市" in alliance
    assert '<select name="region_code" required>' in alliance


def test_asset_form_picker_keeps_the_current_choice(client: TestClient, world: World) -> None:
    _sign_in(client, "ent_admin")
    form = client.get("/assets/new", headers=HTML).text
    assert '<select name="region_code">' in form
    assert "请选择地区" in form


def test_favicon_and_bearer_auth_in_the_api_docs(client: TestClient) -> None:
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    schema = client.get("/api/openapi.json").json()
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "POST /api/v1/auth/token → access_token",
    }


def test_a_bad_address_gets_an_error_page_not_raw_json(client: TestClient, world: World) -> None:
    _sign_in(client, "ent_admin")
    page = client.get("/assets/abc", headers=HTML)
    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")
    assert "以下参数的值无效：asset_id" in page.text
    report = client.get("/reports/innovation?year=abc", headers=HTML)
    assert "报告年度应为 1985 到 2100 之间的整数" in report.text
    api = client.get("/api/v1/assets/abc")  # the API answer stays problem+json
    assert api.headers["content-type"].startswith("application/problem+json")
