"""The bundled, openly licensed lake samples: they ingest on any machine, balance, and carry real values."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ipops.lake.indicators import document_indicators
from ipops.lake.ingest import IngestReport
from ipops.lake.samples import LAKE_SAMPLES_DIR, ingest_bundled_samples, sample_folders
from ipops.lake.store import LakeStore


@pytest.fixture(scope="module")
def sample_lake(tmp_path_factory: pytest.TempPathFactory) -> tuple[LakeStore, IngestReport]:
    store = LakeStore(tmp_path_factory.mktemp("lake"))
    return store, ingest_bundled_samples(store)


def test_every_bundled_folder_is_documented() -> None:
    readme = (LAKE_SAMPLES_DIR / "README.md").read_text(encoding="utf-8")
    folders = [folder.name for folder in sample_folders()]
    assert folders == [
        "epo_eps",
        "epo_ops",
        "uspto_assignments",
        "uspto_go-uspto",
        "uspto_patentpublicdata",
        "uspto_tsdr",
    ]
    for name in folders:
        assert f"`{name}/`" in readme
    assert (
        (LAKE_SAMPLES_DIR / "LICENSE-Apache-2.0.txt")
        .read_text(encoding="utf-8")
        .lstrip()
        .startswith("Apache License")
    )


def test_samples_balance_and_deduplicate(sample_lake: tuple[LakeStore, IngestReport]) -> None:
    store, report = sample_lake
    assert (report.files_seen, report.documents_in, report.documents_parsed) == (74, 92, 89)
    assert report.documents_in == report.documents_parsed + report.quarantined
    assert (report.quarantined, report.recovered) == (3, 2)
    assert report.quarantined_formats == {"greenbook": 3}
    assert report.documents_written == 63
    rows = store.stats().rows
    assert (rows["documents"], rows["trademarks"], rows["assignments"], rows["quarantine"]) == (61, 2, 9, 3)
    again = ingest_bundled_samples(store)
    assert again.documents_written == 0
    assert store.stats().rows["documents"] == 61
    con = store.duckdb()
    assert con.execute("SELECT count(*) FROM runs").fetchone() == (2,)
    con.close()


def test_chinese_document_from_ops(sample_lake: tuple[LakeStore, IngestReport]) -> None:
    store, _ = sample_lake
    con = store.duckdb()
    doc = con.execute(
        "SELECT title, application_number, application_date, is_pct, pct_application_number, family_id"
        " FROM documents WHERE doc_id = 'CN-104968889-A'"
    ).fetchone()
    assert doc == (
        "Attitude reference for tieback/overlap processing",
        "201380062258",
        dt.date(2013, 10, 11),
        True,
        "PCT/US2013/064552",
        "50474376",
    )
    main_ipc = con.execute(
        "SELECT symbol FROM classifications WHERE doc_id = 'CN-104968889-A' AND scheme = 'IPC' AND is_main"
    ).fetchall()
    assert main_ipc == [("E21B 47/0228",)]
    applicant = con.execute(
        "SELECT name FROM parties WHERE doc_id = 'CN-104968889-A' AND role = 'applicant' ORDER BY seq LIMIT 1"
    ).fetchone()
    assert applicant == ("SCIENT DRILLING INT",)
    con.close()


def test_indicators_for_a_bundled_grant(sample_lake: tuple[LakeStore, IngestReport]) -> None:
    store, _ = sample_lake
    con = store.duckdb()
    claims, cited = con.execute(
        "SELECT d.claims_count, (SELECT count(DISTINCT (c.cited_office, c.cited_number)) FROM citations c"
        " WHERE c.doc_id = d.doc_id AND NOT c.is_npl)"
        " FROM documents d WHERE doc_id = 'US-08926509-B2'"
    ).fetchone() or (None, None)
    con.close()
    found = document_indicators(store, doc_id="US-08926509-B2")
    assert found is not None
    assert found.claims == claims and claims is not None and claims > 0
    assert found.backward_citations == cited
    assert found.grant_lag_days is not None and found.grant_lag_days > 0


def test_bundle_holds_only_openly_licensed_sources() -> None:
    readme = (LAKE_SAMPLES_DIR / "README.md").read_text(encoding="utf-8")
    table_rows = [line for line in readme.splitlines() if line.startswith("| `")]
    assert len(table_rows) == len(sample_folders())
    assert all(row.rstrip(" |").endswith(("Apache-2.0", "public domain")) for row in table_rows)
    assert not any(Path(LAKE_SAMPLES_DIR).rglob("cn_*.xml"))  # CNIPA samples carry no licence
