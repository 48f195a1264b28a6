"""Run Alembic migrations from code (the app, the CLI and the tests all migrate this way)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

from ipops.core.paths import REPO_DIR


def alembic_config(*, url: str | None = None, connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the project's migrations."""
    ini = REPO_DIR / "alembic.ini"
    config = Config(str(ini)) if ini.exists() else Config()
    config.set_main_option("script_location", str(REPO_DIR / "migrations"))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade_database(
    *, url: str | None = None, connection: Connection | None = None, revision: str = "heads"
) -> None:
    """Upgrade to the newest revision of every domain branch."""
    command.upgrade(alembic_config(url=url, connection=connection), revision)
