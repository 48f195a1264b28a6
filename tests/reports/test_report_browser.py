"""Headless Chromium opens the sample alliance's report page and sees the server-rendered SVG charts."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from ipops.core.config import Settings
from ipops.web.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over its own SQLite file with the sample alliance and its statistics."""
    if not CHROMIUM.exists():
        if os.environ.get("IPOPS_REQUIRE_BROWSER"):
            pytest.fail("Debian chromium is required here (apt-get install chromium)")
        pytest.skip("Debian chromium is not installed")
    from ipops.core.authz import SYSTEM
    from ipops.core.db import make_engine, make_session_factory
    from ipops.core.uow import UnitOfWork
    from ipops.reports import service
    from ipops.sample import load_sample_data

    url = f"sqlite:///{tmp_path_factory.mktemp('report-browser') / 'ipops.db'}"
    load_sample_data(database_url=url)
    uow = UnitOfWork(make_session_factory(make_engine(url)))
    service.load_sample_statistics(
        uow=uow, actor=SYSTEM, alliance_id=service.alliance_id_for(uow=uow, code="yrd")
    )
    port = _free_port()
    app = create_app(settings=Settings(env="test", database_url=url))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_report_page_shows_rendered_charts(live_server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page(locale="en-US")
        page.goto(f"{live_server}/reports/innovation?alliance=yrd&year=2020&lang=en")
        expect(page.get_by_role("heading", name="Key indicators")).to_be_visible()
        charts = page.locator("svg.chart")
        expect(charts).to_have_count(5)
        box = page.locator('svg[data-chart="tiles"]').bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 100
        assert page.locator('svg[data-chart="tiles"] g.tile').count() >= 41  # the YRD's cities
        expect(page.locator("table.headline")).to_contain_text("O 2020-12-31")
        browser.close()
