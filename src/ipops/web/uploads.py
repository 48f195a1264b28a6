"""Uploads and forms that ask the policy before their body is read (issue 12 item 1).

FastAPI reads a route's form body before it resolves the route's dependencies, so a check written as a
dependency runs only after a visitor's 50 MB upload has been received and spooled. A route of a router
built with `route_class=PolicyFirstRoute` and marked `@policy_before_body(entity, action)` asks
`may_ever` first and refuses with 401/403 without reading a byte of the body:

    router = APIRouter(prefix="/reports", route_class=PolicyFirstRoute)

    @router.post("/datasets")
    @policy_before_body("statistics_dataset", Action.CREATE)
    def import_dataset(file: Annotated[UploadFile, File()], ...): ...   # sync: parsed off the event loop

The record-level check with the form's facts still happens in the service, before the file is parsed.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute
from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response

from ipops.core.bounds import Bound, limit_of
from ipops.core.errors import DomainError, ErrorCode
from ipops.web.deps import current_principal
from ipops.web.guards import require_may

GUARD_ATTRIBUTE = "__ipops_policy_before_body__"
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def policy_before_body(entity: str, action: str) -> Callable[[Endpoint], Endpoint]:
    """Mark a route: the caller's role must be able to do `action` on `entity` before the body is read."""

    def mark(endpoint: Endpoint) -> Endpoint:
        setattr(endpoint, GUARD_ATTRIBUTE, (entity, action))
        return endpoint

    return mark


def _check_policy(request: Request, entity: str, action: str) -> None:
    require_may(current_principal(request), entity, action)


class PolicyFirstRoute(APIRoute):
    """A route that runs its `policy_before_body` check, off the event loop, before FastAPI reads the body."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """FastAPI's handler, preceded by the route's policy check when it has one."""
        handler = super().get_route_handler()
        guard: tuple[str, str] | None = getattr(self.endpoint, GUARD_ATTRIBUTE, None)
        if guard is None:
            return handler
        entity, action = guard

        async def checked_first(request: Request) -> Response:
            await run_in_threadpool(_check_policy, request, entity, action)  # the token lookup is a query
            return await handler(request)

        return checked_first


def read_upload(upload: UploadFile, *, max_bytes: int | None = None) -> bytes:
    """An uploaded file's bytes (sync: call it from a sync route), refused above the upload bound."""
    limit = min(max_bytes, limit_of(Bound.UPLOAD_BYTES)) if max_bytes else limit_of(Bound.UPLOAD_BYTES)
    upload.file.seek(0)
    content = upload.file.read(limit + 1)
    if len(content) > limit:
        raise DomainError(
            ErrorCode.FILE_TOO_LARGE,
            f"{Bound.UPLOAD_BYTES.value}: more than {limit}",
            bound=Bound.UPLOAD_BYTES.value,
            limit=limit,
        )
    return content


async def posted_form(request: Request) -> FormData:
    """The request's form fields, read on the loop (BodyLimit caps them), so that the route can be sync."""
    return await request.form()


PostedForm = Annotated[FormData, Depends(posted_form)]
