"""Streaming split of concatenated XML files (USPTO weekly bulk files) on their `<?xml` declarations."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

CHUNK_BYTES = 4 * 1024 * 1024
# "<?xml" followed by whitespace: "<?xml-stylesheet ...?>" (OPS, CNIPA) must not start a new document.
_DECLARATION = re.compile(rb"<\?xml[ \t\r\n]")
_DECLARATION_BYTES = 6  # a declaration cut by a chunk boundary is found once the next chunk arrives
_BLANK = b" \t\r\n\xef\xbb\xbf"  # whitespace and UTF-8 byte-order marks between documents


class ByteStream(Protocol):
    """Anything with read(size) -> bytes: open files, gzip and zip member streams."""

    def read(self, size: int = -1, /) -> bytes: ...


def _is_blank(data: bytes | bytearray) -> bool:
    return not bytes(data).strip(_BLANK)


@dataclass(frozen=True, slots=True)
class OversizedDocument:
    """A document longer than the limit; its bytes were dropped as they streamed past, never held."""

    size: int


def iter_xml_documents(
    stream: ByteStream, *, chunk_bytes: int = CHUNK_BYTES, max_document_bytes: int | None = None
) -> Iterator[bytes | OversizedDocument]:
    """Yield each `<?xml`-delimited document; memory holds one document plus one chunk, never the file.

    With max_document_bytes, a longer document is yielded as an OversizedDocument instead, so memory
    stays within the limit plus one chunk whatever the input.
    """
    pending = bytearray()
    scan_from = 1  # a declaration at offset 0 starts the current document, it does not end one
    dropped = 0  # bytes of the current document already discarded (it is over the limit)
    while True:
        chunk = stream.read(chunk_bytes)
        if chunk:
            pending += chunk
        while True:
            match = _DECLARATION.search(pending, scan_from)
            if match is None:
                break
            cut = match.start()
            if dropped:
                yield OversizedDocument(dropped + cut)
                dropped = 0
            elif not _is_blank(pending[:cut]):
                yield bytes(pending[:cut])
            del pending[:cut]
            scan_from = 1
        if not chunk:
            break
        scan_from = max(1, len(pending) - _DECLARATION_BYTES)
        if max_document_bytes is not None and dropped + len(pending) > max_document_bytes:
            # keep only the tail a declaration cut by the chunk boundary could start in
            keep = min(len(pending), _DECLARATION_BYTES)
            dropped += len(pending) - keep
            del pending[: len(pending) - keep]
            scan_from = 0
    if dropped:
        yield OversizedDocument(dropped + len(pending))
    elif not _is_blank(pending):
        yield bytes(pending)


def split_xml_bytes(data: bytes) -> list[bytes]:
    """The `<?xml`-delimited documents of an in-memory bulk file."""
    cuts = [m.start() for m in _DECLARATION.finditer(data) if m.start() > 0]
    parts: list[bytes] = []
    start = 0
    for cut in [*cuts, len(data)]:
        if not _is_blank(data[start:cut]):
            parts.append(data[start:cut])
        start = cut
    return parts
