"""Headless Chromium on the sample finance story: the bank sees the approved pledge, the owner the block."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

PLEDGED = "一种三维存储器的字线制备方法"


def sign_in(browser: Any, live_server: str, username: str) -> Any:
    from playwright.sync_api import expect

    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("ipops-demo-2026")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("who")).to_be_visible()
    return page


def test_bank_sees_the_signed_p10_behind_an_approved_pledge(live_server: str, browser: Any) -> None:
    from playwright.sync_api import expect

    banker = sign_in(browser, live_server, "banker")
    banker.goto(f"{live_server}/finance")
    loans = banker.locator("#loans")
    expect(loans).to_contain_text("已审批")
    loans.locator("a").first.click()
    expect(banker.locator("main")).to_contain_text(PLEDGED)
    expect(banker.locator("main")).to_contain_text("LTV (P10)")
    expect(banker.locator("#pledge-registration")).to_contain_text("示例质押登记")  # the pledge is effective
    banker.context.close()

    owner = sign_in(browser, live_server, "semi")
    owner.goto(f"{live_server}/assets")
    owner.locator("input[name=q]").fill("字线")
    row = owner.locator("#results tr", has_text=PLEDGED)
    expect(row).to_contain_text("质押")
    row.get_by_role("link", name=PLEDGED).click()
    expect(owner.locator("main")).to_contain_text("该知识产权已质押：解除质押前不得转让或挂牌。")
    owner.context.close()
