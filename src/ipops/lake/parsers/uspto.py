"""USPTO full-text XML: ICE grants/applications v4.0-v4.7, PAP v1.5/v1.6 applications, PATDOC v2.5 grants."""

from __future__ import annotations

import re

from ipops.lake.parsers.common import (
    Element,
    ParseResult,
    UnusableDocumentError,
    add_classification,
    address_text,
    citation_row,
    clean,
    country_code,
    document_row,
    find_text,
    finish_document,
    ip_type_for,
    parse_date,
    party_row,
    person_name,
    priority_row,
    text_of,
)
from ipops.lake.records import ParsedBatch

_APPL_TYPES = {"utility": "invention", "design": "design", "plant": "plant", "reissue": "reissue"}


def ice_version(root: Element) -> str:
    """ "4.3" from dtd-version="v4.3 2012-12-04" or "v40 2004-12-02"."""
    raw = (root.get("dtd-version") or "").split(" ")[0].lstrip("vV")
    if raw and "." not in raw and len(raw) == 2:
        raw = f"{raw[0]}.{raw[1]}"
    return raw or "4"


def parse_ice(root: Element, *, source_file: str, recovered: bool) -> ParseResult:
    """One us-patent-grant or us-patent-application document."""
    is_grant = root.tag == "us-patent-grant"
    biblio = root.find("us-bibliographic-data-grant" if is_grant else "us-bibliographic-data-application")
    if biblio is None:
        raise UnusableDocumentError(f"{root.tag} without bibliographic data")
    pub = biblio.find("publication-reference/document-id")
    number = find_text(pub, "doc-number")
    if pub is None or not number:
        raise UnusableDocumentError("no publication-reference doc-number")
    office = country_code(find_text(pub, "country")) or "US"
    kind = find_text(pub, "kind")
    row = document_row(
        office=office,
        doc_number=number,
        kind=kind,
        source_format=f"uspto-ice-{ice_version(root)}",
        source_file=source_file,
        recovered=recovered,
    )
    doc_id = str(row["doc_id"])
    row["publication_date"] = parse_date(find_text(pub, "date"))
    row["status"] = "grant" if is_grant else "application"
    if is_grant:
        row["grant_date"] = row["publication_date"]
    app_ref = biblio.find("application-reference")
    if app_ref is not None:
        row["application_number"] = find_text(app_ref, "document-id/doc-number")
        row["application_date"] = parse_date(find_text(app_ref, "document-id/date"))
        appl_type = (app_ref.get("appl-type") or "").lower()
        row["ip_type"] = _APPL_TYPES.get(appl_type) or ip_type_for(office, kind)
    row["title"] = find_text(biblio, "invention-title")
    row["abstract"] = text_of(root.find("abstract"))
    claims = root.find("claims")
    row["claims_count"] = len(claims.findall("claim")) if claims is not None else None
    row["language"] = (root.get("lang") or "en").lower()
    pct = find_text(biblio, "pct-or-regional-filing-data/document-id/doc-number")
    row["pct_application_number"] = pct
    row["is_pct"] = pct is not None and (pct.upper().startswith("PCT") or "WO" in pct.upper())
    finish_document(row)

    batch = ParsedBatch(documents=[row])
    _ice_classifications(biblio, batch, doc_id)
    _ice_citations(biblio, batch, doc_id)
    for claim in biblio.iterfind("priority-claims/priority-claim"):
        batch.priorities.append(
            priority_row(
                doc_id=doc_id,
                office=country_code(find_text(claim, "country")),
                number=find_text(claim, "doc-number"),
                date=parse_date(find_text(claim, "date")),
            )
        )
    _ice_parties(biblio, batch, doc_id)
    return ParseResult(batch=batch, parsed=1, recovered=int(recovered))


