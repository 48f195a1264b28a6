"""Trademarks: WIPO ST.66 `Transaction` (USPTO TSDR, WIPO Global Brand Database offices) and ST.96."""

from __future__ import annotations

import re

from ipops.lake.parsers.common import (
    Element,
    ParseResult,
    UnusableDocumentError,
    attribute,
    child_local,
    clean,
    country_code,
    descendants_local,
    first_local,
    legal_event_row,
    local,
    parse_date,
    party_row,
    text_of,
)
from ipops.lake.records import ParsedBatch, QuarantineEntry, empty_row

# USPTO mark drawing codes (ST.96 MarkFeatureCode, first digit).
_USPTO_DRAWING_CODES = {
    "1": "word",
    "2": "figurative",
    "3": "combined",
    "4": "word",
    "5": "combined",
    "6": "other",
}
_SEQUENCE = re.compile(r"\d+")


def _first_text(element: Element | None, *names: str) -> str | None:
    """Text of the first descendant with one of these local names that has any text."""
    if element is None:
        return None
    wanted = set(names)
    for candidate in element.iter():
        if local(candidate.tag) in wanted:
            text = text_of(candidate)
            if text:
                return text
    return None


def mark_feature(raw: str | None) -> str | None:
    """word | figurative | combined | three_dimensional | sound | colour | other, from office wording."""
    text = (clean(raw) or "").lower()
    if not text:
        return None
    if text[0].isdigit():
        return _USPTO_DRAWING_CODES.get(text[0], "other")
    has_word = any(w in text for w in ("word", "kata", "typeset", "standard character", "name", "letter"))
    has_image = any(w in text for w in ("figur", "device", "logo", "design", "lukisan", "image", "stylized"))
    if "combined" in text or "both" in text or (has_word and has_image):
        return "combined"
    if "3d" in text or "three" in text or "shape" in text:
        return "three_dimensional"
    if "sound" in text:
        return "sound"
    if "colour" in text or "color" in text:
        return "colour"
    if has_image:
        return "figurative"
    if has_word:
        return "word"
    return "other"


def parse_trademark_transaction(root: Element, *, source_file: str, recovered: bool) -> ParseResult:
    """Every trademark record of an ST.66 or ST.96 transaction/application (one row per mark)."""
    st66 = list(descendants_local(root, "TradeMark"))
    records = st66 or list(descendants_local(root, "Trademark"))
    if not records:
        raise UnusableDocumentError(f"no TradeMark/Trademark record in {local(root.tag)}")
    # USPTO TSDR ST.66 puts ApplicantDetails beside TradeMarkDetails, not inside TradeMark.
    transaction_data = first_local(root, "TransactionData")
    result = ParseResult(recovered=0)
    for index, record in enumerate(records):
        try:
            batch = _trademark(
                record,
                st96=not st66,
                fallback_applicants=transaction_data,
                source_file=source_file,
                recovered=recovered,
            )
        except UnusableDocumentError as exc:
            result.quarantine.append(
                QuarantineEntry(source_file, 0, f"unusable trademark record {index}: {exc}", None)
            )
            continue
        result.batch.extend(batch)
        result.parsed += 1
        result.recovered += int(recovered)
    return result


