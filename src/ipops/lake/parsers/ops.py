"""EPO OPS / DOCDB XML: `exchange-documents` bibliographic records and `patent-family` (with legal events)."""

from __future__ import annotations

import datetime as dt
import re

from ipops.lake.parsers.common import (
    Element,
    ParseResult,
    UnusableDocumentError,
    add_classification,
    child_local,
    children_local,
    citation_row,
    clean,
    country_code,
    document_row,
    finish_document,
    legal_event_row,
    local,
    parse_date,
    party_row,
    priority_row,
    text_at,
    text_of,
)
from ipops.lake.parsers.epo import _ipcr_text
from ipops.lake.records import ParsedBatch, QuarantineEntry

_NAME_COUNTRY = re.compile(r"\[([A-Z]{2})\]\s*$")
UNSUPPORTED_OPS = {
    "biblio-search": "OPS search result (publication references only)",
    "meta": "OPS number-service response",
    "register-search": "OPS EP register record",
    "fulltext-documents": "OPS full-text (claims/description) response",
    "document-inquiry": "OPS image inquiry",
    "number-service": "OPS number-service response",
}


def _document_ids(reference: Element | None) -> dict[str, Element]:
    """document-id children by document-id-type (docdb, epodoc, original)."""
    found: dict[str, Element] = {}
    for ident in children_local(reference, "document-id") if reference is not None else []:
        found.setdefault(ident.get("document-id-type") or "docdb", ident)
    return found


def ops_payload(root: Element) -> Element:
    """The element under ops:world-patent-data that carries the data (or root itself)."""
    if local(root.tag) != "world-patent-data":
        return root
    for child in root:
        if local(child.tag) not in {"", "meta"}:
            return child
    return root


def parse_ops(root: Element, *, source_file: str, recovered: bool) -> ParseResult:
    """An OPS response: exchange-documents and patent-family are parsed; other services are unsupported."""
    payload = ops_payload(root)
    name = local(payload.tag)
    if name == "exchange-documents":
        return _parse_exchange_documents(payload, source_file=source_file, recovered=recovered)
    if name == "patent-family":
        return _parse_family(payload, source_file=source_file, recovered=recovered)
    what = UNSUPPORTED_OPS.get(name, f"OPS {name}")
    entry = QuarantineEntry(source_file, 0, f"unsupported document type: {what}", "epo-ops")
    return ParseResult(quarantine=[entry])


def _parse_exchange_documents(payload: Element, *, source_file: str, recovered: bool) -> ParseResult:
    result = ParseResult()
    records = children_local(payload, "exchange-document")
    if not records:
        raise UnusableDocumentError("exchange-documents without exchange-document")
    for record in records:
        try:
            batch = _exchange_document(record, source_file=source_file, recovered=recovered)
        except UnusableDocumentError as exc:
            result.quarantine.append(QuarantineEntry(source_file, 0, f"unusable record: {exc}", "epo-ops"))
            continue
        result.batch.extend(batch)
        result.parsed += 1
        result.recovered += int(recovered)
    return result


