"""EPO publication server full texts: `ep-patent-document` DTD v1.0-v1.5.1 (also WIPO's ST.36 examples)."""

from __future__ import annotations

import re

from ipops.lake.parsers.common import (
    Element,
    ParseResult,
    UnusableDocumentError,
    add_classification,
    citation_row,
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
from ipops.lake.records import ParsedBatch

# "EP-A- 0 367 306", "WO-A-95/34526", "US-A1- 2003 123 456": office, kind, number as printed.
_PRINTED_CITATION = re.compile(r"^\s*([A-Z]{2})\s*-\s*([A-Z]\d?)\s*-\s*(.+?)\s*$")
# Old B511/B512 layout " 7C 07C  29/44   A": edition digits, then the symbol with stray spaces.
_SPACED_IPC = re.compile(r"([A-H])\s*(\d{2})\s*([A-Z])\s*(\d{1,4})\s*/\s*(\d{1,6})")
# "C12P  19/56        20060101AFI20210804BHEP": position F (first) marks the main symbol.
_IPCR_POSITION = re.compile(r"\d{8}\s?([A-Z ])([FL])")
_PARTY_GROUPS = (("B710", "B711", "applicant"), ("B720", "B721", "inventor"), ("B730", "B731", "assignee"))


def dtd_version(root: Element) -> str:
    """ "1.5.1" from dtd-version="ep-patent-document-v1-5-1"; "" when absent."""
    raw = root.get("dtd-version") or ""
    match = re.search(r"v(\d+(?:-\d+)*)", raw)
    return match.group(1).replace("-", ".") if match else ""


def spaced_ipc(text: str | None) -> str | None:
    """ "C07C 29/44" from an old-layout entry like " 7C 07C  29/44   A"; None if no symbol is found."""
    if not text:
        return None
    match = _SPACED_IPC.search(text.lstrip(" 0123456789") if text.strip()[:1].isdigit() else text)
    if match is None:
        return None
    section, klass, subclass, group, subgroup = match.groups()
    return f"{section}{klass}{subclass} {group}/{subgroup}"


def parse_ep_patent_document(root: Element, *, source_file: str, recovered: bool) -> ParseResult:
    """One ep-patent-document (A or B publication): bibliographic SDOBI block, abstract and claims."""
    sdobi = root.find("SDOBI")
    if sdobi is None:
        raise UnusableDocumentError("ep-patent-document without SDOBI bibliographic data")
    number = clean(find_text(sdobi, "B100/B110") or root.get("doc-number"))
    if not number:
        raise UnusableDocumentError("no publication number (B110)")
    office = country_code(find_text(sdobi, "B100/B190") or root.get("country")) or "EP"
    kind = clean(find_text(sdobi, "B100/B130") or root.get("kind"))
    version = dtd_version(root)
    row = document_row(
        office=office,
        doc_number=number,
        kind=kind,
        source_format=f"epo-ep-patent-document-{version}" if version else "epo-ep-patent-document",
        source_file=source_file,
        recovered=recovered,
    )
    doc_id = str(row["doc_id"])
    language = clean(root.get("lang") or find_text(sdobi, "B200/B260"))
    row["language"] = language.lower() if language else None
    row["publication_date"] = parse_date(find_text(sdobi, "B100/B140/date") or root.get("date-publ"))
    row["application_number"] = find_text(sdobi, "B200/B210")
    row["application_date"] = parse_date(find_text(sdobi, "B200/B220/date"))
    row["title"] = _title(sdobi, row["language"])
    row["abstract"] = text_of(root.find("abstract"))
    row["claims_count"] = _claims_count(root, row["language"])
    pct_number = find_text(sdobi, "B800/B860/B861/dnum/anum")
    wo_number = find_text(sdobi, "B800/B870/B871/dnum/pnum")
    row["pct_application_number"] = pct_number
    row["is_pct"] = pct_number is not None or wo_number is not None
    if kind and kind.startswith("B"):
        row["status"] = "grant"
        row["grant_date"] = parse_date(find_text(sdobi, "B400/B450/date")) or row["publication_date"]
    finish_document(row)

    batch = ParsedBatch(documents=[row])
    _classifications(sdobi, batch, doc_id)
    _priorities(sdobi, batch, doc_id)
    _parties(sdobi, batch, doc_id)
    _citations(sdobi, batch, doc_id)
    return ParseResult(batch=batch, parsed=1, recovered=int(recovered))


def _title(sdobi: Element, language: object) -> str | None:
    """The B542 title in the document's language, else English, else the first one."""
    titles: dict[str, str] = {}
    current_language = ""
    for child in sdobi.iterfind("B500/B540/*"):
        if child.tag == "B541":
            current_language = (clean(child.text) or "").lower()
        elif child.tag == "B542":
            title = text_of(child)
            if title:
                titles.setdefault(current_language, title)
    if not titles:
        return None
    for wanted in (language, "en"):
        if isinstance(wanted, str) and wanted in titles:
            return titles[wanted]
    return next(iter(titles.values()))


def _claims_count(root: Element, language: object) -> int | None:
    """Claims in the claim set of the document's language (B documents repeat them in DE/EN/FR)."""
    claim_sets = root.findall("claims")
    if not claim_sets:
        return None
    chosen = next((c for c in claim_sets if c.get("lang") == language), claim_sets[0])
    return len(chosen.findall("claim"))


def _classifications(sdobi: Element, batch: ParsedBatch, doc_id: str) -> None:
    seen: set[tuple[str, str]] = set()
    for index, ipcr in enumerate(sdobi.iterfind("B500/B510EP/classification-ipcr")):
        raw = find_text(ipcr, "text")
        position = _IPCR_POSITION.search(raw or "")
        main = position.group(2) == "F" if position else index == 0
        add_classification(batch, seen, doc_id=doc_id, scheme="IPC", raw=spaced_ipc(raw), main=main)
    for tag, main in (("B500/B510/B511", True), ("B500/B510/B512", False)):
        for old in sdobi.iterfind(tag):
            add_classification(
                batch, seen, doc_id=doc_id, scheme="IPC", raw=spaced_ipc(text_of(old)), main=main
            )
    for index, cpc in enumerate(sdobi.iterfind("B500/B520EP/classifications-cpc/classification-cpc")):
        raw = find_text(cpc, "text")
        position = _IPCR_POSITION.search(raw or "")
        main = position.group(2) == "F" if position else index == 0
        add_classification(batch, seen, doc_id=doc_id, scheme="CPC", raw=spaced_ipc(raw), main=main)


def _priorities(sdobi: Element, batch: ParsedBatch, doc_id: str) -> None:
    """B300 holds (B310 number, B320 date, B330 country) triples in document order."""
    for group in sdobi.iterfind("B300"):
        number: str | None = None
        date = None
        for child in group:
            if child.tag == "B310":
                if number is not None:
                    batch.priorities.append(
                        priority_row(doc_id=doc_id, office=None, number=number, date=date)
                    )
                number, date = text_of(child), None
            elif child.tag == "B320":
                date = parse_date(find_text(child, "date"))
            elif child.tag == "B330" and number is not None:
                office = country_code(find_text(child, "ctry"))
                batch.priorities.append(priority_row(doc_id=doc_id, office=office, number=number, date=date))
                number, date = None, None
        if number is not None:
            batch.priorities.append(priority_row(doc_id=doc_id, office=None, number=number, date=date))


def _parties(sdobi: Element, batch: ParsedBatch, doc_id: str) -> None:
    for group, member, role in (*_PARTY_GROUPS, ("B740", "B741", "agent")):
        for seq, party in enumerate(sdobi.iterfind(f"B700/{group}/{member}"), start=1):
            address = party.find("adr")
            parts = [find_text(address, "str"), find_text(address, "city")] if address is not None else []
            batch.parties.append(
                party_row(
                    doc_id=doc_id,
                    role=role,
                    seq=seq,
                    name=find_text(party, "snm") or find_text(party, "onm"),
                    country=country_code(find_text(address, "ctry")),
                    address=", ".join(p for p in parts if p) or None,
                )
            )


def _citations(sdobi: Element, batch: ParsedBatch, doc_id: str) -> None:
    seq = 0
    for cited in sdobi.iterfind("B500/B560/*"):
        if cited.tag == "B561":
            seq += 1
            batch.citations.append(_patent_citation(cited, doc_id=doc_id, seq=seq))
        elif cited.tag == "B562":
            seq += 1
            batch.citations.append(citation_row(doc_id=doc_id, seq=seq, is_npl=True, npl_text=text_of(cited)))


def _patent_citation(cited: Element, *, doc_id: str, seq: int) -> dict[str, object]:
    """A B561 entry: structured patcit/document-id when present, else the printed "EP-A- 0 367 306"."""
    document = cited.find(".//document-id")
    if document is not None:
        return citation_row(
            doc_id=doc_id,
            seq=seq,
            is_npl=False,
            cited_office=country_code(find_text(document, "country")),
            cited_number=find_text(document, "doc-number"),
            cited_kind=find_text(document, "kind"),
            cited_date=parse_date(find_text(document, "date")),
        )
    printed = text_of(cited.find("text")) or text_of(cited) or ""
    match = _PRINTED_CITATION.match(printed)
    if match is None:
        return citation_row(doc_id=doc_id, seq=seq, is_npl=False, npl_text=printed or None)
    office, kind, number = match.groups()
    return citation_row(
        doc_id=doc_id,
        seq=seq,
        is_npl=False,
        cited_office=office,
        cited_number=number.replace(" ", ""),
        cited_kind=kind,
    )


def _ipcr_text(text: str | None) -> tuple[str | None, bool]:
    """(symbol, is_first_position) from an IPCR/CPC text line such as "C12P  19/56  20060101AFI2021..."."""
    position = _IPCR_POSITION.search(text or "")
    return spaced_ipc(text), bool(position and position.group(2) == "F")


# the name the package registry uses
parse_ep_document = parse_ep_patent_document
