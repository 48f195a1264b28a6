"""Input bounds (issue 12 item 6): one helper says whether a value is within its limit, and a 422 names it.

    bounds.require_within(Bound.MONTE_CARLO_PATHS, body.paths, actor=actor)   # 422 input_too_large
    if bounds.runs_as_job(paths=body.paths): ...                              # above 200,000 paths
    app.add_middleware(BodyLimit)                                             # JSON 1 MB, uploads 50 MB

The limits are settings (IPOPS_MAX_*), so an operator can change them without a release.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, Query

from ipops.core.authz import Principal, Role
from ipops.core.config import Settings, get_settings
from ipops.core.errors import DomainError, ErrorCode, problem_body


class Bound(StrEnum):
    """Every capped input; the value is the `bound` member of the 422."""

    MONTE_CARLO_PATHS = "monte_carlo_paths"
    HISTOGRAM_BINS = "histogram_bins"
    SCENARIOS = "scenarios"
    JSON_BODY_BYTES = "json_body_bytes"
    UPLOAD_BYTES = "upload_bytes"
    PAGE_SIZE = "page_size"
    XLSX_ROWS = "xlsx_rows"
    XLSX_COLUMNS = "xlsx_columns"
    XLSX_UNZIPPED_BYTES = "xlsx_unzipped_bytes"
    XLSX_COMPRESSION_RATIO = "xlsx_compression_ratio"


BOUND_LABELS: dict[Bound, tuple[str, str]] = {
    Bound.MONTE_CARLO_PATHS: ("蒙特卡洛模拟路径数", "Monte Carlo paths"),
    Bound.HISTOGRAM_BINS: ("直方图分组数", "Histogram bins"),
    Bound.SCENARIOS: ("情景数", "Scenarios"),
    Bound.JSON_BODY_BYTES: ("请求正文大小（字节）", "Request body size (bytes)"),
    Bound.UPLOAD_BYTES: ("上传文件大小（字节）", "Upload size (bytes)"),
    Bound.PAGE_SIZE: ("每页条数", "Page size"),
    Bound.XLSX_ROWS: ("电子表格行数", "Spreadsheet rows"),
    Bound.XLSX_COLUMNS: ("电子表格列数", "Spreadsheet columns"),
    Bound.XLSX_UNZIPPED_BYTES: ("电子表格解压后大小（字节）", "Spreadsheet size unpacked (bytes)"),
    Bound.XLSX_COMPRESSION_RATIO: ("电子表格压缩比", "Spreadsheet compression ratio"),
}


def limit_of(bound: Bound, *, actor: Principal | None = None, settings: Settings | None = None) -> int:
    """The limit in force for this bound (Monte Carlo paths depend on the role)."""
    s = settings or get_settings()
    if bound == Bound.MONTE_CARLO_PATHS:
        appraiser = actor is not None and actor.role == Role.APPRAISER
        return s.max_paths_appraiser if appraiser else s.max_paths_member
    return {
        Bound.HISTOGRAM_BINS: s.max_histogram_bins,
        Bound.SCENARIOS: s.max_scenarios,
        Bound.JSON_BODY_BYTES: s.max_json_body_bytes,
        Bound.UPLOAD_BYTES: s.max_upload_bytes,
        Bound.PAGE_SIZE: s.max_page_size,
        Bound.XLSX_ROWS: s.max_xlsx_rows,
        Bound.XLSX_COLUMNS: s.max_xlsx_columns,
        Bound.XLSX_UNZIPPED_BYTES: s.max_xlsx_unzipped_bytes,
        Bound.XLSX_COMPRESSION_RATIO: s.max_xlsx_compression_ratio,
    }[bound]


def too_large(bound: Bound, *, value: int, limit: int, field: str | None = None) -> DomainError:
    """The 422 for a value over its bound; it names the bound, the limit and the value."""
    extra: dict[str, Any] = {"bound": bound.value, "limit": limit, "value": value}
    if field:
        extra["field"] = field
    return DomainError(ErrorCode.INPUT_TOO_LARGE, f"{bound.value}: {value} > {limit}", **extra)


def require_within(
    bound: Bound,
    value: int,
    *,
    actor: Principal | None = None,
    settings: Settings | None = None,
    field: str | None = None,
) -> int:
    """Return `value` if it is within its bound, else raise the 422 that names the bound."""
    limit = limit_of(bound, actor=actor, settings=settings)
    if value > limit:
        raise too_large(bound, value=value, limit=limit, field=field)
    return value


def runs_as_job(*, paths: int, settings: Settings | None = None) -> bool:
    """Whether a Monte Carlo run of this many paths goes to the job queue instead of the request."""
    return paths > (settings or get_settings()).job_paths_threshold


def page_limit(
    limit: Annotated[int, Query(ge=1, description="page size (at most IPOPS_MAX_PAGE_SIZE)")] = 50,
) -> int:
    """A list route's `limit` query parameter, refused above the page-size bound."""
    return require_within(Bound.PAGE_SIZE, limit, field="limit")


