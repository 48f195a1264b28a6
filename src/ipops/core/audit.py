"""The audit log: one row per write, with who, what, which record, a before/after summary and the DB time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, Select, String, and_, false, func, or_, select, true
from sqlalchemy.orm import Mapped, Session, mapped_column

from ipops.core.db import Base

if TYPE_CHECKING:  # the policy imports this module (grants are audited), so its names come in late
    from ipops.core.authz import Columns, Facts, Principal


class AuditEntry(Base):
    """An immutable record of one write."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(80), index=True)
    entity_type: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[str] = mapped_column(String(64))
    alliance_id: Mapped[int | None]
    region_code: Mapped[str | None] = mapped_column(String(6))
    org_id: Mapped[int | None]  # the organisation whose record this is (its owner, borrower...)
    actor_org_id: Mapped[int | None]  # the organisation the actor acted for
    summary: Mapped[dict[str, Any]]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def diff_summary(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, Any]:
    """Only the fields that changed, as {"before": {...}, "after": {...}}."""
    before = _jsonable(before or {})
    after = _jsonable(after or {})
    keys = sorted(set(before) | set(after))
    changed = [k for k in keys if before.get(k) != after.get(k)]
    return {
        "before": {k: before.get(k) for k in changed if k in before},
        "after": {k: after.get(k) for k in changed if k in after},
    }


def record_audit(
    session: Session,
    *,
    actor: Principal | None,
    action: str,
    entity_type: str,
    entity_id: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    region_code: str | None = None,
    org_id: int | None = None,
) -> AuditEntry:
    """Add an audit row to the current transaction; it commits or rolls back with the write it records."""
    entry = AuditEntry(
        actor_user_id=actor.user_id if actor else None,
        actor_label=actor.username if actor else "system",
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        alliance_id=actor.alliance_id if actor else None,
        region_code=region_code,
        org_id=org_id,
        actor_org_id=actor.org_id if actor else None,
        summary=diff_summary(before, after),
    )
    session.add(entry)
    return entry


def audit_trail(session: Session, *, entity_type: str, entity_id: object) -> list[AuditEntry]:
    """All audit rows for one record, oldest first."""
    stmt = (
        select(AuditEntry)
        .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == str(entity_id))
        .order_by(AuditEntry.id)
    )
    return list(session.scalars(stmt))


def audit_columns() -> Columns:
    """The audit log's tenancy facts as SQL, for the policy's `audit_entry` rule."""
    from ipops.core.authz import Columns

    return Columns(
        entity="audit_entry",
        record_id=AuditEntry.id,
        alliance_id=AuditEntry.alliance_id,
        region_code=AuditEntry.region_code,
        parties={
            "record_org": lambda org_id: AuditEntry.org_id == org_id,
            "actor_org": lambda org_id: AuditEntry.actor_org_id == org_id,
        },
    )


def audit_facts(entry: AuditEntry) -> Facts:
    """One audit row's tenancy facts for the policy."""
    from ipops.core.authz import Facts

    return Facts(
        entity="audit_entry",
        record_id=entry.id,
        alliance_id=entry.alliance_id,
        region_code=entry.region_code,
        parties={
            "record_org": frozenset({entry.org_id} if entry.org_id is not None else ()),
            "actor_org": frozenset({entry.actor_org_id} if entry.actor_org_id is not None else ()),
        },
    )


# the ids (as audit_log.entity_id text) of one entity type's records that a principal may read
ReadableIds = Callable[["Principal"], Select[tuple[str]]]


@dataclass(frozen=True, slots=True)
class AuditView:
    """An audit row as one reader sees it: in full, or redacted to action, time and actor's organisation."""

    id: int
    at: dt.datetime
    action: str
    entity_type: str
    entity_id: str
    actor_org_id: int | None
    redacted: bool
    actor_user_id: int | None = None
    actor_label: str = ""
    region_code: str | None = None
    org_id: int | None = None
    summary: dict[str, Any] = field(default_factory=dict)


def _view(entry: AuditEntry, *, full: bool) -> AuditView:
    if not full:
        return AuditView(
            id=entry.id,
            at=entry.at,
            action=entry.action,
            entity_type=entry.entity_type,
            entity_id=entry.entity_id,
            actor_org_id=entry.actor_org_id,
            redacted=True,
        )
    return AuditView(
        id=entry.id,
        at=entry.at,
        action=entry.action,
        entity_type=entry.entity_type,
        entity_id=entry.entity_id,
        actor_org_id=entry.actor_org_id,
        redacted=False,
        actor_user_id=entry.actor_user_id,
        actor_label=entry.actor_label,
        region_code=entry.region_code,
        org_id=entry.org_id,
        summary=entry.summary,
    )


def list_audit(
    session: Session,
    *,
    actor: Principal,
    readable: Mapping[str, ReadableIds],
    entity_type: str | None = None,
    entity_id: str | None = None,
    limit: int = 50,
) -> list[AuditView]:
    """The newest audit rows the actor may read; rows of records it may not read come back redacted."""
    from ipops.core.authz import Action, clause

    full_when = [
        and_(AuditEntry.entity_type == kind, AuditEntry.entity_id.in_(ids(actor)))
        for kind, ids in readable.items()
    ]
    full = or_(false(), *full_when) if not actor.system else true()
    stmt = select(AuditEntry, full.label("full")).where(clause(actor, Action.READ, audit_columns()))
    if entity_type:
        stmt = stmt.where(AuditEntry.entity_type == entity_type)
    if entity_id:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    rows = session.execute(stmt.order_by(AuditEntry.id.desc()).limit(min(max(limit, 1), 500))).all()
    return [_view(entry, full=bool(full_row)) for entry, full_row in rows]


def activity_by_org(session: Session, *, actor: Principal, since: dt.datetime) -> dict[int | None, int]:
    """Audited writes per acting organisation since a time, over the rows the actor may read (None: staff)."""
    from ipops.core.authz import Action, clause

    rows = session.execute(
        select(AuditEntry.actor_org_id, func.count(AuditEntry.id))
        .where(clause(actor, Action.READ, audit_columns()), AuditEntry.at >= since)
        .group_by(AuditEntry.actor_org_id)
    ).all()
    return {org_id: int(count) for org_id, count in rows}
