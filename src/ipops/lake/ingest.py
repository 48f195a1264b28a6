"""Ingest runner: walk files, split bulk files, parse each document, flush rows to a sink in batches."""

from __future__ import annotations

import gzip
import os
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ipops.lake import search_index
from ipops.lake.parsers import parse_bulk_bytes, parse_document, quarantine_result
from ipops.lake.parsers.bulk import ByteStream, OversizedDocument, iter_xml_documents
from ipops.lake.parsers.common import ParseResult
from ipops.lake.parsers.detect import guess_non_xml, sniff_format
from ipops.lake.records import ParsedBatch, QuarantineEntry, new_records

__all__ = [
    "BatchSink",
    "IngestLimits",
    "IngestProgress",
    "IngestReport",
    "ListSink",
    "ingest_paths",
    "iter_file_results",
    "parse_file",
    "iter_source_files",
    "parse_bulk_bytes",
]

FLUSH_EVERY_DOCUMENTS = 2_000
FLUSH_EVERY_ROWS = 200_000  # child rows (citations, parties...) bound memory as well as documents
_XML_SUFFIXES = (".xml", ".xml.gz")
_READ_BYTES = 4 * 1024 * 1024
MiB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class IngestLimits:
    """Bounds on what one input may expand to; over a bound the rest of the file is quarantined."""

    max_document_bytes: int = 256 * MiB  # one XML document, compressed or not
    max_decompressed_bytes: int = 16 * 1024 * MiB  # one .gz file or zip member, decompressed
    max_ratio: float = 100.0  # decompressed / compressed bytes (patent XML compresses about 10:1)
    ratio_floor_bytes: int = 32 * MiB  # smaller outputs are not judged by their ratio


DEFAULT_LIMITS = IngestLimits()


class DecompressionLimitError(Exception):
    """A compressed input expanded past a limit; the message is the quarantine reason."""


class _CountingReader:
    """The compressed side of a stream: counts the bytes the decompressor has read."""

    def __init__(self, raw: ByteStream) -> None:
        self.raw = raw
        self.count = 0

    def read(self, size: int = -1, /) -> bytes:
        data = self.raw.read(size)
        self.count += len(data)
        return data


class _BoundedStream:
    """Decompressed bytes, read in bounded chunks and refused past the size or ratio limit."""

    def __init__(
        self, stream: ByteStream, *, compressed: _CountingReader | int, limits: IngestLimits
    ) -> None:
        self.stream = stream
        self.compressed = compressed  # a counter of the bytes read, or a zip member's compressed size
        self.limits = limits
        self.total = 0

    def read(self, size: int = -1, /) -> bytes:
        data = self.stream.read(_READ_BYTES if size < 0 else min(size, _READ_BYTES))
        self.total += len(data)
        limits = self.limits
        if self.total > limits.max_decompressed_bytes:
            raise DecompressionLimitError(
                f"decompressed size over limit: more than {limits.max_decompressed_bytes:,} bytes"
            )
        read = self.compressed if isinstance(self.compressed, int) else self.compressed.count
        ratio = self.total / max(read, 1)
        if self.total > limits.ratio_floor_bytes and ratio > limits.max_ratio:
            raise DecompressionLimitError(
                f"decompression ratio over limit: {ratio:,.0f}:1 after {self.total:,} bytes "
                f"(limit {limits.max_ratio:,.0f}:1)"
            )
        return data


@dataclass(frozen=True, slots=True)
class IngestProgress:
    """A snapshot for progress bars, sent after every file."""

    files_seen: int
    documents_in: int
    documents_parsed: int
    quarantined: int
    documents_written: int
    bytes_read: int
    seconds: float
    current_file: str


class BatchSink(Protocol):
    """Where parsed rows go (ipops.lake.store.LakeStore, ListSink)."""

    def write(self, batch: ParsedBatch, quarantine: Sequence[QuarantineEntry]) -> int: ...


@dataclass(slots=True)
class IngestReport:
    """Counts of one ingest run; documents_in == documents_parsed + quarantined always holds."""

    files_seen: int = 0
    documents_in: int = (
        0  # every record met: each document of a bulk file, each record of a multi-record file
    )
    documents_parsed: int = 0
    quarantined: int = 0
    recovered: int = 0  # parsed only with lxml recover=True
    duplicates_skipped: int = 0
    documents_written: int = 0
    bytes_read: int = 0
    seconds: float = 0.0
    formats: dict[str, int] = field(default_factory=dict)  # format family -> records parsed
    quarantined_formats: dict[str, int] = field(default_factory=dict)  # format family -> records quarantined

    def check(self) -> None:
        """Raise AssertionError-like RuntimeError when the record counts do not add up."""
        if self.documents_in != self.documents_parsed + self.quarantined:
            raise RuntimeError(
                f"ingest count mismatch: {self.documents_in} in != "
                f"{self.documents_parsed} parsed + {self.quarantined} quarantined"
            )


