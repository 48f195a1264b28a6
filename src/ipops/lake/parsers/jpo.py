"""JPO official gazette XML (`jp-official-gazette`, ST.36-based): published applications and grants."""

from __future__ import annotations

from ipops.lake.parsers.common import (
    Element,
    ParseResult,
    UnusableDocumentError,
    add_classification,
    clean,
    country_code,
    document_row,
    find_text,
    finish_document,
    parse_date,
    party_row,
    priority_row,
    text_of,
)
from ipops.lake.parsers.epo import spaced_ipc
from ipops.lake.records import ParsedBatch

_JP = "{http://www.jpo.go.jp}"  # JPO-specific wrappers live in the jp: namespace


def parse_jp_gazette(root: Element, *, source_file: str, recovered: bool) -> ParseResult:
    """One jp-official-gazette document; kind is the root's ST.16 code (the gazette kind is Japanese text)."""
    biblio = root.find("bibliographic-data")
    publication = biblio.find("publication-reference/document-id") if biblio is not None else None
    number = find_text(publication, "doc-number")
    if biblio is None or publication is None or not number:
        raise UnusableDocumentError("no publication-reference/document-id/doc-number")
    office = country_code(find_text(publication, "country") or root.get("country")) or "JP"
    kind = clean(root.get("kind-of-st16")) or clean(root.get("kind-of-jp"))
    row = document_row(
        office=office,
        doc_number=number,
        kind=kind,
        source_format=f"jpo-gazette-{clean(root.get('dtd-version')) or '1.0'}",
        source_file=source_file,
        recovered=recovered,
    )
    doc_id = str(row["doc_id"])
    row["publication_date"] = parse_date(find_text(publication, "date"))
    row["application_number"] = find_text(biblio, "application-reference/document-id/doc-number")
    row["application_date"] = parse_date(find_text(biblio, "application-reference/document-id/date"))
    row["title"] = find_text(biblio, "invention-title")
    row["abstract"] = text_of(root.find("abstract"))
    language = clean(root.get("lang"))
    row["language"] = language.lower() if language else "ja"
    claims = root.find("claims")
    declared = find_text(biblio, "number-of-claims")
    if claims is not None and claims.find("claim") is not None:
        row["claims_count"] = len(claims.findall("claim"))
    elif declared and declared.isdigit():
        row["claims_count"] = int(declared)
    pct = find_text(biblio, "pct-or-regional-filing-data/document-id/doc-number")
    row["pct_application_number"] = pct
    row["is_pct"] = pct is not None or biblio.find("pct-or-regional-publishing-data") is not None
    finish_document(row)

    batch = ParsedBatch(documents=[row])
    seen: set[tuple[str, str]] = set()
    for tag, main in (("main-clsf", True), ("further-clsf", False)):
        for entry in biblio.iterfind(f"classification-ipc/{tag}"):
            add_classification(
                batch, seen, doc_id=doc_id, scheme="IPC", raw=spaced_ipc(text_of(entry)), main=main
            )
    for priority in biblio.iterfind("priority-claims/priority-claim"):
        batch.priorities.append(
            priority_row(
                doc_id=doc_id,
                office=country_code(find_text(priority, "country")),
                number=find_text(priority, "doc-number"),
                date=parse_date(find_text(priority, "date")),
            )
        )
    for role, path in (
        ("applicant", f"parties/{_JP}applicants-agents-article/{_JP}applicants-agents/applicant"),
        ("agent", f"parties/{_JP}applicants-agents-article/{_JP}applicants-agents/agent"),
        ("inventor", "parties/inventors/inventor"),
    ):
        for seq, party in enumerate(biblio.iterfind(path), 1):
            batch.parties.append(
                party_row(
                    doc_id=doc_id,
                    role=role,
                    seq=seq,
                    name=find_text(party, "addressbook/name"),
                    country=country_code(find_text(party, "addressbook/address/country")),
                    address=find_text(party, "addressbook/address/text"),
                )
            )
    return ParseResult(batch=batch, parsed=1, recovered=int(recovered))
