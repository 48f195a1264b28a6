"""Banks' lending policies: a bank's financiers publish its terms; every alliance member may read them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipops.alliance.kinds import OrgKind
from ipops.alliance.service import organisations_by_id
from ipops.core.audit import record_audit
from ipops.core.authz import Action, Principal, require
from ipops.core.db import db_now
from ipops.core.errors import DomainError, ErrorCode
from ipops.core.uow import UnitOfWork
from ipops.finance.models import LendingPolicy
from ipops.finance.pledge.ltv import PolicyTerms
from ipops.finance.pledge.schemas import LendingPolicyIn, LendingPolicyRead
from ipops.finance.scope import policy_facts


def policy_read(policy: LendingPolicy) -> LendingPolicyRead:
    """The wire form of a policy."""
    return LendingPolicyRead(
        id=policy.id,
        bank_org_id=policy.bank_org_id,
        version=policy.version,
        updated_at=policy.updated_at,
        max_ltv_p10=policy.max_ltv_p10,
        default_haircut=policy.default_haircut,
        haircuts={k: Decimal(v) for k, v in policy.haircuts.items()},
        min_remaining_life_months=policy.min_remaining_life_months,
        eligible_statuses=policy.eligible_statuses,
    )


def terms_of(policy: LendingPolicy) -> PolicyTerms:
    """The numbers of a policy that the LTV arithmetic needs."""
    return PolicyTerms(
        max_ltv_p10=policy.max_ltv_p10,
        default_haircut=policy.default_haircut,
        haircuts={k: Decimal(v) for k, v in policy.haircuts.items()},
        min_remaining_life_months=policy.min_remaining_life_months,
        eligible_statuses=frozenset(policy.eligible_statuses),
    )


def policy_of(session: Session, bank_org_id: int, *, lock: bool = False) -> LendingPolicy | None:
    """A bank's policy row."""
    stmt = select(LendingPolicy).where(LendingPolicy.bank_org_id == bank_org_id)
    return session.scalars(stmt.with_for_update() if lock else stmt).one_or_none()


def set_lending_policy(
    *, uow: UnitOfWork, actor: Principal, bank_org_id: int, data: LendingPolicyIn
) -> LendingPolicyRead:
    """Publish or change a bank's lending policy (a financier of that bank only)."""
    values: dict[str, Any] = {
        "max_ltv_p10": data.max_ltv_p10,
        "default_haircut": data.default_haircut,
        "haircuts": {k.value: str(v) for k, v in data.haircuts.items()},
        "min_remaining_life_months": data.min_remaining_life_months,
        "eligible_statuses": [s.value for s in data.eligible_statuses],
    }
    with uow:
        session = uow.session
        bank = organisations_by_id(session, {bank_org_id}).get(bank_org_id)
        if bank is None or bank.alliance_id != actor.alliance_id:
            raise DomainError(ErrorCode.NOT_FOUND, f"bank {bank_org_id} not found in this alliance")
        policy = policy_of(session, bank_org_id, lock=True)
        facts = policy_facts(
            alliance_id=bank.alliance_id,
            bank_org_id=bank_org_id,
            region_code=bank.region_code,
            policy_id=policy.id if policy else None,
        )
        require(session, actor, Action.SET, facts)
        before: dict[str, Any] | None = None
        if policy is None:
            policy = LendingPolicy(alliance_id=bank.alliance_id, bank_org_id=bank_org_id, **values)
            session.add(policy)
        else:
            before = {k: getattr(policy, k) for k in values}
            for key, value in values.items():
                setattr(policy, key, value)
            policy.version += 1
        policy.updated_at = db_now(session)
        uow.flush()
        record_audit(
            session,
            actor=actor,
            action="finance.policy.set",
            entity_type="lending_policy",
            entity_id=policy.id,
            before=before,
            after=values,
            region_code=bank.region_code,
            org_id=bank_org_id,
        )
        uow.commit()
        return policy_read(policy)


def get_lending_policy(*, uow: UnitOfWork, actor: Principal, bank_org_id: int) -> LendingPolicyRead:
    """A bank's published policy (lending terms are visible to every member of the alliance)."""
    with uow:
        session = uow.session
        policy = policy_of(session, bank_org_id)
        if policy is None:
            raise DomainError(ErrorCode.NOT_FOUND)
        facts = policy_facts(
            alliance_id=policy.alliance_id, bank_org_id=bank_org_id, region_code=None, policy_id=policy.id
        )
        require(session, actor, Action.READ, facts)
        return policy_read(policy)


def banks(*, uow: UnitOfWork, actor: Principal) -> list[dict[str, Any]]:
    """The alliance's financier organisations and whether each has published a lending policy."""
    from ipops.alliance.service import list_organisations

    banks_of = [o for o in list_organisations(uow=uow, actor=actor) if o.kind == OrgKind.FINANCIER]
    with uow:
        published = set(
            uow.session.scalars(
                select(LendingPolicy.bank_org_id).where(
                    LendingPolicy.bank_org_id.in_([b.id for b in banks_of])
                )
            )
        )
    return [{"id": b.id, "name": b.name, "has_policy": b.id in published} for b in banks_of]
