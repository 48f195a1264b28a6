"""The lake's storage: one Parquet dataset per table, hive-style partitioned, written idempotently."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import threading
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

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


class LakeStore:
    """Parquet datasets under root/<table>/...; the ingest BatchSink (write), deduplicated by doc_id."""

    def __init__(self, root: Path, *, flush_rows: int = 50_000) -> None:
        self.root = Path(root)
        self.flush_rows = flush_rows
        self._buffer = _Buffer()
        self._known_ids: set[str] | None = None
        self._known_reel_frames: set[str] | None = None
        self._lock = threading.Lock()
        self._token = uuid.uuid4().hex[:12]
        self._sequence = 0
        self.documents_written = 0

    def __enter__(self) -> LakeStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.flush()

    # -- layout -------------------------------------------------------------------------------------------

    def table_dir(self, table: str) -> Path:
        """The dataset folder of one table."""
        if table not in STORED_TABLES:
            raise KeyError(f"unknown lake table {table!r}")
        return self.root / table

    def files(self, table: str) -> list[Path]:
        """The Parquet files of one table (in-flight temporary files are hidden and excluded)."""
        folder = self.table_dir(table)
        return sorted(folder.rglob("*.parquet")) if folder.is_dir() else []

    def _partition(self, table: str, row: Mapping[str, object]) -> str:
        """Hive-style sub-folder: documents by office and filing year, other per-document tables by office."""
        if table == "documents":
            office, year = _partition_value(row.get("office")), _partition_value(row.get("filing_year"))
            return f"office={office}/filing_year={year}"
        if table in CHILD_TABLES:
            return f"office={_partition_value(office_of(str(row.get('doc_id') or '')))}"
        if table == "trademarks":
            return f"office={_partition_value(row.get('office'))}"
        return ""

    # -- dedup index --------------------------------------------------------------------------------------

    def _load_ids(self, table: str, column: str) -> set[str]:
        files = self.files(table)
        if not files:
            return set()
        listing = ", ".join(_literal(str(p)) for p in files)
        with duckdb.connect() as con:
            rows = con.execute(f"SELECT DISTINCT {_quote(column)} FROM read_parquet([{listing}])").fetchall()  # noqa: S608
        return {r[0] for r in rows if r[0] is not None}

    def known_ids(self) -> set[str]:
        """Every stored (or buffered) document and trademark doc_id; loaded once from the datasets."""
        if self._known_ids is None:
            self._known_ids = self._load_ids("documents", "doc_id") | self._load_ids("trademarks", "doc_id")
        return self._known_ids

    def _known_assignments(self) -> set[str]:
        if self._known_reel_frames is None:
            self._known_reel_frames = self._load_ids("assignments", "reel_frame")
        return self._known_reel_frames

    # -- writing ------------------------------------------------------------------------------------------

    def write(self, batch: BatchLike, quarantine: Sequence[QuarantineLike]) -> int:
        """Append a parsed batch, skipping doc_ids already in the lake; returns how many documents are new."""
        with self._lock:
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
            for entry in quarantine:
                self._add(
                    "quarantine",
                    {
                        "source_file": entry.source_file,
                        "part": entry.part,
                        "reason": entry.reason,
                        "detected_format": entry.detected_format,
                    },
                )
            self.documents_written += len(new_ids)
            if self._buffer.count >= self.flush_rows:
                self._flush_locked()
            return len(new_ids)

    def _add(self, table: str, row: dict[str, object]) -> None:
        self._buffer.rows.setdefault((table, self._partition(table, row)), []).append(row)
        self._buffer.count += 1

    def flush(self) -> None:
        """Write buffered rows as Parquet files (one per table partition)."""
        with self._lock:
            self._flush_locked()

    def _flush_locked(self) -> None:
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
        return target

    def record_run(self, report: object, *, paths: Iterable[str] = ()) -> str:
        """Store one ingest run's counts (an IngestReport or any object/mapping with those fields)."""
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
            self._flush_locked()
            self._write_file("runs", "", _to_arrow([row], RUNS))
        return run_id

    # -- reading ------------------------------------------------------------------------------------------

    def view_sql(self, table: str) -> str:
        """A SELECT over one table's files with the schema's column types (empty when nothing is stored)."""
        schema = STORED_TABLES[table]
        files = self.files(table)
        if not files:
            columns = ", ".join(f"CAST(NULL AS {duckdb_type(f.type)}) AS {_quote(f.name)}" for f in schema)
            return f"SELECT {columns} WHERE false"
        columns = ", ".join(
            f"CAST({_quote(f.name)} AS {duckdb_type(f.type)}) AS {_quote(f.name)}" for f in schema
        )
        glob = _literal(str(self.table_dir(table)) + "/**/*.parquet")
        return f"SELECT {columns} FROM read_parquet({glob}, union_by_name = true, hive_partitioning = false)"  # noqa: S608

    def register_views(self, con: duckdb.DuckDBPyConnection) -> None:
        """Create one view per lake table, plus the bundled reference tables, on a DuckDB connection."""
        from ipops.lake.classify import load_wipo_concordance, nice_classes_table

        self.flush()
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
