"""The pledge-loan state machine; the policy decides who takes each step, the registry holds the pledge.

draft -> submitted (collateral reserved, the bank may review it) -> approved (re-checked under lock;
awaiting registration) -> [pledge registration recorded: the pledge is effective] -> disbursed -> repaid
(pledge released); disbursed -> defaulted -> disposed (loss shared, pledge released).
draft | submitted -> withdrawn (borrower); submitted -> rejected (bank): the reservation is released.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from ipops.alliance.kinds import OrgKind
from ipops.alliance.service import organisations_by_id
from ipops.assets import service as registry
from ipops.core.audit import record_audit
from ipops.core.authz import Action, Principal, require
from ipops.core.db import db_now
from ipops.core.errors import DomainError, ErrorCode
from ipops.core.money import Money
from ipops.core.uow import UnitOfWork
from ipops.finance.models import Loan, LoanAsset, LoanEvent, LoanStatus
from ipops.finance.pledge.loan_views import assess, get_row, loan_detail
from ipops.finance.pledge.ltv import check_shares
from ipops.finance.pledge.policy import policy_of
from ipops.finance.pledge.schemas import (
    ApproveRequest,
    DefaultRequest,
    DisposalRequest,
    LoanCreate,
    LoanDetail,
    RegistrationRequest,
    StepRequest,
)
from ipops.finance.pledge.valuation_sources import ValuationSource, default_valuations
from ipops.finance.scope import loan_facts, new_loan_facts

REVIEW_DAYS = 365  # how long the bank may read the collateral of an application it is reviewing


def _audit(session: Session, *, actor: Principal, action: str, loan: Loan, **summary: Any) -> None:
    record_audit(
        session,
        actor=actor,
        action=action,
        entity_type="loan",
        entity_id=loan.id,
        before=summary.get("before"),
        after=summary.get("after"),
        region_code=loan.region_code,
        org_id=loan.borrower_org_id,
    )


def _move(
    session: Session,
    loan: Loan,
    *,
    actor: Principal,
    to: LoanStatus,
    occurred_on: dt.date,
    note: str | None,
    data: dict[str, Any] | None = None,
) -> None:
    """Move the status and write the loan event and the audit row (the policy checked the step)."""
    previous = loan.status
    loan.status = to.value
    loan.version += 1
    loan.updated_at = db_now(session)
    loan.events.append(
        LoanEvent(
            from_status=previous,
            to_status=to.value,
            occurred_on=occurred_on,
            actor_user_id=actor.user_id,
            note=note,
            data=data or {},
        )
    )
    _audit(
        session,
        actor=actor,
        action=f"finance.loan.{to.value}",
        loan=loan,
        before={"status": previous},
        after={"status": to.value, "occurred_on": occurred_on, **(data or {})},
    )


def _locked(session: Session, actor: Principal, loan_id: int, action: str) -> Loan:
    loan = get_row(session, loan_id, lock=True)
    require(session, actor, action, loan_facts(loan))
    return loan


def _asset_ids(loan: Loan) -> list[int]:
    return [la.asset_id for la in loan.assets]


def create_loan(*, uow: UnitOfWork, actor: Principal, data: LoanCreate) -> LoanDetail:
    """The borrower drafts an application naming the bank, the amount and the assets it owns to pledge."""
    check_shares(data.bank_share, data.government_share, data.guarantor_share)
    asset_ids = sorted(set(data.asset_ids))
    with uow:
        session = uow.session
        orgs = organisations_by_id(session, {data.bank_org_id} | ({actor.org_id} if actor.org_id else set()))
        borrower = orgs.get(actor.org_id) if actor.org_id is not None else None
        require(
            session,
            actor,
            Action.CREATE,
            new_loan_facts(
                alliance_id=actor.alliance_id or 0,
                region_code=borrower.region_code if borrower else "",
                borrower_org_id=actor.org_id,
            ),
        )
        assert borrower is not None  # noqa: S101 - the rule needs the borrowing organisation
        assert actor.alliance_id is not None  # noqa: S101 - and an alliance
        bank = orgs.get(data.bank_org_id)
        if bank is None or bank.alliance_id != actor.alliance_id:
            raise DomainError(ErrorCode.NOT_FOUND, f"bank {data.bank_org_id} not found in this alliance")
        if bank.kind != OrgKind.FINANCIER:
            raise DomainError(
                ErrorCode.VALIDATION_ERROR, f"organisation {data.bank_org_id} is not a financier"
            )
        assets = registry.readable_briefs(session, actor, asset_ids)
        missing = sorted(set(asset_ids) - set(assets))
        if missing:
            raise DomainError(ErrorCode.NOT_FOUND, f"assets {missing} not found")
        for asset in assets.values():
            if actor.org_id not in asset.owner_org_ids:
                raise DomainError(
                    ErrorCode.FORBIDDEN,
                    f"asset {asset.id} is not owned by the borrowing organisation",
                    msgid="Only assets your organisation owns can be pledged.",
                )
            if asset.pledged:
                raise DomainError(ErrorCode.ASSET_ENCUMBERED, f"asset {asset.id} is pledged")
        now = db_now(session)
        loan = Loan(
            alliance_id=actor.alliance_id,
            region_code=borrower.region_code,
            borrower_org_id=borrower.id,
            bank_org_id=data.bank_org_id,
            status=LoanStatus.DRAFT.value,
            currency=data.amount.currency,
            amount=data.amount.amount,
            term_months=data.term_months,
            annual_rate=data.annual_rate,
            purpose=data.purpose,
            bank_share=data.bank_share,
            government_share=data.government_share,
            guarantor_share=data.guarantor_share,
            created_by=actor.user_id,
            created_at=now,
            updated_at=now,
            assets=[LoanAsset(asset_id=a) for a in asset_ids],
        )
        session.add(loan)
        uow.flush()
        loan.events.append(
            LoanEvent(
                from_status=None,
                to_status=LoanStatus.DRAFT.value,
                occurred_on=now.date(),
                actor_user_id=actor.user_id,
            )
        )
        _audit(session, actor=actor, action="finance.loan.created", loan=loan, after=data.model_dump())
        uow.commit()
        return loan_detail(session, get_row(session, loan.id), actor)


def submit_loan(*, uow: UnitOfWork, actor: Principal, loan_id: int, step: StepRequest) -> LoanDetail:
    """The borrower's admin sends the draft: the collateral is reserved and opened to the bank for review."""
    with uow:
        session = uow.session
        loan = _locked(session, actor, loan_id, Action.SUBMIT)
        if policy_of(session, loan.bank_org_id) is None:
            raise DomainError(ErrorCode.INVALID_STATE, "the bank has not published a lending policy")
        _refuse_over_limit(session, loan)
        registry.reserve_pledge(
            session, actor=actor, asset_ids=_asset_ids(loan), loan_id=loan.id, bank_org_id=loan.bank_org_id
        )
        registry.issue_asset_grants(
            session,
            actor=actor,
            asset_ids=_asset_ids(loan),
            org_id=loan.bank_org_id,
            actions=("read", "read_valuations"),
            reason=f"pledge loan #{loan.id} under review",
            source=f"loan:{loan.id}",
            expires_at=db_now(session) + dt.timedelta(days=REVIEW_DAYS),
        )
        _move(
            session, loan, actor=actor, to=LoanStatus.SUBMITTED, occurred_on=step.occurred_on, note=step.note
        )
        loan.submitted_at = loan.updated_at
        uow.commit()
        return loan_detail(session, loan, actor)


