"""The lake's storage: one Parquet dataset per table, hive-style partitioned, written idempotently.

A batch becomes visible all at once or not at all. Data files are written under their table's folder but
count only once a manifest in `_manifests/` names them; the manifest is renamed into place last, so it is
the commit (the run's `runs` row and the batch's derived artefacts are named in the same manifest). A
killed writer leaves files no manifest names: readers ignore them and the next writer removes them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fcntl
import json
import os
import re
import threading
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from ipops.lake.records import new_records
from ipops.lake.schema import TABLES

if TYPE_CHECKING:
    from ibis.backends.duckdb import Backend as DuckDBBackend

LAKE_DIR_ENV = "IPOPS_LAKE_DIR"
DEFAULT_LAKE_DIR = Path("var") / "lake"
CHILD_TABLES = ("parties", "classifications", "citations", "priorities", "legal_events")
CHILD_PARTITION_KEY = "doc_office"  # never a column name of a child table (priorities has its own office)
LAKE_FORMAT = 2  # 2: manifests commit batches; child tables partitioned by doc_office
FORMAT_FILE = "_lake.json"  # present once the lake has the current layout; absent in an older lake
MANIFEST_DIR = "_manifests"
DERIVED_DIR = "_derived"
LOCK_FILE = "_lake.lock"
QUARANTINE_KEY = ("source_file", "part", "reason")

RUNS = pa.schema(
    [
        ("run_id", pa.string()),
        ("finished_at", pa.timestamp("us", tz="UTC")),
        ("files_seen", pa.int64()),
        ("documents_in", pa.int64()),
        ("documents_parsed", pa.int64()),
        ("quarantined", pa.int64()),
        ("recovered", pa.int64()),
        ("duplicates_skipped", pa.int64()),
        ("documents_written", pa.int64()),
        ("bytes_read", pa.int64()),
        ("seconds", pa.float64()),
        ("paths", pa.list_(pa.string())),
    ]
)
STORED_TABLES: dict[str, pa.Schema] = {**TABLES, "runs": RUNS}

_DUCKDB_TYPES = {
    pa.string(): "VARCHAR",
    pa.date32(): "DATE",
    pa.int16(): "SMALLINT",
    pa.int32(): "INTEGER",
    pa.int64(): "BIGINT",
    pa.float64(): "DOUBLE",
    pa.bool_(): "BOOLEAN",
    pa.timestamp("us", tz="UTC"): "TIMESTAMPTZ",
}
_SAFE_VALUE = re.compile(r"[^0-9A-Za-z_]")


def default_lake_dir() -> Path:
    """$IPOPS_LAKE_DIR, else ./var/lake."""
    configured = os.environ.get(LAKE_DIR_ENV)
    return Path(configured) if configured else DEFAULT_LAKE_DIR


class BatchLike(Protocol):
    """What the store needs of a parsed batch (ipops.lake.records.ParsedBatch fits)."""

    @property
    def documents(self) -> list[dict[str, object]]: ...
    @property
    def parties(self) -> list[dict[str, object]]: ...
    @property
    def classifications(self) -> list[dict[str, object]]: ...
    @property
    def citations(self) -> list[dict[str, object]]: ...
    @property
    def priorities(self) -> list[dict[str, object]]: ...
    @property
    def legal_events(self) -> list[dict[str, object]]: ...
    @property
    def trademarks(self) -> list[dict[str, object]]: ...
    @property
    def assignments(self) -> list[dict[str, object]]: ...


class QuarantineLike(Protocol):
    """What the store needs of a quarantine entry (ipops.lake.records.QuarantineEntry fits)."""

    @property
    def source_file(self) -> str: ...
    @property
    def part(self) -> int: ...
    @property
    def reason(self) -> str: ...
    @property
    def detected_format(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class LakeStats:
    """Row counts per table and what the lake holds on disk."""

    root: Path
    rows: dict[str, int]
    documents_by_office: dict[str, int]
    documents_by_type: dict[str, int]
    files: int
    bytes_on_disk: int


@dataclass(slots=True)
class _Buffer:
    rows: dict[tuple[str, str], list[dict[str, object]]] = field(default_factory=dict)
    count: int = 0


def duckdb_type(data_type: pa.DataType) -> str:
    """The DuckDB SQL type of a lake column type."""
    if pa.types.is_list(data_type):
        return duckdb_type(data_type.value_type) + "[]"
    return _DUCKDB_TYPES[data_type]


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _partition_value(value: object) -> str:
    text = "" if value is None else str(value)
    return _SAFE_VALUE.sub("_", text) or "unknown"


def office_of(doc_id: str) -> str:
    """The office prefix of a doc_id ("US-07654321-B2" -> "US")."""
    return doc_id.split("-", 1)[0]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The committed state of the lake: every file a manifest names, per table and per derived artefact."""

    key: tuple[str, ...]  # the manifest names it was read from
    tables: dict[str, tuple[Path, ...]]
    artefacts: dict[str, tuple[Path, ...]]
    legacy: bool  # a lake written before manifests: every visible file counts


