"""The audit log: one row per write, with who, what, which record, a before/after summary and the DB time."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, ForeignKey, Index, String, and_, false, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ipops.core.db import Base

if TYPE_CHECKING:
    from ipops.core.authz import Principal


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
    org_id: Mapped[int | None]
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


def visible_audit_clause(actor: Principal) -> ColumnElement[bool]:
    """Which audit rows an actor may read: admins their alliance or region, organisation admins their org."""
    from ipops.core.authz import Role, region_prefix

    if actor.alliance_id is None:
        return false()
    in_alliance = AuditEntry.alliance_id == actor.alliance_id
    if actor.role == Role.ALLIANCE_ADMIN:
        return in_alliance
    if actor.role == Role.REGION_ADMIN and actor.region_code:
        return and_(in_alliance, AuditEntry.region_code.startswith(region_prefix(actor.region_code)))
    if actor.role == Role.ORG_ADMIN and actor.org_id is not None:
        return and_(in_alliance, AuditEntry.org_id == actor.org_id)
    return false()


def list_audit(
    session: Session,
    *,
    actor: Principal,
    entity_type: str | None = None,
    entity_id: str | None = None,
    limit: int = 50,
) -> list[AuditEntry]:
    """The newest audit rows the actor may read, optionally for one record."""
    stmt = select(AuditEntry).where(visible_audit_clause(actor))
    if entity_type:
        stmt = stmt.where(AuditEntry.entity_type == entity_type)
    if entity_id:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    return list(session.scalars(stmt.order_by(AuditEntry.id.desc()).limit(min(max(limit, 1), 500))))
