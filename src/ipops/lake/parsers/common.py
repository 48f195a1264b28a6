"""Shared helpers for the format parsers: safe XML parsing, text, dates, codes and row builders."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree

from ipops.core.codes import InvalidCodeError, normalise_ipc
from ipops.lake.records import ParsedBatch, QuarantineEntry, Row, empty_row, make_doc_id

Element = etree._Element

# No DTD loading, no network, no entity expansion: office files are untrusted input.
_STRICT = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, load_dtd=False)
_RECOVER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=True, load_dtd=False, recover=True
)
_SPACES = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")


class UnusableDocumentError(ValueError):
    """The document parsed but lacks what the lake needs (e.g. no publication number)."""


@dataclass(slots=True)
class ParseResult:
    """What one parser returns for one XML document: rows, quarantined records and record counts."""

    batch: ParsedBatch = field(default_factory=ParsedBatch)
    quarantine: list[QuarantineEntry] = field(default_factory=list)
    parsed: int = 0  # records turned into rows
    recovered: int = 0  # of which parsed with recover=True
    detected_format: str | None = None  # format family, e.g. "uspto-ice"


def parse_xml(data: bytes) -> tuple[Element, bool]:
    """Parse strictly, else with recover=True; returns (root, recovered) or raises XMLSyntaxError."""
    try:
        return etree.fromstring(data, _STRICT), False  # noqa: S320
    except etree.XMLSyntaxError as strict_error:
        try:
            root = etree.fromstring(data, _RECOVER)  # noqa: S320
        except etree.XMLSyntaxError:
            raise strict_error from None
        if root is None:
            raise strict_error from None
        return root, True


def local(tag: object) -> str:
    """The tag without its namespace ("{ns}name" -> "name"); "" for comments and PIs."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def clean(value: str | None) -> str | None:
    """Whitespace collapsed and stripped; None when empty."""
    if value is None:
        return None
    text = _SPACES.sub(" ", value).strip()
    return text or None


def text_of(element: Element | None) -> str | None:
    """All text inside an element, whitespace collapsed; None when missing or empty."""
    if element is None:
        return None
    return clean("".join(str(part) for part in element.itertext()))


def attribute(element: Element, name: str) -> str | None:
    """An attribute by local name, whatever its namespace prefix (ST.96 uses com:sequenceNumber)."""
    for key, value in element.attrib.items():
        if local(key) == name:
            return str(value)
    return None


def find_text(element: Element | None, path: str) -> str | None:
    """text_of(element.find(path)), with a fast path for leaf elements (most bibliographic fields)."""
    if element is None:
        return None
    found = element.find(path)
    if found is None:
        return None
    if len(found):
        return text_of(found)
    text = found.text
    if not text:
        return None
    stripped = text.strip()
    if "  " in stripped or "\n" in stripped or "\t" in stripped:
        return clean(stripped)
    return stripped or None


def child_local(element: Element | None, name: str) -> Element | None:
    """First direct child with this local name, any namespace (CNIPA mixes business: and base:)."""
    if element is None:
        return None
    for child in element:
        if local(child.tag) == name:
            return child
    return None


def path_local(element: Element | None, *names: str) -> Element | None:
    """The element at a path of direct-child local names (None if any step is missing)."""
    for name in names:
        element = child_local(element, name)
    return element


def text_at(element: Element | None, *names: str) -> str | None:
    """text_of the element at a path of local names."""
    return text_of(path_local(element, *names))


def children_local(element: Element, name: str) -> list[Element]:
    """Direct children with this local name (any namespace)."""
    return [child for child in element if local(child.tag) == name]


def descendants_local(element: Element, name: str) -> Iterable[Element]:
    """Descendants with this local name (any namespace)."""
    return (e for e in element.iter() if local(e.tag) == name)


def first_local(element: Element | None, *names: str) -> Element | None:
    """The first descendant whose local name is one of names (in document order)."""
    if element is None:
        return None
    wanted = set(names)
    for e in element.iter():
        if local(e.tag) in wanted:
            return e
    return None


def parse_date(value: str | None) -> dt.date | None:
    """A date from "20050104", "2005-01-04", "2005.01.04" or "2005/01/04"; month/day 00 -> 1; else None."""
    if not value:
        return None
    if len(value) == 8 and value.isdigit():  # the common "20050104" needs no regex
        digits = value
    else:
        digits = "".join(_DIGITS.findall(value[:10] if "-" in value[:10] else value))
    if len(digits) < 8:
        return None
    year, month, day = int(digits[:4]), int(digits[4:6]) or 1, int(digits[6:8]) or 1
    if year < 1790:  # placeholders such as "0001-01-01" or "00000000"; no patent office is older
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