def _ice_classifications(biblio: Element, batch: ParsedBatch, doc_id: str) -> None:
    seen: set[tuple[str, str]] = set()
    add = add_classification
    for ipc in biblio.iterfind("classification-ipc"):
        add(batch, seen, doc_id=doc_id, scheme="IPC", raw=find_text(ipc, "main-classification"), main=True)
        for further in ipc.iterfind("further-classification"):
            add(batch, seen, doc_id=doc_id, scheme="IPC", raw=text_of(further), main=False)
    for ipcr in biblio.iterfind("classifications-ipcr/classification-ipcr"):
        main = find_text(ipcr, "symbol-position") == "F"
        add(batch, seen, doc_id=doc_id, scheme="IPC", raw=_ipcr_symbol(ipcr), main=main)
    for cpc in biblio.iterfind("classifications-cpc/main-cpc/classification-cpc"):
        add(batch, seen, doc_id=doc_id, scheme="CPC", raw=_ipcr_symbol(cpc), main=True)
    for cpc in biblio.iterfind("classifications-cpc/further-cpc/classification-cpc"):
        add(batch, seen, doc_id=doc_id, scheme="CPC", raw=_ipcr_symbol(cpc), main=False)
    for locarno in biblio.iterfind("classification-locarno"):
        raw = find_text(locarno, "main-classification")
        add(batch, seen, doc_id=doc_id, scheme="LOCARNO", raw=_locarno(raw), main=True)
    for national in biblio.iterfind("classification-national"):
        if find_text(national, "country") not in {None, "US"}:
            continue
        for tag, main in (("main-classification", True), ("further-classification", False)):
            for entry in national.iterfind(tag):
                add(batch, seen, doc_id=doc_id, scheme="USPC", raw=uspc_symbol(entry.text), main=main)


def pap_uspc(klass: str | None, subclass: str | None) -> str | None:
    """ "2/69" from PAP's zero-padded class "002" and subclass "069000" (3 digits + 3 decimals)."""
    if not klass:
        return None
    main_class = klass.lstrip("0") or "0"
    if not subclass:
        return main_class
    main_sub, decimal = subclass[:3].lstrip("0") or "0", subclass[3:].rstrip("0")
    if decimal.isdigit():
        return f"{main_class}/{main_sub}.{decimal}"
    return f"{main_class}/{main_sub}{decimal}"


