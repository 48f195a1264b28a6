"""Finance records as the policy sees them: loans, bank policies, appraisals, contracts and deals.

Each record's `Facts` (one record) and `Columns` (list queries) name the same parties; the asset-owner
party of an appraisal comes from the registry's own SQL (`asset_owned_by`), never from its tables here.
"""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from ipops.assets.service import asset_owned_by, asset_parties
from ipops.core.authz import Columns, Facts
from ipops.finance.models import Appraisal, Contract, LendingPolicy, Loan, SecuritisationDeal


def _ids(*values: int | None) -> frozenset[int]:
    return frozenset(v for v in values if v is not None)


def loan_facts(loan: Loan) -> Facts:
    """A loan's facts."""
    return Facts(
        entity="loan",
        record_id=loan.id,
        alliance_id=loan.alliance_id,
        region_code=loan.region_code,
        status=loan.status,
        parties={"borrower": _ids(loan.borrower_org_id), "bank": _ids(loan.bank_org_id)},
        flags={"pledge_registered": loan.pledge_registered_on is not None},
    )


def new_loan_facts(*, alliance_id: int, region_code: str, borrower_org_id: int | None) -> Facts:
    """The facts of a loan application about to be drafted."""
    return Facts(
        entity="loan",
        record_id=None,
        alliance_id=alliance_id,
        region_code=region_code,
        status="draft",
        parties={"borrower": _ids(borrower_org_id)},
    )


def loan_columns() -> Columns:
    """Loans as SQL."""
    return Columns(
        entity="loan",
        record_id=Loan.id,
        alliance_id=Loan.alliance_id,
        region_code=Loan.region_code,
        status=Loan.status,
        parties={
            "borrower": lambda org_id: Loan.borrower_org_id == org_id,
            "bank": lambda org_id: Loan.bank_org_id == org_id,
        },
        flags={"pledge_registered": Loan.pledge_registered_on.is_not(None)},
    )


def policy_facts(
    *, alliance_id: int | None, bank_org_id: int, region_code: str | None, policy_id: int | None
) -> Facts:
    """A bank's lending policy's facts (or of the one it is about to publish)."""
    return Facts(
        entity="lending_policy",
        record_id=policy_id,
        alliance_id=alliance_id,
        region_code=region_code,
        parties={"bank": _ids(bank_org_id)},
    )


def policy_columns() -> Columns:
    """Lending policies as SQL."""
    return Columns(
        entity="lending_policy",
        record_id=LendingPolicy.id,
        alliance_id=LendingPolicy.alliance_id,
        parties={"bank": lambda org_id: LendingPolicy.bank_org_id == org_id},
    )


def appraisal_facts(session: Session, row: Appraisal) -> Facts:
    """An outside appraisal's facts: its firm, the asset's owners, and grants on the asset."""
    _, region_code, owners = asset_parties(session, row.asset_id)
    return Facts(
        entity="appraisal",
        record_id=row.id,
        alliance_id=row.alliance_id,
        region_code=region_code,
        parties={"firm": _ids(row.appraiser_org_id), "owner": owners},
        grant_targets=(("asset", row.asset_id),),
    )


def appraisal_columns() -> Columns:
    """Appraisals as SQL."""
    return Columns(
        entity="appraisal",
        record_id=Appraisal.id,
        alliance_id=Appraisal.alliance_id,
        parties={
            "firm": lambda org_id: Appraisal.appraiser_org_id == org_id,
            "owner": lambda org_id: asset_owned_by(Appraisal.asset_id, org_id),
        },
        grant_targets={"asset": Appraisal.asset_id},
    )


def _arrangers(session: Session, originator_org_id: int) -> frozenset[int]:
    rows = session.scalars(
        select(SecuritisationDeal.arranger_org_id).where(
            SecuritisationDeal.originator_org_id == originator_org_id,
            SecuritisationDeal.arranger_org_id.is_not(None),
        )
    )
    return frozenset(r for r in rows if r is not None)


def contract_facts(session: Session, contract: Contract) -> Facts:
    """A contract's facts: its originator, and the banks arranging the originator's deals."""
    return Facts(
        entity="contract",
        record_id=contract.id,
        alliance_id=contract.alliance_id,
        parties={
            "originator": _ids(contract.originator_org_id),
            "arranger": _arrangers(session, contract.originator_org_id),
        },
    )


def contract_columns() -> Columns:
    """Contracts as SQL."""
    return Columns(
        entity="contract",
        record_id=Contract.id,
        alliance_id=Contract.alliance_id,
        parties={
            "originator": lambda org_id: Contract.originator_org_id == org_id,
            "arranger": lambda org_id: exists().where(
                SecuritisationDeal.originator_org_id == Contract.originator_org_id,
                SecuritisationDeal.arranger_org_id == org_id,
            ),
        },
    )


def deal_facts(deal: SecuritisationDeal) -> Facts:
    """A deal's facts."""
    return Facts(
        entity="deal",
        record_id=deal.id,
        alliance_id=deal.alliance_id,
        region_code=deal.region_code,
        parties={"originator": _ids(deal.originator_org_id), "arranger": _ids(deal.arranger_org_id)},
    )


def new_deal_facts(*, alliance_id: int, region_code: str | None, originator_org_id: int | None) -> Facts:
    """The facts of a deal about to be opened."""
    return Facts(
        entity="deal",
        record_id=None,
        alliance_id=alliance_id,
        region_code=region_code,
        parties={"originator": _ids(originator_org_id)},
    )


def deal_columns() -> Columns:
    """Deals as SQL."""
    return Columns(
        entity="deal",
        record_id=SecuritisationDeal.id,
        alliance_id=SecuritisationDeal.alliance_id,
        region_code=SecuritisationDeal.region_code,
        parties={
            "originator": lambda org_id: SecuritisationDeal.originator_org_id == org_id,
            "arranger": lambda org_id: SecuritisationDeal.arranger_org_id == org_id,
        },
    )
