"""CNIPA full texts: the new `business:`/`base:` schema (PatentDocumentAndRelated), `cn-patent-document`."""

from __future__ import annotations

from ipops.lake.parsers.china_regions import foreign_country, region_code_for
from ipops.lake.parsers.common import (
    Element,
    ParseResult,
    UnusableDocumentError,
    add_classification,
    child_local,
    children_local,
    clean,
    country_code,
    descendants_local,
    document_row,
    find_text,
    finish_document,
    parse_date,
    party_row,
    path_local,
    priority_row,
    text_at,
    text_of,
)
from ipops.lake.records import ParsedBatch

# CNIPA fills unused address fields with "0".
_EMPTY = {"0", "00000000", "0000000000"}
# old-schema appl-type labels
_OLD_TYPES = {"发明专利": "invention", "实用新型": "utility_model", "外观设计": "design"}


def _value(element: Element | None, *names: str) -> str | None:
    """Text at a local-name path, with CNIPA's "0" placeholders treated as missing."""
    text = text_at(element, *names)
    return None if text is None or text in _EMPTY else text


def _chinese_party_region(country: str | None, *parts: str | None) -> str | None:
    if country not in (None, "CN"):
        return None
    text = " ".join(p for p in parts if p)
    return region_code_for(address=text) if text else None


def parse_cnipa_new(root: Element, *, source_file: str, recovered: bool) -> ParseResult:
    """One business:PatentDocumentAndRelated document (CNIPA XML schema V2.x)."""
    biblio = child_local(root, "BibliographicData")
    publication = path_local(biblio, "PublicationReference", "DocumentID")
    number = _value(publication, "DocNumber")
    if biblio is None or publication is None or not number:
        raise UnusableDocumentError("no PublicationReference/DocumentID/DocNumber")
    office = country_code(_value(publication, "WIPOST3Code")) or "CN"
    kind = _value(publication, "Kind")
    version = clean(root.get("xsdVersion")) or ""
    row = document_row(
        office=office,
        doc_number=number,
        kind=kind,
        source_format=f"cnipa-new-{version.lstrip('Vv')}" if version else "cnipa-new",
        source_file=source_file,
        recovered=recovered,
    )
    doc_id = str(row["doc_id"])
    row["publication_date"] = parse_date(_value(publication, "Date"))
    application = path_local(biblio, "ApplicationReference", "DocumentID")
    row["application_number"] = _value(application, "DocNumber")
    row["application_date"] = parse_date(_value(application, "Date"))
    title = child_local(biblio, "InventionTitle")
    row["title"] = text_of(title)
    abstract = child_local(root, "Abstract")
    row["abstract"] = (
        clean(" ".join(text_of(p) or "" for p in children_local(abstract, "Paragraphs")))
        if (abstract is not None)
        else None
    )
    language = (title.get("lang") if title is not None else None) or (
        abstract.get("lang") if abstract is not None else None
    )
    row["language"] = language.lower() if language else "zh"
    claims = child_local(root, "Claims")
    row["claims_count"] = len(children_local(claims, "Claim")) if claims is not None else None
    pct = _value(path_local(biblio, "PCTOrRegionalApplicationData", "DocumentID"), "DocNumber")
    row["pct_application_number"] = pct
    row["is_pct"] = pct is not None or path_local(biblio, "PCTOrRegionalPublishingData") is not None
    finish_document(row)

    batch = ParsedBatch(documents=[row])
    seen: set[tuple[str, str]] = set()
    for position, ipcr in enumerate(descendants_local(biblio, "ClassificationIPCR")):
        parts = [
            _value(ipcr, name) or "" for name in ("Section", "MainClass", "Subclass", "MainGroup", "Subgroup")
        ]
        raw = f"{''.join(parts[:3])} {parts[3]}/{parts[4]}" if all(parts) else _value(ipcr, "Text")
        add_classification(batch, seen, doc_id=doc_id, scheme="IPC", raw=raw, main=position == 0)
    priorities = list(descendants_local(biblio, "Priority"))
    # each claim is listed twice, dataFormat="original" and "standard" (numbers re-padded): keep the original
    originals = [p for p in priorities if p.get("dataFormat") == "original"]
    for priority in originals or priorities:
        batch.priorities.append(
            priority_row(
                doc_id=doc_id,
                office=country_code(_value(priority, "WIPOST3Code")),
                number=_value(priority, "DocNumber"),
                date=parse_date(_value(priority, "Date")),
            )
        )
    parties = child_local(biblio, "Parties")
    if parties is None:
        return ParseResult(batch=batch, parsed=1, recovered=int(recovered))
    for seq, applicant in enumerate(descendants_local(parties, "Applicant"), 1):
        batch.parties.append(_new_party(applicant, doc_id=doc_id, role="applicant", seq=seq))
    for seq, inventor in enumerate(descendants_local(parties, "Inventor"), 1):
        batch.parties.append(_new_party(inventor, doc_id=doc_id, role="inventor", seq=seq))
    agents = child_local(parties, "AgentDetails")
    for seq, agent in enumerate(children_local(agents, "Agent") if agents is not None else [], 1):
        agency = _value(path_local(agent, "Agency", "AddressBook"), "OrganizationName")
        name = agency or _value(child_local(agent, "AddressBook"), "Name")
        batch.parties.append(party_row(doc_id=doc_id, role="agent", seq=seq, name=name, country="CN"))
    return ParseResult(batch=batch, parsed=1, recovered=int(recovered))


