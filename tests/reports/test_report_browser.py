"""Headless Chromium opens the sample alliance's report page and sees the server-rendered SVG charts."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


def test_report_page_shows_rendered_charts(live_server: str, browser: Any) -> None:
    from playwright.sync_api import expect

    page = browser.new_page(locale="en-US")
    page.goto(f"{live_server}/reports/innovation?alliance=yrd&year=2020&lang=en")
    expect(page.get_by_role("heading", name="Key indicators")).to_be_visible()
    charts = page.locator("svg.chart")
    expect(charts).to_have_count(5)
    box = page.locator('svg[data-chart="tiles"]').bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 100
    assert page.locator('svg[data-chart="tiles"] g.tile').count() >= 41  # the YRD's cities
    expect(page.locator("table.headline")).to_contain_text("O 2020-12-31")
    page.close()
