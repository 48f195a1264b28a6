"""Securitisation: the originator owns its contracts and opens its deals; the bank it names arranges them."""

from __future__ import annotations

from ipops.core.authz.entities.common import ADMINISTRATION, LENDER, MEMBERS, ORG_ADMIN, ORGANISATION
from ipops.core.authz.facts import Action
from ipops.core.authz.rules import EntityRule, register_rule
from ipops.core.authz.terms import Allow, Grant, InRegion, Party

ORIGINATOR, ARRANGER = Party("originator"), Party("arranger")

CONTRACT = register_rule(
    EntityRule(
        entity="contract",
        actions={
            Action.READ: (
                Allow(ORGANISATION, ORIGINATOR),
                Allow(LENDER, ARRANGER),
                Allow(MEMBERS, Grant(Action.READ)),
            ),
            Action.CREATE: (Allow(ORGANISATION, ORIGINATOR),),
            Action.POOL: (Allow(ORG_ADMIN, ORIGINATOR), Allow(LENDER, ARRANGER)),
        },
        refusals={
            Action.CREATE: "Contracts are recorded by the originating organisation.",
            Action.POOL: "Only the originator's administrator or its arranging bank may pool this contract.",
        },
    )
)

DEAL = register_rule(
    EntityRule(
        entity="deal",
        actions={
            Action.READ: (
                Allow(ORGANISATION, ORIGINATOR),
                Allow(LENDER, ARRANGER),
                Allow(ADMINISTRATION, InRegion()),
                Allow(MEMBERS, Grant(Action.READ)),
            ),
            Action.CREATE: (Allow(ORG_ADMIN, ORIGINATOR),),
            Action.WRITE: (Allow(ORG_ADMIN, ORIGINATOR), Allow(LENDER, ARRANGER)),
        },
        refusals={
            Action.CREATE: (
                "A deal is opened by the originator's administrator, who names the arranging bank."
            ),
            Action.WRITE: "Only the originator's administrator or the arranging bank may change the deal.",
        },
    )
)
