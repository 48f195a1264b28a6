"""Trademarks: the office-native `TMBRAND` record of the WIPO Global Brand Database (Israel's register)."""

from __future__ import annotations

import re
from pathlib import PurePath

from ipops.lake.parsers.common import (
    Element,
    ParseResult,
    UnusableDocumentError,
    child_local,
    children_local,
    clean,
    country_code,
    first_local,
    legal_event_row,
    local,
    parse_date,
    party_row,
    text_of,
)
from ipops.lake.parsers.trademarks import mark_feature
from ipops.lake.records import ParsedBatch, Row, empty_row

# "www.trademarks.justice.gov.il/..." -> "il"; generic top-level domains are not countries
_HOST_COUNTRY = re.compile(r"^(?:https?://)?[^/\s]*\.([a-z]{2})(?:[/:]|$)", re.IGNORECASE)
# GBD folders are named "<office>tm" ("iltm" holds Israel's records)
_GBD_FOLDER = re.compile(r"^([a-z]{2})tm$")
_EVENT_DATE = ("DATE", "EVENTDATE")
_EVENT_CODE = ("CODE", "EVENTCODE", "TYPE", "STATUS")
_EVENT_TEXT = ("DESCRIPTION", "EVENTDESCRIPTION", "NAME", "EVENTNAME", "TEXT")


def parse_tmbrand(root: Element, *, source_file: str, recovered: bool) -> ParseResult:
    """One trademark row (with owners and events) from a `TMBRAND` record."""
    details = child_local(root, "DETAILS")
    number = text_of(child_local(details, "OFFICENUMBER"))
    office = _office(root, source_file=source_file)
    if not number or not office:
        raise UnusableDocumentError("TMBRAND record without OFFICENUMBER or a recognisable office")
    doc_id = f"{office}-TM-{number}"
    registration_date = parse_date(text_of(child_local(details, "REGISTRATIONDATE")))
    names = _texts(child_local(details, "BRAND"), "NAME")
    row = empty_row("trademarks")
    row.update(
        doc_id=doc_id,
        office=office,
        application_number=number,
        # the Israeli register numbers a mark once: the application number becomes the registration number
        registration_number=number if registration_date else None,
        mark_text=" / ".join(names) or None,
        mark_feature=_feature(root, details, has_text=bool(names)),
        status=text_of(child_local(details, "STATUS")),
        application_date=parse_date(text_of(child_local(details, "FILINGDATE"))),
        registration_date=registration_date,
        expiry_date=parse_date(text_of(child_local(details, "EXPIRATIONDATE"))),
        source_format="tm-tmbrand",
        source_file=source_file,
        recovered=recovered,
    )
    row["nice_classes"], row["goods"] = _nice(root)
    batch = ParsedBatch(trademarks=[row])
    owners = _owners(root)
    if owners:
        row["owner_name"], row["owner_country"] = owners[0]
    for seq, (name, country) in enumerate(owners, start=1):
        batch.parties.append(party_row(doc_id=doc_id, role="owner", seq=seq, name=name, country=country))
    batch.legal_events.extend(_events(root, doc_id=doc_id))
    return ParseResult(batch=batch, parsed=1, recovered=int(recovered))


def _office(root: Element, *, source_file: str) -> str | None:
    """The office from the record's register link, else from the GBD folder the file was published in."""
    link = clean(text_of(child_local(root, "EXTRACT")))
    match = _HOST_COUNTRY.match(link or "")
    if match:
        return match.group(1).upper()
    for folder in reversed(PurePath(source_file).parts[:-1]):
        folder_match = _GBD_FOLDER.match(folder.lower())
        if folder_match:
            return folder_match.group(1).upper()
    return None


def _texts(scope: Element | None, name: str) -> list[str]:
    """Distinct non-empty texts of the children called `name`, one per language (every script kept)."""
    if scope is None:
        return []
    return list(dict.fromkeys(text for child in children_local(scope, name) if (text := text_of(child))))


def _feature(root: Element, details: Element | None, *, has_text: bool) -> str | None:
    """The mark's feature: the office's own wording if it has one, else from verbal and figurative parts."""
    stated = mark_feature(text_of(child_local(details, "BRANDTYPE")))
    if stated not in (None, "other"):
        return stated
    # Vienna classification is given only for figurative elements
    vienna = child_local(root, "VIENNAGROUP")
    figurative = vienna is not None and any(clean(text_of(e)) for e in vienna.iter() if e is not vienna)
    if has_text:
        return "combined" if figurative else "word"
    return "figurative" if figurative or text_of(child_local(root, "IMAGEFILE")) else None


def _nice(root: Element) -> tuple[list[int], str | None]:
    """Sorted Nice classes and "class: goods" lines, English (or the only language) preferred."""
    classes: set[int] = set()
    lines: list[str] = []
    group = child_local(root, "NICEGROUP")
    for nice in children_local(root if group is None else group, "NICECLASS"):
        klass = clean(text_of(child_local(nice, "TYPE")))
        if klass and klass.isdigit() and 1 <= int(klass) <= 45:
            classes.add(int(klass))
        lists = {
            (child.get("lang") or ""): text
            for child in children_local(nice, "LIST")
            if (text := text_of(child))
        }
        goods = lists.get("en") or next(iter(lists.values()), None)
        if goods:
            lines.append(f"{int(klass)}: {goods}" if klass and klass.isdigit() else goods)
    return sorted(classes), " | ".join(lines) or None


def _owners(root: Element) -> list[tuple[str, str | None]]:
    """(name, country) of each applicant, the main-language name first where one is marked."""
    owners: list[tuple[str, str | None]] = []
    group = child_local(root, "APPLICANTS")
    for applicant in children_local(root if group is None else group, "APPLICANT"):
        names_scope = child_local(applicant, "NAMES")
        named = [n for n in children_local(names_scope, "NAME")] if names_scope is not None else []
        named.sort(key=lambda n: n.get("main") != "1")
        name = next((text for n in named if (text := text_of(n))), None)
        if name:
            country = country_code(text_of(first_local(applicant, "COUNTRY", "NATIONALITY", "COUNTRYCODE")))
            owners.append((name, country))
    return owners


def _events(root: Element, *, doc_id: str) -> list[Row]:
    """Legal event rows of the record's event group (absent in records with no history)."""
    events: list[Row] = []
    for group in root:
        if not isinstance(group.tag, str) or "EVENT" not in local(group.tag):
            continue
        for event in group:
            if not isinstance(event.tag, str):
                continue
            code = text_of(first_local(event, *_EVENT_CODE))
            description = text_of(first_local(event, *_EVENT_TEXT))
            if code or description:
                date = parse_date(text_of(first_local(event, *_EVENT_DATE)))
                events.append(legal_event_row(doc_id=doc_id, date=date, code=code, description=description))
    return events
