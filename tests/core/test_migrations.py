"""Alembic is the only way the schema is made: migrations match the models and run up and down."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from ipops.all_models import load_all_models
from ipops.core.migrate import alembic_config


def test_models_and_migrations_agree(db_engine: Engine) -> None:
    metadata = load_all_models().metadata
    with db_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_database_is_at_every_head(db_engine: Engine) -> None:
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    with db_engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    assert current == heads
    tables = set(inspect(db_engine).get_table_names())
    assert {
        "alliances",
        "regions",
        "organisations",
        "users",
        "assets",
        "asset_owners",
        "asset_events",
        "audit_log",
        "auth_tokens",
        "login_attempts",
    } <= tables
