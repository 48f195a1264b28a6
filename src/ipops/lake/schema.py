"""Normalised lake tables: one pyarrow schema per table, shared by every parser and query."""

from __future__ import annotations

import pyarrow as pa

# doc_id is "<office>-<doc_number>-<kind>", e.g. "US-07654321-B2": the dedup key (office + number + kind).
DOCUMENTS = pa.schema(
    [
        ("doc_id", pa.string()),
        ("office", pa.string()),  # publishing office, ISO 3166 alpha-2 or "EP"/"WO"
        ("doc_number", pa.string()),
        ("kind", pa.string()),  # B1, B2, A1, S, U, ...
        # invention | utility_model | design | plant | reissue | geographical_indication
        ("ip_type", pa.string()),
        ("status", pa.string()),  # application | grant
        ("application_number", pa.string()),
        ("application_date", pa.date32()),
        ("publication_date", pa.date32()),
        ("grant_date", pa.date32()),
        ("filing_year", pa.int16()),
        ("title", pa.string()),
        ("abstract", pa.string()),
        ("claims_count", pa.int32()),
        ("language", pa.string()),
        ("family_id", pa.string()),
        ("is_pct", pa.bool_()),  # filed through PCT (national phase or WO publication)
        ("pct_application_number", pa.string()),
        ("source_format", pa.string()),  # e.g. "uspto-ice-4.3", "epo-ep-patent-document-1.5", "cnipa-new"
        ("source_file", pa.string()),
        ("recovered", pa.bool_()),  # parsed with lxml recover=True after a well-formedness error
    ]
)

PARTIES = pa.schema(
    [
        ("doc_id", pa.string()),
        ("role", pa.string()),  # applicant | assignee | inventor | agent | owner | assignor
        ("seq", pa.int32()),
        ("name", pa.string()),
        ("country", pa.string()),
        ("address", pa.string()),
        ("region_code", pa.string()),  # GB/T 2260 six-digit code when the party is Chinese and resolvable
    ]
)

CLASSIFICATIONS = pa.schema(
    [
        ("doc_id", pa.string()),
        ("scheme", pa.string()),  # IPC | CPC | LOCARNO | USPC | NICE (GI product classes)
        ("symbol", pa.string()),  # normalised "H01L 21/768" style for IPC/CPC
        ("is_main", pa.bool_()),
    ]
)

CITATIONS = pa.schema(
    [
        ("doc_id", pa.string()),
        ("seq", pa.int32()),
        ("is_npl", pa.bool_()),
        ("cited_office", pa.string()),
        ("cited_number", pa.string()),
        ("cited_kind", pa.string()),
        ("cited_date", pa.date32()),
        ("npl_text", pa.string()),
        ("category", pa.string()),  # X, Y, A, ... or "cited by examiner"/"cited by applicant"
    ]
)

PRIORITIES = pa.schema(
    [
        ("doc_id", pa.string()),
        ("office", pa.string()),
        ("number", pa.string()),
        ("date", pa.date32()),
    ]
)

LEGAL_EVENTS = pa.schema(
    [
        ("doc_id", pa.string()),
        ("date", pa.date32()),
        ("code", pa.string()),
        ("description", pa.string()),
    ]
)

TRADEMARKS = pa.schema(
    [
        ("doc_id", pa.string()),  # "<office>-TM-<application_number>"
        ("office", pa.string()),
        ("application_number", pa.string()),
        ("registration_number", pa.string()),
        ("mark_text", pa.string()),
        ("mark_feature", pa.string()),  # word | figurative | combined | ...
        ("status", pa.string()),
        ("application_date", pa.date32()),
        ("registration_date", pa.date32()),
        ("expiry_date", pa.date32()),
        ("nice_classes", pa.list_(pa.int16())),
        ("goods", pa.string()),
        ("owner_name", pa.string()),
        ("owner_country", pa.string()),
        ("source_format", pa.string()),
        ("source_file", pa.string()),
        ("recovered", pa.bool_()),
    ]
)

ASSIGNMENTS = pa.schema(
    [
        ("reel_frame", pa.string()),
        ("recorded_date", pa.date32()),
        ("conveyance", pa.string()),
        ("assignors", pa.list_(pa.string())),
        ("assignees", pa.list_(pa.string())),
        ("execution_date", pa.date32()),
        ("doc_numbers", pa.list_(pa.string())),  # patent / application numbers the transaction covers
        ("source_file", pa.string()),
    ]
)

QUARANTINE = pa.schema(
    [
        ("source_file", pa.string()),
        ("part", pa.int32()),  # index of the <?xml document inside a bulk file, 0 for single files
        ("reason", pa.string()),
        ("detected_format", pa.string()),
    ]
)

TABLES: dict[str, pa.Schema] = {
    "documents": DOCUMENTS,
    "parties": PARTIES,
    "classifications": CLASSIFICATIONS,
    "citations": CITATIONS,
    "priorities": PRIORITIES,
    "legal_events": LEGAL_EVENTS,
    "trademarks": TRADEMARKS,
    "assignments": ASSIGNMENTS,
    "quarantine": QUARANTINE,
}