@dataclass(slots=True)
class ListSink:
    """In-memory sink for tests, deduplicating like LakeStore (by doc_id and reel_frame)."""

    batch: ParsedBatch = field(default_factory=ParsedBatch)
    quarantine: list[QuarantineEntry] = field(default_factory=list)
    seen_ids: set[str] = field(default_factory=set)
    writes: int = 0

    def write(self, batch: ParsedBatch, quarantine: Sequence[QuarantineEntry]) -> int:
        """Append the rows of documents not seen before; returns how many documents were new."""
        self.writes += 1
        new_ids: set[str] = set()
        for table in ("documents", "trademarks"):
            for doc_id, row in new_records(getattr(batch, table), self.seen_ids).items():
                self.seen_ids.add(doc_id)
                new_ids.add(doc_id)
                getattr(self.batch, table).append(row)
        for table in ("parties", "classifications", "citations", "priorities", "legal_events"):
            getattr(self.batch, table).extend(r for r in getattr(batch, table) if r.get("doc_id") in new_ids)
        for row in batch.assignments:
            key = f"assignment:{row.get('reel_frame')}"
            if key not in self.seen_ids:
                self.seen_ids.add(key)
                self.batch.assignments.append(row)
        self.quarantine.extend(quarantine)
        return len(new_ids)


