"""Record grants: access to one record for a named organisation or region, with reason, grantor and expiry.

A grant is part of the policy: the rules name it as a relation (`Grant("read")`), the policy loads the
grants of a record itself, and list queries see them through the same EXISTS clause. Domains issue and
revoke grants through the functions here, inside their own use case's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, Index, String, and_, exists, false, func, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from ipops.core.audit import record_audit
from ipops.core.authz.facts import GrantFact, SqlValue
from ipops.core.authz.principal import Principal
from ipops.core.authz.roles import Tenancy
from ipops.core.authz.tenancy import region_prefix
from ipops.core.db import Base, db_now
from ipops.core.errors import DomainError, ErrorCode


class RecordGrant(Base):
    """Access to one record beyond the tenancy rules; exactly one of organisation or region is named."""

    __tablename__ = "authz_grants"
    __table_args__ = (Index("ix_authz_grants_target", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alliance_id: Mapped[int]
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int]
    grantee_org_id: Mapped[int | None] = mapped_column(index=True)
    grantee_region_code: Mapped[str | None] = mapped_column(String(6))
    actions: Mapped[str] = mapped_column(String(200))  # ",read,appraise," so one LIKE finds an action
    reason: Mapped[str] = mapped_column(String(300))
    source: Mapped[str | None] = mapped_column(String(80), index=True)  # the use case's record, "loan:12"
    granted_by_user_id: Mapped[int | None]
    granted_by_label: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]
    revoked_by_user_id: Mapped[int | None]


DEFAULT_GRANT_DAYS = 90


def _actions_text(actions: Iterable[str]) -> str:
    names = sorted({a.strip() for a in actions if a.strip()})
    if not names:
        raise DomainError(ErrorCode.VALIDATION_ERROR, "a grant names at least one action")
    return "," + ",".join(names) + ","


def fact_of(grant: RecordGrant) -> GrantFact:
    """The policy's view of a stored grant."""
    return GrantFact(
        entity_type=grant.entity_type,
        entity_id=grant.entity_id,
        actions=frozenset(a for a in grant.actions.split(",") if a),
        expires_at=grant.expires_at,
        org_id=grant.grantee_org_id,
        region_code=grant.grantee_region_code,
        revoked_at=grant.revoked_at,
    )


def load_grants(session: Session, targets: Sequence[tuple[str, int]]) -> tuple[GrantFact, ...]:
    """Every grant (live or not) on the given records; the policy judges expiry against the DB clock."""
    if not targets:
        return ()
    wanted = or_(
        *(and_(RecordGrant.entity_type == kind, RecordGrant.entity_id == ident) for kind, ident in targets)
    )
    return tuple(fact_of(g) for g in session.scalars(select(RecordGrant).where(wanted)))


def holds(principal: Principal, grant: GrantFact) -> bool:
    """Whether a grant names the principal's organisation or a region the principal acts for."""
    if grant.org_id is not None:
        return principal.tenancy == Tenancy.ORGANISATION and principal.org_id == grant.org_id
    if grant.region_code is None:
        return False
    if principal.tenancy == Tenancy.ALLIANCE:
        return True
    return (
        principal.tenancy == Tenancy.REGION
        and principal.region_code is not None
        and grant.region_code.startswith(region_prefix(principal.region_code))
    )


def grant_clause(
    principal: Principal,
    *,
    entity_type: str,
    entity_id: SqlValue,
    action: str,
    alliance_id: SqlValue,
    now: dt.datetime | None = None,
) -> ColumnElement[bool]:
    """An EXISTS over live grants of `action` on the row's record that the principal holds."""
    if principal.alliance_id is None:
        return false()
    if principal.tenancy == Tenancy.ORGANISATION and principal.org_id is not None:
        grantee: ColumnElement[bool] = RecordGrant.grantee_org_id == principal.org_id
    elif principal.tenancy == Tenancy.ALLIANCE:
        grantee = RecordGrant.grantee_region_code.is_not(None)
    elif principal.tenancy == Tenancy.REGION and principal.region_code:
        grantee = RecordGrant.grantee_region_code.startswith(
            region_prefix(principal.region_code), autoescape=True
        )
    else:
        return false()
    clock = now if now is not None else func.now()
    return exists().where(
        RecordGrant.entity_type == entity_type,
        RecordGrant.entity_id == entity_id,
        RecordGrant.alliance_id == alliance_id,
        RecordGrant.actions.contains(f",{action},", autoescape=True),
        RecordGrant.revoked_at.is_(None),
        RecordGrant.expires_at > clock,
        grantee,
    )


