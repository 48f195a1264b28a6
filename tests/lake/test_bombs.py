"""Compressed bombs given to the ingest: streamed, bounded memory, quarantined with a clear reason."""

from __future__ import annotations

import gzip
import os
import tracemalloc
import zipfile
from pathlib import Path

from ipops.lake.ingest import IngestLimits, ListSink, ingest_paths

MiB = 1024 * 1024
HEAD = b"<?xml version='1.0'?><us-patent-grant><abstract>"
GRANT = (
    b"<?xml version='1.0'?><us-patent-grant><us-bibliographic-data-grant><publication-reference>"
    b"<document-id><country>US</country><doc-number>07000001</doc-number><kind>B2</kind>"
    b"<date>20150106</date></document-id></publication-reference>"
    b"<invention-title>Widget</invention-title></us-bibliographic-data-grant></us-patent-grant>\n"
)


def _write_bomb(handle: object, size: int, *, filler: bytes) -> None:
    write = handle.write  # type: ignore[attr-defined]
    write(HEAD)
    block = filler * (MiB // len(filler))
    for _ in range(size // len(block)):
        write(block)
    write(b"</abstract></us-patent-grant>\n")


def _ingest_measured(path: Path, limits: IngestLimits | None = None) -> tuple[ListSink, int]:
    sink = ListSink()
    tracemalloc.start()
    try:
        if limits is None:
            ingest_paths([path], sink=sink)
        else:
            ingest_paths([path], sink=sink, limits=limits)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return sink, peak


def test_gzip_bomb_is_refused_with_bounded_memory(tmp_path: Path) -> None:
    decompressed = 256 * MiB
    bomb = tmp_path / "bomb.xml.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as handle:
        _write_bomb(handle, decompressed, filler=b"A")
    assert bomb.stat().st_size < 2 * MiB  # about 1000:1
    sink, peak = _ingest_measured(bomb)  # the default limits
    [entry] = sink.quarantine
    assert entry.reason.startswith("decompression ratio over limit"), entry.reason
    assert entry.detected_format == "gzip"
    assert peak < decompressed / 4, f"peak {peak / MiB:.0f} MiB for {decompressed / MiB:.0f} MiB"


def test_zip_bomb_member_is_refused_with_bounded_memory(tmp_path: Path) -> None:
    decompressed = 256 * MiB
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a/good.xml", GRANT)
        with archive.open("b/bomb.xml", "w", force_zip64=True) as handle:
            _write_bomb(handle, decompressed, filler=b"A")
    sink, peak = _ingest_measured(bomb)
    assert [d["doc_id"] for d in sink.batch.documents] == ["US-07000001-B2"]  # the good member is read
    [entry] = sink.quarantine
    assert entry.source_file.endswith("!b/bomb.xml")
    assert entry.reason.startswith("decompression ratio over limit"), entry.reason
    assert peak < decompressed / 4


def test_oversized_document_and_decompressed_size_limits(tmp_path: Path) -> None:
    big = 24 * MiB
    source = tmp_path / "bulk.xml.gz"
    with gzip.open(source, "wb", compresslevel=1) as handle:
        _write_bomb(handle, big, filler=os.urandom(MiB // 2).hex().encode())  # about 2:1, no bomb by ratio
        handle.write(GRANT)  # the next document of the stream is still read
    sink, peak = _ingest_measured(source, IngestLimits(max_document_bytes=4 * MiB))
    [entry] = sink.quarantine
    assert entry.reason.startswith("document too large: 25,165,") and "(limit 4,194,304)" in entry.reason
    assert (entry.part, [d["doc_id"] for d in sink.batch.documents]) == (0, ["US-07000001-B2"])
    assert peak < big / 2
    capped, _ = _ingest_measured(source, IngestLimits(max_decompressed_bytes=8 * MiB))
    assert [q.reason for q in capped.quarantine] == [
        "decompressed size over limit: more than 8,388,608 bytes"
    ]
