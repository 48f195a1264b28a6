"""Valuations and appraisals: the requester, the owners and the engaged firm; banks through a grant.

A valuation's revenue inputs are the owner's business secrets, so a public asset does not make its
valuations public. A bank reviewing a pledge reads them through the grant the borrower's submission gives it.
"""

from __future__ import annotations

from ipops.core.authz.entities.common import APPRAISER, LENDER, MEMBERS, ORGANISATION
from ipops.core.authz.facts import Action
from ipops.core.authz.rules import EntityRule, register_rule
from ipops.core.authz.terms import Allow, Grant, Party, StatusIn

READERS = (
    Allow(ORGANISATION | LENDER, Party("requester")),
    Allow(ORGANISATION, Party("owner")),
    Allow(APPRAISER, Party("engaged")),
    Allow(MEMBERS, Grant(Action.READ_VALUATIONS, on="asset")),
    Allow(MEMBERS, Grant(Action.READ)),
)

VALUATION_REQUEST = register_rule(
    EntityRule(
        entity="valuation_request",
        actions={
            Action.READ: READERS,
            Action.RUN: (
                Allow(ORGANISATION | LENDER, Party("requester")),
                Allow(APPRAISER, Party("engaged")),
            ),
        },
        refusals={Action.RUN: "Only the requester or the engaged appraisal firm may run this valuation."},
    )
)

VALUATION_REPORT = register_rule(
    EntityRule(
        entity="valuation_report",
        actions={
            Action.READ: READERS,
            Action.SIGN: (Allow(APPRAISER, Party("engaged"), (StatusIn(frozenset({"draft", "signing"})),)),),
        },
        refusals={Action.SIGN: "Only appraisers of the engaged firm sign this report, each once."},
    )
)

APPRAISAL = register_rule(
    EntityRule(
        entity="appraisal",
        actions={
            Action.READ: (
                Allow(APPRAISER, Party("firm")),
                Allow(ORGANISATION, Party("owner")),
                Allow(MEMBERS, Grant(Action.READ_VALUATIONS, on="asset")),
                Allow(MEMBERS, Grant(Action.READ)),
            ),
        },
    )
)
