"""The one authorisation policy: every read, write and state transition of every entity is decided here.

- `roles`: roles as data (tenancy, groups, who may grant them); later modules register theirs.
- `facts`: what a record looks like to the policy, in Python (`Facts`) and in SQL (`Columns`).
- `terms`: relations and conditions, each with a Python check and the matching SQL clause.
- `entities`: the rule of every entity.
- `grants`: record grants (organisation or region, reason, grantor, expiry), part of the policy.
- `policy`: `require`, `allowed_actions`, `clause` (list queries) and the refusals (401 / 403 / 404).
"""

from ipops.core.authz import entities
from ipops.core.authz.facts import Action, Columns, Facts, GrantFact, Visibility
from ipops.core.authz.grants import RecordGrant, issue_grant, load_grants, revoke_grants
from ipops.core.authz.policy import (
    allowed,
    allowed_actions,
    can,
    clause,
    decide,
    may_ever,
    refusal,
    require,
)
from ipops.core.authz.principal import ANONYMOUS, SYSTEM, Principal
from ipops.core.authz.roles import ROLES, Group, Role, RoleSpec, Tenancy, known_role, register_role, role_spec
from ipops.core.authz.rules import RULES, EntityRule, extend_rule, register_rule, rule_for
from ipops.core.authz.tenancy import covers, covers_clause, region_contains, region_prefix
from ipops.core.authz.terms import (
    AllianceMember,
    Allow,
    Anyone,
    Flag,
    Grant,
    InRegion,
    Party,
    StatusIn,
    VisibilityIn,
)

__all__ = [
    "ANONYMOUS",
    "AllianceMember",
    "Allow",
    "Anyone",
    "Flag",
    "Grant",
    "InRegion",
    "Party",
    "StatusIn",
    "VisibilityIn",
    "ROLES",
    "RULES",
    "SYSTEM",
    "Action",
    "Columns",
    "EntityRule",
    "Facts",
    "GrantFact",
    "Group",
    "Principal",
    "RecordGrant",
    "Role",
    "RoleSpec",
    "Tenancy",
    "Visibility",
    "allowed",
    "allowed_actions",
    "can",
    "clause",
    "covers",
    "covers_clause",
    "decide",
    "entities",
    "extend_rule",
    "issue_grant",
    "known_role",
    "load_grants",
    "may_ever",
    "refusal",
    "region_contains",
    "region_prefix",
    "register_role",
    "register_rule",
    "require",
    "revoke_grants",
    "role_spec",
    "rule_for",
]
