"""Contention fixtures: a real PostgreSQL database of its own, committed for real, one connection per worker.

The rolled-back test connection cannot show what two transactions do to each other, so the tests marked
`postgres` get a separate database (the test database's name with `_contention`), migrated with Alembic,
emptied before each test, and a session factory on an engine with a pool large enough for every worker.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier
from typing import TypeVar

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from ipops.all_models import load_all_models
from ipops.core.db import json_dumps, make_session_factory
from ipops.core.migrate import upgrade_database

T = TypeVar("T")


@pytest.fixture(scope="session")
def contention_engine(db_engine: Engine) -> Iterator[Engine]:
    """An engine on `<test database>_contention`, created and migrated for this run, dropped after."""
    url = db_engine.url
    if url.get_backend_name() != "postgresql":
        pytest.skip("contention tests need PostgreSQL (set IPOPS_TEST_DATABASE_URL)")
    name = f"{url.database}_contention"
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    target = make_url(url).set(database=name)
    upgrade_database(url=target.render_as_string(hide_password=False))
    engine = create_engine(
        target, pool_size=25, max_overflow=5, pool_pre_ping=True, json_serializer=json_dumps
    )
    yield engine
    engine.dispose()
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


@pytest.fixture
def contention_factory(contention_engine: Engine) -> sessionmaker[Session]:
    """Sessions on the contention database, which is emptied first (every table, identities reset)."""
    tables = ", ".join(f'"{t.name}"' for t in load_all_models().metadata.sorted_tables)
    with contention_engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    return make_session_factory(contention_engine)


def race(workers: list[Callable[[], T]]) -> list[T | BaseException]:
    """Run every worker at the same instant on its own thread (and so its own connection)."""
    start = Barrier(len(workers))

    def run(worker: Callable[[], T]) -> T | BaseException:
        start.wait()
        try:
            return worker()
        except Exception as exc:  # noqa: BLE001 - a refusal is an outcome the test counts
            return exc

    with ThreadPoolExecutor(max_workers=len(workers)) as pool:
        return list(pool.map(run, workers))