PageLimit = Annotated[int, Depends(page_limit)]


def page_size(
    size: Annotated[int, Query(ge=1, description="page size (at most IPOPS_MAX_PAGE_SIZE)")] = 20,
) -> int:
    """A paginated list route's `size` query parameter, refused above the page-size bound."""
    return require_within(Bound.PAGE_SIZE, size, field="size")


PageSize = Annotated[int, Depends(page_size)]

# ------------------------------------------------------------------------------------------------------------
# Request bodies: counted as they stream in, so a lying or missing Content-Length does not get past

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
UPLOAD_TYPES = ("multipart/form-data", "application/octet-stream")


class _BodyTooLarge(Exception):
    def __init__(self, bound: Bound, limit: int, seen: int) -> None:
        super().__init__(bound.value)
        self.bound, self.limit, self.seen = bound, limit, seen


class BodyLimit:
    """ASGI middleware: a body over 1 MB (JSON, forms) or 50 MB (uploads) gets a 422 naming the bound."""

    def __init__(
        self, app: Callable[[Scope, Receive, Send], Awaitable[None]], settings: Settings | None = None
    ):
        self.app = app
        self.settings = settings

    def _bound_for(self, scope: Scope) -> tuple[Bound, int]:
        headers = dict(scope.get("headers") or [])
        content_type = headers.get(b"content-type", b"").decode("latin-1").lower()
        bound = Bound.UPLOAD_BYTES if content_type.startswith(UPLOAD_TYPES) else Bound.JSON_BODY_BYTES
        return bound, limit_of(bound, settings=self.settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        bound, limit = self._bound_for(scope)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, send, _BodyTooLarge(bound, limit, int(declared)))
            return
        seen = 0
        refused: _BodyTooLarge | None = None
        answered = started = False

        async def counting_receive() -> Message:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    refused = _BodyTooLarge(bound, limit, seen)
                    raise refused
            return message

        async def guarded_send(message: Message) -> None:
            # Whatever the app makes of the interrupted body (FastAPI answers 400), the caller gets the 422.
            nonlocal answered, started
            if refused is None:
                started = started or message["type"] == "http.response.start"
                await send(message)
            elif not answered and message["type"] == "http.response.start":
                answered = True
                await self._refuse(scope, send, refused)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _BodyTooLarge:
            pass
        if refused is not None and not answered and not started:
            await self._refuse(scope, send, refused)

    async def _refuse(self, scope: Scope, send: Send, refused: _BodyTooLarge) -> None:
        import json

        from ipops.web.i18n import negotiate

        headers = dict(scope.get("headers") or [])
        locale = negotiate(
            explicit=None,
            user_pref=None,
            accept_language=headers.get(b"accept-language", b"").decode("latin-1") or None,
            default=(self.settings or get_settings()).default_locale,
        )
        # uploads get file_too_large, like the file store's refusal; other bodies input_too_large
        code = ErrorCode.FILE_TOO_LARGE if refused.bound == Bound.UPLOAD_BYTES else ErrorCode.INPUT_TOO_LARGE
        body = problem_body(
            code=code,
            locale=locale,
            detail=f"{refused.bound.value}: more than {refused.limit}",
            instance=str(scope.get("path", "")),
            extra={"bound": refused.bound.value, "limit": refused.limit},
        )
        payload = json.dumps(body, ensure_ascii=False).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 422,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(payload)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})