def _refuse_over_limit(session: Session, loan: Loan) -> None:
    """An application above what the bank lends on fully valued collateral would only fail at approval."""
    assessment, _ = assess(session, loan, default_valuations())
    valued = assessment.lines and not any(line.problems for line in assessment.lines)
    if valued and assessment.requested.amount > assessment.max_amount.amount:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            f"requested {assessment.requested} exceeds the maximum {assessment.max_amount}",
            msgid="The amount exceeds the most the bank lends on this collateral (%(maximum)s).",
            msgargs={"maximum": f"{assessment.max_amount.amount:,.2f} {assessment.max_amount.currency}"},
        )


def _release(session: Session, loan: Loan, *, actor: Principal, occurred_on: dt.date, why: str) -> None:
    registry.release_pledge(
        session, actor=actor, asset_ids=_asset_ids(loan), loan_id=loan.id, occurred_on=occurred_on, why=why
    )


def _end_review(session: Session, loan: Loan, *, actor: Principal, occurred_on: dt.date, why: str) -> None:
    _release(session, loan, actor=actor, occurred_on=occurred_on, why=why)
    registry.revoke_asset_grants(session, actor=actor, asset_ids=_asset_ids(loan), source=f"loan:{loan.id}")


def withdraw_loan(*, uow: UnitOfWork, actor: Principal, loan_id: int, step: StepRequest) -> LoanDetail:
    """The borrower withdraws a draft or a pending application; a reservation is released."""
    with uow:
        session = uow.session
        loan = _locked(session, actor, loan_id, Action.WITHDRAW)
        if loan.status == LoanStatus.SUBMITTED.value:
            _end_review(session, loan, actor=actor, occurred_on=step.occurred_on, why="withdrawn")
        _move(
            session, loan, actor=actor, to=LoanStatus.WITHDRAWN, occurred_on=step.occurred_on, note=step.note
        )
        uow.commit()
        return loan_detail(session, loan, actor)