def _exchange_document(record: Element, *, source_file: str, recovered: bool) -> ParsedBatch:
    if record.get("status") == "not found" or child_local(record, "bibliographic-data") is None:
        raise UnusableDocumentError(
            f"{record.get('country')}{record.get('doc-number')} has no bibliographic data"
        )
    biblio = child_local(record, "bibliographic-data")
    pub_ids = _document_ids(child_local(biblio, "publication-reference"))
    docdb = pub_ids.get("docdb")
    office = country_code(record.get("country") or text_at(docdb, "country"))
    number = clean(record.get("doc-number")) or text_at(docdb, "doc-number")
    if not office or not number:
        raise UnusableDocumentError("no publication country / doc-number")
    kind = clean(record.get("kind")) or text_at(docdb, "kind")
    row = document_row(
        office=office,
        doc_number=number,
        kind=kind,
        source_format="epo-ops-docdb",
        source_file=source_file,
        recovered=recovered,
    )
    doc_id = str(row["doc_id"])
    row["family_id"] = record.get("family-id")
    row["publication_date"] = parse_date(text_at(docdb, "date") or text_at(pub_ids.get("epodoc"), "date"))
    app_ids = _document_ids(child_local(biblio, "application-reference"))
    app = app_ids.get("docdb")
    row["application_number"] = text_at(app, "doc-number") or text_at(app_ids.get("original"), "doc-number")
    row["application_date"] = parse_date(
        text_at(app, "date")
        or text_at(app_ids.get("epodoc"), "date")
        or text_at(app_ids.get("original"), "date")
    )
    titles = children_local(biblio, "invention-title") if biblio is not None else []
    title = next((t for t in titles if t.get("lang") == "en"), titles[0] if titles else None)
    row["title"] = text_of(title)
    row["language"] = title.get("lang") if title is not None and len(titles) == 1 else None
    abstracts = children_local(record, "abstract")
    abstract = next((a for a in abstracts if a.get("lang") == "en"), abstracts[0] if abstracts else None)
    row["abstract"] = text_of(abstract)

    batch = ParsedBatch(documents=[row])
    seen: set[tuple[str, str]] = set()
    ipcr = child_local(biblio, "classifications-ipcr")
    for position, cls in enumerate(children_local(ipcr, "classification-ipcr") if ipcr is not None else []):
        symbol, _ = _ipcr_text(text_at(cls, "text"))
        add_classification(batch, seen, doc_id=doc_id, scheme="IPC", raw=symbol, main=position == 0)
    pcs = child_local(biblio, "patent-classifications")
    for position, cls in enumerate(children_local(pcs, "patent-classification") if pcs is not None else []):
        scheme_el = child_local(cls, "classification-scheme")
        scheme = (scheme_el.get("scheme") if scheme_el is not None else None) or "CPC"
        if scheme.upper() not in {"CPC", "CPCI", "CPCNO"}:
            continue
        parts = [text_at(cls, p) or "" for p in ("section", "class", "subclass", "main-group", "subgroup")]
        raw = f"{parts[0]}{parts[1]}{parts[2]}{parts[3]}/{parts[4] or '00'}"
        add_classification(batch, seen, doc_id=doc_id, scheme="CPC", raw=raw, main=position == 0)

    pct_number: str | None = None
    priorities = child_local(biblio, "priority-claims")
    for claim in children_local(priorities, "priority-claim") if priorities is not None else []:
        ids = _document_ids(claim)
        prio_office, prio_number, prio_date = _priority_fields(ids)
        original = text_at(ids.get("original"), "doc-number")
        if original and original.upper().startswith("PCT/"):
            pct_number = original
        elif prio_office == "WO" and pct_number is None:
            pct_number = prio_number
        batch.priorities.append(
            priority_row(doc_id=doc_id, office=prio_office, number=prio_number, date=prio_date)
        )
    if office == "WO":
        row["is_pct"] = True
        pct_number = pct_number or row["application_number"]  # type: ignore[assignment]
    row["pct_application_number"] = pct_number
    row["is_pct"] = pct_number is not None
    finish_document(row)
    _ops_parties(child_local(biblio, "parties"), batch, doc_id)
    _ops_citations(child_local(biblio, "references-cited"), batch, doc_id)
    return batch


def _priority_fields(ids: dict[str, Element]) -> tuple[str | None, str | None, dt.date | None]:
    docdb, epodoc, original = ids.get("docdb"), ids.get("epodoc"), ids.get("original")
    date = parse_date(text_at(docdb, "date") or text_at(epodoc, "date") or text_at(original, "date"))
    if docdb is not None:
        return country_code(text_at(docdb, "country")), text_at(docdb, "doc-number"), date
    epodoc_number = text_at(epodoc, "doc-number")
    if epodoc_number and len(epodoc_number) > 2:
        return country_code(epodoc_number[:2]), epodoc_number[2:], date
    return None, text_at(original, "doc-number"), date


