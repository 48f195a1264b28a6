"""Content-addressed file storage (SHA-256): uploads streamed to disk with size and type limits.

The type is judged from the content (magic bytes, via `filetype`; text by decoding it), never from the
name. A refused upload leaves nothing behind: bytes go to a temporary file, which is renamed into place
only when the whole stream passed every check. The same content is stored once. `BlobStore` is the small
interface an object store can implement instead of the local folder.

    store = get_blob_store()
    blob = await store_upload(store, upload, allowed={FileKind.CSV, FileKind.XLSX})
    with store.open(blob.sha256) as stream: ...
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import AsyncIterable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Protocol

import filetype

from ipops.core.bounds import Bound, limit_of
from ipops.core.config import Settings, get_settings
from ipops.core.errors import DomainError, ErrorCode

if TYPE_CHECKING:
    from fastapi import UploadFile

HEAD_BYTES = 8192  # enough for every signature we accept, and for an OOXML zip's first entries
CHUNK_BYTES = 64 * 1024
SHA256 = re.compile(r"^[0-9a-f]{64}$")


class FileKind(StrEnum):
    """The kinds of file the platform accepts somewhere."""

    PDF = "pdf"
    PNG = "png"
    JPEG = "jpeg"
    XLSX = "xlsx"
    DOCX = "docx"
    ZIP = "zip"
    GZIP = "gzip"
    XML = "xml"
    JSON = "json"
    CSV = "csv"
    TEXT = "text"


MEDIA_TYPES: dict[FileKind, str] = {
    FileKind.PDF: "application/pdf",
    FileKind.PNG: "image/png",
    FileKind.JPEG: "image/jpeg",
    FileKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileKind.ZIP: "application/zip",
    FileKind.GZIP: "application/gzip",
    FileKind.XML: "application/xml",
    FileKind.JSON: "application/json",
    FileKind.CSV: "text/csv",
    FileKind.TEXT: "text/plain",
}
_BY_MIME = {mime: kind for kind, mime in MEDIA_TYPES.items()}
_BY_MIME["application/x-gzip"] = FileKind.GZIP


def _text_kind(head: bytes) -> FileKind | None:
    if b"\x00" in head:
        return None
    body = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(body) - 3:  # only a character cut at the end of the head is forgiven
            return None
        text = body[: exc.start].decode("utf-8")
    stripped = text.lstrip()
    if stripped.startswith("<"):
        return FileKind.XML
    if stripped.startswith(("{", "[")):
        return FileKind.JSON
    first_line = stripped.split("\n", 1)[0]
    return FileKind.CSV if any(sep in first_line for sep in (",", "\t", ";")) else FileKind.TEXT


def sniff(head: bytes) -> FileKind | None:
    """The kind of a file from its first bytes, or None when it is none of ours."""
    if not head:
        return None
    guessed = filetype.guess(head)
    if guessed is not None:
        return _BY_MIME.get(guessed.mime)
    return _text_kind(head)


def accepts(allowed: frozenset[FileKind], kind: FileKind | None) -> bool:
    """Whether a detected kind is allowed (CSV and text both pass where either is asked for)."""
    if kind is None:
        return False
    text_like = {FileKind.CSV, FileKind.TEXT}
    return kind in allowed or (kind in text_like and bool(allowed & text_like))


@dataclass(frozen=True, slots=True)
class StoredBlob:
    """A stored file: its address (the SHA-256 of its content), size and detected kind."""

    sha256: str
    size: int
    kind: FileKind
    created: bool  # False when the same content was already stored

    @property
    def media_type(self) -> str:
        """The MIME type of the detected kind."""
        return MEDIA_TYPES[self.kind]


class BlobStore(Protocol):
    """Where blobs live; the local folder below, or an object store behind the same four calls."""

    def put(
        self, chunks: Iterable[bytes], *, allowed: Iterable[FileKind], max_bytes: int | None = None
    ) -> StoredBlob: ...

    async def put_async(
        self, chunks: AsyncIterable[bytes], *, allowed: Iterable[FileKind], max_bytes: int | None = None
    ) -> StoredBlob: ...

    def open(self, sha256: str) -> IO[bytes]: ...

    def exists(self, sha256: str) -> bool: ...


class _Intake:
    """One upload on its way in: counted, hashed, sniffed at its head, written to a temporary file."""

    def __init__(self, store: LocalBlobStore, allowed: Iterable[FileKind], max_bytes: int) -> None:
        self.store = store
        self.allowed = frozenset(allowed)
        self.max_bytes = max_bytes
        self.hasher = hashlib.sha256()
        self.size = 0
        self.head = b""
        self.kind: FileKind | None = None
        store.tmp_dir.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=store.tmp_dir, prefix="upload-")
        self.file = os.fdopen(handle, "wb")
        self.path = Path(name)

    def _judge(self) -> None:
        self.kind = sniff(self.head)
        if not accepts(self.allowed, self.kind):
            raise DomainError(
                ErrorCode.FILE_TYPE_REFUSED,
                f"content is {self.kind.value if self.kind else 'unrecognised'}",
                detected=self.kind.value if self.kind else None,
                allowed=sorted(k.value for k in self.allowed),
            )

    def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        self.size += len(chunk)
        if self.size > self.max_bytes:
            raise DomainError(
                ErrorCode.FILE_TOO_LARGE,
                f"{Bound.UPLOAD_BYTES.value}: more than {self.max_bytes}",
                bound=Bound.UPLOAD_BYTES.value,
                limit=self.max_bytes,
            )
        if self.kind is None and len(self.head) < HEAD_BYTES:
            self.head += chunk[: HEAD_BYTES - len(self.head)]
            if len(self.head) >= HEAD_BYTES:
                self._judge()  # refuse a wrong type before reading the rest of the stream
        self.hasher.update(chunk)
        self.file.write(chunk)

    def finish(self) -> StoredBlob:
        if self.kind is None:
            self._judge()
        assert self.kind is not None  # noqa: S101 - _judge refuses None
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        sha = self.hasher.hexdigest()
        target = self.store.path_of(sha)
        if target.exists():
            self.path.unlink()
            return StoredBlob(sha256=sha, size=self.size, kind=self.kind, created=False)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.path, target)  # atomic: the blob appears whole or not at all
        return StoredBlob(sha256=sha, size=self.size, kind=self.kind, created=True)

    def abort(self) -> None:
        self.file.close()
        self.path.unlink(missing_ok=True)


class LocalBlobStore:
    """Blobs under a folder: objects/ab/cd/<sha256>; partial uploads under tmp/ until they pass."""

    def __init__(self, root: Path, *, settings: Settings | None = None) -> None:
        self.root = root
        self.tmp_dir = root / "tmp"
        self.settings = settings

    def path_of(self, sha256: str) -> Path:
        """Where a blob lives; refuses anything that is not a SHA-256 (no path tricks)."""
        if not SHA256.match(sha256):
            raise DomainError(ErrorCode.NOT_FOUND, "not a file address")
        return self.root / "objects" / sha256[:2] / sha256[2:4] / sha256

    def _limit(self, max_bytes: int | None) -> int:
        ceiling = limit_of(Bound.UPLOAD_BYTES, settings=self.settings)
        return min(max_bytes, ceiling) if max_bytes is not None else ceiling

    def put(
        self, chunks: Iterable[bytes], *, allowed: Iterable[FileKind], max_bytes: int | None = None
    ) -> StoredBlob:
        """Store a stream of bytes if it is within the size limit and of an allowed kind."""
        intake = _Intake(self, allowed, self._limit(max_bytes))
        try:
            for chunk in chunks:
                intake.feed(chunk)
            return intake.finish()
        except BaseException:
            intake.abort()
            raise

    async def put_async(
        self, chunks: AsyncIterable[bytes], *, allowed: Iterable[FileKind], max_bytes: int | None = None
    ) -> StoredBlob:
        """`put` for a request stream; the disk writes run off the event loop."""
        from anyio import to_thread

        intake = _Intake(self, allowed, self._limit(max_bytes))
        try:
            async for chunk in chunks:
                await to_thread.run_sync(intake.feed, chunk)
            return await to_thread.run_sync(intake.finish)
        except BaseException:
            intake.abort()
            raise

    def open(self, sha256: str) -> IO[bytes]:
        """Read a stored blob."""
        path = self.path_of(sha256)
        if not path.is_file():
            raise DomainError(ErrorCode.NOT_FOUND, f"file {sha256}")
        return path.open("rb")

    def exists(self, sha256: str) -> bool:
        """Whether a blob is stored."""
        return SHA256.match(sha256) is not None and self.path_of(sha256).is_file()


def get_blob_store(settings: Settings | None = None) -> LocalBlobStore:
    """The configured store (IPOPS_FILES_DIR)."""
    settings = settings or get_settings()
    return LocalBlobStore(settings.files_dir, settings=settings)


async def store_upload(
    store: BlobStore, upload: UploadFile, *, allowed: Iterable[FileKind], max_bytes: int | None = None
) -> StoredBlob:
    """Stream a FastAPI upload into the store in chunks (the name and declared type are ignored)."""

    async def chunks() -> AsyncIterable[bytes]:
        while chunk := await upload.read(CHUNK_BYTES):
            yield chunk

    return await store.put_async(chunks(), allowed=allowed, max_bytes=max_bytes)
