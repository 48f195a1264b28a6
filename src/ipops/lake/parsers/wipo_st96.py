"""WIPO ST.96 patent publications, design applications and geographical-indication applications."""

from __future__ import annotations

from ipops.lake.parsers.common import (
    Element,
    ParseResult,
    UnusableDocumentError,
    add_classification,
    attribute,
    child_local,
    children_local,
    citation_row,
    clean,
    country_code,
    descendants_local,
    document_row,
    finish_document,
    ip_type_for,
    legal_event_row,
    local,
    parse_date,
    party_row,
    path_local,
    priority_row,
    text_at,
    text_of,
)
from ipops.lake.records import ParsedBatch

_SUBJECT_TYPES = {"utility": "invention", "design": "design", "plant": "plant", "reissue": "reissue"}
_ROLES = (
    ("Applicant", "applicant"),
    ("Inventor", "inventor"),
    ("Assignee", "assignee"),
    ("RegisteredPractitioner", "agent"),
)


def _symbol(classification: Element, section_tag: str) -> str | None:
    parts = [
        text_at(classification, name) for name in (section_tag, "Class", "Subclass", "MainGroup", "Subgroup")
    ]
    if not all(parts):
        return None
    section, klass, subclass, group, subgroup = (p or "" for p in parts)
    return f"{section}{klass}{subclass} {group}/{subgroup}"


def _person(contact: Element | None) -> str | None:
    name = path_local(contact, "Name")
    if name is None:
        return None
    entity = text_at(name, "EntityName") or text_at(name, "OrganizationName", "OrganizationStandardName")
    if entity:
        return entity
    structured = path_local(name, "PersonName", "PersonStructuredName")
    if structured is not None:
        first, last = text_at(structured, "FirstName"), text_at(structured, "LastName")
        return ", ".join(p for p in (last, first) if p) or None
    return text_at(name, "PersonName", "PersonFullName")


def parse_st96_patent(root: Element, *, source_file: str, recovered: bool) -> ParseResult:
    """One ST.96 PatentPublication."""
    biblio = child_local(root, "BibliographicData")
    publication = child_local(biblio, "PatentPublicationIdentification")
    number = text_at(publication, "PublicationNumber")
    if biblio is None or publication is None or not number:
        raise UnusableDocumentError("no PatentPublicationIdentification/PublicationNumber")
    office = country_code(text_at(publication, "IPOfficeCode") or text_at(root, "IPOfficeCode")) or "WO"
    kind = text_at(publication, "PatentDocumentKindCode")
    version = attribute(root, "st96Version")
    row = document_row(
        office=office,
        doc_number=number,
        kind=kind,
        source_format=f"wipo-st96-{version}" if version else "wipo-st96",
        source_file=source_file,
        recovered=recovered,
    )
    doc_id = str(row["doc_id"])
    row["publication_date"] = parse_date(text_at(publication, "PublicationDate"))
    application = child_local(biblio, "ApplicationIdentification")
    row["application_number"] = text_at(application, "ApplicationNumber", "ApplicationNumberText")
    row["application_date"] = parse_date(text_at(application, "FilingDate"))
    subject = (text_at(application, "InventionSubjectMatterCategory") or "").lower()
    row["ip_type"] = _SUBJECT_TYPES.get(subject) or ip_type_for(office, kind)
    row["title"] = text_at(biblio, "InventionTitleBag", "InventionTitle")
    row["abstract"] = text_of(child_local(root, "Abstract"))
    language = attribute(root, "languageCode")
    row["language"] = language.lower() if language else None
    claims = child_local(root, "Claims")
    if claims is not None:
        row["claims_count"] = sum(1 for c in claims if local(c.tag) == "Claim")
    else:
        declared = text_at(biblio, "ClaimTotalQuantity")
        row["claims_count"] = int(declared) if declared and declared.isdigit() else None
    pct = None
    for parent in descendants_local(biblio, "PCTDocumentParent"):
        pct = pct or text_at(
            parent, "ApplicationIdentification", "ApplicationNumber", "ApplicationNumberText"
        )
    row["pct_application_number"] = pct
    finish_document(row)

    batch = ParsedBatch(documents=[row])
    seen: set[tuple[str, str]] = set()
    for position, ipcr in enumerate(descendants_local(biblio, "IPCRClassification")):
        main = (
            text_at(ipcr, "SymbolPositionCode") == "F"
            if text_at(ipcr, "SymbolPositionCode")
            else position == 0
        )
        add_classification(batch, seen, doc_id=doc_id, scheme="IPC", raw=_symbol(ipcr, "Section"), main=main)
    for cpc in descendants_local(biblio, "CPCClassification"):
        main = text_at(cpc, "SymbolPositionCode") == "F"
        add_classification(
            batch, seen, doc_id=doc_id, scheme="CPC", raw=_symbol(cpc, "CPCSection"), main=main
        )
    for claim in descendants_local(biblio, "PriorityClaim"):
        batch.priorities.append(
            priority_row(
                doc_id=doc_id,
                office=country_code(text_at(claim, "IPOfficeCode")),
                number=text_at(claim, "ApplicationNumber", "ApplicationNumberText"),
                date=parse_date(text_at(claim, "FilingDate")),
            )
        )
    parties = child_local(biblio, "PartyBag")
    for tag, role in _ROLES:
        for seq, party in enumerate(descendants_local(parties, tag) if parties is not None else [], 1):
            contact = child_local(party, "PublicationContact")
            contact = contact if contact is not None else child_local(party, "Contact")
            batch.parties.append(party_row(doc_id=doc_id, role=role, seq=seq, name=_person(contact)))
    _citations(biblio, batch, doc_id)
    return ParseResult(batch=batch, parsed=1, recovered=int(recovered))


