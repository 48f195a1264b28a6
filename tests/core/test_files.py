"""The content-addressed store: streamed, typed by content not name, size-capped, nothing half-stored."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import io
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI, UploadFile
from fastapi.testclient import TestClient
from openpyxl import Workbook

from ipops.core.config import Settings
from ipops.core.errors import DomainError, ErrorCode
from ipops.core.files import FileKind, LocalBlobStore, sniff, store_upload
from ipops.web.app import install_error_handlers


@pytest.fixture
def store(tmp_path: Path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "files", settings=Settings(max_upload_bytes=200_000))


def _xlsx() -> bytes:
    book = Workbook()
    book.active.append(["省份", "专利授权量"])  # type: ignore[union-attr]
    book.active.append(["江苏", 1234])  # type: ignore[union-attr]
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _leftovers(store: LocalBlobStore) -> list[Path]:
    return [p for p in store.root.rglob("*") if p.is_file()]


def test_kinds_come_from_content_not_names(shared_data: Path) -> None:
    csv = (shared_data / "statistics/cnipa_official/cnipa_annual_report_province_stats.csv").read_bytes()
    assert sniff(csv[:8192]) == FileKind.CSV
    assert sniff(_xlsx()[:8192]) == FileKind.XLSX
    assert sniff(b"%PDF-1.7\n%\xe2\xe3") == FileKind.PDF
    assert sniff(gzip.compress(b"<xml/>")) == FileKind.GZIP
    assert sniff('<?xml version="1.0"?><专利/>'.encode()) == FileKind.XML
    assert sniff(b"\x00\x01binary\xff") is None
    assert sniff(b"MZ\x90\x00\x03") is None  # a Windows executable, whatever it is called


def chunked(data: bytes, size: int = 4096) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def test_store_is_content_addressed_and_stores_once(store: LocalBlobStore) -> None:
    data = _xlsx()
    first = store.put(chunked(data), allowed={FileKind.XLSX})
    again = store.put(chunked(data), allowed={FileKind.XLSX})
    assert first.sha256 == hashlib.sha256(data).hexdigest() == again.sha256
    assert (first.created, again.created, first.size) == (True, False, len(data))
    assert first.media_type.endswith("spreadsheetml.sheet")
    with store.open(first.sha256) as stream:
        assert stream.read() == data
    assert _leftovers(store) == [store.path_of(first.sha256)]


def test_refusals_leave_nothing_behind(store: LocalBlobStore) -> None:
    with pytest.raises(DomainError) as too_big:
        store.put(chunked(b"a,b\n" * 60_000), allowed={FileKind.CSV})
    assert too_big.value.code == ErrorCode.FILE_TOO_LARGE and too_big.value.extra["bound"] == "upload_bytes"
    assert too_big.value.extra["limit"] == 200_000
    with pytest.raises(DomainError) as wrong:
        store.put(chunked(_xlsx()), allowed={FileKind.CSV})
    assert wrong.value.code == ErrorCode.FILE_TYPE_REFUSED and wrong.value.extra["detected"] == "xlsx"
    with pytest.raises(DomainError):
        store.put(chunked(b"MZ" + b"\x00" * 10_000), allowed={FileKind.PDF, FileKind.CSV})
    assert _leftovers(store) == []
    with pytest.raises(DomainError):
        store.open("../../etc/passwd")


def test_a_wrong_type_is_refused_before_the_rest_is_read(store: LocalBlobStore) -> None:
    read = 0

    def endless() -> Iterator[bytes]:
        nonlocal read
        while True:
            read += 1
            yield b"\x7fELF" + b"\x00" * 4092

    with pytest.raises(DomainError):
        store.put(endless(), allowed={FileKind.CSV})
    assert read <= 3


def test_streamed_upload_through_fastapi(store: LocalBlobStore) -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/upload")
    async def upload(file: UploadFile) -> dict[str, object]:
        blob = await store_upload(store, file, allowed={FileKind.CSV, FileKind.XLSX})
        return {"sha256": blob.sha256, "kind": blob.kind.value}

    client = TestClient(app)
    named_csv = client.post("/upload", files={"file": ("data.csv", _xlsx(), "text/csv")})
    assert named_csv.json()["kind"] == "xlsx"  # judged by its bytes, not its name or declared type
    disguised = client.post("/upload", files={"file": ("report.pdf", b"%PDF-1.4 not a table", "text/csv")})
    assert disguised.status_code == 415 and disguised.json()["code"] == "file_type_refused"
    assert len(_leftovers(store)) == 1


def test_async_put(store: LocalBlobStore) -> None:
    async def stream() -> AsyncIterator[bytes]:
        for chunk in chunked("年份,授权量\n2024,100\n".encode()):
            yield chunk

    blob = asyncio.run(store.put_async(stream(), allowed={FileKind.CSV}))
    assert blob.kind == FileKind.CSV and store.exists(blob.sha256)
