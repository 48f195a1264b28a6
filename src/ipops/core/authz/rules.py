"""The rule of each entity: for every action, the ways to be allowed, and the refusal it gives otherwise.

Rules are data. `register_rule` adds an entity's rule; `extend_rule` lets a later module allow a new role
or relation on an existing action (a credit officer approving loans) without editing the rule here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ipops.core.authz.terms import Allow


@dataclass(frozen=True, slots=True)
class EntityRule:
    """Every action of one entity and who may take it; `refusals` holds the message of a refused action."""

    entity: str
    actions: Mapping[str, tuple[Allow, ...]]
    refusals: Mapping[str, str] = field(default_factory=dict)

    def terms(self, action: str) -> tuple[Allow, ...]:
        """The ways to be allowed `action` (none for an action the entity does not have)."""
        return self.actions.get(action, ())


RULES: dict[str, EntityRule] = {}


def register_rule(rule: EntityRule) -> EntityRule:
    """Add an entity's rule to the policy."""
    if rule.entity in RULES and RULES[rule.entity] != rule:
        raise ValueError(f"entity {rule.entity} already has a rule")
    RULES[rule.entity] = rule
    return rule


def extend_rule(entity: str, action: str, *terms: Allow, refusal: str | None = None) -> EntityRule:
    """Allow more on one action of a registered entity (a later module's role, say)."""
    rule = RULES[entity]
    actions = dict(rule.actions)
    actions[action] = (*actions.get(action, ()), *terms)
    refusals = dict(rule.refusals)
    if refusal is not None:
        refusals[action] = refusal
    RULES[entity] = EntityRule(entity=entity, actions=actions, refusals=refusals)
    return RULES[entity]


def rule_for(entity: str) -> EntityRule:
    """The rule of an entity; a missing rule is a programming error, never an open door."""
    try:
        return RULES[entity]
    except KeyError as exc:
        raise LookupError(f"no authorisation rule for entity {entity!r}") from exc
