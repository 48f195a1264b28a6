"""Who may see and act on finance records, as one decision and as the matching SQL clause.

A loan is seen by its borrower organisation, by the bank it is addressed to once submitted, and by the
alliance administrators and the region administrators of the borrower's region; a deal by its originator,
its arranging bank and the same administrators. Everyone else is told the record does not exist.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_

from ipops.core.authz import ORG_ROLES, Principal, Role, region_contains, region_prefix
from ipops.core.errors import DomainError, ErrorCode
from ipops.finance.models import Loan, LoanStatus, SecuritisationDeal


def _administers(actor: Principal, *, alliance_id: int, region_code: str | None) -> bool:
    if actor.alliance_id != alliance_id:
        return False
    if actor.role == Role.ALLIANCE_ADMIN:
        return True
    return (
        actor.role == Role.REGION_ADMIN
        and actor.region_code is not None
        and region_contains(actor.region_code, region_code)
    )


def _admin_clause(
    actor: Principal, alliance: ColumnElement[bool], region: ColumnElement[bool]
) -> ColumnElement[bool]:
    if actor.role == Role.ALLIANCE_ADMIN and actor.alliance_id is not None:
        return alliance
    if actor.role == Role.REGION_ADMIN and actor.alliance_id is not None and actor.region_code:
        return and_(alliance, region)
    return false()


def is_borrower(actor: Principal, loan: Loan) -> bool:
    """The actor belongs to the borrowing organisation."""
    return actor.role in ORG_ROLES and actor.org_id is not None and actor.org_id == loan.borrower_org_id


def is_bank(actor: Principal, loan: Loan) -> bool:
    """The actor is a financier of the bank the loan is addressed to."""
    return actor.role == Role.FINANCIER and actor.org_id is not None and actor.org_id == loan.bank_org_id


def can_read_loan(actor: Principal, loan: Loan) -> bool:
    """Borrower org, the addressed bank (not drafts), and alliance / region administrators."""
    if actor.alliance_id != loan.alliance_id:
        return False
    if is_borrower(actor, loan):
        return True
    if is_bank(actor, loan):
        return loan.status != LoanStatus.DRAFT
    return _administers(actor, alliance_id=loan.alliance_id, region_code=loan.region_code)


def readable_loans(actor: Principal) -> ColumnElement[bool]:
    """``can_read_loan`` as a WHERE clause."""
    if actor.alliance_id is None or not actor.is_authenticated:
        return false()
    alliance = Loan.alliance_id == actor.alliance_id
    clauses: list[ColumnElement[bool]] = []
    if actor.org_id is not None and actor.role in ORG_ROLES:
        clauses.append(and_(alliance, Loan.borrower_org_id == actor.org_id))
    if actor.org_id is not None and actor.role == Role.FINANCIER:
        clauses.append(
            and_(alliance, Loan.bank_org_id == actor.org_id, Loan.status != LoanStatus.DRAFT.value)
        )
    prefix = region_prefix(actor.region_code) if actor.region_code else ""
    clauses.append(_admin_clause(actor, alliance, Loan.region_code.startswith(prefix, autoescape=True)))
    return or_(*clauses)


def require_loan_read(actor: Principal, loan: Loan) -> None:
    """404 unless the actor may see the loan."""
    if not can_read_loan(actor, loan):
        raise DomainError(ErrorCode.NOT_FOUND)


def require_borrower(actor: Principal, loan: Loan, *, admin_only: bool = False) -> None:
    """The acting borrower (its org_admin when ``admin_only``), else 404 / 403."""
    require_loan_read(actor, loan)
    if not is_borrower(actor, loan) or (admin_only and actor.role != Role.ORG_ADMIN):
        raise DomainError(ErrorCode.FORBIDDEN, "only the borrowing organisation may do this")


def require_bank(actor: Principal, loan: Loan) -> None:
    """A financier of the addressed bank, else 404 / 403."""
    require_loan_read(actor, loan)
    if not is_bank(actor, loan):
        raise DomainError(ErrorCode.FORBIDDEN, "only a financier of the lending bank may do this")


# ------------------------------------------------------------------------------------------------------------
# Deals


def can_read_deal(actor: Principal, deal: SecuritisationDeal) -> bool:
    """Originator org, arranging bank, and alliance / region administrators."""
    if actor.alliance_id != deal.alliance_id:
        return False
    if actor.org_id is not None and actor.role in ORG_ROLES and actor.org_id == deal.originator_org_id:
        return True
    if actor.org_id is not None and actor.role == Role.FINANCIER and actor.org_id == deal.arranger_org_id:
        return True
    return _administers(actor, alliance_id=deal.alliance_id, region_code=deal.region_code)


def can_write_deal(actor: Principal, deal: SecuritisationDeal) -> bool:
    """The originator's org_admin or the arranging bank's financier."""
    if actor.alliance_id != deal.alliance_id or actor.org_id is None:
        return False
    if actor.role == Role.ORG_ADMIN and actor.org_id == deal.originator_org_id:
        return True
    return actor.role == Role.FINANCIER and actor.org_id == deal.arranger_org_id


def readable_deals(actor: Principal) -> ColumnElement[bool]:
    """``can_read_deal`` as a WHERE clause."""
    if actor.alliance_id is None or not actor.is_authenticated:
        return false()
    alliance = SecuritisationDeal.alliance_id == actor.alliance_id
    clauses: list[ColumnElement[bool]] = []
    if actor.org_id is not None and actor.role in ORG_ROLES:
        clauses.append(and_(alliance, SecuritisationDeal.originator_org_id == actor.org_id))
    if actor.org_id is not None and actor.role == Role.FINANCIER:
        clauses.append(and_(alliance, SecuritisationDeal.arranger_org_id == actor.org_id))
    prefix = region_prefix(actor.region_code) if actor.region_code else ""
    clauses.append(
        _admin_clause(actor, alliance, SecuritisationDeal.region_code.startswith(prefix, autoescape=True))
    )
    return or_(*clauses)


def require_deal_read(actor: Principal, deal: SecuritisationDeal) -> None:
    """404 unless the actor may see the deal."""
    if not can_read_deal(actor, deal):
        raise DomainError(ErrorCode.NOT_FOUND)


def require_deal_write(actor: Principal, deal: SecuritisationDeal) -> None:
    """403 for readers who may not change the deal, 404 for everyone else."""
    require_deal_read(actor, deal)
    if not can_write_deal(actor, deal):
        raise DomainError(
            ErrorCode.FORBIDDEN, "only the originator's admin or the arranging bank may do this"
        )