@dataclass(frozen=True, slots=True)
class StagedCommit:
    """A batch about to commit: its new Parquet files per table, and a fresh folder per derived artefact."""

    root: Path
    commit_id: str
    files: Mapping[str, tuple[Path, ...]]

    def artefact_dir(self, name: str) -> Path:
        """Where an artefact writes this batch's files (removed again if the commit never happens)."""
        folder = self.root / DERIVED_DIR / name / self.commit_id
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def table_sql(self, table: str) -> str:
        """A typed SELECT over this batch's new rows of one table (no rows when the batch has none)."""
        return _select_sql(table, self.files.get(table, ()))


class DerivedArtefact(Protocol):
    """Something derived from each batch (a search index, aggregates), committed with its manifest."""

    @property
    def name(self) -> str: ...

    def stage(self, *, staged: StagedCommit, store: LakeStore) -> Sequence[Path]:
        """Write the batch's artefact files or folders (under staged.artefact_dir(name)); return them."""
        ...


_REGISTERED_ARTEFACTS: list[DerivedArtefact] = []


def register_derived_artefact(artefact: DerivedArtefact) -> None:
    """Add an artefact that every LakeStore writes before each manifest (e.g. the lake's search index)."""
    if all(known.name != artefact.name for known in _REGISTERED_ARTEFACTS):
        _REGISTERED_ARTEFACTS.append(artefact)


def default_derived_artefacts() -> list[DerivedArtefact]:
    """The artefacts a store maintains unless told otherwise (the registered ones)."""
    return [*_REGISTERED_ARTEFACTS]


@dataclass(frozen=True, slots=True)
class MigrationReport:
    """What upgrading a lake written before manifests did."""

    files_adopted: int
    files_moved: int
    already_current: bool


