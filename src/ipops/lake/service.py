"""Lake use cases for the web: search documents and read one document with its parties and indicators.

Office publications are public records, so reading the lake needs no tenancy; ingesting into it is an
administrator's job done through the CLI.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ipops.core.errors import DomainError, ErrorCode
from ipops.lake.indicators import document_indicators
from ipops.lake.queries import search_documents
from ipops.lake.store import LakeStore

DETAIL_TABLES = ("parties", "classifications", "citations", "priorities", "legal_events")


def open_store(lake_dir: Path) -> LakeStore:
    """The lake at a directory (created empty if it does not exist yet)."""
    lake_dir.mkdir(parents=True, exist_ok=True)
    return LakeStore(lake_dir)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def search(
    *,
    store: LakeStore,
    text: str | None = None,
    applicant: str | None = None,
    ipc: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    office: str | None = None,
    ip_type: str | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Documents matching the filters, newest application first."""
    con = store.connect()
    try:
        table = search_documents(
            con,
            text=text or None,
            applicant=applicant or None,
            ipc_prefix=ipc or None,
            date_from=date_from,
            date_to=date_to,
            office=office or None,
            ip_type=ip_type or None,
            limit=min(max(limit, 1), 500),
        )
        rows = table.to_pyarrow().to_pylist()
    finally:
        con.disconnect()
    return [{k: _plain(v) for k, v in row.items()} for row in rows]


def document_detail(*, store: LakeStore, doc_id: str) -> dict[str, Any]:
    """One lake document with its parties, classifications, citations, priorities, events and indicators."""
    con = store.duckdb()
    try:
        cursor = con.execute("SELECT * FROM documents WHERE doc_id = ?", [doc_id])
        columns = [d[0] for d in cursor.description or []]
        found = cursor.fetchone()
        if found is None:
            raise DomainError(ErrorCode.NOT_FOUND, f"no lake document {doc_id}")
        detail: dict[str, Any] = {"document": {c: _plain(v) for c, v in zip(columns, found, strict=True)}}
        for table in DETAIL_TABLES:
            cursor = con.execute(f'SELECT * FROM "{table}" WHERE doc_id = ?', [doc_id])  # noqa: S608 - fixed names
            names = [d[0] for d in cursor.description or []]
            detail[table] = [
                {c: _plain(v) for c, v in zip(names, row, strict=True) if c != "doc_id"}
                for row in cursor.fetchall()
            ]
    finally:
        con.close()
    indicators = document_indicators(store, doc_id=doc_id)
    detail["indicators"] = asdict(indicators) if indicators is not None else None
    return detail


def lake_summary(*, store: LakeStore) -> dict[str, Any]:
    """Row counts and documents by office and type."""
    stats = store.stats()
    return {
        "rows": stats.rows,
        "documents_by_office": stats.documents_by_office,
        "documents_by_type": stats.documents_by_type,
        "files": stats.files,
        "bytes_on_disk": stats.bytes_on_disk,
    }