# "G06F017/60", "C12P  19/56  20060101AFI...", " 7C 07C  29/44   A", "E21B   7/    00  A I"
_SLASHED_SYMBOL = re.compile(r"([A-H])\s*(\d\d)\s*([A-Z])\s*0*(\d{1,4})\s*/\s*(\d{1,6})")
# ICE/PATDOC edition-7 layout: subclass (4), main group (3, right-aligned), subgroup: "A45F  504"
_FIXED_WIDTH_SYMBOL = re.compile(r"^([A-H]\d\d[A-Z])([ \d]{1,3}\d*)$")
_SUBCLASS_ONLY = re.compile(r"^([A-H]\d\d[A-Z])$")


def normalise_code(value: str | None) -> str | None:
    """IPC/CPC symbol in "H01L 21/768" style, also from old fixed-width "A45F  504"; None if not a symbol."""
    if not value:
        return None
    raw = value.strip().upper()
    slashed = _SLASHED_SYMBOL.search(raw)
    if slashed:
        section, klass, subclass, group, subgroup = slashed.groups()
        candidate = f"{section}{klass}{subclass} {int(group)}/{subgroup}"
    elif fixed := _FIXED_WIDTH_SYMBOL.match(raw):
        subclass = fixed.group(1)
        if len(raw) >= 9:
            group, subgroup = raw[4:7].strip(), raw[7:].strip()
        else:  # leading blanks collapsed ("E03C 104"): the subgroup is the last two digits
            digits = raw[4:].replace(" ", "")
            group, subgroup = digits[:-2], digits[-2:]
        if not group.isdigit() or not subgroup.isdigit():
            return None
        candidate = f"{subclass} {int(group)}/{subgroup}"
    elif _SUBCLASS_ONLY.match(raw):
        candidate = raw
    else:
        return None
    try:
        return normalise_ipc(candidate)
    except InvalidCodeError:
        return None


def country_code(value: str | None) -> str | None:
    """A two-letter country code, or None for "omitted"/"unknown"/garbage."""
    if value is not None and len(value) == 2 and value.isalpha():
        return value.upper()
    text = clean(value)
    if text and len(text) == 2 and text.isalpha():
        return text.upper()
    return None


def ip_type_for(office: str, kind: str | None, hint: str | None = None) -> str:
    """invention | utility_model | design | plant | reissue from the office, kind code and a type hint."""
    hint = (hint or "").lower()
    k = (kind or "").upper()
    if "design" in hint:
        return "design"
    if "plant" in hint:
        return "plant"
    if "reissue" in hint:
        return "reissue"
    if "utility model" in hint or "utility_model" in hint:
        return "utility_model"
    if office == "US":
        if k.startswith("S"):
            return "design"
        if k.startswith("P"):
            return "plant"
        if k.startswith("E") or k.startswith("RE"):
            return "reissue"
    if office == "CN":
        if k.startswith(("U", "Y")):
            return "utility_model"
        if k.startswith(("S", "D")):
            return "design"
    if office in {"DE", "JP", "KR"} and k.startswith(("U", "Y")):
        return "utility_model"
    return "invention"


def status_for(office: str, kind: str | None) -> str:
    """application | grant from the office and kind code."""
    k = (kind or "").upper()
    if office == "US":
        if k.startswith(("B", "S", "E", "H", "RE")) or k in {"P2", "P3", "PP"}:
            return "grant"
        return "application"
    if office == "CN":
        return "application" if k.startswith("A") else "grant"
    if office == "JP":
        return "grant" if k.startswith(("B", "Y")) else "application"
    if k.startswith(("B", "C", "S", "U", "Y")):
        return "grant"
    return "application"


_US_PREFIXED = re.compile(r"^(D|RE|PP|H|T|RX|AI)0*(\d+)$")


def normalise_doc_number(office: str | None, number: str | None, kind: str | None = None) -> str | None:
    """One spelling per publication so doc_ids and citations join across formats.

    US: grants as in ICE XML, 8 characters zero-padded ("7654321" -> "07654321", "D512345" -> "D0512345");
    pre-grant publications as 11 digits ("2002/0174596" and DOCDB "2014102795" -> "20140102795").
    EP: 7 digits zero-padded. Other offices: the printed number without spaces.
    """
    if number and (number.isdigit() and (office != "US" or len(number) in (8, 11))):
        if office != "EP" or len(number) >= 7:
            return number  # already canonical: the common case in bulk files
    text = _SPACES.sub("", number or "")
    if not text:
        return None
    if office == "US":
        text = (
            text.upper()
            .replace("/", "")
            .replace(",", "")
            .replace("-", "")
            .replace(".", "")
            .removeprefix("US")
        )
        if text.isdigit():
            if len(text) == 10 and text[:2] in {"19", "20"} and (kind or "A").upper().startswith("A"):
                return f"{text[:4]}0{text[4:]}"  # DOCDB drops the leading zero of the serial
            return text.zfill(8) if len(text) < 8 else text
        prefixed = _US_PREFIXED.match(text)
        if prefixed:
            prefix, digits = prefixed.groups()
            return prefix + digits.zfill(8 - len(prefix))
        return text
    if office == "EP" and text.isdigit() and len(text) < 7:
        return text.zfill(7)
    return text


