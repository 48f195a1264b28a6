"""Inbox use cases: fill it from events (the outbox consumer), read it, count the unread, mark as read."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ipops.alliance.service import active_user_ids
from ipops.core.authz import Principal
from ipops.core.errors import DomainError, ErrorCode
from ipops.core.events import Audience, OutboxEvent, render_event
from ipops.core.uow import UnitOfWork
from ipops.notify.models import Notification
from ipops.notify.schemas import InboxPage, NotificationRead


def notify_audience(session: Session, event: OutboxEvent) -> None:
    """The outbox consumer: one notification per recipient; a re-delivery adds nothing."""
    audience = Audience.from_json(event.audience)
    recipients = active_user_ids(
        session, user_ids=audience.user_ids, org_ids=audience.org_ids, roles=audience.roles
    )
    if not recipients:
        return
    # The event row is locked by the delivery, so this read cannot race another delivery of it.
    already = set(session.scalars(select(Notification.user_id).where(Notification.event_id == event.id)))
    for user_id in recipients:
        if user_id not in already:
            session.add(
                Notification(
                    user_id=user_id,
                    event_id=event.id,
                    event_type=event.event_type,
                    payload=dict(event.payload),
                )
            )


def _signed_in(actor: Principal) -> int:
    if actor.user_id is None:
        raise DomainError(ErrorCode.UNAUTHENTICATED)
    return actor.user_id


def _read(row: Notification, locale: str) -> NotificationRead:
    shown = render_event(row.event_type, row.payload, locale)
    return NotificationRead(
        id=row.id,
        event_type=row.event_type,
        title=shown.title,
        body=shown.body,
        link=shown.link,
        created_at=row.created_at,
        read=row.read_at is not None,
    )


def _unread(session: Session, user_id: int) -> int:
    count = session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
    )
    return int(count or 0)


def inbox(
    *,
    uow: UnitOfWork,
    actor: Principal,
    locale: str,
    unread_only: bool = False,
    before: int | None = None,
    limit: int = 50,
) -> InboxPage:
    """The actor's notifications, newest first, `limit` at a time."""
    user_id = _signed_in(actor)
    with uow:
        session = uow.session
        stmt = select(Notification).where(Notification.user_id == user_id)
        if unread_only:
            stmt = stmt.where(Notification.read_at.is_(None))
        if before is not None:
            stmt = stmt.where(Notification.id < before)
        rows = list(session.scalars(stmt.order_by(Notification.id.desc()).limit(limit + 1)))
        more = len(rows) > limit
        rows = rows[:limit]
        return InboxPage(
            items=[_read(row, locale) for row in rows],
            unread=_unread(session, user_id),
            next_before=rows[-1].id if more and rows else None,
        )


def unread_count(*, uow: UnitOfWork, actor: Principal) -> int:
    """How many of the actor's notifications are unread (0 for anonymous visitors)."""
    if actor.user_id is None:
        return 0
    with uow:
        return _unread(uow.session, actor.user_id)


def mark_read(*, uow: UnitOfWork, actor: Principal, notification_id: int, locale: str) -> NotificationRead:
    """Mark one of the actor's notifications read (again is fine); another user's is not found."""
    user_id = _signed_in(actor)
    with uow:
        session = uow.session
        row = session.get(Notification, notification_id)
        if row is None or row.user_id != user_id:
            raise DomainError(ErrorCode.NOT_FOUND, f"notification {notification_id}")
        session.execute(
            update(Notification)
            .where(Notification.id == notification_id, Notification.read_at.is_(None))
            .values(read_at=func.now())
            .execution_options(synchronize_session="fetch")
        )
        uow.commit()
        session.refresh(row)
        return _read(row, locale)


def mark_all_read(*, uow: UnitOfWork, actor: Principal) -> int:
    """Mark every unread notification of the actor read; returns how many."""
    user_id = _signed_in(actor)
    with uow:
        result = uow.session.execute(
            update(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
            .values(read_at=func.now())
        )
        uow.commit()
        return int(getattr(result, "rowcount", 0) or 0)
