"""WIPO ST.96 patent publications, design applications and geographical-indication applications."""

from __future__ import annotations

from ipops.lake.parsers.common import (
    Element,
    ParseResult,
    UnusableDocumentError,
    add_classification,
    attribute,
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
    priority_row,
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


def _child(element: Element | None, name: str) -> Element | None:
    if element is None:
        return None
    for child in element:
        if local(child.tag) == name:
            return child
    return None


def _path(element: Element | None, *names: str) -> Element | None:
    for name in names:
        element = _child(element, name)
    return element


def _text(element: Element | None, *names: str) -> str | None:
    return text_of(_path(element, *names))


def _symbol(classification: Element, section_tag: str) -> str | None:
    parts = [
        _text(classification, name) for name in (section_tag, "Class", "Subclass", "MainGroup", "Subgroup")
    ]
    if not all(parts):
        return None
    section, klass, subclass, group, subgroup = (p or "" for p in parts)
    return f"{section}{klass}{subclass} {group}/{subgroup}"


def _person(contact: Element | None) -> str | None:
    name = _path(contact, "Name")
    if name is None:
        return None
    entity = _text(name, "EntityName") or _text(name, "OrganizationName", "OrganizationStandardName")
    if entity:
        return entity
    structured = _path(name, "PersonName", "PersonStructuredName")
    if structured is not None:
        first, last = _text(structured, "FirstName"), _text(structured, "LastName")
        return ", ".join(p for p in (last, first) if p) or None
    return _text(name, "PersonName", "PersonFullName")


def parse_st96_patent(root: Element, *, source_file: str, recovered: bool) -> ParseResult:
    """One ST.96 PatentPublication."""
    biblio = _child(root, "BibliographicData")
    publication = _child(biblio, "PatentPublicationIdentification")
    number = _text(publication, "PublicationNumber")
    if biblio is None or publication is None or not number:
        raise UnusableDocumentError("no PatentPublicationIdentification/PublicationNumber")
    office = country_code(_text(publication, "IPOfficeCode") or _text(root, "IPOfficeCode")) or "WO"
    kind = _text(publication, "PatentDocumentKindCode")
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
    row["publication_date"] = parse_date(_text(publication, "PublicationDate"))
    application = _child(biblio, "ApplicationIdentification")
    row["application_number"] = _text(application, "ApplicationNumber", "ApplicationNumberText")
    row["application_date"] = parse_date(_text(application, "FilingDate"))
    subject = (_text(application, "InventionSubjectMatterCategory") or "").lower()
    row["ip_type"] = _SUBJECT_TYPES.get(subject) or ip_type_for(office, kind)
    row["title"] = _text(biblio, "InventionTitleBag", "InventionTitle")
    row["abstract"] = text_of(_child(root, "Abstract"))
    language = attribute(root, "languageCode")
    row["language"] = language.lower() if language else None
    claims = _child(root, "Claims")
    if claims is not None:
        row["claims_count"] = sum(1 for c in claims if local(c.tag) == "Claim")
    else:
        declared = _text(biblio, "ClaimTotalQuantity")
        row["claims_count"] = int(declared) if declared and declared.isdigit() else None
    pct = None
    for parent in descendants_local(biblio, "PCTDocumentParent"):
        pct = pct or _text(parent, "ApplicationIdentification", "ApplicationNumber", "ApplicationNumberText")
    row["pct_application_number"] = pct
    finish_document(row)

    batch = ParsedBatch(documents=[row])
    seen: set[tuple[str, str]] = set()
    for position, ipcr in enumerate(descendants_local(biblio, "IPCRClassification")):
        main = (
            _text(ipcr, "SymbolPositionCode") == "F" if _text(ipcr, "SymbolPositionCode") else position == 0
        )
        add_classification(batch, seen, doc_id=doc_id, scheme="IPC", raw=_symbol(ipcr, "Section"), main=main)
    for cpc in descendants_local(biblio, "CPCClassification"):
        main = _text(cpc, "SymbolPositionCode") == "F"
        add_classification(
            batch, seen, doc_id=doc_id, scheme="CPC", raw=_symbol(cpc, "CPCSection"), main=main
        )
    for claim in descendants_local(biblio, "PriorityClaim"):
        batch.priorities.append(
            priority_row(
                doc_id=doc_id,
                office=country_code(_text(claim, "IPOfficeCode")),
                number=_text(claim, "ApplicationNumber", "ApplicationNumberText"),
                date=parse_date(_text(claim, "FilingDate")),
            )
        )
    parties = _child(biblio, "PartyBag")
    for tag, role in _ROLES:
        for seq, party in enumerate(descendants_local(parties, tag) if parties is not None else [], 1):
            contact = _child(party, "PublicationContact")
            contact = contact if contact is not None else _child(party, "Contact")
            batch.parties.append(party_row(doc_id=doc_id, role=role, seq=seq, name=_person(contact)))
    _citations(biblio, batch, doc_id)
    return ParseResult(batch=batch, parsed=1, recovered=int(recovered))


def _citations(biblio: Element, batch: ParsedBatch, doc_id: str) -> None:
    seq = 0
    for citation in descendants_local(biblio, "ReferenceCitation"):
        category = clean(attribute(citation, "citingPartyCategory"))
        label = f"cited by {category.lower()}" if category else None
        patent = _path(citation, "PatentCitation", "CitedPatentDocumentIdentification")
        seq += 1
        if patent is not None:
            batch.citations.append(
                citation_row(
                    doc_id=doc_id,
                    seq=seq,
                    is_npl=False,
                    cited_office=country_code(_text(patent, "IPOfficeCode")),
                    cited_number=_text(patent, "DocumentNumber"),
                    cited_kind=_text(patent, "PatentDocumentKindCode"),
                    cited_date=parse_date(_text(patent, "PatentDocumentDate")),
                    category=label,
                )
            )
        else:
            text = text_of(_child(citation, "NPLCitation")) or text_of(citation)
            batch.citations.append(
                citation_row(doc_id=doc_id, seq=seq, is_npl=True, npl_text=text, category=label)
            )


def _bag_members(parent: Element, bag: str, member: str) -> list[Element]:
    """The members of a direct child bag (<ApplicantBag><Applicant/>...)."""
    found = _child(parent, bag)
    return [] if found is None else children_local(found, member)


def _contact_name(party: Element) -> str | None:
    return _person(_child(party, "Contact"))


def parse_st96_design(root: Element, *, source_file: str, recovered: bool) -> ParseResult:
    """One ST.96 DesignApplication: a documents row (ip_type design) per Design of its DesignBag."""
    office = country_code(_text(root, "RegistrationOfficeCode")) or "WO"
    application_number = _text(root, "ApplicationNumber", "ApplicationNumberText")
    application_date = parse_date(_text(root, "ApplicationDate"))
    language = _text(root, "DesignApplicationLanguageCode")
    version = attribute(root, "st96Version")
    applicants = [_contact_name(a) for a in _bag_members(root, "ApplicantBag", "Applicant")]
    events = [
        (
            parse_date(_text(e, "DesignApplicationEventDate")),
            _text(e, "DesignApplicationEventCategory"),
            _text(e, "CommentText"),
        )
        for e in descendants_local(root, "DesignApplicationEvent")
    ]
    batch = ParsedBatch()
    designs = _bag_members(root, "DesignBag", "Design")
    for design in designs:
        number = _text(design, "RegistrationNumber") or _text(design, "DesignIdentifier")
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
        registered = parse_date(_text(design, "RegistrationDate"))
        publication = next(iter(descendants_local(design, "Publication")), None)
        row.update(
            ip_type="design",
            status="grant" if registered else "application",
            application_number=application_number,
            application_date=application_date,
            grant_date=registered,
            publication_date=parse_date(_text(publication, "PublicationDate")) or registered,
            title=_text(design, "DesignTitleText"),
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
                    office=country_code(_text(priority, "PriorityCountryCode")),
                    number=_text(priority, "ApplicationNumber", "ApplicationNumberText"),
                    date=parse_date(_text(priority, "PriorityApplicationFilingDate")),
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
                    cited_office=country_code(_text(cited, "IPOfficeCode")),
                    cited_number=_text(cited, "DocumentNumber"),
                    cited_kind=_text(cited, "PatentDocumentKindCode"),
                    cited_date=parse_date(_text(cited, "PatentDocumentDate")),
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
    data = _child(root, "GIData")
    number = _text(data, "ApplicationNumber", "ApplicationNumberText")
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
        application_date=parse_date(_text(data, "ApplicationDate")),
        publication_date=parse_date(_text(publication, "PublicationDate")),
        title=_text(data, "GINameBag", "GINameText"),
        abstract=text_of(_path(data, "FeatureDescriptionBag", "FeatureDescription")),
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
