"""A killed ingest never corrupts the lake: SIGKILL at every step of a write, then check and re-ingest."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ipops.core.paths import BUNDLED_DATA_DIR
from ipops.lake.ingest import ingest_paths
from ipops.lake.store import STORED_TABLES, LakeStore

EPO = BUNDLED_DATA_DIR / "lake_samples" / "epo_eps"

# The child ingests one folder and counts each step of the write (every Parquet or manifest write and
# every rename); at step N it kills itself with SIGKILL. A killed write first leaves a half-written file.
CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    import pyarrow.parquet as pq
    from ipops.lake.ingest import ingest_paths
    from ipops.lake.store import LakeStore

    lake, source, crash_at = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    steps = 0
    real_replace, real_write = os.replace, pq.write_table

    def step():
        global steps
        steps += 1
        return steps == crash_at

    def replace(*args, **kwargs):
        if step():
            os.kill(os.getpid(), signal.SIGKILL)
        return real_replace(*args, **kwargs)

    def write_table(table, where, *args, **kwargs):
        if step():
            real_write(table, where, *args, **kwargs)
            size = os.path.getsize(where)
            with open(where, "r+b") as handle:
                handle.truncate(size // 2)
            os.kill(os.getpid(), signal.SIGKILL)
        return real_write(table, where, *args, **kwargs)

    os.replace = replace
    pq.write_table = write_table
    store = LakeStore(lake)
    report = ingest_paths([source], sink=store)
    store.record_run(report, paths=[str(source)])
    print(steps)
    """
)


def _ingest(lake: Path, source: Path) -> None:
    store = LakeStore(lake)
    store.record_run(ingest_paths([source], sink=store), paths=[str(source)])


def _contents(lake: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every visible row of every table but runs, sorted (what a reader sees)."""
    con = LakeStore(lake).duckdb()
    try:
        return {
            table: sorted(con.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)  # noqa: S608
            for table in STORED_TABLES
            if table != "runs"
        }
    finally:
        con.close()


def _runs(lake: Path) -> int:
    con = LakeStore(lake).duckdb()
    try:
        row = con.execute("SELECT count(*) FROM runs").fetchone()
        return int(row[0]) if row else 0
    finally:
        con.close()


def _child(lake: Path, source: Path, crash_at: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", CHILD, str(lake), str(source), str(crash_at)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )


def _unnamed_files(lake: Path) -> list[Path]:
    store = LakeStore(lake)
    named = {p for paths in store.snapshot().tables.values() for p in paths}
    return [
        p
        for table in STORED_TABLES
        if (lake / table).is_dir()
        for p in (lake / table).rglob("*")
        if p.is_file() and p not in named
    ]


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_sigkill_at_every_step_leaves_the_old_or_the_new_lake(tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    for name in ("v1-1-B2.xml", "v1-2-B1.xml"):  # two grants, two filing years, every child table but events
        shutil.copy(EPO / "grant" / name, batch / name)
    (batch / "broken.xml").write_bytes(b"<?xml version='1.0'?><ep-patent-document><unclosed>")
    base = tmp_path / "base"
    _ingest(base, EPO / "application")
    before = _contents(base)
    reference = tmp_path / "reference"
    shutil.copytree(base, reference)
    counted = _child(reference, batch, 0)
    assert counted.returncode == 0, counted.stderr
    steps = int(counted.stdout.split()[-1])
    after = _contents(reference)
    assert len(after["documents"]) > len(before["documents"]) and after["quarantine"]
    assert steps > 10  # data files, their renames, the runs row and the manifest

    for crash_at in range(1, steps + 1):
        lake = tmp_path / f"crash-{crash_at}"
        shutil.copytree(base, lake)
        killed = _child(lake, batch, crash_at)
        assert killed.returncode == -signal.SIGKILL, (crash_at, killed.stderr)
        seen = _contents(lake)
        # all or nothing: a reader sees the lake before the batch or after it, never a part of it
        assert seen in (before, after), crash_at
        committed = seen == after
        assert _runs(lake) == 1 + committed, crash_at
        _ingest(lake, batch)  # the re-ingest repairs a half-written batch and removes what it left
        assert _contents(lake) == after, crash_at
        assert _unnamed_files(lake) == [], crash_at
        assert not list(lake.rglob("*.tmp")), crash_at
        shutil.rmtree(lake)


def test_failed_block_commits_nothing(tmp_path: Path) -> None:
    def failing_run() -> None:
        with LakeStore(tmp_path, flush_rows=1) as store:
            ingest_paths([EPO / "grant"], sink=store)  # spills files to disk as it goes
            assert list((tmp_path / "documents").rglob("*.parquet"))
            raise RuntimeError("the run fails before it commits")

    with pytest.raises(RuntimeError, match="fails before"):
        failing_run()
    assert _contents(tmp_path)["documents"] == []
    assert not list((tmp_path / "documents").rglob("*.parquet"))
