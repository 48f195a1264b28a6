"""The decisions: may this principal take this action on this record, which actions may it take, and the
SQL clause that selects the records on which it may.

Refusals: 401 when there is no valid credential, 404 when the principal may not know the record exists,
403 when it may see the record but not do this to it. Each refusal has a Chinese and an English message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import ColumnElement, true
from sqlalchemy.orm import Session

from ipops.core.authz.facts import Action, Columns, Facts, GrantFact
from ipops.core.authz.grants import load_grants
from ipops.core.authz.principal import Principal
from ipops.core.authz.rules import rule_for
from ipops.core.authz.terms import any_clause
from ipops.core.db import db_now
from ipops.core.errors import DomainError, ErrorCode

DEFAULT_REFUSAL = "Your role may not do this to this record."


def decide(
    principal: Principal,
    action: str,
    facts: Facts,
    *,
    grants: Sequence[GrantFact] = (),
    now: dt.datetime | None = None,
) -> bool:
    """The policy's answer for one principal, action and record (pure: grants and the clock are given)."""
    if principal.system:
        return True
    clock = now or dt.datetime.now(dt.UTC)
    return any(term.holds(principal, facts, grants, clock) for term in rule_for(facts.entity).terms(action))


def allowed(
    principal: Principal,
    actions: Sequence[str],
    facts: Facts,
    *,
    grants: Sequence[GrantFact] = (),
    now: dt.datetime | None = None,
) -> frozenset[str]:
    """Which of `actions` the principal may take on the record."""
    return frozenset(a for a in actions if decide(principal, a, facts, grants=grants, now=now))


def _context(session: Session, facts: Facts) -> tuple[tuple[GrantFact, ...], dt.datetime]:
    return load_grants(session, facts.targets()), db_now(session)


def can(session: Session, principal: Principal, action: str, facts: Facts) -> bool:
    """`decide` with the record's grants and the database clock."""
    if principal.system:
        return True
    grants, now = _context(session, facts)
    return decide(principal, action, facts, grants=grants, now=now)


def allowed_actions(session: Session, principal: Principal, facts: Facts) -> frozenset[str]:
    """Every action of the entity that the principal may take on the record (pages show only these)."""
    grants, now = _context(session, facts)
    return allowed(principal, list(rule_for(facts.entity).actions), facts, grants=grants, now=now)


def may_ever(principal: Principal, entity: str, action: str) -> bool:
    """Whether any way to be allowed names the principal's role (menus, before a record is known)."""
    return principal.system or any(t.applies_to(principal) for t in rule_for(entity).terms(action))


def refusal(
    principal: Principal,
    action: str,
    facts: Facts,
    *,
    can_read: bool,
    grants: Sequence[GrantFact] = (),
    now: dt.datetime | None = None,
) -> DomainError:
    """The error for a refusal: 401, 404, 409 (right party, wrong stage) or 403 with the rule's message."""
    if not principal.is_authenticated and (action != Action.READ or facts.record_id is None):
        return DomainError(ErrorCode.UNAUTHENTICATED)
    if facts.record_id is not None and (action == Action.READ or not can_read):
        return DomainError(ErrorCode.NOT_FOUND)
    clock = now or dt.datetime.now(dt.UTC)
    if any(
        t.holds_but_for_state(principal, facts, grants, clock) for t in rule_for(facts.entity).terms(action)
    ):
        return DomainError(
            ErrorCode.INVALID_STATE,
            f"{facts.entity} in state {facts.status} cannot {action}",
            state=facts.status,
        )
    message = rule_for(facts.entity).refusals.get(action, DEFAULT_REFUSAL)
    return DomainError(ErrorCode.FORBIDDEN, message, msgid=message)


def require(session: Session, principal: Principal, action: str, facts: Facts) -> frozenset[str]:
    """Raise the right refusal unless allowed; returns every action allowed (pages reuse it)."""
    if principal.system:
        return frozenset(rule_for(facts.entity).actions)
    grants, now = _context(session, facts)
    actions = allowed(principal, list(rule_for(facts.entity).actions), facts, grants=grants, now=now)
    if action in actions:
        return actions
    raise refusal(principal, action, facts, can_read=Action.READ in actions, grants=grants, now=now)


def clause(
    principal: Principal, action: str, columns: Columns, *, now: dt.datetime | None = None
) -> ColumnElement[bool]:
    """The records of an entity on which the principal may take `action`, as a WHERE clause."""
    if principal.system:
        return true()
    terms = rule_for(columns.entity).terms(action)
    return any_clause([t.clause(principal, columns, now) for t in terms if t.applies_to(principal)])