def reject_loan(*, uow: UnitOfWork, actor: Principal, loan_id: int, step: StepRequest) -> LoanDetail:
    """The bank declines a submitted application; the reservation is released."""
    with uow:
        session = uow.session
        loan = _locked(session, actor, loan_id, Action.REJECT)
        _end_review(session, loan, actor=actor, occurred_on=step.occurred_on, why="rejected")
        _move(
            session, loan, actor=actor, to=LoanStatus.REJECTED, occurred_on=step.occurred_on, note=step.note
        )
        loan.decided_at = loan.updated_at
        uow.commit()
        return loan_detail(session, loan, actor)


def _set_shares(loan: Loan, step: ApproveRequest) -> None:
    shares = (step.bank_share, step.government_share, step.guarantor_share)
    if all(s is None for s in shares):
        return
    if any(s is None for s in shares):
        raise DomainError(ErrorCode.VALIDATION_ERROR, "give all three risk-compensation shares")
    bank_share, gov_share, guarantor_share = (Decimal(s or 0) for s in shares)
    check_shares(bank_share, gov_share, guarantor_share)
    loan.bank_share, loan.government_share, loan.guarantor_share = bank_share, gov_share, guarantor_share


def approve_loan(
    *,
    uow: UnitOfWork,
    actor: Principal,
    loan_id: int,
    step: ApproveRequest,
    valuations: ValuationSource | None = None,
) -> LoanDetail:
    """The bank approves under its policy: ownership and the reservation are re-checked under lock."""
    with uow:
        session = uow.session
        loan = _locked(session, actor, loan_id, Action.APPROVE)
        _set_shares(loan, step)
        # locks the collateral (primary-key order) and checks the borrower still owns every asset
        confirmed = registry.confirm_pledge(
            session,
            actor=actor,
            asset_ids=_asset_ids(loan),
            loan_id=loan.id,
            borrower_org_id=loan.borrower_org_id,
        )
        assessment, _ = assess(session, loan, valuations or default_valuations())
        if not assessment.approvable:
            raise DomainError(
                ErrorCode.VALIDATION_ERROR, "; ".join(assessment.problems), problems=list(assessment.problems)
            )
        status_now = {a.id: a.legal_status for a in confirmed}
        by_asset = {line.asset_id: line for line in assessment.lines}
        for la in loan.assets:
            line = by_asset[la.asset_id]
            la.status_at_pledge = la.last_seen_status = status_now[la.asset_id]
            la.valuation_source = line.valuation_source
            la.valuation_reference = line.valuation_reference
            la.p10 = line.p10.amount if line.p10 else None
            la.p50 = line.p50.amount if line.p50 else None
            la.haircut = line.haircut
            la.lendable_value = line.lendable.amount
        loan.collateral_value = assessment.collateral_value.amount
        loan.max_amount = assessment.max_amount.amount
        loan.ltv = assessment.ltv
        _move(
            session,
            loan,
            actor=actor,
            to=LoanStatus.APPROVED,
            occurred_on=step.occurred_on,
            note=step.note,
            data={
                "collateral_value": str(assessment.collateral_value.amount),
                "max_amount": str(assessment.max_amount.amount),
                "ltv": str(assessment.ltv),
                "shares": [str(loan.bank_share), str(loan.government_share), str(loan.guarantor_share)],
            },
        )
        loan.decided_at = loan.updated_at
        uow.commit()
        return loan_detail(session, loan, actor)


def register_pledge(
    *, uow: UnitOfWork, actor: Principal, loan_id: int, step: RegistrationRequest
) -> LoanDetail:
    """The bank records the office's pledge registration (质押登记): the pledge becomes effective."""
    with uow:
        session = uow.session
        loan = _locked(session, actor, loan_id, Action.REGISTER_PLEDGE)
        registry.register_pledge(
            session,
            actor=actor,
            asset_ids=_asset_ids(loan),
            loan_id=loan.id,
            registration_number=step.registration_number,
            registered_on=step.registered_on,
        )
        loan.pledge_registration_number = step.registration_number
        loan.pledge_registered_on = step.registered_on
        loan.version += 1
        loan.updated_at = db_now(session)
        _audit(
            session,
            actor=actor,
            action="finance.loan.pledge_registered",
            loan=loan,
            after={"registration_number": step.registration_number, "registered_on": step.registered_on},
        )
        uow.commit()
        return loan_detail(session, loan, actor)