def _trademark(
    record: Element, *, st96: bool, fallback_applicants: Element | None, source_file: str, recovered: bool
) -> ParsedBatch:
    office = country_code(_first_text(record, "RegistrationOfficeCode"))
    number_element = child_local(record, "ApplicationNumber")
    number = _first_text(number_element, "ApplicationNumberText") if st96 else text_of(number_element)
    number = number or text_of(number_element)
    if not office or not number:
        raise UnusableDocumentError("no RegistrationOfficeCode or ApplicationNumber")
    doc_id = f"{office}-TM-{number}"
    row = empty_row("trademarks")
    row.update(
        doc_id=doc_id,
        office=office,
        application_number=number,
        registration_number=text_of(child_local(record, "RegistrationNumber")),
        mark_text=_first_text(record, "MarkVerbalElementText"),
        status=text_of(child_local(record, "MarkCurrentStatusCode")),
        application_date=parse_date(text_of(child_local(record, "ApplicationDate"))),
        registration_date=parse_date(text_of(child_local(record, "RegistrationDate"))),
        expiry_date=parse_date(text_of(child_local(record, "ExpiryDate"))),
        source_format="tm-st96" if st96 else "tm-st66",
        source_file=source_file,
        recovered=recovered,
    )
    row["mark_feature"] = mark_feature(
        _first_text(record, "MarkFeature", "MarkFeatureCode", "MarkFeatureCategory")
    ) or _feature_from_parts(record)
    classes, goods = _goods_and_services(record)
    row["nice_classes"] = classes
    row["goods"] = goods
    owner = _owner(record, st96=st96) or (None if st96 else _owner(fallback_applicants, st96=False))
    row["owner_name"], row["owner_country"] = owner or (None, None)
    batch = ParsedBatch(trademarks=[row])
    if owner is not None:
        batch.parties.append(party_row(doc_id=doc_id, role="owner", seq=1, name=owner[0], country=owner[1]))
    for event in descendants_local(record, "MarkEvent"):
        code = _first_text(event, "MarkEventCode", "MarkEventCategory")
        description = _first_text(
            event,
            "OfficeSpecificMarkEventDescription",
            "MarkEventInternalDescriptionText",
            "MarkEventDescriptionText",
        )
        date = parse_date(_first_text(event, "MarkEventDate"))
        if code or description:
            batch.legal_events.append(
                legal_event_row(doc_id=doc_id, date=date, code=code, description=description)
            )
    return batch


def _feature_from_parts(record: Element) -> str | None:
    """word | figurative | combined from the verbal and image parts, for records with no MarkFeature."""
    words = _first_text(first_local(record, "WordMarkSpecification"), "MarkVerbalElementText")
    image = _first_text(first_local(record, "MarkImageDetails"), "MarkImageFilename", "MarkImageURI")
    if words and image:
        return "combined"
    if words:
        return "word"
    return "figurative" if image else None


def _goods_and_services(record: Element) -> tuple[list[int], str | None]:
    """Sorted Nice classes and "class: description" lines (English or untagged when available)."""
    classes: set[int] = set()
    for number in descendants_local(record, "ClassNumber"):
        text = clean(number.text)
        if text and text.isdigit() and 1 <= int(text) <= 45:
            classes.add(int(text))
    lines: list[tuple[str | None, str, str]] = []
    for description in descendants_local(record, "ClassDescription"):
        klass = clean(text_of(child_local(description, "ClassNumber")))
        for goods in description.iter():
            if local(goods.tag) in {"GoodsServicesDescription", "GoodsServicesDescriptionText"}:
                text = text_of(goods)
                if text:
                    language = attribute(goods, "languageCode")
                    lines.append((language, klass.lstrip("0") if klass else "", text))
    preferred = [line for line in lines if line[0] in (None, "en")] or lines
    joined = " | ".join(f"{klass}: {text}" if klass else text for _, klass, text in preferred)
    return sorted(classes), joined or None


def _owner(scope: Element | None, *, st96: bool) -> tuple[str, str | None] | None:
    """(name, country) of the current owner: the applicant with the highest USPTO party/sequence code."""
    if scope is None:
        return None
    applicants = [a for a in descendants_local(scope, "Applicant") if _applicant_name(a)]
    if not applicants:
        return None
    owner = max(applicants, key=_owner_rank) if len(applicants) > 1 else applicants[0]
    name = _applicant_name(owner) or ""
    country = country_code(
        _first_text(owner, "AddressCountryCode", "FormattedAddressCountryCode", "CountryCode")
        or _first_text(
            owner, "IncorporationCountryCode", "ApplicantIncorporationCountryCode", "NationalityCode"
        )
    )
    return name, country


def _owner_rank(applicant: Element) -> int:
    """USPTO ranks parties 10 original applicant ... 30 registrant, 31+ later owners; others keep order."""
    code = _first_text(applicant, "PartyTypeCode") or attribute(applicant, "sequenceNumber")
    match = _SEQUENCE.search(code or "")
    return int(match.group()) if match else 0


def _applicant_name(applicant: Element) -> str | None:
    # GBD offices repeat the name line once per language: keep each distinct line once
    lines = dict.fromkeys(
        line for e in descendants_local(applicant, "FreeFormatNameLine") if (line := text_of(e))
    )
    joined = " ".join(lines)
    if joined:
        return joined
    name = _first_text(
        applicant, "EntityName", "OrganizationStandardName", "OrganizationName", "PersonFullName"
    )
    if name:
        return name
    first, last = _first_text(applicant, "FirstName"), _first_text(applicant, "LastName")
    return " ".join(p for p in (first, last) if p) or None