def _citations(biblio: Element, batch: ParsedBatch, doc_id: str) -> None:
    seq = 0
    for citation in descendants_local(biblio, "ReferenceCitation"):
        category = clean(attribute(citation, "citingPartyCategory"))
        label = f"cited by {category.lower()}" if category else None
        patent = path_local(citation, "PatentCitation", "CitedPatentDocumentIdentification")
        seq += 1
        if patent is not None:
            batch.citations.append(
                citation_row(
                    doc_id=doc_id,
                    seq=seq,
                    is_npl=False,
                    cited_office=country_code(text_at(patent, "IPOfficeCode")),
                    cited_number=text_at(patent, "DocumentNumber"),
                    cited_kind=text_at(patent, "PatentDocumentKindCode"),
                    cited_date=parse_date(text_at(patent, "PatentDocumentDate")),
                    category=label,
                )
            )
        else:
            text = text_of(child_local(citation, "NPLCitation")) or text_of(citation)
            batch.citations.append(
                citation_row(doc_id=doc_id, seq=seq, is_npl=True, npl_text=text, category=label)
            )


def _bag_members(parent: Element, bag: str, member: str) -> list[Element]:
    """The members of a direct child bag (<ApplicantBag><Applicant/>...)."""
    found = child_local(parent, bag)
    return [] if found is None else children_local(found, member)


def _contact_name(party: Element) -> str | None:
    return _person(child_local(party, "Contact"))


