"""HTML routes for the inbox: the page, the top-bar badge that HTMX polls, opening and marking read."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ipops.notify import service
from ipops.web.deps import LocaleDep, PrincipalDep, SignedInDep, UowDep
from ipops.web.templating import render

router = APIRouter(prefix="/inbox", include_in_schema=False)
BADGE_POLL_SECONDS = 15


@router.get("", response_class=HTMLResponse)
def inbox_page(request: Request, uow: UowDep, actor: SignedInDep, locale: LocaleDep) -> Response:
    """The caller's notifications, newest first."""
    page = service.inbox(uow=uow, actor=actor, locale=locale, limit=100)
    return render(request, "notify/inbox.html", {"page": page})


@router.get("/badge", response_class=HTMLResponse)
def badge(request: Request, uow: UowDep, actor: PrincipalDep) -> Response:
    """The unread count for the top bar (empty for anonymous visitors)."""
    unread = service.unread_count(uow=uow, actor=actor)
    return render(request, "notify/_badge.html", {"unread": unread, "poll_seconds": BADGE_POLL_SECONDS})


@router.get("/{notification_id}/open")
def open_notification(notification_id: int, uow: UowDep, actor: SignedInDep, locale: LocaleDep) -> Response:
    """Mark a notification read and go to the page it points at."""
    shown = service.mark_read(uow=uow, actor=actor, notification_id=notification_id, locale=locale)
    target = (
        shown.link
        if shown.link and shown.link.startswith("/") and not shown.link.startswith("//")
        else "/inbox"
    )
    return RedirectResponse(target, status_code=303)


@router.post("/read-all")
def read_all(request: Request, uow: UowDep, actor: SignedInDep) -> Response:
    """Mark everything read and show the inbox again."""
    service.mark_all_read(uow=uow, actor=actor)
    return RedirectResponse("/inbox", status_code=303)