def iter_source_files(paths: Iterable[Path | str]) -> Iterator[Path]:
    """Every file under the paths, sorted by relative path within each folder; hidden files skipped."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found: list[Path] = []
            for folder, dirs, files in os.walk(path):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                found += [Path(folder) / name for name in files if not name.startswith(".")]
            # sorted by path parts, so "a/1.xml" < "b/2.xml" < "c.xml" on every platform
            yield from sorted(found, key=lambda p: p.relative_to(path).parts)
        elif path.is_file():
            yield path


def _iter_stream_results(
    stream: ByteStream, *, source_file: str, limits: IngestLimits, container: str | None = None
) -> Iterator[ParseResult]:
    """Parse each `<?xml` document of a (possibly concatenated) XML stream, one document in memory."""
    part = 0
    try:
        documents = iter_xml_documents(stream, max_document_bytes=limits.max_document_bytes)
        for part, document in enumerate(documents):
            if isinstance(document, OversizedDocument):
                yield quarantine_result(
                    source_file=source_file,
                    part=part,
                    reason=(
                        f"document too large: {document.size:,} bytes (limit {limits.max_document_bytes:,})"
                    ),
                    detected_format=container or "xml",
                )
            else:
                yield parse_document(document, source_file=source_file, part=part)
        return
    except DecompressionLimitError as exc:  # the rest of the file is refused; what came before stays
        reason = str(exc)
    yield quarantine_result(source_file=source_file, part=part, reason=reason, detected_format=container)


def _unsupported(*, source_file: str, part: int, kind: str) -> ParseResult:
    return quarantine_result(
        source_file=source_file, part=part, reason=f"unsupported format: {kind}", detected_format=kind
    )


def iter_file_results(path: Path, *, limits: IngestLimits = DEFAULT_LIMITS) -> Iterator[ParseResult]:
    """ParseResults for one file: XML (single or bulk), gzipped XML, zip archives (XML members), non-XML.

    Compressed input is decompressed as it is parsed, within the limits (size, ratio, document size).
    """
    source_file = str(path)
    name = path.name.lower()
    try:
        if zipfile.is_zipfile(path):
            yield from _iter_zip_results(path, limits=limits)
            return
        if name.endswith(".gz"):
            inner_name = name.removesuffix(".gz")
            with path.open("rb") as raw:
                counted = _CountingReader(raw)
                with gzip.GzipFile(fileobj=counted) as unzipped:  # type: ignore[call-overload]
                    stream = _BoundedStream(unzipped, compressed=counted, limits=limits)
                    yield from _iter_sniffed(stream, source_file, inner_name, limits, "gzip")
            return
        with path.open("rb") as plain:
            yield from _iter_sniffed(plain, source_file, name, limits, None)
    except Exception as exc:  # noqa: BLE001 - unreadable/corrupt file (OSError, BadZipFile, zlib.error...)
        yield quarantine_result(
            source_file=source_file,
            part=0,
            reason=f"unreadable file: {type(exc).__name__}: {str(exc)[:300]}",
            detected_format=None,
        )


class _Rewound:
    """A stream whose first bytes were already read for sniffing, read again from the start."""

    def __init__(self, head: bytes, rest: ByteStream) -> None:
        self.head = head
        self.rest = rest

    def read(self, size: int = -1, /) -> bytes:
        if self.head:
            data, self.head = self.head, b""
            return data
        return self.rest.read(size)


def _iter_sniffed(
    stream: ByteStream, source_file: str, inner_name: str, limits: IngestLimits, container: str | None
) -> Iterator[ParseResult]:
    """Quarantine a non-XML stream by its head; parse an XML one in a single pass (no second read)."""
    try:
        head = stream.read(4096)
    except DecompressionLimitError as exc:
        yield quarantine_result(source_file=source_file, part=0, reason=str(exc), detected_format=container)
        return
    if sniff_format(head) is None:
        yield _unsupported(source_file=source_file, part=0, kind=guess_non_xml(inner_name, head))
        return
    yield from _iter_stream_results(
        _Rewound(head, stream), source_file=source_file, limits=limits, container=container
    )


def _iter_zip_results(path: Path, *, limits: IngestLimits) -> Iterator[ParseResult]:
    """Each XML member of a zip archive, decompressed as it is parsed (one member at a time)."""
    with zipfile.ZipFile(path) as archive:
        members = [
            m for m in archive.infolist() if not m.is_dir() and m.filename.lower().endswith(_XML_SUFFIXES)
        ]
        for member in members:
            source_file = f"{path}!{member.filename}"
            with archive.open(member) as raw:
                compressed_size = max(member.compress_size, 1)
                stream: ByteStream = _BoundedStream(raw, compressed=compressed_size, limits=limits)
                if member.filename.lower().endswith(".gz"):
                    counted = _CountingReader(stream)
                    unzipped = gzip.GzipFile(fileobj=counted)  # type: ignore[call-overload]
                    stream = _BoundedStream(unzipped, compressed=counted, limits=limits)
                # source_file names the member ("x.zip!a/b.xml"), so part stays the <?xml index inside it
                yield from _iter_stream_results(
                    stream, source_file=source_file, limits=limits, container="zip"
                )


class _Runner:
    """Accumulates results, flushes them to the sink in bounded batches and keeps the counts."""

    def __init__(self, sink: BatchSink, report: IngestReport, flush_every: int) -> None:
        self.sink = sink
        self.report = report
        self.flush_every = flush_every
        self.batch = ParsedBatch()
        self.quarantine: list[QuarantineEntry] = []
        self.pending = 0

    def add(self, result: ParseResult) -> None:
        report = self.report
        quarantined = len(result.quarantine)
        report.documents_in += result.parsed + quarantined
        report.documents_parsed += result.parsed
        report.quarantined += quarantined
        report.recovered += result.recovered
        family = result.detected_format or "unknown"
        if result.parsed:
            report.formats[family] = report.formats.get(family, 0) + result.parsed
        if quarantined:
            report.quarantined_formats[family] = report.quarantined_formats.get(family, 0) + quarantined
        self.batch.extend(result.batch)
        self.quarantine.extend(result.quarantine)
        self.pending += result.parsed + quarantined
        if self.pending >= self.flush_every or self.batch.row_count() >= FLUSH_EVERY_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.pending and not self.batch.row_count():
            return
        batch, quarantine = self.batch, self.quarantine
        self.batch, self.quarantine, self.pending = ParsedBatch(), [], 0
        written = self.sink.write(batch, quarantine)
        search_index.add_batch(self.sink, batch)  # the batch's documents join the lake's search index
        self.report.documents_written += written
        self.report.duplicates_skipped += len(batch.documents) + len(batch.trademarks) - written


def ingest_paths(
    paths: Iterable[Path | str],
    *,
    sink: BatchSink,
    on_progress: Callable[[IngestProgress], None] | None = None,
    flush_every: int = FLUSH_EVERY_DOCUMENTS,
    limits: IngestLimits = DEFAULT_LIMITS,
) -> IngestReport:
    """Parse every file under paths into the sink; parse failures are quarantined, never raised."""
    started = time.perf_counter()
    report = IngestReport()
    runner = _Runner(sink, report, flush_every)
    for path in iter_source_files(paths):
        report.files_seen += 1
        try:
            report.bytes_read += path.stat().st_size
        except OSError:
            pass
        for result in iter_file_results(path, limits=limits):
            runner.add(result)
        report.seconds = time.perf_counter() - started
        if on_progress is not None:
            on_progress(
                IngestProgress(
                    files_seen=report.files_seen,
                    documents_in=report.documents_in,
                    documents_parsed=report.documents_parsed,
                    quarantined=report.quarantined,
                    documents_written=report.documents_written,
                    bytes_read=report.bytes_read,
                    seconds=report.seconds,
                    current_file=str(path),
                )
            )
    runner.flush()
    report.seconds = time.perf_counter() - started
    report.check()
    return report


def parse_file(path: Path) -> tuple[ParsedBatch, list[QuarantineEntry]]:
    """Every row and quarantine entry of one file, in memory (for tests, notebooks and small files)."""
    batch, quarantine = ParsedBatch(), []
    for result in iter_file_results(path):
        batch.extend(result.batch)
        quarantine.extend(result.quarantine)
    return batch, quarantine


def format_counts(results: Iterable[ParseResult]) -> Counter[str]:
    """Records parsed per format family (handy in tests and notebooks)."""
    counts: Counter[str] = Counter()
    for result in results:
        if result.parsed:
            counts[result.detected_format or "unknown"] += result.parsed
    return counts