class LakeStore:
    """Parquet datasets under root/<table>/...; the ingest BatchSink (write), deduplicated by doc_id.

    Writes are a transaction: `write` buffers and spills files, `record_run` (or `flush`) commits them with
    one manifest. Only one writer works on a lake at a time (a file lock held from the first write to the
    commit); readers never wait and see only committed files.
    """

    def __init__(
        self,
        root: Path,
        *,
        flush_rows: int = 50_000,
        derived: Sequence[DerivedArtefact] | None = None,
    ) -> None:
        self.root = Path(root)
        self.flush_rows = flush_rows
        self.derived = derived
        self._buffer = _Buffer()
        self._known_ids: set[str] | None = None
        self._known_reel_frames: set[str] | None = None
        self._known_quarantine: set[tuple[object, ...]] | None = None
        self._loaded_key: tuple[str, ...] | None = None
        self._lock = threading.RLock()
        self._lock_file: IO[str] | None = None
        self._pending: dict[str, list[Path]] = {}
        self._snapshot: Snapshot | None = None
        self._token = uuid.uuid4().hex[:12]
        self._sequence = 0
        self.documents_written = 0

    def __enter__(self) -> LakeStore:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is None:
            self.flush()
        else:  # a failed block commits nothing; its files are unnamed and removed
            self.abort()

    # -- layout -------------------------------------------------------------------------------------------

    def table_dir(self, table: str) -> Path:
        """The dataset folder of one table."""
        if table not in STORED_TABLES:
            raise KeyError(f"unknown lake table {table!r}")
        return self.root / table

    def files(self, table: str) -> list[Path]:
        """The committed Parquet files of one table (files of unfinished or killed runs are excluded)."""
        self.table_dir(table)
        return sorted(self.snapshot().tables.get(table, ()))

    def artefact_files(self, name: str) -> list[Path]:
        """The committed files or folders of one derived artefact, oldest commit first."""
        return list(self.snapshot().artefacts.get(name, ()))

    def _partition(self, table: str, row: Mapping[str, object]) -> str:
        """Hive-style sub-folder: documents by office and filing year, other per-document tables by office.

        Child tables use doc_office, never office: priorities has its own office column (the priority's
        country), and a hive reader would replace it with the folder's value.
        """
        if table == "documents":
            office, year = _partition_value(row.get("office")), _partition_value(row.get("filing_year"))
            return f"office={office}/filing_year={year}"
        if table in CHILD_TABLES:
            return f"{CHILD_PARTITION_KEY}={_partition_value(office_of(str(row.get('doc_id') or '')))}"
        if table == "trademarks":
            return f"office={_partition_value(row.get('office'))}"
        return ""

    # -- the committed state ------------------------------------------------------------------------------

    def _manifest_names(self) -> tuple[str, ...]:
        folder = self.root / MANIFEST_DIR
        if not folder.is_dir():
            return ()
        return tuple(sorted(p.name for p in folder.iterdir() if p.name.endswith(".json")))

    def snapshot(self) -> Snapshot:
        """Every committed file, read from the manifests (cached until a manifest is added)."""
        names = self._manifest_names()
        if not (self.root / FORMAT_FILE).is_file():
            return Snapshot(names, self._legacy_files(), {}, legacy=True)
        cached = self._snapshot
        if cached is not None and cached.key == names:
            return cached
        tables: dict[str, dict[Path, None]] = {}
        artefacts: dict[str, dict[Path, None]] = {}
        for name in names:
            manifest = json.loads((self.root / MANIFEST_DIR / name).read_text(encoding="utf-8"))
            for target, section in ((tables, "files"), (artefacts, "artefacts")):
                for key, paths in manifest.get(section, {}).items():
                    target.setdefault(key, {}).update(dict.fromkeys(self.root / p for p in paths))
        snapshot = Snapshot(
            names,
            {t: tuple(p) for t, p in tables.items()},
            {a: tuple(p) for a, p in artefacts.items()},
            legacy=False,
        )
        self._snapshot = snapshot
        return snapshot

    def _legacy_files(self) -> dict[str, tuple[Path, ...]]:
        found: dict[str, tuple[Path, ...]] = {}
        for table in STORED_TABLES:
            folder = self.root / table
            if folder.is_dir():
                found[table] = tuple(sorted(folder.rglob("*.parquet")))
        return found

    # -- dedup index --------------------------------------------------------------------------------------

    def _load_rows(self, table: str, columns: Sequence[str]) -> list[tuple[Any, ...]]:
        files = self.files(table)
        if not files:
            return []
        listing = ", ".join(_literal(str(p)) for p in files)
        names = ", ".join(_quote(c) for c in columns)
        with duckdb.connect() as con:
            return con.execute(f"SELECT DISTINCT {names} FROM read_parquet([{listing}])").fetchall()  # noqa: S608

    def _load_ids(self, table: str, column: str) -> set[str]:
        return {r[0] for r in self._load_rows(table, [column]) if r[0] is not None}

    def known_ids(self) -> set[str]:
        """Every stored (or buffered) document and trademark doc_id; loaded once from the datasets."""
        if self._known_ids is None:
            self._known_ids = self._load_ids("documents", "doc_id") | self._load_ids("trademarks", "doc_id")
        return self._known_ids

    def _known_assignments(self) -> set[str]:
        if self._known_reel_frames is None:
            self._known_reel_frames = self._load_ids("assignments", "reel_frame")
        return self._known_reel_frames

    def _known_quarantine_keys(self) -> set[tuple[object, ...]]:
        if self._known_quarantine is None:
            self._known_quarantine = set(self._load_rows("quarantine", QUARANTINE_KEY))
        return self._known_quarantine

    def _forget_caches(self) -> None:
        self._known_ids = self._known_reel_frames = self._known_quarantine = None
        self._loaded_key = None

    # -- transactions -------------------------------------------------------------------------------------

    def _begin_locked(self) -> None:
        """Take the writer's lock, upgrade an old lake, drop what killed runs left, refresh the index."""
        if self._lock_file is not None:
            return
        self.root.mkdir(parents=True, exist_ok=True)
        handle = (self.root / LOCK_FILE).open("a+", encoding="utf-8")
        fcntl.flock(handle, fcntl.LOCK_EX)  # another writer finishes its batch first
        self._lock_file = handle
        try:
            self._upgrade_locked()
            snapshot = self.snapshot()
            if self._loaded_key != snapshot.key:
                self._forget_caches()  # another writer committed since the index was loaded
                self._loaded_key = snapshot.key
            self._remove_unnamed_locked(snapshot)
        except BaseException:
            self._release_locked()
            raise

    def _release_locked(self) -> None:
        handle, self._lock_file = self._lock_file, None
        if handle is not None:
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()

    def _remove_unnamed_locked(self, snapshot: Snapshot) -> None:
        """Delete files no manifest names (left by killed or failed runs); no reader ever saw them."""
        named = {p for paths in snapshot.tables.values() for p in paths}
        named_artefacts = {p for paths in snapshot.artefacts.values() for p in paths}
        for table in STORED_TABLES:
            folder = self.root / table
            if folder.is_dir():
                for path in folder.rglob("*"):
                    if path.is_file() and path not in named:
                        path.unlink()
        derived = self.root / DERIVED_DIR
        if derived.is_dir():
            for path in sorted(derived.rglob("*"), reverse=True):
                if any(p in named_artefacts for p in (path, *path.parents)):
                    continue
                if path.is_file():
                    path.unlink()
                elif path.is_dir() and not any(path.iterdir()):
                    path.rmdir()
        manifests = self.root / MANIFEST_DIR
        if manifests.is_dir():
            for path in manifests.iterdir():
                if path.name.endswith(".tmp"):
                    path.unlink()

    def _upgrade_locked(self) -> MigrationReport:
        """Bring a lake written before manifests to the current layout: partitions, one manifest."""
        if (self.root / FORMAT_FILE).is_file():
            return MigrationReport(0, 0, already_current=True)
        legacy = self._legacy_files()
        adopted: dict[str, list[str]] = {}
        moved = 0
        for table, paths in legacy.items():
            for path in paths:
                target = self._current_location(table, path)
                if target != path:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(path, target)  # a crash here leaves a readable legacy lake (no marker yet)
                    moved += 1
                adopted.setdefault(table, []).append(target.relative_to(self.root).as_posix())
        if adopted:
            self._write_manifest({"commit_id": "adopted", "run_id": None, "files": adopted, "artefacts": {}})
        _write_json_atomically(self.root / FORMAT_FILE, {"format": LAKE_FORMAT})
        self._snapshot = None
        self._forget_caches()
        for table in CHILD_TABLES:  # empty office=... folders of the old layout
            for folder in sorted((self.root / table).glob("office=*")):
                if folder.is_dir() and not any(folder.iterdir()):
                    folder.rmdir()
        return MigrationReport(sum(len(v) for v in adopted.values()), moved, already_current=False)

    def _current_location(self, table: str, path: Path) -> Path:
        relative = path.relative_to(self.table_dir(table))
        if table in CHILD_TABLES and relative.parts[0].startswith("office="):
            key = f"{CHILD_PARTITION_KEY}={relative.parts[0].removeprefix('office=')}"
            return self.table_dir(table).joinpath(key, *relative.parts[1:])
        return path

    def migrate(self) -> MigrationReport:
        """Upgrade a lake written before manifests (done automatically by the first write as well)."""
        with self._lock:
            self.root.mkdir(parents=True, exist_ok=True)
            was_current = (self.root / FORMAT_FILE).is_file()
            held = self._lock_file is not None
            if not held:
                handle = (self.root / LOCK_FILE).open("a+", encoding="utf-8")
                fcntl.flock(handle, fcntl.LOCK_EX)
                self._lock_file = handle
            try:
                report = self._upgrade_locked()
                self._remove_unnamed_locked(self.snapshot())
            finally:
                if not held:
                    self._release_locked()
            return dataclasses.replace(report, already_current=was_current)

    def _write_manifest(self, content: dict[str, object]) -> Path:
        folder = self.root / MANIFEST_DIR
        folder.mkdir(parents=True, exist_ok=True)
        numbers = [int(name.split("-", 1)[0]) for name in self._manifest_names() if name[:1].isdigit()]
        sequence = max(numbers, default=0) + 1
        content = {"format": LAKE_FORMAT, "committed_at": dt.datetime.now(dt.UTC).isoformat(), **content}
        target = folder / f"{sequence:010d}-{content['commit_id']}.json"
        _write_json_atomically(target, content)
        return target

    # -- writing ------------------------------------------------------------------------------------------

    def write(self, batch: BatchLike, quarantine: Sequence[QuarantineLike]) -> int:
        """Append a parsed batch, skipping doc_ids already in the lake; returns how many documents are new."""
        with self._lock:
            self._begin_locked()
            known = self.known_ids()
            new_ids: set[str] = set()
            repeated_in_batch = False
            for table in ("documents", "trademarks"):
                rows = getattr(batch, table)
                # a document already in the lake keeps its stored copy (Parquet files are append-only)
                chosen = new_records(rows, known)
                repeated_in_batch = repeated_in_batch or len(chosen) < len(rows)
                for doc_id, row in chosen.items():
                    known.add(doc_id)
                    new_ids.add(doc_id)
                    self._add(table, row)
            for table in CHILD_TABLES:
                seen_rows: set[tuple[object, ...]] = set()
                for row in getattr(batch, table):
                    if row.get("doc_id") not in new_ids:
                        continue
                    if repeated_in_batch:  # two copies of one document in this batch: keep its rows once
                        key = tuple(sorted(row.items()))
                        if key in seen_rows:
                            continue
                        seen_rows.add(key)
                    self._add(table, row)
            reel_frames = self._known_assignments()
            for row in batch.assignments:
                reel_frame = row.get("reel_frame")
                if isinstance(reel_frame, str) and reel_frame and reel_frame not in reel_frames:
                    reel_frames.add(reel_frame)
                    self._add("assignments", row)
            quarantined = self._known_quarantine_keys()
            for entry in quarantine:
                row = {
                    "source_file": entry.source_file,
                    "part": entry.part,
                    "reason": entry.reason,
                    "detected_format": entry.detected_format,
                }
                key = tuple(row[c] for c in QUARANTINE_KEY)
                if key in quarantined:  # the same file quarantined again for the same reason: one row
                    continue
                quarantined.add(key)
                self._add("quarantine", row)
            self.documents_written += len(new_ids)
            if self._buffer.count >= self.flush_rows:
                self._flush_locked()
            return len(new_ids)

    def _add(self, table: str, row: dict[str, object]) -> None:
        self._buffer.rows.setdefault((table, self._partition(table, row)), []).append(row)
        self._buffer.count += 1

    def flush(self) -> None:
        """Write buffered rows and commit them (with derived artefacts) under one manifest."""
        with self._lock:
            if self._lock_file is None and not self._buffer.count:
                return
            self._commit_locked(None)

    def abort(self) -> None:
        """Drop buffered and uncommitted rows; their files are removed, nothing becomes visible."""
        with self._lock:
            self._buffer = _Buffer()
            for paths in self._pending.values():
                for path in paths:
                    path.unlink(missing_ok=True)
            self._pending = {}
            self._forget_caches()
            self._release_locked()

    def _flush_locked(self) -> None:
        """Spill buffered rows as Parquet files (one per table partition), not yet committed."""
        buffered, self._buffer = self._buffer.rows, _Buffer()
        for (table, partition), rows in sorted(buffered.items()):
            self._write_file(table, partition, _to_arrow(rows, STORED_TABLES[table]))

    def _write_file(self, table: str, partition: str, data: pa.Table) -> Path:
        folder = self.table_dir(table) / partition if partition else self.table_dir(table)
        folder.mkdir(parents=True, exist_ok=True)
        self._sequence += 1
        name = f"part-{self._token}-{self._sequence:06d}.parquet"
        temporary = folder / f".{name}.tmp"  # hidden until complete, so readers never see half a file
        pq.write_table(data, temporary, compression="zstd")
        target = folder / name
        os.replace(temporary, target)
        self._pending.setdefault(table, []).append(target)
        return target

    def _commit_locked(self, run_row: dict[str, object] | None) -> str:
        """Spill, stage derived artefacts, then rename the manifest into place: the one commit point."""
        self._begin_locked()
        try:
            self._flush_locked()
            if run_row is not None:
                self._write_file("runs", "", _to_arrow([run_row], RUNS))
            commit_id = uuid.uuid4().hex
            files = {table: tuple(paths) for table, paths in self._pending.items()}
            staged = StagedCommit(self.root, commit_id, files)
            artefacts: dict[str, list[str]] = {}
            derived = default_derived_artefacts() if self.derived is None else self.derived
            for artefact in derived:
                written = artefact.stage(staged=staged, store=self)
                if written:
                    artefacts[artefact.name] = [p.relative_to(self.root).as_posix() for p in written]
            if files or artefacts:
                self._write_manifest(
                    {
                        "commit_id": commit_id,
                        "run_id": run_row["run_id"] if run_row else None,
                        "files": {
                            t: [p.relative_to(self.root).as_posix() for p in ps] for t, ps in files.items()
                        },
                        "artefacts": artefacts,
                    }
                )
            self._pending = {}
            self._loaded_key = self.snapshot().key  # the dedup index already holds this batch
            return commit_id
        except BaseException:
            self.abort()
            raise
        finally:
            self._release_locked()

    def record_run(self, report: object, *, paths: Iterable[str] = ()) -> str:
        """Commit the run: its rows, its `runs` row (an IngestReport or mapping), artefacts: one manifest."""
        values: Mapping[str, Any]
        if isinstance(report, Mapping):
            values = report
        elif dataclasses.is_dataclass(report) and not isinstance(report, type):
            values = dataclasses.asdict(report)
        else:
            values = vars(report)
        run_id = uuid.uuid4().hex
        row: dict[str, object] = {
            "run_id": run_id,
            "finished_at": dt.datetime.now(dt.UTC),
            "documents_written": values.get("documents_written", self.documents_written),
            "paths": [str(p) for p in paths],
        }
        for name in RUNS.names:
            if name not in row and name in values:
                row[name] = values[name]
        with self._lock:
            self._commit_locked(row)
        return run_id

    # -- reading ------------------------------------------------------------------------------------------

    def view_sql(self, table: str) -> str:
        """A SELECT over one table's committed files with the schema's column types (empty when none)."""
        return _select_sql(table, self.files(table))

    def register_views(self, con: duckdb.DuckDBPyConnection) -> None:
        """Create one view per lake table, plus the bundled reference tables, on a DuckDB connection."""
        from ipops.lake.classify import load_wipo_concordance, nice_classes_table

        for table in STORED_TABLES:
            con.execute(f"CREATE OR REPLACE VIEW {_quote(table)} AS {self.view_sql(table)}")
        concordance = load_wipo_concordance()
        con.register("ipc_technology", concordance.to_arrow())
        con.register("technology_fields", concordance.fields_table())
        con.register("nice_classes", nice_classes_table())

    def duckdb(self) -> duckdb.DuckDBPyConnection:
        """A raw in-memory DuckDB connection with the lake's views."""
        con = duckdb.connect()
        self.register_views(con)
        return con

    def connect(self) -> DuckDBBackend:
        """An Ibis DuckDB backend with one view per lake table (documents, parties, ...)."""
        import ibis

        backend = ibis.duckdb.connect()
        self.register_views(backend.con)
        return backend

    def stats(self) -> LakeStats:
        """Row counts per table, documents by office and IP type, files and bytes on disk."""
        con = self.duckdb()
        try:
            rows: dict[str, int] = {}
            for table in STORED_TABLES:
                result = con.execute(f"SELECT count(*) FROM {_quote(table)}").fetchone()  # noqa: S608
                rows[table] = int(result[0]) if result else 0
            by_office = dict(
                con.execute(
                    "SELECT coalesce(office, '?'), count(*) FROM documents GROUP BY 1 ORDER BY 2 DESC, 1"
                ).fetchall()
            )
            by_type = dict(
                con.execute(
                    "SELECT coalesce(ip_type, '?'), count(*) FROM documents GROUP BY 1 ORDER BY 2 DESC, 1"
                ).fetchall()
            )
        finally:
            con.close()
        files = [p for table in STORED_TABLES for p in self.files(table)]
        return LakeStats(
            root=self.root,
            rows=rows,
            documents_by_office=by_office,
            documents_by_type=by_type,
            files=len(files),
            bytes_on_disk=sum(p.stat().st_size for p in files),
        )


