"""The lake's full-text index: which fields of a document are searched, filtered and counted.

Ingest adds each batch's documents after writing its rows (add_batch); `ipops search rebuild lake`
recreates the index from the Parquet datasets. Re-adding a document replaces it (by doc_id).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from ipops.core.search import IndexSource, IndexSpec, SearchDocument, open_or_build, register_index
from ipops.lake.classify import compact_ipc, load_wipo_concordance
from ipops.lake.records import new_records
from ipops.lake.store import LakeStore, default_lake_dir

INDEX_FOLDER = "_search"  # beside the table datasets; LakeStore reads only its table folders
APPLICANT_ROLES = ("applicant", "assignee", "owner")
CLASSIFICATION_SCHEMES = ("IPC", "CPC")
PAYLOAD_COLUMNS = (
    "doc_id",
    "office",
    "ip_type",
    "status",
    "title",
    "application_date",
    "publication_date",
    "grant_date",
)
DATE_COLUMNS = ("application_date", "publication_date", "grant_date")
READ_BATCH_ROWS = 20_000

LAKE_SPEC = IndexSpec(
    name="lake",
    text_fields={"title": 3.0, "abstract": 1.0, "claims": 0.8, "applicants": 1.5, "ipc_text": 0.5},
    keyword_fields=("office", "ip_type", "status", "ipc", "region", "field", "applicant_country"),
    prefix_fields=("ipc",),
    number_fields=("filing_year", *DATE_COLUMNS),
    default_order="application_date",
    version=1,
)


def lake_index_dir(lake_dir: Path) -> Path:
    """Where the lake's index lives: inside the lake (var/lake/_search/lake), so the two move together."""
    return Path(lake_dir) / INDEX_FOLDER / LAKE_SPEC.name


def _yyyymmdd(value: object) -> int | None:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.year * 10_000 + value.month * 100 + value.day
    return None


