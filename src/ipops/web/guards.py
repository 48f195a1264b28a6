"""Pages ask the policy before they show a form: a role that can never submit it gets a 403 page instead."""

from __future__ import annotations

from ipops.core.authz import Principal, may_ever, rule_for
from ipops.core.authz.policy import DEFAULT_REFUSAL
from ipops.core.errors import DomainError, ErrorCode


def require_may(actor: Principal, entity: str, action: str) -> None:
    """Refuse a form the actor's role may never submit: visitors are sent to sign in, others get a 403."""
    if may_ever(actor, entity, action):
        return
    if not actor.is_authenticated:
        raise DomainError(ErrorCode.UNAUTHENTICATED)
    message = rule_for(entity).refusals.get(action, DEFAULT_REFUSAL)
    raise DomainError(ErrorCode.FORBIDDEN, message, msgid=message)