def document_row(
    *,
    office: str,
    doc_number: str,
    kind: str | None,
    source_format: str,
    source_file: str,
    recovered: bool,
) -> Row:
    """A documents row with identity and provenance filled in, every other column None."""
    row = empty_row("documents")
    doc_number = normalise_doc_number(office, doc_number, kind) or doc_number
    row.update(
        doc_id=make_doc_id(office=office, doc_number=doc_number, kind=kind),
        office=office,
        doc_number=doc_number,
        kind=kind,
        source_format=source_format,
        source_file=source_file,
        recovered=recovered,
    )
    return row


def finish_document(row: Row) -> None:
    """Fill derived columns: filing_year, ip_type and status defaults."""
    application_date = row.get("application_date")
    if isinstance(application_date, dt.date):
        row["filing_year"] = application_date.year
    office, kind = str(row["office"]), row.get("kind")
    kind_text = kind if isinstance(kind, str) else None
    if row.get("ip_type") is None:
        row["ip_type"] = ip_type_for(office, kind_text)
    if row.get("status") is None:
        row["status"] = status_for(office, kind_text)
        if office == "US" and kind_text == "A" and len(str(row.get("doc_number") or "")) <= 8:
            row["status"] = (
                "grant"  # before 2001 US grants had kind A (pre-grant publications have 11 digits)
            )
    if row.get("status") == "grant" and row.get("grant_date") is None:
        row["grant_date"] = row.get("publication_date")
    if row.get("is_pct") is None:
        row["is_pct"] = row.get("pct_application_number") is not None


def party_row(
    *,
    doc_id: str,
    role: str,
    seq: int,
    name: str | None,
    country: str | None = None,
    address: str | None = None,
    region_code: str | None = None,
) -> Row:
    """A parties row."""
    return {
        "doc_id": doc_id,
        "role": role,
        "seq": seq,
        "name": name,
        "country": country,
        "address": address,
        "region_code": region_code,
    }


def classification_row(*, doc_id: str, scheme: str, symbol: str, is_main: bool) -> Row:
    """A classifications row."""
    return {"doc_id": doc_id, "scheme": scheme, "symbol": symbol, "is_main": is_main}


def add_classification(
    batch: ParsedBatch, seen: set[tuple[str, str]], *, doc_id: str, scheme: str, raw: str | None, main: bool
) -> None:
    """Append one normalised classification unless it is unparseable or already present."""
    if scheme in {"IPC", "CPC"}:
        symbol = normalise_code(raw)
    else:
        symbol = clean(raw)
    if not symbol or (scheme, symbol) in seen:
        return
    seen.add((scheme, symbol))
    is_main = main and (scheme, "<main>") not in seen  # one main symbol per scheme and document
    if is_main:
        seen.add((scheme, "<main>"))
    batch.classifications.append(
        classification_row(doc_id=doc_id, scheme=scheme, symbol=symbol, is_main=is_main)
    )


def citation_row(
    *,
    doc_id: str,
    seq: int,
    is_npl: bool,
    cited_office: str | None = None,
    cited_number: str | None = None,
    cited_kind: str | None = None,
    cited_date: dt.date | None = None,
    npl_text: str | None = None,
    category: str | None = None,
) -> Row:
    """A citations row."""
    return {
        "doc_id": doc_id,
        "seq": seq,
        "is_npl": is_npl,
        "cited_office": cited_office,
        "cited_number": normalise_doc_number(cited_office, cited_number, cited_kind)
        if cited_office
        else cited_number,
        "cited_kind": cited_kind,
        "cited_date": cited_date,
        "npl_text": npl_text,
        "category": category,
    }


def priority_row(*, doc_id: str, office: str | None, number: str | None, date: dt.date | None) -> Row:
    """A priorities row."""
    return {"doc_id": doc_id, "office": office, "number": number, "date": date}


def legal_event_row(*, doc_id: str, date: dt.date | None, code: str | None, description: str | None) -> Row:
    """A legal_events row."""
    return {"doc_id": doc_id, "date": date, "code": code, "description": description}


def person_name(addressbook: Element | None) -> str | None:
    """orgname, or "first last" / name from an ST.36-style addressbook."""
    if addressbook is None:
        return None
    org = find_text(addressbook, "orgname")
    if org:
        return org
    name = find_text(addressbook, "name")
    if name:
        return name
    first, last = find_text(addressbook, "first-name"), find_text(addressbook, "last-name")
    joined = " ".join(p for p in (first, last) if p)
    return joined or None


def address_text(address: Element | None) -> str | None:
    """The parts of an ST.36 address joined with ", " (country code excluded)."""
    if address is None:
        return None
    parts = [text_of(child) for child in address if local(child.tag) not in {"country", ""}]
    joined = ", ".join(p for p in parts if p)
    return joined or None
