"""Accounts, organisations and the audit log.

An organisation administers its own accounts. The alliance and region administration opens the accounts
of its offices and an organisation's very first account (onboarding); it can stop any account in its
tenancy, but it cannot make, reopen or reset an organisation's accounts, so no administrator can sign in as
an enterprise and read what only the enterprise may read.
"""

from __future__ import annotations

from ipops.core.authz.entities.common import ADMINISTRATION, MEMBERS, ORG_ADMIN
from ipops.core.authz.facts import Action
from ipops.core.authz.rules import EntityRule, register_rule
from ipops.core.authz.terms import (
    AllianceMember,
    Allow,
    Flag,
    InRegion,
    NotSelf,
    Party,
    SelfUser,
    SubjectRoleGrantable,
)

ORG_ACCOUNT = Flag("org_account")  # the account belongs to an organisation
ONBOARDING = Flag("org_onboarding")  # the organisation has no account yet
OWN_ORG = Party("organisation")

USER = register_rule(
    EntityRule(
        entity="user",
        actions={
            Action.READ: (
                Allow(MEMBERS, SelfUser()),
                Allow(ORG_ADMIN, OWN_ORG),
                Allow(ADMINISTRATION, InRegion()),
            ),
            Action.CREATE: (
                Allow(ORG_ADMIN, OWN_ORG, (SubjectRoleGrantable(),)),
                Allow(ADMINISTRATION, InRegion(), (SubjectRoleGrantable(), Flag("org_account", False))),
                Allow(ADMINISTRATION, InRegion(), (SubjectRoleGrantable(), ONBOARDING)),
            ),
            Action.DEACTIVATE: (
                Allow(ORG_ADMIN, OWN_ORG, (NotSelf(),)),
                Allow(ADMINISTRATION, InRegion(), (NotSelf(),)),
            ),
            Action.ACTIVATE: (
                Allow(ORG_ADMIN, OWN_ORG, (NotSelf(),)),
                Allow(ADMINISTRATION, InRegion(), (NotSelf(), Flag("org_account", False))),
            ),
            Action.RESET_PASSWORD: (
                Allow(ORG_ADMIN, OWN_ORG, (NotSelf(),)),
                Allow(ADMINISTRATION, InRegion(), (NotSelf(), Flag("org_account", False))),
            ),
        },
        refusals={
            Action.CREATE: "You may not open an account with this role for this organisation or region.",
            Action.DEACTIVATE: "You may not stop this account.",
            Action.ACTIVATE: "Only the organisation's own administrators may reopen its accounts.",
            Action.RESET_PASSWORD: "Only the organisation's own administrators may reset its passwords.",
        },
    )
)

ORGANISATION = register_rule(
    EntityRule(
        entity="organisation",
        actions={
            Action.READ: (Allow(MEMBERS, AllianceMember()),),
            Action.CREATE: (Allow(ADMINISTRATION, InRegion()),),
            Action.UPDATE: (Allow(ADMINISTRATION, InRegion()), Allow(ORG_ADMIN, Party("self"))),
        },
        refusals={
            Action.CREATE: "Only the administrators of the organisation's region may register it.",
            Action.UPDATE: "Only the organisation or its region's administrators may change it.",
        },
    )
)

AUDIT_ENTRY = register_rule(
    EntityRule(
        entity="audit_entry",
        actions={
            Action.READ: (
                Allow(ADMINISTRATION, InRegion()),
                Allow(ORG_ADMIN, Party("record_org")),
                Allow(ORG_ADMIN, Party("actor_org")),
            ),
        },
    )
)
