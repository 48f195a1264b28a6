"""In-memory rows produced by the parsers: one list of dicts per lake table, plus quarantine entries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ipops.lake.schema import TABLES

# Every table a parser fills; quarantine travels separately as QuarantineEntry objects.
ROW_TABLES: tuple[str, ...] = tuple(name for name in TABLES if name != "quarantine")

Row = dict[str, object]


def empty_row(table: str) -> Row:
    """A row of one lake table with every column None."""
    return dict.fromkeys(TABLES[table].names)


def make_doc_id(*, office: str, doc_number: str, kind: str | None) -> str:
    """The dedup key "<office>-<doc_number>-<kind>" ("US-07654321-B2"); kind may be empty."""
    return f"{office}-{doc_number}-{kind or ''}"


def new_records(rows: Iterable[Row], known: set[str]) -> dict[str, Row]:
    """doc_id -> the row to store for each doc_id not in known; the most complete copy wins within a batch.

    The same document often arrives twice in one batch (an OPS family response lists it bare, its
    biblio response in full); keeping the copy with the most filled columns keeps the title and dates.
    """
    chosen: dict[str, Row] = {}
    filled: dict[str, int] = {}
    for row in rows:
        doc_id = row.get("doc_id")
        if not isinstance(doc_id, str) or not doc_id or doc_id in known:
            continue
        count = sum(value is not None for value in row.values())
        if count > filled.get(doc_id, -1):
            chosen[doc_id], filled[doc_id] = row, count
    return chosen


@dataclass(slots=True)
class ParsedBatch:
    """Rows for each lake table (column names exactly as in ipops.lake.schema), missing values as None."""

    documents: list[dict[str, object]] = field(default_factory=list)
    parties: list[dict[str, object]] = field(default_factory=list)
    classifications: list[dict[str, object]] = field(default_factory=list)
    citations: list[dict[str, object]] = field(default_factory=list)
    priorities: list[dict[str, object]] = field(default_factory=list)
    legal_events: list[dict[str, object]] = field(default_factory=list)
    trademarks: list[dict[str, object]] = field(default_factory=list)
    assignments: list[dict[str, object]] = field(default_factory=list)

    def extend(self, other: ParsedBatch) -> None:
        """Append every row of another batch to this one."""
        self.documents.extend(other.documents)
        self.parties.extend(other.parties)
        self.classifications.extend(other.classifications)
        self.citations.extend(other.citations)
        self.priorities.extend(other.priorities)
        self.legal_events.extend(other.legal_events)
        self.trademarks.extend(other.trademarks)
        self.assignments.extend(other.assignments)

    def count_documents(self) -> int:
        """Top-level records: patent documents, trademarks and assignment transactions."""
        return len(self.documents) + len(self.trademarks) + len(self.assignments)

    def row_count(self) -> int:
        """Rows over all tables."""
        return sum(len(getattr(self, name)) for name in ROW_TABLES)


@dataclass(frozen=True, slots=True)
class QuarantineEntry:
    """A document (or file) that could not be turned into rows, and why."""

    source_file: str
    part: int  # index of the <?xml document inside a bulk file (0 for single files) or of the record
    reason: str
    detected_format: str | None