def issue_grant(
    session: Session,
    *,
    actor: Principal,
    alliance_id: int,
    entity_type: str,
    entity_id: int,
    actions: Iterable[str],
    reason: str,
    expires_at: dt.datetime,
    grantee_org_id: int | None = None,
    grantee_region_code: str | None = None,
    source: str | None = None,
) -> RecordGrant:
    """Record a grant inside the caller's transaction (the caller has checked the actor may grant)."""
    if (grantee_org_id is None) == (grantee_region_code is None):
        raise DomainError(ErrorCode.VALIDATION_ERROR, "a grant names one organisation or one region")
    if not reason.strip():
        raise DomainError(ErrorCode.VALIDATION_ERROR, "a grant states its reason")
    if expires_at <= db_now(session):
        raise DomainError(ErrorCode.VALIDATION_ERROR, "a grant expires in the future")
    grant = RecordGrant(
        alliance_id=alliance_id,
        entity_type=entity_type,
        entity_id=entity_id,
        grantee_org_id=grantee_org_id,
        grantee_region_code=grantee_region_code,
        actions=_actions_text(actions),
        reason=reason.strip()[:300],
        source=source,
        granted_by_user_id=actor.user_id,
        granted_by_label=actor.username,
        expires_at=expires_at,
    )
    session.add(grant)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="authz.grant_issued",
        entity_type=entity_type,
        entity_id=entity_id,
        after={
            "grant_id": grant.id,
            "org_id": grantee_org_id,
            "region_code": grantee_region_code,
            "actions": sorted(fact_of(grant).actions),
            "reason": grant.reason,
            "expires_at": expires_at,
        },
        org_id=grantee_org_id,
        region_code=grantee_region_code,
    )
    return grant


def revoke_grants(
    session: Session,
    *,
    actor: Principal,
    entity_type: str,
    entity_id: int,
    grant_id: int | None = None,
    source: str | None = None,
) -> int:
    """Revoke live grants on a record (one by id, or all a source issued); returns how many were revoked."""
    conditions = [
        RecordGrant.entity_type == entity_type,
        RecordGrant.entity_id == entity_id,
        RecordGrant.revoked_at.is_(None),
    ]
    if grant_id is not None:
        conditions.append(RecordGrant.id == grant_id)
    if source is not None:
        conditions.append(RecordGrant.source == source)
    revoked = (
        session.execute(
            update(RecordGrant)
            .where(*conditions)
            .values(revoked_at=func.now(), revoked_by_user_id=actor.user_id)
            .returning(RecordGrant.id)
        )
        .scalars()
        .all()
    )
    if revoked:
        record_audit(
            session,
            actor=actor,
            action="authz.grant_revoked",
            entity_type=entity_type,
            entity_id=entity_id,
            after={"grant_ids": sorted(revoked), "source": source},
        )
    return len(revoked)


def list_grants(session: Session, *, entity_type: str, entity_id: int) -> list[RecordGrant]:
    """Every grant on a record, newest first (for the record's page)."""
    return list(
        session.scalars(
            select(RecordGrant)
            .where(RecordGrant.entity_type == entity_type, RecordGrant.entity_id == entity_id)
            .order_by(RecordGrant.id.desc())
        )
    )


def expiry_after(session: Session, *, days: int = DEFAULT_GRANT_DAYS) -> dt.datetime:
    """The database clock plus some days: the default expiry of a grant."""
    return db_now(session) + dt.timedelta(days=days)
