"""Headless Chromium opens the sample alliance's report (its default year) and the audit at 1366 px."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


def test_report_page_shows_real_figures_and_charts(live_server: str, browser: Any) -> None:
    from playwright.sync_api import expect

    page = browser.new_page(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page.goto(f"{live_server}/reports/innovation")  # no year: the report opens on the year with data
    expect(page.get_by_role("heading", name="主要指标")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("2016")
    jiangsu = page.locator('table.headline tr[data-indicator="invention_in_force"] td[data-region="320000"]')
    expect(jiangsu).to_contain_text("146,859")
    expect(jiangsu).to_contain_text("官")
    density = page.locator(
        'table.headline tr[data-indicator="invention_in_force_per_10k"] td[data-region="320000"]'
    )
    expect(density).to_contain_text("17.52")
    expect(page.locator("svg.chart")).to_have_count(5)
    assert page.locator('svg[data-chart="tiles"] g.tile').count() >= 41  # the YRD's cities
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    page.close()


def test_audit_page_is_chinese_and_does_not_scroll_sideways(live_server: str, browser: Any) -> None:
    page = browser.new_page(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page.goto(f"{live_server}/reports/audit")
    body = page.locator("main").inner_text()
    assert "仅在相对 2019 年末 时成立" in body or "只在相对 2019 年末 时成立" in body
    for english in ("implied", "holds only", "no independent", "as of", "population 2020"):
        assert english not in body, english
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    page.close()
