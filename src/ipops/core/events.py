"""Domain events through an outbox: written in the use case's transaction, delivered after its commit.

A use case calls `emit(session, event_type=…, payload=…, audience=…)`; the row commits or rolls back with
the change it announces. After the commit a delivery task runs (on the worker, or inline in immediate
mode); a periodic sweep re-delivers anything left behind, so delivery is at least once and every consumer
is idempotent (the inbox keeps one notification per event and user). Each event type is declared once,
with its Chinese and English text:

    event_type("finance.loan_submitted", zh="收到质押贷款申请 {loan_no}", en="Loan application {loan_no}",
               link="/finance/loans/{loan_id}")
"""

from __future__ import annotations

import datetime as dt
import logging
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from ipops.core.db import Base
from ipops.core.uow import UnitOfWork, factory_of, on_commit

logger = logging.getLogger(__name__)
MAX_DELIVERY_ATTEMPTS = 10
Params = Callable[[Mapping[str, Any], str], Mapping[str, Any]]


class OutboxEvent(Base):
    """One domain event waiting for (or past) delivery."""

    __tablename__ = "outbox_events"
    __table_args__ = (Index("ix_outbox_events_undelivered", "delivered_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_type: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    alliance_id: Mapped[int | None] = mapped_column(ForeignKey("alliances.id", ondelete="SET NULL"))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    entity_type: Mapped[str | None] = mapped_column(String(60))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    occurred_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    delivered_at: Mapped[dt.datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))


# ------------------------------------------------------------------------------------------------------------
# Event types: the one place their text lives


@dataclass(frozen=True, slots=True)
class EventType:
    """An event's name, its title and body templates in both languages, and the page it points at."""

    name: str
    title_zh: str
    title_en: str
    body_zh: str = ""
    body_en: str = ""
    link: str | None = None
    params: Params | None = None  # more template values, per locale (e.g. a translated label)


@dataclass(frozen=True, slots=True)
class RenderedEvent:
    """An event in one language."""

    title: str
    body: str
    link: str | None


EVENT_TYPES: dict[str, EventType] = {}


def event_type(
    name: str,
    *,
    zh: str,
    en: str,
    body_zh: str = "",
    body_en: str = "",
    link: str | None = None,
    params: Params | None = None,
) -> EventType:
    """Declare an event type (once, in the module that emits it)."""
    declared = EventType(name, zh, en, body_zh, body_en, link, params)
    existing = EVENT_TYPES.get(name)
    if existing is not None and (existing.title_zh, existing.title_en) != (zh, en):
        raise ValueError(f"event type {name} is declared twice with different text")
    EVENT_TYPES[name] = declared
    return declared


class _Missing(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "…"  # a payload without the field renders a gap, never a KeyError in someone's inbox


def _fill(template: str, values: Mapping[str, Any]) -> str:
    return string.Formatter().vformat(template, (), _Missing(values)) if template else ""


def render_event(name: str, payload: Mapping[str, Any], locale: str) -> RenderedEvent:
    """An event's title, body and link in the locale."""
    declared = EVENT_TYPES.get(name)
    if declared is None:
        return RenderedEvent(title=name, body="", link=None)
    values: dict[str, Any] = dict(payload)
    if declared.params is not None:
        values.update(declared.params(payload, locale))
    zh = locale.startswith("zh")
    return RenderedEvent(
        title=_fill(declared.title_zh if zh else declared.title_en, values),
        body=_fill(declared.body_zh if zh else declared.body_en, values),
        link=_fill(declared.link, values) if declared.link else None,
    )


# ------------------------------------------------------------------------------------------------------------
# Emitting


@dataclass(frozen=True, slots=True)
class Audience:
    """Who hears of an event: these users, and the active users of these organisations (by role, if given)."""

    user_ids: tuple[int, ...] = ()
    org_ids: tuple[int, ...] = ()
    roles: tuple[str, ...] = ()  # empty: every role in those organisations

    def as_json(self) -> dict[str, list[Any]]:
        """The stored form."""
        return {"user_ids": list(self.user_ids), "org_ids": list(self.org_ids), "roles": list(self.roles)}

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> Audience:
        """Back from the stored form."""
        return cls(
            user_ids=tuple(int(v) for v in value.get("user_ids", [])),
            org_ids=tuple(int(v) for v in value.get("org_ids", [])),
            roles=tuple(str(v) for v in value.get("roles", [])),
        )


def emit(
    session: Session,
    *,
    event_type: str,
    payload: Mapping[str, Any],
    audience: Audience,
    alliance_id: int | None = None,
    actor_user_id: int | None = None,
    entity_type: str | None = None,
    entity_id: str | None = None,
) -> OutboxEvent:
    """Write an event into the current transaction; it is delivered after that transaction commits."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"undeclared event type {event_type!r}")
    row = OutboxEvent(
        event_type=event_type,
        payload=dict(payload),
        audience=audience.as_json(),
        alliance_id=alliance_id,
        actor_user_id=actor_user_id,
        entity_type=entity_type,
        entity_id=entity_id,
        attempts=0,
    )
    session.add(row)
    factory = factory_of(session)
    on_commit(session, lambda: _schedule_delivery(factory))
    return row


def _schedule_delivery(factory: Any) -> None:
    from ipops.core.jobs.queue import send

    send("deliver_events", factory=factory)


# ------------------------------------------------------------------------------------------------------------
# Delivering

Consumer = Callable[[Session, OutboxEvent], None]


@dataclass
class _Consumers:
    items: list[tuple[str, Consumer]] = field(default_factory=list)


CONSUMERS = _Consumers()


def subscribe(consumer: Consumer, *, name: str) -> None:
    """Have `consumer(session, event)` see every event; it runs in the delivery's transaction."""
    if name not in {n for n, _ in CONSUMERS.items}:
        CONSUMERS.items.append((name, consumer))


def deliver_pending_events(*, uow: UnitOfWork, limit: int = 200) -> int:
    """Deliver undelivered events, oldest first, each in its own transaction; returns how many."""
    from ipops.wiring import load_wiring

    load_wiring()  # every consumer is subscribed before anything is marked delivered
    factory = uow.session_factory
    with uow:
        ids = list(
            uow.session.scalars(
                select(OutboxEvent.id)
                .where(OutboxEvent.delivered_at.is_(None), OutboxEvent.attempts < MAX_DELIVERY_ATTEMPTS)
                .order_by(OutboxEvent.id)
                .limit(limit)
            )
        )
    delivered = 0
    for event_id in ids:
        try:
            with UnitOfWork(factory) as one:
                event = one.session.scalars(
                    select(OutboxEvent)
                    .where(OutboxEvent.id == event_id, OutboxEvent.delivered_at.is_(None))
                    .with_for_update(skip_locked=True)
                ).one_or_none()
                if event is None:
                    continue  # delivered meanwhile, or being delivered by another worker
                for _, consumer in CONSUMERS.items:
                    consumer(one.session, event)
                event.delivered_at = func.now()
                event.attempts = event.attempts + 1
                one.commit()
                delivered += 1
        except Exception as exc:
            logger.exception("delivering event %s failed", event_id)
            with factory() as session:
                session.execute(
                    update(OutboxEvent)
                    .where(OutboxEvent.id == event_id)
                    .values(attempts=OutboxEvent.attempts + 1, last_error=str(exc)[:500])
                )
                session.commit()
    return delivered
