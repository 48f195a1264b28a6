"""Shared fixtures: the real-data folder, database sessions (tests/db_fixtures.py) and the test alliance."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from ipops.core.paths import shared_data_dir

if TYPE_CHECKING:
    from fastapi.testclient import TestClient
    from sqlalchemy.orm import Session, sessionmaker
    from tests.world import World

    from ipops.core.uow import UnitOfWork

pytest_plugins = ["tests.db_fixtures", "tests.browser", "tests.contention"]


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The ../shared/data folder of real office documents; tests that need it skip cleanly when absent."""
    root = shared_data_dir()
    if not root.is_dir():
        pytest.skip(f"shared real data not found at {root}")
    return root


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> Iterator[None]:
    """Real argon2, with test-sized cost parameters so that building users stays quick."""
    from pwdlib import PasswordHash
    from pwdlib.hashers.argon2 import Argon2Hasher

    from ipops.alliance import service

    original = service.password_hasher
    service.password_hasher = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8 * 1024, parallelism=1),))
    yield
    service.password_hasher = original


@pytest.fixture(scope="session", autouse=True)
def _jobs_run_inline() -> Iterator[None]:
    """Jobs and event deliveries run at commit (huey's immediate mode) unless a test starts its own worker."""
    from ipops.core.config import Settings
    from ipops.core.jobs.queue import build_queue, set_queue

    previous = set_queue(build_queue(Settings(jobs_immediate=True)))
    yield
    set_queue(previous)


@pytest.fixture
def world(uow: UnitOfWork) -> World:
    """The test alliance: regions, organisations and one user per role (see tests/world.py)."""
    from tests.world import build_world

    return build_world(uow)


@pytest.fixture
def client(session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    """An HTTP client on an app whose sessions join the test's rolled-back transaction."""
    from fastapi.testclient import TestClient

    from ipops.core.config import Settings
    from ipops.web.app import create_app

    app = create_app(settings=Settings(env="test"), session_factory=session_factory)
    with TestClient(app, base_url="http://testserver") as test_client:
        yield test_client
