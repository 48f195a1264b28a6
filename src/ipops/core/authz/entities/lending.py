"""Pledge loans and bank lending policies: the borrower applies, the addressed bank decides each step."""

from __future__ import annotations

from ipops.core.authz.entities.common import ADMINISTRATION, LENDER, MEMBERS, ORG_ADMIN, ORGANISATION
from ipops.core.authz.facts import Action
from ipops.core.authz.rules import EntityRule, register_rule
from ipops.core.authz.terms import AllianceMember, Allow, Flag, Grant, InRegion, Party, StatusIn

BORROWER, BANK = Party("borrower"), Party("bank")


def status(*names: str) -> StatusIn:
    """The loan is in one of these states."""
    return StatusIn(frozenset(names))


LOAN = register_rule(
    EntityRule(
        entity="loan",
        actions={
            Action.READ: (
                Allow(ORGANISATION, BORROWER),
                Allow(
                    LENDER,
                    BANK,
                    (
                        status(
                            "submitted",
                            "approved",
                            "disbursed",
                            "repaid",
                            "defaulted",
                            "disposed",
                            "rejected",
                            "withdrawn",
                        ),
                    ),
                ),
                Allow(ADMINISTRATION, InRegion()),
                Allow(MEMBERS, Grant(Action.READ)),
            ),
            Action.CREATE: (Allow(ORGANISATION, BORROWER),),
            Action.SUBMIT: (Allow(ORG_ADMIN, BORROWER, (status("draft"),)),),
            Action.WITHDRAW: (Allow(ORGANISATION, BORROWER, (status("draft", "submitted"),)),),
            Action.APPROVE: (Allow(LENDER, BANK, (status("submitted"),)),),
            Action.REJECT: (Allow(LENDER, BANK, (status("submitted"),)),),
            Action.REGISTER_PLEDGE: (
                Allow(LENDER, BANK, (status("approved"), Flag("pledge_registered", False, state=True))),
            ),
            Action.DISBURSE: (
                Allow(LENDER, BANK, (status("approved"), Flag("pledge_registered", state=True))),
            ),
            Action.REPAY: (Allow(LENDER, BANK, (status("disbursed"),)),),
            Action.DEFAULT: (Allow(LENDER, BANK, (status("disbursed"),)),),
            Action.DISPOSE: (Allow(LENDER, BANK, (status("defaulted"),)),),
        },
        refusals={
            Action.CREATE: "Loan applications are made by the borrowing organisation's own accounts.",
            Action.SUBMIT: "Only the borrower's administrator may submit a draft application.",
            Action.WITHDRAW: "Only the borrower may withdraw an application that is not yet decided.",
            Action.APPROVE: "Only the lending bank may decide a submitted application.",
            Action.REJECT: "Only the lending bank may decide a submitted application.",
            Action.REGISTER_PLEDGE: (
                "Only the lending bank records the pledge registration of an approved loan."
            ),
            Action.DISBURSE: "Only the lending bank pays out, once the pledge registration is recorded.",
            Action.REPAY: "Only the lending bank records repayment of a disbursed loan.",
            Action.DEFAULT: "Only the lending bank declares a default on a disbursed loan.",
            Action.DISPOSE: "Only the lending bank records the disposal of a defaulted loan's collateral.",
        },
    )
)

LENDING_POLICY = register_rule(
    EntityRule(
        entity="lending_policy",
        actions={
            Action.READ: (Allow(MEMBERS, AllianceMember()),),
            Action.SET: (Allow(LENDER, BANK),),
        },
        refusals={Action.SET: "Only the bank's own financiers set its lending policy."},
    )
)
