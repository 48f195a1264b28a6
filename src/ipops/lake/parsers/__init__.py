"""Format parsers for the IP data lake: one XML document in, lake rows (or quarantine entries) out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from ipops.lake.parsers.bulk import split_xml_bytes
from ipops.lake.parsers.common import Element, ParseResult, UnusableDocumentError, local, parse_xml
from ipops.lake.parsers.detect import detect_format, sniff_format
from ipops.lake.records import ParsedBatch, QuarantineEntry


class Parser(Protocol):
    """A format parser: one parsed XML root in, rows and per-record quarantine entries out."""

    def __call__(self, root: Element, *, source_file: str, recovered: bool) -> ParseResult: ...


def _registry() -> dict[str, Parser]:
    from ipops.lake.parsers import (
        cnipa,
        epo,
        jpo,
        ops,
        tmbrand,
        trademarks,
        uspto,
        uspto_assignments,
        wipo_st96,
    )

    return {
        "uspto-ice": uspto.parse_ice,
        "uspto-pap": uspto.parse_pap,
        "uspto-patdoc": uspto.parse_patdoc,
        "uspto-assignment": uspto_assignments.parse_assignments,
        "epo-ep-patent-document": epo.parse_ep_patent_document,
        "epo-ops": ops.parse_ops,
        "cnipa-new": cnipa.parse_cnipa_new,
        "cnipa-old": cnipa.parse_cnipa_old,
        "jpo-st36": jpo.parse_jp_gazette,
        "wipo-st96-patent": wipo_st96.parse_st96_patent,
        "tm-st66": trademarks.parse_trademark_transaction,
        "tm-st96": trademarks.parse_trademark_transaction,
        "wipo-st96-trademark": trademarks.parse_trademark_transaction,
        "tm-tmbrand": tmbrand.parse_tmbrand,
        "wipo-st96-design": wipo_st96.parse_st96_design,
        "wipo-st96-gi": wipo_st96.parse_st96_geographical_indication,
    }


_PARSERS: dict[str, Parser] = {}
UNSUPPORTED_DOCUMENT_TYPES = {
    "uspto-cpc-master": "USPTO CPC master classification file",
    "cpc-scheme": "CPC classification scheme",
    "st36-toc": "ST.36 package table of contents",
}


def parsers() -> dict[str, Parser]:
    """Format family -> parser (built once)."""
    if not _PARSERS:
        _PARSERS.update(_registry())
    return _PARSERS


def quarantine_result(
    *, source_file: str, part: int, reason: str, detected_format: str | None
) -> ParseResult:
    """A result holding one quarantined record."""
    entry = QuarantineEntry(
        source_file=source_file, part=part, reason=reason[:500], detected_format=detected_format
    )
    return ParseResult(quarantine=[entry], detected_format=detected_format)


def parse_document(data: bytes, *, source_file: str, part: int = 0) -> ParseResult:
    """Parse one XML document of any supported format; never raises: failures become quarantine entries."""
    try:
        root, recovered = parse_xml(data)
    except Exception as exc:  # noqa: BLE001 - a broken document must not stop the batch
        # sniffing the head is only needed to label a document that did not parse (kept off the hot path)
        return quarantine_result(
            source_file=source_file,
            part=part,
            reason=f"{type(exc).__name__}: {exc}",
            detected_format=sniff_format(data[:65536]),
        )
    detected = detect_format(root)
    if detected in UNSUPPORTED_DOCUMENT_TYPES or detected.startswith("xml:"):
        what = UNSUPPORTED_DOCUMENT_TYPES.get(detected, detected.removeprefix("xml:"))
        return quarantine_result(
            source_file=source_file,
            part=part,
            reason=f"unsupported document type: {what}",
            detected_format=detected,
        )
    parser = parsers().get(detected)
    if parser is None:
        return quarantine_result(
            source_file=source_file,
            part=part,
            reason=f"unsupported document type: {detected}",
            detected_format=detected,
        )
    try:
        result = parser(root, source_file=source_file, recovered=recovered)
    except UnusableDocumentError as exc:
        reason = f"unusable document{' (after recover=True)' if recovered else ''}: {exc}"
        return quarantine_result(source_file=source_file, part=part, reason=reason, detected_format=detected)
    except Exception as exc:  # noqa: BLE001 - a parser bug on one document must not stop the batch
        return quarantine_result(
            source_file=source_file,
            part=part,
            reason=f"{type(exc).__name__}: {exc}",
            detected_format=detected,
        )
    if not result.parsed and not result.quarantine:  # every document is counted: in == parsed + quarantined
        return quarantine_result(
            source_file=source_file,
            part=part,
            reason=f"no records found in {local(root.tag)}",
            detected_format=detected,
        )
    # per-record entries carry the record index in their reason; part is always the document's position
    result.quarantine = [QuarantineEntry(e.source_file, part, e.reason, detected) for e in result.quarantine]
    result.detected_format = detected
    return result


def parse_bulk_bytes(data: bytes, *, source_file: str) -> tuple[ParsedBatch, list[QuarantineEntry]]:
    """Parse an in-memory (possibly concatenated) XML file: rows and quarantine entries (for benchmarks)."""
    batch = ParsedBatch()
    quarantine: list[QuarantineEntry] = []
    for result in iter_bulk_bytes(data, source_file=source_file):
        batch.extend(result.batch)
        quarantine.extend(result.quarantine)
    return batch, quarantine


def iter_bulk_bytes(data: bytes, *, source_file: str) -> Iterator[ParseResult]:
    """One ParseResult per `<?xml` document of an in-memory bulk file."""
    for part, document in enumerate(split_xml_bytes(data)):
        yield parse_document(document, source_file=source_file, part=part)
