"""Database fixtures: one migrated database per run, and a rolled-back connection per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from ipops.core.db import make_engine, make_session_factory
from ipops.core.migrate import upgrade_database
from ipops.core.uow import UnitOfWork


def database_url_for_tests(tmp_root: Path) -> str:
    """IPOPS_TEST_DATABASE_URL (PostgreSQL in CI), else a fresh SQLite file for this run."""
    return os.environ.get("IPOPS_TEST_DATABASE_URL") or f"sqlite:///{tmp_root / 'ipops-test.db'}"


@pytest.fixture(scope="session")
def db_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """An engine on a database migrated to head with Alembic (never create_all)."""
    url = database_url_for_tests(tmp_path_factory.mktemp("db"))
    upgrade_database(url=url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def db_connection(db_engine: Engine) -> Iterator[Connection]:
    """A connection inside an outer transaction that is rolled back after the test."""
    connection = db_engine.connect()
    outer = connection.begin()
    try:
        yield connection
    finally:
        outer.rollback()
        connection.close()


@pytest.fixture
def session_factory(db_connection: Connection) -> sessionmaker[Session]:
    """Sessions whose commits become savepoints of the test's outer transaction."""
    return make_session_factory(db_connection, join_transaction_mode="create_savepoint")


@pytest.fixture
def uow(session_factory: sessionmaker[Session]) -> UnitOfWork:
    """A unit of work on the test's connection."""
    return UnitOfWork(session_factory)


@pytest.fixture
def db_session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A plain session for arranging and inspecting data."""
    with session_factory() as session:
        yield session