def uspc_symbol(raw: str | None) -> str | None:
    """ "2/52" from the fixed-width "  2 52": class (3 columns), subclass (3), decimal or alpha suffix."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip("\r\n").rstrip()
    if len(text.strip()) < 6 and text.strip()[:1].isdigit():
        text = text.strip().rjust(6)  # PATDOC sometimes drops the class's leading blanks ("4675" = 4/675)
    if len(text) < 4 or not text[:3].strip():
        return clean(text)
    klass, subclass, suffix = text[:3].replace(" ", ""), text[3:6].strip(), text[6:].strip()
    if not subclass:
        return klass
    if suffix.isdigit():
        return f"{klass}/{subclass}.{suffix}"
    return f"{klass}/{subclass}{suffix}"


def _ipcr_symbol(element: Element) -> str | None:
    parts = [
        find_text(element, tag) or "" for tag in ("section", "class", "subclass", "main-group", "subgroup")
    ]
    if not all(parts[:3]):
        return None
    return f"{parts[0]}{parts[1]}{parts[2]}{parts[3]}/{parts[4] or '00'}" if parts[3] else "".join(parts[:3])


def _locarno(raw: str | None) -> str | None:
    """ "1403" -> "14-03" (Locarno class-subclass)."""
    if raw and raw.isdigit() and len(raw) == 4:
        return f"{raw[:2]}-{raw[2:]}"
    return raw


def _ice_citations(biblio: Element, batch: ParsedBatch, doc_id: str) -> None:
    citations = biblio.findall("references-cited/citation") + biblio.findall(
        "us-references-cited/us-citation"
    )
    for seq, citation in enumerate(citations, start=1):
        category = find_text(citation, "category")
        ident = citation.find("patcit/document-id")
        if ident is not None:
            # one pass over the leaf children instead of four find() calls: citations dominate bulk files
            fields = {child.tag: (child.text or "").strip() for child in ident}
            batch.citations.append(
                citation_row(
                    doc_id=doc_id,
                    seq=seq,
                    is_npl=False,
                    cited_office=country_code(fields.get("country")),
                    cited_number=fields.get("doc-number") or None,
                    cited_kind=fields.get("kind") or None,
                    cited_date=parse_date(fields.get("date")),
                    category=category,
                )
            )
        else:
            text = find_text(citation, "nplcit/othercit") or text_of(citation.find("nplcit"))
            batch.citations.append(
                citation_row(doc_id=doc_id, seq=seq, is_npl=True, npl_text=text, category=category)
            )


def _ice_parties(biblio: Element, batch: ParsedBatch, doc_id: str) -> None:
    parties = biblio.find("us-parties")
    if parties is None:
        parties = biblio.find("parties")
    groups: list[tuple[str, list[Element]]] = []
    if parties is not None:
        groups += [
            (
                "applicant",
                parties.findall("applicants/applicant") + parties.findall("us-applicants/us-applicant"),
            ),
            ("inventor", parties.findall("inventors/inventor")),
            ("agent", parties.findall("agents/agent")),
        ]
    groups.append(("assignee", biblio.findall("assignees/assignee")))
    if parties is not None and not parties.findall("inventors/inventor"):
        # before AIA (ICE v4.0-4.1) inventors file as "applicant-inventor" applicants
        also_inventors = [a for a in groups[0][1] if a.get("app-type") == "applicant-inventor"]
        groups.append(("inventor", also_inventors))
    for role, members in groups:
        for seq, member in enumerate(members, start=1):
            book = member.find("addressbook")
            name = person_name(book) if book is not None else person_name(member)
            address = book.find("address") if book is not None else member.find("address")
            country = country_code(find_text(address, "country")) or country_code(
                find_text(member, "residence/country")
            )
            batch.parties.append(
                party_row(
                    doc_id=doc_id,
                    role=role,
                    seq=seq,
                    name=name,
                    country=country,
                    address=address_text(address),
                )
            )


# ---------------------------------------------------------------------------------------------------------
# PAP v1.5 / v1.6 (pre-2005 application publications)


def pap_version(root: Element) -> str:
    """ "1.6" from the DOCTYPE system id "pap-v16-2002-01-01.dtd"; "1.x" when there is none."""
    system_url = str(getattr(root.getroottree().docinfo, "system_url", None) or "")
    match = re.search(r"pap-v(\d)(\d)", system_url)
    return f"{match.group(1)}.{match.group(2)}" if match else "1.x"


def parse_pap(root: Element, *, source_file: str, recovered: bool) -> ParseResult:
    """One patent-application-publication document."""
    version = pap_version(root)
    biblio = root.find("subdoc-bibliographic-information")
    if biblio is None:
        raise UnusableDocumentError("patent-application-publication without bibliographic information")
    number = find_text(biblio, "document-id/doc-number")
    if not number:
        raise UnusableDocumentError("no document-id doc-number")
    kind = find_text(biblio, "document-id/kind-code")
    row = document_row(
        office="US",
        doc_number=number,
        kind=kind,
        source_format=f"uspto-pap-{version}",
        source_file=source_file,
        recovered=recovered,
    )
    doc_id = str(row["doc_id"])
    row["publication_date"] = parse_date(find_text(biblio, "document-id/document-date"))
    row["status"] = "application"
    row["application_number"] = find_text(biblio, "domestic-filing-data/application-number/doc-number")
    row["application_date"] = parse_date(find_text(biblio, "domestic-filing-data/filing-date"))
    filing_type = (find_text(biblio, "publication-filing-type") or "").lower()
    row["ip_type"] = "plant" if "plant" in filing_type else ip_type_for("US", kind, filing_type)
    row["title"] = find_text(biblio, "technical-information/title-of-invention")
    row["abstract"] = text_of(root.find("subdoc-abstract"))
    claims = root.find("subdoc-claims")
    row["claims_count"] = len(claims.findall("claim")) if claims is not None else None
    row["language"] = "en"
    pct = biblio.find("continuity-data/a-371-of-international/parent-child/parent/document-id/doc-number")
    row["pct_application_number"] = text_of(pct)
    finish_document(row)
    batch = ParsedBatch(documents=[row])
    seen: set[tuple[str, str]] = set()
    ipc = biblio.find("technical-information/classification-ipc")
    if ipc is not None:
        for primary in ipc.iterfind("classification-ipc-primary/ipc"):
            add_classification(batch, seen, doc_id=doc_id, scheme="IPC", raw=text_of(primary), main=True)
        for secondary in ipc.iterfind("classification-ipc-secondary/ipc"):
            add_classification(batch, seen, doc_id=doc_id, scheme="IPC", raw=text_of(secondary), main=False)
    for uspc in biblio.iterfind("technical-information/classification-us/classification-us-primary/uspc"):
        raw = pap_uspc(find_text(uspc, "class"), find_text(uspc, "subclass"))
        add_classification(batch, seen, doc_id=doc_id, scheme="USPC", raw=raw, main=True)
    for priority in biblio.iterfind("foreign-priority-data"):
        batch.priorities.append(
            priority_row(
                doc_id=doc_id,
                office=country_code(find_text(priority, "country-code")),
                number=find_text(priority, "priority-application-number/doc-number"),
                date=parse_date(find_text(priority, "filing-date")),
            )
        )
    inventors = biblio.findall("inventors/first-named-inventor") + biblio.findall("inventors/inventor")
    for seq, inventor in enumerate(inventors, start=1):
        name = " ".join(
            p
            for p in (
                find_text(inventor, f"name/{part}") for part in ("given-name", "middle-name", "family-name")
            )
            if p
        )
        residence = inventor.find("residence")
        country = None
        if residence is not None:
            country = country_code(find_text(residence, ".//country-code"))
        batch.parties.append(
            party_row(doc_id=doc_id, role="inventor", seq=seq, name=name or None, country=country)
        )
    for seq, assignee in enumerate(biblio.findall("assignee"), start=1):
        assignee_name = find_text(assignee, "organization-name") or text_of(assignee.find("name"))
        batch.parties.append(
            party_row(
                doc_id=doc_id,
                role="assignee",
                seq=seq,
                name=assignee_name,
                country=country_code(find_text(assignee, ".//country-code")),
            )
        )
    return ParseResult(batch=batch, parsed=1, recovered=int(recovered))


# ---------------------------------------------------------------------------------------------------------
# PATDOC v2.5 (ST.32 grants 2001-2004)


def _pdat(element: Element | None, path: str) -> str | None:
    return find_text(element, path)


def parse_patdoc(root: Element, *, source_file: str, recovered: bool) -> ParseResult:
    """One PATDOC (ST.32 SGML-derived XML) grant."""
    sdobi = root.find("SDOBI")
    if sdobi is None:
        raise UnusableDocumentError("PATDOC without SDOBI")
    number = _pdat(sdobi, "B100/B110/DNUM")
    if not number:
        raise UnusableDocumentError("no B110 document number")
    kind = _pdat(sdobi, "B100/B130")
    office = country_code(_pdat(sdobi, "B100/B190")) or "US"
    row = document_row(
        office=office,
        doc_number=number,
        kind=kind,
        source_format=f"uspto-patdoc-{root.get('DTD') or '2.5'}",
        source_file=source_file,
        recovered=recovered,
    )
    doc_id = str(row["doc_id"])
    row["publication_date"] = parse_date(_pdat(sdobi, "B100/B140/DATE"))
    row["status"] = "grant"
    row["grant_date"] = row["publication_date"]
    row["application_number"] = _pdat(sdobi, "B200/B210/DNUM")
    row["application_date"] = parse_date(_pdat(sdobi, "B200/B220/DATE"))
    row["title"] = _pdat(sdobi, "B500/B540")
    row["abstract"] = text_of(root.find("SDOAB"))
    claims = root.find("SDOCL")
    row["claims_count"] = len(claims.findall(".//CLM")) if claims is not None else None
    row["language"] = "en"
    pct = _pdat(sdobi, "B800/B860/B861/DOC/DNUM")
    row["pct_application_number"] = pct
    finish_document(row)
    batch = ParsedBatch(documents=[row])
    seen: set[tuple[str, str]] = set()
    add_classification(
        batch, seen, doc_id=doc_id, scheme="IPC", raw=_pdat(sdobi, "B500/B510/B511"), main=True
    )
    for further in sdobi.iterfind("B500/B510/B512"):
        add_classification(batch, seen, doc_id=doc_id, scheme="IPC", raw=text_of(further), main=False)
    add_classification(
        batch, seen, doc_id=doc_id, scheme="USPC", raw=uspc_symbol(_pdat(sdobi, "B500/B520/B521")), main=True
    )
    for further in sdobi.iterfind("B500/B520/B522"):
        add_classification(
            batch, seen, doc_id=doc_id, scheme="USPC", raw=uspc_symbol(text_of(further)), main=False
        )
    for seq, cited in enumerate(sdobi.iterfind("B500/B560/B561"), start=1):
        doc = cited.find("PCIT/DOC")
        category = (
            "cited by examiner" if cited.find("CITED-BY-EXAMINER") is not None else "cited by applicant"
        )
        batch.citations.append(
            citation_row(
                doc_id=doc_id,
                seq=seq,
                is_npl=False,
                cited_office=country_code(_pdat(doc, "CTRY")) or "US",
                cited_number=_pdat(doc, "DNUM"),
                cited_kind=_pdat(doc, "KIND"),
                cited_date=parse_date(_pdat(doc, "DATE")),
                category=category,
            )
        )
    offset = len(batch.citations)
    for seq, npl in enumerate(sdobi.iterfind("B500/B560/B562"), start=offset + 1):
        category = "cited by examiner" if npl.find("CITED-BY-EXAMINER") is not None else "cited by applicant"
        batch.citations.append(
            citation_row(doc_id=doc_id, seq=seq, is_npl=True, npl_text=_pdat(npl, "NCIT"), category=category)
        )
    for priority in sdobi.iterfind("B300"):
        batch.priorities.append(
            priority_row(
                doc_id=doc_id,
                office=country_code(_pdat(priority, "B330/CTRY")),
                number=_pdat(priority, "B310/DNUM"),
                date=parse_date(_pdat(priority, "B320/DATE")),
            )
        )
    for role, path in (
        ("inventor", "B700/B720/B721"),
        ("assignee", "B700/B730/B731"),
        ("agent", "B700/B740/B741"),
    ):
        for seq, member in enumerate(sdobi.iterfind(path), start=1):
            party = member.find("PARTY-US")
            if party is None:
                party = member.find("PARTY-FOR")
            if party is None:
                party = member
            nam = party.find("NAM")
            name = _pdat(nam, "ONM") or clean(
                " ".join(p for p in (_pdat(nam, "FNM"), _pdat(nam, "SNM")) if p)
            )
            adr = party.find("ADR")
            country = country_code(_pdat(adr, "CTRY")) or ("US" if _pdat(adr, "STATE") else None)
            address = ", ".join(p for p in (_pdat(adr, "CITY"), _pdat(adr, "STATE")) if p) or None
            batch.parties.append(
                party_row(doc_id=doc_id, role=role, seq=seq, name=name, country=country, address=address)
            )
    return ParseResult(batch=batch, parsed=1, recovered=int(recovered))
