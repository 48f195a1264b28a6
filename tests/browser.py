"""Browser fixtures: the real app on a loopback port and Debian's headless Chromium driven by Playwright."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over its own SQLite file loaded with the sample alliance (as `make run` does)."""
    if not CHROMIUM.exists():
        if os.environ.get("IPOPS_REQUIRE_BROWSER"):
            pytest.fail("Debian chromium is required here (apt-get install chromium)")
        pytest.skip("Debian chromium is not installed")
    import uvicorn

    from ipops.core.config import Settings
    from ipops.sample import load_sample_data
    from ipops.web.app import create_app

    root = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{root / 'ipops.db'}"
    load_sample_data(database_url=url)
    app = create_app(settings=Settings(env="test", database_url=url, lake_dir=root / "lake"))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=_free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{server.config.port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser(live_server: str) -> Iterator[Any]:
    """Headless Debian Chromium (never a downloaded browser build)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