def parse_st96_design(root: Element, *, source_file: str, recovered: bool) -> ParseResult:
    """One ST.96 DesignApplication: a documents row (ip_type design) per Design of its DesignBag."""
    office = country_code(text_at(root, "RegistrationOfficeCode")) or "WO"
    application_number = text_at(root, "ApplicationNumber", "ApplicationNumberText")
    application_date = parse_date(text_at(root, "ApplicationDate"))
    language = text_at(root, "DesignApplicationLanguageCode")
    version = attribute(root, "st96Version")
    applicants = [_contact_name(a) for a in _bag_members(root, "ApplicantBag", "Applicant")]
    events = [
        (
            parse_date(text_at(e, "DesignApplicationEventDate")),
            text_at(e, "DesignApplicationEventCategory"),
            text_at(e, "CommentText"),
        )
        for e in descendants_local(root, "DesignApplicationEvent")
    ]
    batch = ParsedBatch()
    designs = _bag_members(root, "DesignBag", "Design")
    for design in designs:
        number = text_at(design, "RegistrationNumber") or text_at(design, "DesignIdentifier")
        if not number:
            continue
        row = document_row(
            office=office,
            doc_number=number,
            kind="S",
            source_format=f"wipo-st96-design-{version}" if version else "wipo-st96-design",
            source_file=source_file,
            recovered=recovered,
        )
        doc_id = str(row["doc_id"])
        registered = parse_date(text_at(design, "RegistrationDate"))
        publication = next(iter(descendants_local(design, "Publication")), None)
        row.update(
            ip_type="design",
            status="grant" if registered else "application",
            application_number=application_number,
            application_date=application_date,
            grant_date=registered,
            publication_date=parse_date(text_at(publication, "PublicationDate")) or registered,
            title=text_at(design, "DesignTitleText"),
            abstract=clean(
                " ".join(filter(None, (text_of(d) for d in children_local(design, "DesignDescriptionText"))))
            ),
            claims_count=len(children_local(design, "DesignClaim")) or None,
            language=language.lower() if language else None,
        )
        finish_document(row)
        batch.documents.append(row)
        seen: set[tuple[str, str]] = set()
        for position, locarno in enumerate(descendants_local(design, "LocarnoClassificationText")):
            add_classification(
                batch, seen, doc_id=doc_id, scheme="LOCARNO", raw=text_of(locarno), main=position == 0
            )
        for priority in descendants_local(design, "Priority"):
            batch.priorities.append(
                priority_row(
                    doc_id=doc_id,
                    office=country_code(text_at(priority, "PriorityCountryCode")),
                    number=text_at(priority, "ApplicationNumber", "ApplicationNumberText"),
                    date=parse_date(text_at(priority, "PriorityApplicationFilingDate")),
                )
            )
        own_applicants = [
            _contact_name(a) for a in _bag_members(design, "ApplicantBag", "Applicant")
        ] or applicants
        for seq, name in enumerate(own_applicants, 1):
            batch.parties.append(party_row(doc_id=doc_id, role="applicant", seq=seq, name=name))
        for seq, designer in enumerate(descendants_local(design, "Designer"), 1):
            batch.parties.append(
                party_row(doc_id=doc_id, role="inventor", seq=seq, name=_contact_name(designer))
            )
        for seq, representative in enumerate(descendants_local(design, "Representative"), 1):
            batch.parties.append(
                party_row(doc_id=doc_id, role="agent", seq=seq, name=_contact_name(representative))
            )
        for seq, cited in enumerate(descendants_local(design, "CitedPatentDocumentIdentification"), 1):
            batch.citations.append(
                citation_row(
                    doc_id=doc_id,
                    seq=seq,
                    is_npl=False,
                    cited_office=country_code(text_at(cited, "IPOfficeCode")),
                    cited_number=text_at(cited, "DocumentNumber"),
                    cited_kind=text_at(cited, "PatentDocumentKindCode"),
                    cited_date=parse_date(text_at(cited, "PatentDocumentDate")),
                )
            )
        for date, code, description in events:
            batch.legal_events.append(
                legal_event_row(doc_id=doc_id, date=date, code=code, description=description)
            )
    if not batch.documents:
        raise UnusableDocumentError("no Design with a RegistrationNumber or DesignIdentifier")
    return ParseResult(
        batch=batch, parsed=len(batch.documents), recovered=int(recovered) * len(batch.documents)
    )


def parse_st96_geographical_indication(root: Element, *, source_file: str, recovered: bool) -> ParseResult:
    """One ST.96 GIApplication: a documents row (geographical_indication) with its Nice product classes."""
    data = child_local(root, "GIData")
    number = text_at(data, "ApplicationNumber", "ApplicationNumberText")
    if data is None or not number:
        raise UnusableDocumentError("no GIData/ApplicationNumber")
    office = country_code(attribute(data, "officeCode")) or "WO"
    version = attribute(root, "st96Version")
    row = document_row(
        office=office,
        doc_number=number,
        kind=None,
        source_format=f"wipo-st96-gi-{version}" if version else "wipo-st96-gi",
        source_file=source_file,
        recovered=recovered,
    )
    doc_id = str(row["doc_id"])
    publication = next(iter(descendants_local(data, "GIPublication")), None)
    language = attribute(data, "languageCode")
    row.update(
        ip_type="geographical_indication",
        application_number=number,
        application_date=parse_date(text_at(data, "ApplicationDate")),
        publication_date=parse_date(text_at(publication, "PublicationDate")),
        title=text_at(data, "GINameBag", "GINameText"),
        abstract=text_of(path_local(data, "FeatureDescriptionBag", "FeatureDescription")),
        language=language.lower() if language else None,
    )
    finish_document(row)
    batch = ParsedBatch(documents=[row])
    seen: set[tuple[str, str]] = set()
    for position, klass in enumerate(descendants_local(data, "ClassNumber")):
        add_classification(batch, seen, doc_id=doc_id, scheme="NICE", raw=text_of(klass), main=position == 0)
    for seq, applicant in enumerate(_bag_members(root, "ApplicantBag", "Applicant"), 1):
        batch.parties.append(
            party_row(doc_id=doc_id, role="applicant", seq=seq, name=_contact_name(applicant))
        )
    for seq, user in enumerate(children_local(root, "AuthorizedUser"), 1):
        batch.parties.append(
            party_row(doc_id=doc_id, role="authorized_user", seq=seq, name=_contact_name(user))
        )
    return ParseResult(batch=batch, parsed=1, recovered=int(recovered))
