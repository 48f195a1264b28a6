"""JSON routes for the inbox: list, unread count, mark one or all read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ipops.core.bounds import PageLimit
from ipops.notify import service
from ipops.notify.schemas import InboxPage, MarkedRead, NotificationRead, UnreadCount
from ipops.web.deps import LocaleDep, SignedInDep, UowDep

router = APIRouter(prefix="/notifications", tags=["notifications"])


@router.get("", response_model=InboxPage)
def list_notifications(
    uow: UowDep,
    actor: SignedInDep,
    locale: LocaleDep,
    limit: PageLimit,
    unread: Annotated[bool, Query(description="only unread ones")] = False,
    before: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="ids below this one")] = None,
) -> InboxPage:
    """The caller's notifications, newest first."""
    return service.inbox(uow=uow, actor=actor, locale=locale, unread_only=unread, before=before, limit=limit)


@router.get("/unread-count", response_model=UnreadCount)
def unread_count(uow: UowDep, actor: SignedInDep) -> UnreadCount:
    """How many notifications are unread."""
    return UnreadCount(unread=service.unread_count(uow=uow, actor=actor))


@router.post("/read-all", response_model=MarkedRead)
def mark_all_read(uow: UowDep, actor: SignedInDep) -> MarkedRead:
    """Mark every notification read."""
    return MarkedRead(marked=service.mark_all_read(uow=uow, actor=actor))


@router.post("/{notification_id}/read", response_model=NotificationRead)
def mark_read(notification_id: int, uow: UowDep, actor: SignedInDep, locale: LocaleDep) -> NotificationRead:
    """Mark one notification read."""
    return service.mark_read(uow=uow, actor=actor, notification_id=notification_id, locale=locale)
