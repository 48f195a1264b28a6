"""The openly licensed office documents bundled with ipops, ingested by `ipops load-sample`."""

from __future__ import annotations

from pathlib import Path

from ipops.core.paths import BUNDLED_DATA_DIR
from ipops.lake.ingest import IngestReport, ingest_paths
from ipops.lake.store import LakeStore

LAKE_SAMPLES_DIR = BUNDLED_DATA_DIR / "lake_samples"


def sample_folders() -> list[Path]:
    """The bundled sample folders (one per source; the README and licence files are not data)."""
    return sorted(path for path in LAKE_SAMPLES_DIR.iterdir() if path.is_dir())


def ingest_bundled_samples(store: LakeStore) -> IngestReport:
    """Ingest every bundled sample into the store and record the run (idempotent: re-runs write nothing)."""
    folders = sample_folders()
    report = ingest_paths(folders, sink=store)
    store.record_run(report, paths=[str(folder) for folder in folders])
    return report
