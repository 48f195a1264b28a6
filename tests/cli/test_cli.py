"""The command line: help in both languages, migrate, load the sample once, and create users."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from typer.testing import CliRunner

from ipops.alliance.models import User
from ipops.assets.models import Asset, AssetEncumbrance, AssetEvent
from ipops.cli import app
from ipops.core.config import get_settings
from ipops.finance.models import Loan
from ipops.valuation.models import ValuationReport

runner = CliRunner()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("IPOPS_DATABASE_URL", url)
    monkeypatch.setenv("IPOPS_LAKE_DIR", str(tmp_path / "lake"))
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_help_is_bilingual() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "db", "load-sample", "user"):
        assert command in result.output
    assert "知识产权运营服务平台" in result.output and "IP operations service platform" in result.output


def test_upgrade_load_sample_twice_and_create_user(database: str) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    first = runner.invoke(app, ["load-sample"])
    assert first.exit_code == 0, first.output
    assert "ipops-demo-2026" in first.output and "semi" in first.output
    # the summary adds up: every parsed record is written, an assignment record, or a duplicate
    assert "89 records parsed = 63 documents and marks written + 9 assignment records + 17 duplicates" in (
        " ".join(first.output.split())
    )
    second = runner.invoke(app, ["load-sample"])
    assert second.exit_code == 0 and "already loaded" in second.output
    assert "89 records parsed = 0 documents and marks written + 9 assignment records + 80 duplicates" in (
        " ".join(second.output.split())
    )
    engine = create_engine(database)
    with engine.connect() as connection:
        assert connection.execute(select(func.count(Asset.id))).scalar_one() == 14
        # the finance story: a signed valuation, an approved pledge loan on it, a licence event
        (status, p10) = connection.execute(select(ValuationReport.status, ValuationReport.p10)).one()
        (loan_status, amount) = connection.execute(select(Loan.status, Loan.amount)).one()
        assert (status, loan_status) == ("signed", "approved")
        assert 0 < amount <= p10 / 4
        pledged = (
            connection.execute(
                select(Asset.title)
                .join(AssetEncumbrance, AssetEncumbrance.asset_id == Asset.id)
                .where(AssetEncumbrance.kind == "pledge", AssetEncumbrance.status == "registered")
            )
            .scalars()
            .all()
        )
        assert pledged == ["一种三维存储器的字线制备方法"]  # approved, and its registration recorded
        events = connection.execute(select(AssetEvent.kind).where(AssetEvent.kind == "licensed")).all()
        assert len(events) == 1
    created = runner.invoke(
        app,
        [
            "user",
            "create",
            "auditor1",
            "--role",
            "centre_staff",
            "--region",
            "320500",
            "--password",
            "a-long-enough-password",
        ],
    )
    assert created.exit_code == 0, created.output
    with engine.connect() as connection:
        role = connection.execute(select(User.role).where(User.username == "auditor1")).scalar_one()
    assert role == "centre_staff"
    refused = runner.invoke(
        app,
        [
            "user",
            "create",
            "x-outside",
            "--role",
            "centre_staff",
            "--region",
            "440300",
            "--password",
            "a-long-enough-password",
        ],
    )
    assert refused.exit_code == 2 and "region_not_in_alliance" in refused.output
    engine.dispose()