def _ops_parties(parties: Element | None, batch: ParsedBatch, doc_id: str) -> None:
    if parties is None:
        return
    for group, member_tag, name_tag, role in (
        ("applicants", "applicant", "applicant-name", "applicant"),
        ("inventors", "inventor", "inventor-name", "inventor"),
    ):
        container = child_local(parties, group)
        if container is None:
            continue
        epodoc: dict[str, str] = {}
        original: dict[str, str] = {}
        for member in children_local(container, member_tag):
            name = text_at(member, name_tag, "name")
            if not name:
                continue
            target = original if member.get("data-format") == "original" else epodoc
            target.setdefault(member.get("sequence") or str(len(target) + 1), name)
        names = original or epodoc
        for index, (sequence, name) in enumerate(names.items(), start=1):
            country_match = _NAME_COUNTRY.search(epodoc.get(sequence, ""))
            seq = int(sequence) if sequence.isdigit() else index
            batch.parties.append(
                party_row(
                    doc_id=doc_id,
                    role=role,
                    seq=seq,
                    name=_NAME_COUNTRY.sub("", name).strip().rstrip(",") or name,
                    country=country_match.group(1) if country_match else None,
                )
            )


def _ops_citations(references: Element | None, batch: ParsedBatch, doc_id: str) -> None:
    if references is None:
        return
    for seq, citation in enumerate(children_local(references, "citation"), start=1):
        categories = [c for c in (text_of(e) for e in children_local(citation, "category")) if c]
        cited_by = citation.get("cited-by")
        category = ",".join(categories) if categories else (f"cited by {cited_by}" if cited_by else None)
        patcit = child_local(citation, "patcit")
        if patcit is not None:
            ids = _document_ids(patcit)
            docdb = ids.get("docdb")
            if docdb is not None:
                office, number, kind = (
                    country_code(text_at(docdb, "country")),
                    text_at(docdb, "doc-number"),
                    text_at(docdb, "kind"),
                )
                date = parse_date(text_at(docdb, "date"))
            else:
                epodoc_number = text_at(ids.get("epodoc"), "doc-number") or ""
                office, number, kind = country_code(epodoc_number[:2]), epodoc_number[2:] or None, None
                date = parse_date(text_at(ids.get("epodoc"), "date"))
            batch.citations.append(
                citation_row(
                    doc_id=doc_id,
                    seq=seq,
                    is_npl=False,
                    cited_office=office,
                    cited_number=number,
                    cited_kind=kind,
                    cited_date=date,
                    category=category,
                )
            )
        else:
            npl = child_local(citation, "nplcit")
            batch.citations.append(
                citation_row(doc_id=doc_id, seq=seq, is_npl=True, npl_text=text_of(npl), category=category)
            )


def _parse_family(payload: Element, *, source_file: str, recovered: bool) -> ParseResult:
    """Each ops:family-member becomes a minimal document with priorities and legal events."""
    result = ParseResult()
    members = children_local(payload, "family-member")
    if not members:
        raise UnusableDocumentError("patent-family without family-member")
    for member in members:
        ids = _document_ids(child_local(member, "publication-reference"))
        docdb = ids.get("docdb")
        office, number = country_code(text_at(docdb, "country")), text_at(docdb, "doc-number")
        if not office or not number:
            result.quarantine.append(
                QuarantineEntry(
                    source_file, 0, "unusable record: family member without docdb number", "epo-ops"
                )
            )
            continue
        kind = text_at(docdb, "kind")
        row = document_row(
            office=office,
            doc_number=number,
            kind=kind,
            source_format="epo-ops-family",
            source_file=source_file,
            recovered=recovered,
        )
        doc_id = str(row["doc_id"])
        row["family_id"] = member.get("family-id")
        row["publication_date"] = parse_date(text_at(docdb, "date"))
        app = _document_ids(child_local(member, "application-reference")).get("docdb")
        row["application_number"] = text_at(app, "doc-number")
        row["application_date"] = parse_date(text_at(app, "date"))
        batch = ParsedBatch(documents=[row])
        for claim in children_local(member, "priority-claim"):
            prio_office, prio_number, prio_date = _priority_fields(_document_ids(claim))
            batch.priorities.append(
                priority_row(doc_id=doc_id, office=prio_office, number=prio_number, date=prio_date)
            )
            if prio_office == "WO":
                row["pct_application_number"] = prio_number
        for legal in children_local(member, "legal"):
            date_text = next((text_of(c) for c in legal if local(c.tag) == "L007EP"), None)
            batch.legal_events.append(
                legal_event_row(
                    doc_id=doc_id,
                    date=parse_date(date_text),
                    code=clean(legal.get("code")),
                    description=clean(legal.get("desc")),
                )
            )
        finish_document(row)
        result.batch.extend(batch)
        result.parsed += 1
        result.recovered += int(recovered)
    return result
