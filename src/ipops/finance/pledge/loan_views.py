"""Reading pledge loans: one loan with its collateral, history and alerts, the list, its LTV assessment."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ipops.alliance.service import organisations_by_id
from ipops.assets.service import briefs
from ipops.core.authz import Action, Principal, allowed_actions, clause, require
from ipops.core.db import db_now
from ipops.core.errors import DomainError, ErrorCode
from ipops.core.money import Money, MoneyModel
from ipops.core.uow import UnitOfWork
from ipops.finance.models import Loan, LoanStatus
from ipops.finance.pledge.ltv import Assessment, CollateralFacts, assess_collateral
from ipops.finance.pledge.policy import policy_of, terms_of
from ipops.finance.pledge.schemas import (
    AssessmentRead,
    CollateralLineRead,
    LendingPolicyRead,
    LoanAssetRead,
    LoanDetail,
    LoanEventRead,
    LoanPage,
    LoanRead,
    LossShare,
    PledgeAlertRead,
)
from ipops.finance.pledge.valuation_sources import ValuationSource, default_valuations
from ipops.finance.scope import loan_columns, loan_facts

LOAN_STEPS = (
    Action.SUBMIT,
    Action.WITHDRAW,
    Action.APPROVE,
    Action.REJECT,
    Action.REGISTER_PLEDGE,
    Action.DISBURSE,
    Action.REPAY,
    Action.DEFAULT,
    Action.DISPOSE,
)


def _money(amount: Decimal | None, currency: str) -> MoneyModel | None:
    return None if amount is None else MoneyModel(amount=amount, currency=currency)


def org_names(session: Session, ids: set[int]) -> dict[int, str]:
    """Organisation names by id."""
    return {i: o.name for i, o in organisations_by_id(session, ids).items()}


def loan_read(loan: Loan, names: dict[int, str]) -> LoanRead:
    """The wire form of a loan."""
    c = loan.currency
    shares = None
    if loan.loss is not None:
        shares = LossShare(
            loss=MoneyModel(amount=loan.loss, currency=c),
            bank=MoneyModel(amount=loan.loss_bank or Decimal(0), currency=c),
            government=MoneyModel(amount=loan.loss_government or Decimal(0), currency=c),
            guarantor=MoneyModel(amount=loan.loss_guarantor or Decimal(0), currency=c),
        )
    return LoanRead(
        id=loan.id,
        status=LoanStatus(loan.status),
        borrower_org_id=loan.borrower_org_id,
        borrower_name=names.get(loan.borrower_org_id, ""),
        bank_org_id=loan.bank_org_id,
        bank_name=names.get(loan.bank_org_id, ""),
        region_code=loan.region_code,
        amount=MoneyModel(amount=loan.amount, currency=c),
        term_months=loan.term_months,
        annual_rate=loan.annual_rate,
        purpose=loan.purpose,
        bank_share=loan.bank_share,
        government_share=loan.government_share,
        guarantor_share=loan.guarantor_share,
        collateral_value=_money(loan.collateral_value, c),
        max_amount=_money(loan.max_amount, c),
        ltv=loan.ltv,
        outstanding_at_default=_money(loan.outstanding_at_default, c),
        disposal_proceeds=_money(loan.disposal_proceeds, c),
        loss_shares=shares,
        pledge_registration_number=loan.pledge_registration_number,
        pledge_registered_on=loan.pledge_registered_on,
        version=loan.version,
        created_at=loan.created_at,
        updated_at=loan.updated_at,
        asset_ids=[a.asset_id for a in loan.assets],
    )


def loan_detail(session: Session, loan: Loan, actor: Principal | None = None) -> LoanDetail:
    """A loan with its collateral as the registry holds it now, its history, alerts and next steps."""
    names = org_names(session, {loan.borrower_org_id, loan.bank_org_id})
    assets = briefs(session, [la.asset_id for la in loan.assets])
    lines = [
        LoanAssetRead(
            asset_id=la.asset_id,
            title=assets[la.asset_id].title,
            ip_type=assets[la.asset_id].ip_type,
            legal_status=assets[la.asset_id].legal_status,
            pledged=assets[la.asset_id].pledged,
            status_at_pledge=la.status_at_pledge,
            last_seen_status=la.last_seen_status,
            valuation_source=la.valuation_source,
            valuation_reference=la.valuation_reference,
            p10=la.p10,
            p50=la.p50,
            haircut=la.haircut,
            lendable_value=la.lendable_value,
        )
        for la in loan.assets
    ]
    steps: list[str] = []
    if actor is not None:
        allowed = allowed_actions(session, actor, loan_facts(loan))
        steps = [s.value for s in LOAN_STEPS if s in allowed]
    return LoanDetail(
        **loan_read(loan, names).model_dump(),
        assets=lines,
        events=[LoanEventRead.model_validate(e) for e in loan.events],
        alerts=[PledgeAlertRead.model_validate(a) for a in loan.alerts],
        allowed=steps,
    )


def get_row(session: Session, loan_id: int, *, lock: bool = False) -> Loan:
    """A loan row with its collateral lines, events and alerts (locked FOR UPDATE when asked)."""
    stmt = (
        select(Loan)
        .where(Loan.id == loan_id)
        .options(selectinload(Loan.assets), selectinload(Loan.events), selectinload(Loan.alerts))
    )
    loan = session.scalars(stmt.with_for_update(of=Loan) if lock else stmt).one_or_none()
    if loan is None:
        raise DomainError(ErrorCode.NOT_FOUND)
    return loan


def get_loan(*, uow: UnitOfWork, actor: Principal, loan_id: int) -> LoanDetail:
    """One loan with collateral, history and alerts, if the actor may see it."""
    with uow:
        session = uow.session
        loan = get_row(session, loan_id)
        require(session, actor, Action.READ, loan_facts(loan))
        return loan_detail(session, loan, actor)


def list_loans(
    *, uow: UnitOfWork, actor: Principal, status: LoanStatus | None = None, page: int = 1, size: int = 20
) -> LoanPage:
    """The loans the actor may see, newest first."""
    page, size = max(page, 1), min(max(size, 1), 100)
    conditions = [clause(actor, Action.READ, loan_columns())]
    if status is not None:
        conditions.append(Loan.status == status.value)
    with uow:
        session = uow.session
        total = int(session.execute(select(func.count(Loan.id)).where(*conditions)).scalar_one())
        loans = session.scalars(
            select(Loan)
            .where(*conditions)
            .options(selectinload(Loan.assets))
            .order_by(Loan.id.desc())
            .offset((page - 1) * size)
            .limit(size)
        ).all()
        names = org_names(session, {o for loan in loans for o in (loan.borrower_org_id, loan.bank_org_id)})
        return LoanPage(items=[loan_read(x, names) for x in loans], total=total, page=page, size=size)


def collateral_facts(session: Session, loan: Loan, valuations: ValuationSource) -> list[CollateralFacts]:
    """What the LTV arithmetic looks at for each asset; a pledge of another loan counts against it."""
    assets = briefs(session, [la.asset_id for la in loan.assets])
    own = f"loan:{loan.id}"
    return [
        CollateralFacts(
            asset_id=a.id,
            title=a.title,
            ip_type=a.ip_type,
            legal_status=a.legal_status,
            expiry_date=a.expiry_date,
            pledged=bool(a.pledge_sources - {own}),
            valuation=valuations.latest_range(session, asset_id=a.id),
        )
        for a in assets.values()
    ]


def assessment_read(assessment: Assessment, policy: LendingPolicyRead) -> AssessmentRead:
    """The wire form of an assessment."""
    return AssessmentRead(
        lines=[
            CollateralLineRead(
                asset_id=line.asset_id,
                title=line.title,
                ip_type=line.ip_type,
                legal_status=line.legal_status,
                p10=MoneyModel.from_money(line.p10) if line.p10 else None,
                p50=MoneyModel.from_money(line.p50) if line.p50 else None,
                haircut=line.haircut,
                lendable=MoneyModel.from_money(line.lendable),
                valuation_source=line.valuation_source,
                valuation_reference=line.valuation_reference,
                problems=list(line.problems),
            )
            for line in assessment.lines
        ],
        collateral_value=MoneyModel.from_money(assessment.collateral_value),
        max_amount=MoneyModel.from_money(assessment.max_amount),
        requested=MoneyModel.from_money(assessment.requested),
        ltv=assessment.ltv,
        max_ltv_p10=policy.max_ltv_p10,
        problems=list(assessment.problems),
        approvable=assessment.approvable,
    )


def assess(session: Session, loan: Loan, valuations: ValuationSource) -> tuple[Assessment, LendingPolicyRead]:
    """The LTV assessment under the bank's current policy."""
    from ipops.finance.pledge.policy import policy_read

    policy = policy_of(session, loan.bank_org_id)
    if policy is None:
        raise DomainError(ErrorCode.INVALID_STATE, "the bank has not published a lending policy")
    assessment = assess_collateral(
        facts=collateral_facts(session, loan, valuations),
        policy=terms_of(policy),
        requested=Money(loan.amount, loan.currency),
        term_months=loan.term_months,
        today=db_now(session).date(),
    )
    return assessment, policy_read(policy)


def assess_loan(
    *, uow: UnitOfWork, actor: Principal, loan_id: int, valuations: ValuationSource | None = None
) -> AssessmentRead:
    """The LTV assessment under the bank's current policy and the latest valuations (writes nothing)."""
    with uow:
        session = uow.session
        loan = get_row(session, loan_id)
        require(session, actor, Action.READ, loan_facts(loan))
        assessment, policy = assess(session, loan, valuations or default_valuations())
        return assessment_read(assessment, policy)


def owned_assets(*, uow: UnitOfWork, actor: Principal) -> list[dict[str, object]]:
    """The actor's organisation's unpledged assets, for the application form."""
    from ipops.assets.service import assets_owned_by

    if actor.org_id is None:
        return []
    return assets_owned_by(uow=uow, org_id=actor.org_id)