def _new_party(party: Element, *, doc_id: str, role: str, seq: int) -> dict[str, object]:
    book = child_local(party, "AddressBook")
    address = child_local(book, "Address")
    country = country_code(_value(address, "WIPOST3Code"))
    text = _value(address, "Text")
    province, city, county = _value(address, "Province"), _value(address, "City"), _value(address, "County")
    structured = "".join(p for p in (province, city, county) if p)
    country = country or foreign_country(text)
    country = country or ("CN" if structured or (text and region_code_for(address=text)) else None)
    region = None
    if country == "CN":
        region = region_code_for(
            address=text, province=province, city=city, postcode=_value(address, "PostCode")
        )
    return party_row(
        doc_id=doc_id,
        role=role,
        seq=int(party.get("sequence") or seq),
        name=_value(book, "Name") or _value(book, "OrganizationName"),
        country=country,
        address=text or structured or None,
        region_code=region,
    )


def parse_cnipa_old(root: Element, *, source_file: str, recovered: bool) -> ParseResult:
    """One cn-patent-document (older CNIPA ST.36-style XML)."""
    biblio = root.find("cn-bibliographic-data")
    publication = biblio.find("cn-publication-reference/document-id") if biblio is not None else None
    number = find_text(publication, "doc-number")
    if biblio is None or publication is None or not number:
        raise UnusableDocumentError("no cn-publication-reference/document-id/doc-number")
    office = country_code(find_text(publication, "country")) or "CN"
    kind = find_text(publication, "kind")
    row = document_row(
        office=office,
        doc_number=number,
        kind=kind,
        source_format="cnipa-old",
        source_file=source_file,
        recovered=recovered,
    )
    doc_id = str(row["doc_id"])
    row["publication_date"] = parse_date(find_text(publication, "date"))
    application = biblio.find("application-reference")
    if application is not None:
        row["application_number"] = find_text(application, "document-id/doc-number")
        row["application_date"] = parse_date(find_text(application, "document-id/date"))
        row["ip_type"] = _OLD_TYPES.get(clean(application.get("appl-type")) or "")
    row["title"] = find_text(biblio, "invention-title")
    row["abstract"] = text_of(biblio.find("abstract"))
    language = clean(root.get("lang"))
    row["language"] = language.lower() if language else "zh"
    claims = root.find("application-body/claims")
    row["claims_count"] = len(claims.findall("claim")) if claims is not None else None
    pct = find_text(biblio, "pct-or-regional-filing-data/document-id/doc-number")
    row["pct_application_number"] = pct
    row["is_pct"] = pct is not None or biblio.find("pct-or-regional-publishing-data") is not None
    finish_document(row)

    batch = ParsedBatch(documents=[row])
    seen: set[tuple[str, str]] = set()
    for position, ipcr in enumerate(biblio.iterfind("classifications-ipcr/classification-ipcr")):
        add_classification(
            batch, seen, doc_id=doc_id, scheme="IPC", raw=find_text(ipcr, "text"), main=position == 0
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
    for priority in biblio.iterfind("cn-domestic-priority-claims/cn-domestic-priority-claim"):
        batch.priorities.append(
            priority_row(
                doc_id=doc_id,
                office="CN",
                number=find_text(priority, "doc-number"),
                date=parse_date(find_text(priority, "date")),
            )
        )
    for seq, applicant in enumerate(biblio.iterfind("cn-parties/cn-applicants/cn-applicant"), 1):
        name = find_text(applicant, "addressbook/name") or find_text(applicant, "name")
        address = find_text(applicant, "addressbook/address/text")
        country = country_code(find_text(applicant, "addressbook/address/country"))
        region = _chinese_party_region(country, address)
        if country is None:
            country = "CN" if region is not None else foreign_country(address)
        batch.parties.append(
            party_row(
                doc_id=doc_id,
                role="applicant",
                seq=int(applicant.get("sequence") or seq),
                name=name,
                country=country,
                address=address,
                region_code=region,
            )
        )
    for seq, inventor in enumerate(biblio.iterfind("cn-parties/cn-inventors/cn-inventor"), 1):
        name = find_text(inventor, "name") or find_text(inventor, "addressbook/name")
        batch.parties.append(
            party_row(doc_id=doc_id, role="inventor", seq=int(inventor.get("sequence") or seq), name=name)
        )
    for seq, agent in enumerate(biblio.iterfind("cn-parties/cn-agents/cn-agent"), 1):
        name = find_text(agent, "cn-agency/name") or find_text(agent, "name")
        batch.parties.append(party_row(doc_id=doc_id, role="agent", seq=seq, name=name, country="CN"))
    return ParseResult(batch=batch, parsed=1, recovered=int(recovered))
