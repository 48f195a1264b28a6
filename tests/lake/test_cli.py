"""`ipops lake` commands: ingest (with a stand-in ingest module), stats, query, indicators."""

from __future__ import annotations

import sys
import time
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.lake.test_indicators_data import A, Quarantined, build_constructed_lake, constructed_batch
from typer.testing import CliRunner

from ipops.lake.cli import lake_app

runner = CliRunner()


@dataclass
class FakeReport:
    """The IngestReport fields the CLI shows."""

    files_seen: int = 0
    documents_in: int = 0
    documents_parsed: int = 0
    quarantined: int = 0
    recovered: int = 0
    duplicates_skipped: int = 0
    bytes_read: int = 0
    seconds: float = 0.0


def _fake_ingest(
    paths: Sequence[Path], *, sink: object, on_progress: Callable[..., None] | None = None
) -> FakeReport:
    started = time.perf_counter()
    written = sink.write(constructed_batch(), [Quarantined(str(paths[0]), 1, "bad", None)])  # type: ignore[attr-defined]
    report = FakeReport(1, 11, 10, 1, 0, 10 - written, 100, 0.0)
    if on_progress is not None:
        on_progress(report)
    report.seconds = time.perf_counter() - started + 1e-3
    return report


@pytest.fixture
def fake_ingest(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("ipops.lake.ingest")
    module.ingest_paths = _fake_ingest  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ipops.lake.ingest", module)


def test_ingest_twice_is_idempotent(fake_ingest: None, tmp_path: Path) -> None:
    source = tmp_path / "in.xml"
    source.write_text("<x/>", encoding="utf-8")
    lake = tmp_path / "lake"
    first = runner.invoke(lake_app, ["ingest", str(source), "--lake-dir", str(lake)])
    assert first.exit_code == 0, first.output
    assert "ingest summary" in first.output
    assert "written" in first.output
    second = runner.invoke(lake_app, ["ingest", str(source), "--lake-dir", str(lake)])
    assert second.exit_code == 0, second.output
    stats = runner.invoke(lake_app, ["stats", "--lake-dir", str(lake)])
    assert stats.exit_code == 0
    assert "documents" in stats.output
    query = runner.invoke(
        lake_app,
        ["query", "SELECT count(*) AS n, sum(documents_written) AS w FROM runs", "--lake-dir", str(lake)],
    )
    assert "2" in query.output and "10" in query.output


def test_ingest_reports_internal_errors(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    module = types.ModuleType("ipops.lake.ingest")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    module.ingest_paths = broken  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ipops.lake.ingest", module)
    result = runner.invoke(lake_app, ["ingest", str(tmp_path), "--lake-dir", str(tmp_path / "lake")])
    assert result.exit_code == 1
    assert "disk on fire" in result.output


def test_query_and_indicators(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_constructed_lake(tmp_path)
    monkeypatch.setenv("IPOPS_LAKE_DIR", str(tmp_path))
    result = runner.invoke(
        lake_app, ["query", "SELECT office, count(*) AS n FROM documents GROUP BY 1 ORDER BY 1"]
    )
    assert result.exit_code == 0, result.output
    assert "CN" in result.output and "3 行 · rows" in result.output
    bad = runner.invoke(lake_app, ["query", "SELECT nope FROM documents"])
    assert bad.exit_code == 1
    assert "SQL" in bad.output
    shown = runner.invoke(lake_app, ["indicators", A], terminal_width=200)
    assert shown.exit_code == 0, shown.output
    assert "0.7222" in shown.output  # originality
    assert "半导体" in shown.output
    missing = runner.invoke(lake_app, ["indicators", "US-0-X"])
    assert missing.exit_code == 1