def _iso(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _regions(codes: Iterable[object]) -> set[str]:
    """Each GB/T 2260 code with its prefecture and province, so a province filter finds its cities."""
    found: set[str] = set()
    for code in codes:
        text = str(code or "")
        if len(text) == 6 and text.isdigit():
            found |= {text, text[:4] + "00", text[:2] + "0000"}
    return found


@cache
def _field_numbers() -> dict[str, int]:
    return load_wipo_concordance().prefixes


def _fields_of(symbols: Iterable[str]) -> set[str]:
    prefixes = _field_numbers()
    found: set[str] = set()
    for symbol in symbols:
        for end in range(len(symbol), 0, -1):
            if symbol[:end] in prefixes:
                found.add(str(prefixes[symbol[:end]]))
                break
    return found


def lake_document(
    row: Mapping[str, Any],
    *,
    applicants: Sequence[str] = (),
    countries: Iterable[str] = (),
    region_codes: Iterable[object] = (),
    symbols: Iterable[str] = (),
) -> SearchDocument:
    """The index document of one documents row with its applicants and classification symbols."""
    compact = sorted({compact_ipc(s) for s in symbols if s})
    claims = row.get("claims") or row.get("claims_text")  # claim text where a source row carries it
    return SearchDocument(
        doc_id=str(row["doc_id"]),
        text={
            "title": row.get("title"),
            "abstract": row.get("abstract"),
            "claims": str(claims) if claims else None,
            "applicants": "；".join(applicants) or None,
            "ipc_text": " ".join(compact) or None,
        },
        keywords={
            "office": [str(row["office"])] if row.get("office") else [],
            "ip_type": [str(row["ip_type"])] if row.get("ip_type") else [],
            "status": [str(row["status"])] if row.get("status") else [],
            "ipc": compact,
            "region": sorted(_regions(region_codes)),
            "field": sorted(_fields_of(compact)),
            "applicant_country": sorted({c for c in countries if c}),
        },
        numbers={
            "filing_year": int(row["filing_year"]) if row.get("filing_year") is not None else None,
            **{name: _yyyymmdd(row.get(name)) for name in DATE_COLUMNS},
        },
        payload={
            **{name: _iso(row.get(name)) for name in PAYLOAD_COLUMNS},
            "applicants": list(applicants[:5]),
        },
    )


def batch_documents(batch: Any) -> list[SearchDocument]:
    """Index documents of an ingest batch (a ParsedBatch): one per doc_id, the most complete copy."""
    chosen = new_records(batch.documents, set())
    if not chosen:
        return []
    applicants: dict[str, list[str]] = defaultdict(list)
    countries: dict[str, set[str]] = defaultdict(set)
    regions: dict[str, set[object]] = defaultdict(set)
    for party in sorted(batch.parties, key=lambda p: (str(p.get("doc_id")), p.get("seq") or 0)):
        doc_id = party.get("doc_id")
        if doc_id not in chosen or party.get("role") not in APPLICANT_ROLES or not party.get("name"):
            continue
        name = str(party["name"]).strip()
        if name not in applicants[doc_id]:
            applicants[doc_id].append(name)
        if party.get("country"):
            countries[doc_id].add(str(party["country"]))
        if party.get("region_code"):
            regions[doc_id].add(party["region_code"])
    symbols: dict[str, set[str]] = defaultdict(set)
    for row in batch.classifications:
        doc_id = row.get("doc_id")
        if doc_id in chosen and str(row.get("scheme") or "").upper() in CLASSIFICATION_SCHEMES:
            if row.get("symbol"):
                symbols[doc_id].add(str(row["symbol"]))
    return [
        lake_document(
            row,
            applicants=applicants.get(doc_id, []),
            countries=countries.get(doc_id, ()),
            region_codes=regions.get(doc_id, ()),
            symbols=symbols.get(doc_id, ()),
        )
        for doc_id, row in chosen.items()
    ]


_LAKE_ROWS_SQL = """
WITH a AS (
  SELECT doc_id,
         list(name ORDER BY seq NULLS LAST, name) AS applicants,
         list(DISTINCT country) FILTER (WHERE country IS NOT NULL) AS countries,
         list(DISTINCT region_code) FILTER (WHERE region_code IS NOT NULL) AS region_codes
  FROM parties
  WHERE role IN ('applicant', 'assignee', 'owner') AND name IS NOT NULL
  GROUP BY doc_id
), c AS (
  SELECT doc_id, list(DISTINCT symbol) AS symbols
  FROM classifications
  WHERE upper(scheme) IN ('IPC', 'CPC') AND symbol IS NOT NULL
  GROUP BY doc_id
)
SELECT d.doc_id, d.office, d.ip_type, d.status, d.title, d.abstract, d.application_date,
       d.publication_date, d.grant_date, d.filing_year, a.applicants, a.countries, a.region_codes, c.symbols
FROM documents d LEFT JOIN a USING (doc_id) LEFT JOIN c USING (doc_id)
"""


def lake_documents(store: LakeStore) -> Iterator[SearchDocument]:
    """Every document of the lake as an index document, read from the Parquet datasets in batches."""
    con = store.duckdb()
    try:
        reader = con.execute(_LAKE_ROWS_SQL).to_arrow_reader(READ_BATCH_ROWS)
        for record_batch in reader:
            for row in record_batch.to_pylist():
                seen: list[str] = []
                for name in row.pop("applicants") or []:
                    if name.strip() not in seen:
                        seen.append(name.strip())
                yield lake_document(
                    row,
                    applicants=seen,
                    countries=row.pop("countries") or (),
                    region_codes=row.pop("region_codes") or (),
                    symbols=row.pop("symbols") or (),
                )
    finally:
        con.close()


def lake_source(store: LakeStore) -> IndexSource:
    """The lake index of one lake: its folder and its documents (for rebuilds)."""
    return IndexSource(
        spec=LAKE_SPEC,
        directory=lambda: lake_index_dir(store.root),
        documents=lambda: lake_documents(store),
    )


def add_batch(sink: object, batch: Any) -> int:
    """After ingest wrote a batch to a LakeStore, add (or replace) its documents in the lake's index."""
    if not isinstance(sink, LakeStore):
        return 0  # an in-memory sink (tests) has no index
    documents = batch_documents(batch)
    if not documents:
        return 0
    return open_or_build(lake_source(sink)).add(documents)


register_index(
    IndexSource(  # the CLI's lake: $IPOPS_LAKE_DIR or ./var/lake, read when the command runs
        spec=LAKE_SPEC,
        directory=lambda: lake_index_dir(default_lake_dir()),
        documents=lambda: lake_documents(LakeStore(default_lake_dir())),
    )
)
