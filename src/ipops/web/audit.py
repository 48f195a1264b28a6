"""The audit log over HTTP: rows the reader may see, those of records it may not read redacted."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter
from sqlalchemy import Select, String, cast, select
from sqlalchemy.orm import Session

from ipops.alliance.schemas import AuditRead
from ipops.core.audit import AuditView, ReadableIds, list_audit
from ipops.core.authz import Action, Columns, Principal, clause
from ipops.core.bounds import PageLimit
from ipops.domains import audited_columns
from ipops.web.deps import SignedInDep, UowDep

router = APIRouter(tags=["alliance"])


def _readable(columns: Callable[[], Columns]) -> ReadableIds:
    def ids(actor: Principal) -> Select[tuple[str]]:
        cols = columns()
        return select(cast(cols.record_id, String)).where(clause(actor, Action.READ, cols))

    return ids


def readable_records() -> dict[str, ReadableIds]:
    """For each audited entity type, the ids of its records a principal may read."""
    return {kind: _readable(columns) for kind, columns in audited_columns().items()}


def audit_for(session: Session, *, actor: Principal, limit: int, **filters: str | None) -> list[AuditView]:
    """The newest audit rows the actor may see (redacted where it may not read the record)."""
    return list_audit(session, actor=actor, readable=readable_records(), limit=limit, **filters)


@router.get("/audit", response_model=list[AuditRead])
def audit_log(
    uow: UowDep,
    actor: SignedInDep,
    limit: PageLimit,
    entity_type: str | None = None,
    entity_id: str | None = None,
) -> list[AuditRead]:
    """The audit log of what the caller administers: who changed what, when (database time)."""
    with uow:
        rows = audit_for(uow.session, actor=actor, limit=limit, entity_type=entity_type, entity_id=entity_id)
        return [AuditRead.model_validate(r) for r in rows]
