"""LakeStore: partitioned Parquet datasets, idempotent writes, runs, quarantine, views and stats."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from tests.lake.test_indicators_data import (
    CN,
    A,
    Batch,
    Quarantined,
    build_constructed_lake,
    constructed_batch,
    doc,
)

from ipops.lake.store import LakeStore, default_lake_dir


def _count(store: LakeStore, table: str) -> int:
    con = store.duckdb()
    try:
        row = con.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
        return int(row[0]) if row else 0
    finally:
        con.close()


def test_write_is_idempotent_across_batches_and_instances(tmp_path: Path) -> None:
    store = build_constructed_lake(tmp_path)
    before = store.stats().rows
    assert before["documents"] == 10
    assert before["classifications"] == 16
    assert before["citations"] == 11
    assert store.write(constructed_batch(), []) == 0  # same batch again: nothing new
    store.flush()
    again = LakeStore(tmp_path)  # a new process sees what is stored
    assert again.write(constructed_batch(), []) == 0
    again.flush()
    after = again.stats().rows
    assert {k: after[k] for k in ("documents", "classifications", "citations", "parties")} == {
        k: before[k] for k in ("documents", "classifications", "citations", "parties")
    }


def test_new_documents_are_added_with_their_rows_only(tmp_path: Path) -> None:
    store = build_constructed_lake(tmp_path)
    batch = Batch(
        documents=[
            doc(
                "US-1200001-B2",
                filing_year=2012,
                application_date=dt.date(2012, 1, 1),
                publication_date=dt.date(2014, 1, 1),
            ),
            doc(
                A,
                filing_year=2010,
                application_date=dt.date(2010, 1, 1),
                publication_date=dt.date(2012, 1, 1),
            ),
        ],
        classifications=[
            {"doc_id": "US-1200001-B2", "scheme": "IPC", "symbol": "G06N 3/08", "is_main": True},
            {"doc_id": A, "scheme": "IPC", "symbol": "G06N 20/00", "is_main": False},  # A is old: dropped
        ],
    )
    assert store.write(batch, []) == 1
    store.flush()
    assert _count(store, "documents") == 11
    assert _count(store, "classifications") == 17


def test_duplicate_in_one_batch_keeps_one_copy_and_its_rows_once(tmp_path: Path) -> None:
    store = LakeStore(tmp_path)
    row = doc(
        "EP-3000001-A1",
        filing_year=2015,
        application_date=dt.date(2015, 1, 1),
        publication_date=dt.date(2016, 7, 1),
    )
    ipc = {"doc_id": "EP-3000001-A1", "scheme": "IPC", "symbol": "F03D 1/06", "is_main": True}
    assert store.write(Batch(documents=[row, dict(row)], classifications=[ipc, dict(ipc)]), []) == 1
    store.flush()
    assert _count(store, "documents") == 1
    assert _count(store, "classifications") == 1


def test_partition_layout_and_full_columns_in_files(tmp_path: Path) -> None:
    store = build_constructed_lake(tmp_path)
    documents = store.files("documents")
    assert {p.parent.relative_to(tmp_path).as_posix() for p in documents} >= {
        "documents/office=US/filing_year=2010",
        "documents/office=CN/filing_year=2020",
        "documents/office=EP/filing_year=2007",
    }
    assert {p.parent.name for p in store.files("citations")} == {"doc_office=US"}
    # Files are self-contained (partition columns kept), so any engine can read them without hive discovery.
    assert "office" in pq.read_schema(documents[0]).names
    assert not list(tmp_path.rglob(".*.tmp"))


def test_quarantine_and_runs_are_recorded(tmp_path: Path) -> None:
    store = build_constructed_lake(tmp_path)
    store.write(Batch(), [Quarantined("x/ep.xml", 3, "undefined entity &", None)])
    run_id = store.record_run(
        {
            "files_seen": 2,
            "documents_in": 11,
            "documents_parsed": 10,
            "quarantined": 2,
            "recovered": 0,
            "duplicates_skipped": 0,
            "bytes_read": 1234,
            "seconds": 0.5,
        },
        paths=["x"],
    )
    con = store.duckdb()
    quarantined = con.execute(
        "SELECT source_file, part, reason FROM quarantine ORDER BY source_file"
    ).fetchall()
    runs = con.execute("SELECT run_id, files_seen, documents_written, paths FROM runs").fetchall()
    assert quarantined == [("bad.xml", 0, "not well-formed"), ("x/ep.xml", 3, "undefined entity &")]
    assert runs == [(run_id, 2, 10, ["x"])]


def test_values_are_coerced_to_the_schema(tmp_path: Path) -> None:
    store = LakeStore(tmp_path)
    row = doc(
        "CN-2020123456-U",
        filing_year=2020,
        application_date=dt.date(2020, 1, 2),
        publication_date=dt.date(2020, 9, 1),
    )
    row.update(
        application_date="20200102", publication_date="2020-09-01", filing_year="2020", claims_count="8"
    )
    assert store.write(Batch(documents=[row]), []) == 1
    store.flush()
    con = store.duckdb()
    assert con.execute("SELECT application_date, filing_year, claims_count FROM documents").fetchall() == [
        (dt.date(2020, 1, 2), 2020, 8)
    ]


def test_empty_lake_has_typed_views(tmp_path: Path) -> None:
    store = LakeStore(tmp_path / "empty")
    stats = store.stats()
    assert all(count == 0 for count in stats.rows.values())
    con = store.connect()
    assert con.table("documents").schema()["application_date"].is_date()
    assert con.table("ipc_technology").count().execute() == 764


def test_stats_and_ibis_connection(tmp_path: Path) -> None:
    store = build_constructed_lake(tmp_path)
    stats = store.stats()
    assert stats.documents_by_office == {"US": 7, "EP": 2, "CN": 1}
    assert stats.rows["quarantine"] == 1
    assert stats.files > 0
    assert stats.bytes_on_disk > 0
    con = store.connect()
    title = con.table("documents").filter(lambda t: t.doc_id == CN).title.execute().tolist()
    assert title == ["一种锂离子电池负极材料及其制备方法"]


def test_default_lake_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("IPOPS_LAKE_DIR", raising=False)
    assert default_lake_dir() == Path("var") / "lake"
    monkeypatch.setenv("IPOPS_LAKE_DIR", str(tmp_path))
    assert default_lake_dir() == tmp_path


@pytest.mark.skipif(importlib.util.find_spec("ipops.lake.ingest") is None, reason="ingest not available yet")
def test_real_uspto_bulk_file_ingests_idempotently(shared_data: Path, tmp_path: Path) -> None:
    from ipops.lake.ingest import ingest_paths

    source = shared_data / "patents" / "uspto_grant_bulk_ipg" / "ipg050104.small.xml"
    with LakeStore(tmp_path) as store:
        first = ingest_paths([source], sink=store)
    written = store.documents_written
    assert written > 0
    assert first.documents_parsed >= written
    with LakeStore(tmp_path) as again:
        ingest_paths([source], sink=again)
    assert again.documents_written == 0
    assert again.stats().rows["documents"] == written


def test_reingesting_quarantined_files_adds_no_rows(tmp_path: Path) -> None:
    from ipops.lake.ingest import ingest_paths

    source = tmp_path / "in"
    source.mkdir()
    (source / "broken.xml").write_bytes(b"<?xml version='1.0'?><us-patent-grant><unclosed>")
    (source / "notes.json").write_text("{}", encoding="utf-8")
    lake = tmp_path / "lake"
    for _ in range(3):  # the same files three times, through new stores (new processes)
        store = LakeStore(lake)
        report = ingest_paths([source], sink=store)
        store.record_run(report, paths=[str(source)])
        assert report.quarantined == 2  # each run still reports what it quarantined
    assert _count(LakeStore(lake), "quarantine") == 2
    assert _count(LakeStore(lake), "runs") == 3


def _legacy_lake(root: Path) -> None:
    """A lake as the store wrote it before manifests: priorities under office=<doc office>, no manifest."""
    import pyarrow as pa

    from ipops.lake.schema import TABLES

    rows = {
        "documents": [
            doc(
                "EP-1000001-B1",
                filing_year=2010,
                application_date=dt.date(2010, 3, 1),
                publication_date=None,
            )
        ],
        "priorities": [
            {"doc_id": "EP-1000001-B1", "office": "US", "number": "61/000001", "date": dt.date(2009, 3, 1)},
            {"doc_id": "EP-1000001-B1", "office": "JP", "number": "2009-1", "date": dt.date(2009, 4, 1)},
        ],
    }
    folders = {"documents": "documents/office=EP/filing_year=2010", "priorities": "priorities/office=EP"}
    for table, data in rows.items():
        folder = root / folders[table]
        folder.mkdir(parents=True)
        pq.write_table(pa.Table.from_pylist(data, schema=TABLES[table]), folder / "part-old-000001.parquet")


def _hive_priorities(root: Path) -> list[tuple[object, ...]]:
    import duckdb

    glob = str(root / "priorities" / "**" / "*.parquet")
    with duckdb.connect() as con:
        return con.execute(
            f"SELECT doc_office, office, number FROM read_parquet('{glob}', hive_partitioning = true)"  # noqa: S608
            " ORDER BY number"
        ).fetchall()


def test_priority_country_survives_plain_hive_reads_after_migrate(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from ipops.lake.cli import lake_app

    _legacy_lake(tmp_path)
    assert _count(LakeStore(tmp_path), "priorities") == 2  # an old lake reads as before
    result = CliRunner().invoke(lake_app, ["migrate", "--lake-dir", str(tmp_path)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "2 files named" in result.output and "1 moved" in result.output
    # the priority's own country, not the folder of the document's office
    assert _hive_priorities(tmp_path) == [("EP", "JP", "2009-1"), ("EP", "US", "61/000001")]
    assert not list((tmp_path / "priorities").glob("office=*"))
    assert _count(LakeStore(tmp_path), "documents") == 1
    again = CliRunner().invoke(lake_app, ["migrate", "--lake-dir", str(tmp_path)], terminal_width=200)
    assert "current layout" in again.output


def test_new_lakes_and_first_writes_use_doc_office(tmp_path: Path) -> None:
    _legacy_lake(tmp_path / "old")
    store = LakeStore(tmp_path / "old")  # the first write upgrades an old lake by itself
    batch = Batch(
        documents=[
            doc(
                "EP-1000002-B1",
                filing_year=2011,
                application_date=dt.date(2011, 1, 1),
                publication_date=None,
            )
        ],
        priorities=[{"doc_id": "EP-1000002-B1", "office": "CN", "number": "2010-7", "date": None}],
    )
    assert store.write(batch, []) == 1
    store.flush()
    assert sorted(row[1] for row in _hive_priorities(tmp_path / "old")) == ["CN", "JP", "US"]
    assert _count(store, "documents") == 2
    build_constructed_lake(tmp_path / "new")
    assert {p.parent.name for p in LakeStore(tmp_path / "new").files("priorities")} <= {
        "doc_office=US",
        "doc_office=EP",
        "doc_office=CN",
    }
