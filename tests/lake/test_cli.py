"""`ipops lake` commands on real files: ingest (twice), stats, query, indicators."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.lake.test_indicators_data import A, build_constructed_lake
from typer.testing import CliRunner

from ipops.lake.cli import lake_app
from ipops.lake.store import LakeStore

runner = CliRunner()


def test_ingest_real_files_twice_is_idempotent(shared_data: Path, tmp_path: Path) -> None:
    source = shared_data / "patents/epo_eps_ep-patent-document"
    lake = tmp_path / "lake"
    first = runner.invoke(lake_app, ["ingest", str(source), "--lake-dir", str(lake)], terminal_width=200)
    assert first.exit_code == 0, first.output
    assert "ingest summary" in first.output and "epo-ep-patent-document" in first.output
    second = runner.invoke(lake_app, ["ingest", str(source), "--lake-dir", str(lake)], terminal_width=200)
    assert second.exit_code == 0, second.output
    stats = runner.invoke(lake_app, ["stats", "--lake-dir", str(lake)], terminal_width=200)
    assert stats.exit_code == 0
    assert "EP" in stats.output
    con = LakeStore(lake).duckdb()
    runs = con.execute(
        "SELECT documents_in, documents_parsed + quarantined, documents_written"
        " FROM runs ORDER BY finished_at"
    ).fetchall()
    con.close()
    assert len(runs) == 2
    assert runs[0][0] == runs[0][1] and runs[0][2] > 0  # in == parsed + quarantined
    assert runs[1][2] == 0  # the re-run writes nothing new


def test_ingest_quarantines_without_failing(tmp_path: Path) -> None:
    (tmp_path / "broken.xml").write_bytes(b"<?xml version='1.0'?><us-patent-grant><unclosed>")
    (tmp_path / "notes.json").write_text("{}", encoding="utf-8")
    result = runner.invoke(
        lake_app, ["ingest", str(tmp_path), "--lake-dir", str(tmp_path / "lake")], terminal_width=200
    )
    assert result.exit_code == 0, result.output
    assert "quarantine reasons" in result.output
    reasons = runner.invoke(
        lake_app,
        ["query", "SELECT reason FROM quarantine ORDER BY reason", "--lake-dir", str(tmp_path / "lake")],
        terminal_width=300,
    )
    assert "unsupported format: json" in reasons.output
    assert "2 行 · rows" in reasons.output


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


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("COPY (SELECT * FROM documents) TO '{lake}/documents/evil.parquet'", "not COPY"),
        ("COPY documents FROM '{lake}/x.csv'", "not COPY"),
        ("ATTACH '{lake}/other.duckdb' AS other", "not ATTACH"),
        ("CREATE TABLE t AS SELECT 1", "not CREATE"),
        ("INSERT INTO documents (doc_id) VALUES ('X')", "not INSERT"),
        ("DELETE FROM documents", "not DELETE"),
        ("SET enable_external_access = true", "not SET"),
        ("INSTALL httpfs", "not"),
        ("SELECT 1; SELECT 2", "exactly one statement"),
        ("SELECT 1; COPY (SELECT 1) TO '{lake}/x.csv'", "exactly one statement"),
        ("SELEC nope", "does not parse"),
    ],
)
def test_query_refuses_all_but_one_read_statement(tmp_path: Path, sql: str, reason: str) -> None:
    build_constructed_lake(tmp_path)
    before = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    result = runner.invoke(
        lake_app, ["query", sql.format(lake=tmp_path), "--lake-dir", str(tmp_path)], terminal_width=300
    )
    assert result.exit_code == 2, result.output
    assert "refused" in result.output and reason in result.output
    assert sorted(p for p in tmp_path.rglob("*") if p.is_file()) == before  # nothing written


def test_query_reads_only_inside_the_lake(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    build_constructed_lake(lake)
    secret = tmp_path / "secret.csv"
    secret.write_text("password\nhunter2\n", encoding="utf-8")
    outside = runner.invoke(
        lake_app,
        ["query", f"SELECT * FROM read_csv('{secret}')", "--lake-dir", str(lake)],  # noqa: S608
        terminal_width=300,
    )
    assert outside.exit_code == 1 and "hunter2" not in outside.output
    assert "Permission" in outside.output
    inside = runner.invoke(
        lake_app,
        ["query", "SELECT count(*) AS n FROM documents", "--lake-dir", str(lake)],
        terminal_width=300,
    )
    assert inside.exit_code == 0 and "10" in inside.output
