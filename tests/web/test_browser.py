"""Headless Chromium (Debian's, via Playwright): sign in, record an asset, see it listed, switch language."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_sign_in_create_asset_list_and_switch_language(live_server: str, browser: object) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    page = browser.new_page(locale="zh-CN")
    page.goto(f"{live_server}/login")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    page.get_by_label("用户名").fill("semi")
    page.get_by_label("密码").fill("ipops-demo-2026")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("who")).to_contain_text("机构管理员")

    page.goto(f"{live_server}/assets/new")
    page.get_by_label("类型").select_option("invention")
    page.get_by_label("名称", exact=True).fill("一种浏览器测试用的存储单元结构")
    page.get_by_label("IPC").fill("H10B 12/00")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", name="一种浏览器测试用的存储单元结构")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("H10B 12/00")

    page.goto(f"{live_server}/assets")
    page.locator("input[name=q]").fill("浏览器测试")
    expect(page.locator("#results")).to_contain_text(
        "一种浏览器测试用的存储单元结构"
    )  # HTMX swapped the table
    expect(page.get_by_test_id("result-count")).to_contain_text("1")

    page.locator("#lang-en").click()
    expect(page.get_by_role("heading", name="IP registry")).to_be_visible()
    expect(page.get_by_test_id("who")).to_contain_text("Organisation administrator")
    page.locator("#lang-zh").click()
    expect(page.get_by_role("heading", name="知识产权登记簿")).to_be_visible()
    page.close()


def test_anonymous_visitor_sees_public_records_only(live_server: str, browser: object) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    page = browser.new_page(locale="en-US")
    page.goto(f"{live_server}/assets?ip_type=trade_secret")
    expect(page.locator("#results")).to_contain_text("No records match")
    page.goto(f"{live_server}/assets")
    expect(page.locator("#results")).to_contain_text("Yangcheng Lake hairy crab")
    page.close()


def test_openapi_docs_render_without_internet(live_server: str, browser: object) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    page = browser.new_page()
    page.goto(f"{live_server}/docs")
    expect(page.locator(".swagger-ui .title")).to_contain_text("ipops")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    page.close()