def _select_sql(table: str, files: Sequence[Path]) -> str:
    """A SELECT over the given files of one table with the schema's column types (no rows without files)."""
    schema = STORED_TABLES[table]
    if not files:
        columns = ", ".join(f"CAST(NULL AS {duckdb_type(f.type)}) AS {_quote(f.name)}" for f in schema)
        return f"SELECT {columns} WHERE false"
    columns = ", ".join(
        f"CAST({_quote(f.name)} AS {duckdb_type(f.type)}) AS {_quote(f.name)}" for f in schema
    )
    listing = ", ".join(_literal(str(p)) for p in files)
    return f"SELECT {columns} FROM read_parquet([{listing}], union_by_name = true, hive_partitioning = false)"  # noqa: S608


def _write_json_atomically(target: Path, content: object) -> None:
    """Write, fsync and rename into place, so the file is either absent or complete."""
    temporary = target.with_name(f".{target.name}.tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        json.dump(content, handle, ensure_ascii=False, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _to_arrow(rows: list[dict[str, object]], schema: pa.Schema) -> pa.Table:
    """Rows -> Arrow with the table's schema; values of the wrong Python type are coerced column by column."""
    try:
        return pa.Table.from_pylist(rows, schema=schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError):
        columns = {f.name: [_coerce(r.get(f.name), f.type) for r in rows] for f in schema}
        return pa.table(columns, schema=schema)


def _coerce(value: object, data_type: pa.DataType) -> object:
    """Best-effort conversion of one value (e.g. "2005-01-04" or "20050104" to a date); None when hopeless."""
    if value is None:
        return None
    try:
        if pa.types.is_date32(data_type):
            if isinstance(value, dt.datetime):
                return value.date()
            if isinstance(value, dt.date):
                return value
            text = str(value).strip()
            if re.fullmatch(r"\d{8}", text):
                return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
            return dt.date.fromisoformat(text[:10])
        if pa.types.is_integer(data_type):
            return int(str(value).strip()) if not isinstance(value, int) else value
        if pa.types.is_floating(data_type):
            return float(str(value))
        if pa.types.is_boolean(data_type):
            return (
                value if isinstance(value, bool) else str(value).strip().lower() in {"1", "true", "yes", "y"}
            )
        if pa.types.is_list(data_type):
            items = value if isinstance(value, list | tuple) else [value]
            return [_coerce(v, data_type.value_type) for v in items]
        if pa.types.is_string(data_type):
            return str(value)
    except (ValueError, TypeError):
        return None
    return value
