"""USPTO patent assignments: assignment-search (Solr `response`) results and bulk `us-patent-assignments` XML.

doc_numbers holds the patents (8 digits, zero-padded like ICE grant doc-numbers, "07130913") and pre-grant
publications (11 digits, "20040073746") a transaction covers; application numbers are left out because
8-digit application and patent numbers would collide.
"""

from __future__ import annotations

from collections.abc import Callable

from ipops.lake.parsers.common import (
    Element,
    ParseResult,
    UnusableDocumentError,
    clean,
    find_text,
    local,
    parse_date,
    text_of,
)
from ipops.lake.records import QuarantineEntry, empty_row

_NULLS = {"", "NULL", "null", "None"}


def patent_number(raw: str | None) -> str | None:
    """A US patent number as in ICE doc-number: digits zero-padded to 8, letter prefixes kept ("D0512345")."""
    text = (clean(raw) or "").replace(",", "").upper()
    if not text or text in _NULLS:
        return None
    prefix = text.rstrip("0123456789")
    digits = text[len(prefix) :]
    if not digits:
        return None
    return prefix + digits.zfill(8 - len(prefix))


def publication_number(raw: str | None) -> str | None:
    """A pre-grant publication number as 11 digits ("2004/0073746" -> "20040073746")."""
    text = (clean(raw) or "").replace("/", "").replace("-", "")
    if not text or text in _NULLS or not text.isdigit():
        return None
    return text[:4] + text[4:].zfill(7) if len(text) in (10, 11) else text


def reel_frame(reel: str | None, frame: str | None) -> str | None:
    """ "018247/0405": the USPTO reel/frame identifier of a recorded assignment."""
    reel, frame = clean(reel), clean(frame)
    if not reel or not frame or not reel.isdigit() or not frame.isdigit():
        return None
    return f"{int(reel):06d}/{int(frame):04d}"


def parse_assignments(root: Element, *, source_file: str, recovered: bool) -> ParseResult:
    """Every assignment record of a search response (`doc`) or bulk file (`patent-assignment`)."""
    build: Callable[..., dict[str, object]]
    if local(root.tag) == "response":
        records = root.findall("result/doc")
        build = _solr_assignment
    else:
        records = root.findall(".//patent-assignment")
        build = _bulk_assignment
    if not records:
        raise UnusableDocumentError(f"no assignment records in {local(root.tag)}")
    result = ParseResult()
    for index, record in enumerate(records):
        try:
            row = build(record, source_file=source_file)
        except UnusableDocumentError as exc:
            result.quarantine.append(
                QuarantineEntry(source_file, 0, f"unusable assignment record {index}: {exc}", None)
            )
            continue
        result.batch.assignments.append(row)
        result.parsed += 1
        result.recovered += int(recovered)
    return result


def is_assignment_response(root: Element) -> bool:
    """Whether a Solr `response` holds assignment records (not some other search service)."""
    doc = root.find("result/doc")
    return doc is not None and doc.find("*[@name='reelNo']") is not None


def _solr_fields(doc: Element) -> dict[str, list[str]]:
    """Solr field name -> values (single fields become one-item lists)."""
    fields: dict[str, list[str]] = {}
    for field in doc:
        name = field.get("name")
        if not name:
            continue
        if field.tag == "arr":
            values = [text_of(v) or "" for v in field]
        else:
            values = [text_of(field) or ""]
        fields[name] = [v for v in values if v not in _NULLS]
    return fields


def _solr_date(values: list[str]) -> object:
    # "0001-01-01T00:00:00Z" marks a missing date in the assignment index
    for value in values:
        date = parse_date(value[:10])
        if date is not None and date.year > 1700:
            return date
    return None


def _solr_assignment(doc: Element, *, source_file: str) -> dict[str, object]:
    fields = _solr_fields(doc)
    first = {name: values[0] for name, values in fields.items() if values}
    key = reel_frame(first.get("reelNo"), first.get("frameNo"))
    if key is None:
        raise UnusableDocumentError("no reelNo/frameNo")
    numbers = [n for n in (patent_number(v) for v in fields.get("patNum", [])) if n]
    numbers += [n for n in (publication_number(v) for v in fields.get("publNum", [])) if n]
    row = empty_row("assignments")
    row.update(
        reel_frame=key,
        recorded_date=_solr_date(fields.get("recordedDate", [])),
        conveyance=first.get("conveyanceText"),
        assignors=fields.get("patAssignorName", []),
        assignees=fields.get("patAssigneeName", []),
        execution_date=_solr_date(
            fields.get("patAssignorEarliestExDate", []) or fields.get("patAssignorExDate", [])
        ),
        doc_numbers=list(dict.fromkeys(numbers)),
        source_file=source_file,
    )
    return row


def _bulk_assignment(record: Element, *, source_file: str) -> dict[str, object]:
    header = record.find("assignment-record")
    key = reel_frame(find_text(header, "reel-no"), find_text(header, "frame-no"))
    if header is None or key is None:
        raise UnusableDocumentError("no assignment-record reel-no/frame-no")
    assignors = [find_text(a, "name") or "" for a in record.iterfind("patent-assignors/patent-assignor")]
    assignees = [find_text(a, "name") or "" for a in record.iterfind("patent-assignees/patent-assignee")]
    executed = [
        parse_date(find_text(a, "execution-date/date"))
        for a in record.iterfind("patent-assignors/patent-assignor")
    ]
    numbers: list[str] = []
    for document in record.iterfind("patent-properties/patent-property/document-id"):
        kind = (find_text(document, "kind") or "").upper()
        number = find_text(document, "doc-number")
        if kind.startswith("B") or kind in {"E", "S", "P"}:
            normalised = patent_number(number)
        elif kind.startswith("A") and number and len(number) >= 10:
            normalised = publication_number(number)
        else:
            normalised = None  # application numbers: see the module docstring
        if normalised:
            numbers.append(normalised)
    row = empty_row("assignments")
    row.update(
        reel_frame=key,
        recorded_date=parse_date(find_text(header, "recorded-date/date")),
        conveyance=find_text(header, "conveyance-text"),
        assignors=[a for a in assignors if a],
        assignees=[a for a in assignees if a],
        execution_date=min((d for d in executed if d is not None), default=None),
        doc_numbers=list(dict.fromkeys(numbers)),
        source_file=source_file,
    )
    return row