def _simple(
    *, uow: UnitOfWork, actor: Principal, loan_id: int, action: str, to: LoanStatus, step: StepRequest
) -> LoanDetail:
    with uow:
        session = uow.session
        loan = _locked(session, actor, loan_id, action)
        _move(session, loan, actor=actor, to=to, occurred_on=step.occurred_on, note=step.note)
        if to == LoanStatus.REPAID:
            _release(session, loan, actor=actor, occurred_on=step.occurred_on, why="repaid")
        uow.commit()
        return loan_detail(session, loan, actor)


def disburse_loan(*, uow: UnitOfWork, actor: Principal, loan_id: int, step: StepRequest) -> LoanDetail:
    """The bank pays out an approved loan whose pledge registration is recorded."""
    return _simple(
        uow=uow, actor=actor, loan_id=loan_id, action=Action.DISBURSE, to=LoanStatus.DISBURSED, step=step
    )


def repay_loan(*, uow: UnitOfWork, actor: Principal, loan_id: int, step: StepRequest) -> LoanDetail:
    """The bank records full repayment and the pledge is released in the registry."""
    return _simple(
        uow=uow, actor=actor, loan_id=loan_id, action=Action.REPAY, to=LoanStatus.REPAID, step=step
    )


def default_loan(*, uow: UnitOfWork, actor: Principal, loan_id: int, step: DefaultRequest) -> LoanDetail:
    """The bank declares a default with the principal outstanding; the pledge stays for disposal."""
    with uow:
        session = uow.session
        loan = _locked(session, actor, loan_id, Action.DEFAULT)
        outstanding = step.outstanding.to_money()
        if outstanding.currency != loan.currency:
            raise DomainError(ErrorCode.CURRENCY_MISMATCH, f"{outstanding.currency} vs {loan.currency}")
        if outstanding.amount <= 0:
            raise DomainError(ErrorCode.VALIDATION_ERROR, "the outstanding amount must be positive")
        _move(
            session,
            loan,
            actor=actor,
            to=LoanStatus.DEFAULTED,
            occurred_on=step.occurred_on,
            note=step.note,
            data={"outstanding": str(outstanding.amount)},
        )
        loan.outstanding_at_default = outstanding.amount
        uow.commit()
        return loan_detail(session, loan, actor)


def allocate_loss(
    *, outstanding: Money, proceeds: Money, shares: tuple[Decimal, Decimal, Decimal]
) -> tuple[Money, list[Money]]:
    """Loss = outstanding less proceeds (never negative), split bank / government / guarantor to the fen."""
    loss = outstanding - proceeds
    if loss.amount < 0:
        loss = Money.zero(outstanding.currency)
    if loss.amount == 0:
        return loss, [Money.zero(loss.currency)] * 3
    return loss, loss.allocate(list(shares))


def record_disposal(*, uow: UnitOfWork, actor: Principal, loan_id: int, step: DisposalRequest) -> LoanDetail:
    """The bank records the disposal proceeds; the loss is shared by the risk-compensation pool."""
    with uow:
        session = uow.session
        loan = _locked(session, actor, loan_id, Action.DISPOSE)
        proceeds = step.proceeds.to_money()
        if proceeds.currency != loan.currency:
            raise DomainError(ErrorCode.CURRENCY_MISMATCH, f"{proceeds.currency} vs {loan.currency}")
        if proceeds.amount < 0:
            raise DomainError(ErrorCode.VALIDATION_ERROR, "proceeds cannot be negative")
        if loan.outstanding_at_default is None:
            raise DomainError(ErrorCode.INVALID_STATE, "the default recorded no outstanding amount")
        loss, (bank, government, guarantor) = allocate_loss(
            outstanding=Money(loan.outstanding_at_default, loan.currency),
            proceeds=proceeds,
            shares=(loan.bank_share, loan.government_share, loan.guarantor_share),
        )
        loan.disposal_proceeds = proceeds.amount
        loan.loss, loan.loss_bank = loss.amount, bank.amount
        loan.loss_government, loan.loss_guarantor = government.amount, guarantor.amount
        _move(
            session,
            loan,
            actor=actor,
            to=LoanStatus.DISPOSED,
            occurred_on=step.occurred_on,
            note=step.note,
            data={
                "proceeds": str(proceeds.amount),
                "loss": str(loss.amount),
                "bank": str(bank.amount),
                "government": str(government.amount),
                "guarantor": str(guarantor.amount),
            },
        )
        _release(session, loan, actor=actor, occurred_on=step.occurred_on, why="disposed")
        uow.commit()
        return loan_detail(session, loan, actor)
