"""In the browser, with a real worker process: a job page follows the job to its result, and the owner's
inbox badge then counts the job-finished notification."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.browser import CHROMIUM, _free_port

pytestmark = pytest.mark.browser


@pytest.fixture
def server_with_worker(tmp_path: Path) -> Iterator[str]:
    """The app on its own SQLite sample database and SqliteHuey queue, and `ipops worker` on the same."""
    if not CHROMIUM.exists():
        if os.environ.get("IPOPS_REQUIRE_BROWSER"):
            pytest.fail("Debian chromium is required here (apt-get install chromium)")
        pytest.skip("Debian chromium is not installed")
    import uvicorn

    from ipops.core.config import Settings
    from ipops.core.jobs.queue import build_queue, set_queue
    from ipops.sample import load_sample_data
    from ipops.web.app import create_app

    url = f"sqlite:///{tmp_path / 'ipops.db'}"
    load_sample_data(database_url=url)
    settings = Settings(
        env="test", database_url=url, lake_dir=tmp_path / "lake", jobs_sqlite_path=tmp_path / "q.db"
    )
    previous = set_queue(build_queue(settings))
    env = {**os.environ, "IPOPS_DATABASE_URL": url, "IPOPS_JOBS_SQLITE_PATH": str(tmp_path / "q.db")}
    env.pop("IPOPS_REDIS_URL", None)
    worker = subprocess.Popen(
        [sys.executable, "-m", "ipops.cli", "worker", "--threads", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    app = create_app(settings=settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=_free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        worker.send_signal(signal.SIGINT)
        worker.wait(timeout=30)
        set_queue(previous)


def test_job_page_follows_the_job_and_the_inbox_hears_of_it(server_with_worker: str, browser: Any) -> None:
    page = browser.new_page(locale="zh-CN")
    try:
        page.goto(f"{server_with_worker}/login")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", "ipops-demo-2026")
        page.click("button[type=submit]")
        page.wait_for_url(f"{server_with_worker}/")
        answer = page.evaluate(
            "fetch('/api/v1/ledger/verifications', {method: 'POST'})"
            ".then(r => r.json().then(b => [r.status, b]))"
        )
        assert answer[0] == 202
        page.goto(f"{server_with_worker}{answer[1]['links']['page']}")
        assert "账本核对" in page.inner_text("h1")
        # HTMX polls the status block until the worker has finished the job
        page.wait_for_selector('#job-status[data-state="succeeded"]', timeout=60_000)
        result = page.inner_text("#job-status")
        assert "成功" in result and "发现的问题" in result and "0" in result
        page.goto(f"{server_with_worker}/")
        page.wait_for_selector('[data-testid="inbox-badge"][data-unread="1"]', timeout=30_000)
        page.click('[data-testid="inbox-link"]')
        assert "任务已完成：账本核对（成功）" in page.inner_text('[data-testid="inbox-list"]')
        if os.environ.get("IPOPS_SCREENSHOTS"):  # to look at the page: IPOPS_SCREENSHOTS=/some/folder
            page.screenshot(path=str(Path(os.environ["IPOPS_SCREENSHOTS"]) / "ipops-inbox.png"))
    finally:
        page.close()
