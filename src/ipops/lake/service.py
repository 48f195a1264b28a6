"""Lake use cases for the web: search documents and read one document with its parties and indicators.

Office publications are public records, so reading the lake needs no tenancy; ingesting into it is an
administrator's job done through the CLI.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ipops.core.errors import DomainError, ErrorCode
from ipops.core.search import SearchIndex, SearchRequest, open_or_build
from ipops.lake.classify import compact_ipc, load_wipo_concordance
from ipops.lake.indicators import document_indicators
from ipops.lake.search_index import PAYLOAD_COLUMNS, lake_source
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


FACETS = ("office", "filing_year", "field")
_IPC_PREFIX = re.compile(r"^[A-H][0-9A-Z/]*$")


def lake_index(*, store: LakeStore) -> SearchIndex:
    """The lake's full-text index (built from the lake first when it does not exist yet)."""
    return open_or_build(lake_source(store))


def _field_labels() -> dict[str, tuple[str, str]]:
    fields = load_wipo_concordance().fields
    return {str(number): (f.name_zh, f.name_en) for number, f in fields.items()}


def _yyyymmdd(value: dt.date | None) -> int | None:
    return value.year * 10_000 + value.month * 100 + value.day if value is not None else None


def search_page(
    *,
    store: LakeStore,
    text: str | None = None,
    applicant: str | None = None,
    ipc: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    office: str | None = None,
    ip_type: str | None = None,
    region: str | None = None,
    field: str | None = None,
    offset: int = 0,
    limit: int = 50,
    facets: tuple[str, ...] = FACETS,
) -> dict[str, Any]:
    """Documents ranked by BM25 (newest application first without text), with a total and facets."""
    filters = {
        name: value.strip()
        for name, value in (("ip_type", ip_type), ("region", region), ("field", field))
        if value and value.strip()
    }
    if office and office.strip():
        filters["office"] = office.strip().upper()
    prefixes: dict[str, str] = {}
    if ipc and ipc.strip():
        prefix = compact_ipc(ipc)
        if not _IPC_PREFIX.match(prefix):
            raise DomainError(ErrorCode.VALIDATION_ERROR, f"not an IPC prefix: {ipc}")
        prefixes["ipc"] = prefix
    request = SearchRequest(
        text=(text or "").strip(),
        filters=filters,
        prefixes=prefixes,
        ranges={"application_date": (_yyyymmdd(date_from), _yyyymmdd(date_to))},
        within={"applicants": applicant.strip()} if applicant and applicant.strip() else {},
        facets=facets,
        offset=max(offset, 0),
        limit=min(max(limit, 1), 500),
    )
    page = lake_index(store=store).search(request)
    labels = _field_labels()
    items = [
        {
            **{name: hit.payload.get(name) for name in PAYLOAD_COLUMNS},
            "applicants": hit.payload.get("applicants", []),
            "score": hit.score,
            "highlights": hit.highlights,
        }
        for hit in page.hits
    ]
    counted: dict[str, list[dict[str, Any]]] = {}
    for name, buckets in page.facets.items():
        counted[name] = [
            {"value": value, "count": count}
            | (
                {"label_zh": labels[value][0], "label_en": labels[value][1]}
                if name == "field" and value in labels
                else {}
            )
            for value, count in buckets
        ]
    return {
        "total": page.total,
        "offset": page.offset,
        "limit": page.limit,
        "items": items,
        "facets": counted,
    }


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
    region: str | None = None,
    field: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """The hits of search_page alone (ranked documents matching the filters)."""
    page = search_page(
        store=store,
        text=text,
        applicant=applicant,
        ipc=ipc,
        date_from=date_from,
        date_to=date_to,
        office=office,
        ip_type=ip_type,
        region=region,
        field=field,
        offset=offset,
        limit=limit,
        facets=(),
    )
    items: list[dict[str, Any]] = page["items"]
    return items


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
