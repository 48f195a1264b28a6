"""Pledge financing use cases: bank policies, appraisals, the loan state machine, monitoring, loss sharing.

draft -> submitted -> approved (pledge registered in the registry) -> disbursed -> repaid (pledge released)
                                                                           \\-> defaulted -> disposed
draft | submitted -> withdrawn (borrower); submitted -> rejected (bank). Anything else is INVALID_STATE.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ipops.alliance.models import Organisation, OrgKind
from ipops.assets.models import Asset, AssetOwner
from ipops.assets.service import readable_assets, scope_of, set_pledge
from ipops.core.audit import record_audit
from ipops.core.authz import ORG_ROLES, SYSTEM, Action, Principal, Role, Visibility, can
from ipops.core.db import db_now
from ipops.core.errors import DomainError, ErrorCode
from ipops.core.money import Money, MoneyModel
from ipops.core.uow import UnitOfWork
from ipops.finance import access
from ipops.finance.models import (
    OPEN_STATUSES,
    PLEDGED_STATUSES,
    Appraisal,
    LendingPolicy,
    Loan,
    LoanAsset,
    LoanEvent,
    LoanStatus,
    PledgeAlert,
)
from ipops.finance.schemas import (
    AppraisalCreate,
    AppraisalRead,
    ApproveRequest,
    AssessmentRead,
    CollateralLineRead,
    DefaultRequest,
    DisposalRequest,
    LendingPolicyIn,
    LendingPolicyRead,
    LoanAssetRead,
    LoanCreate,
    LoanDetail,
    LoanEventRead,
    LoanPage,
    LoanRead,
    LossShare,
    MonitorReport,
    PledgeAlertRead,
    StepRequest,
)
from ipops.finance.valuation import (
    Assessment,
    CollateralFacts,
    PolicyTerms,
    ValuationSource,
    assess_collateral,
    check_shares,
    default_valuations,
)

# ------------------------------------------------------------------------------------------------------------
# Lending policies


def _policy_read(policy: LendingPolicy) -> LendingPolicyRead:
    return LendingPolicyRead(
        id=policy.id,
        bank_org_id=policy.bank_org_id,
        version=policy.version,
        updated_at=policy.updated_at,
        max_ltv_p10=policy.max_ltv_p10,
        default_haircut=policy.default_haircut,
        haircuts={k: Decimal(v) for k, v in policy.haircuts.items()},
        min_remaining_life_months=policy.min_remaining_life_months,
        eligible_statuses=policy.eligible_statuses,
    )


def _terms(policy: LendingPolicy) -> PolicyTerms:
    return PolicyTerms(
        max_ltv_p10=policy.max_ltv_p10,
        default_haircut=policy.default_haircut,
        haircuts={k: Decimal(v) for k, v in policy.haircuts.items()},
        min_remaining_life_months=policy.min_remaining_life_months,
        eligible_statuses=frozenset(policy.eligible_statuses),
    )


def _policy_of(session: Session, bank_org_id: int, *, lock: bool = False) -> LendingPolicy | None:
    stmt = select(LendingPolicy).where(LendingPolicy.bank_org_id == bank_org_id)
    return session.scalars(stmt.with_for_update() if lock else stmt).one_or_none()


def set_lending_policy(
    *, uow: UnitOfWork, actor: Principal, bank_org_id: int, data: LendingPolicyIn
) -> LendingPolicyRead:
    """Publish or change a bank's lending policy (a financier of that bank only)."""
    if actor.role != Role.FINANCIER or actor.org_id != bank_org_id or actor.alliance_id is None:
        raise DomainError(ErrorCode.FORBIDDEN, "only the bank's own financiers set its lending policy")
    values: dict[str, Any] = {
        "max_ltv_p10": data.max_ltv_p10,
        "default_haircut": data.default_haircut,
        "haircuts": {k.value: str(v) for k, v in data.haircuts.items()},
        "min_remaining_life_months": data.min_remaining_life_months,
        "eligible_statuses": [s.value for s in data.eligible_statuses],
    }
    with uow:
        session = uow.session
        policy = _policy_of(session, bank_org_id, lock=True)
        before: dict[str, Any] | None = None
        if policy is None:
            policy = LendingPolicy(alliance_id=actor.alliance_id, bank_org_id=bank_org_id, **values)
            session.add(policy)
        else:
            before = {k: getattr(policy, k) for k in values}
            for key, value in values.items():
                setattr(policy, key, value)
            policy.version += 1
        policy.updated_at = db_now(session)
        uow.flush()
        bank = session.get(Organisation, bank_org_id)
        record_audit(
            session,
            actor=actor,
            action="finance.policy.set",
            entity_type="lending_policy",
            entity_id=policy.id,
            before=before,
            after=values,
            region_code=bank.region_code if bank else None,
            org_id=bank_org_id,
        )
        uow.commit()
        return _policy_read(policy)


def get_lending_policy(*, uow: UnitOfWork, actor: Principal, bank_org_id: int) -> LendingPolicyRead:
    """A bank's published policy (lending terms are visible to every member of the alliance)."""
    with uow:
        policy = _policy_of(uow.session, bank_org_id)
        if policy is None or actor.alliance_id != policy.alliance_id or actor.role == Role.PUBLIC:
            raise DomainError(ErrorCode.NOT_FOUND)
        return _policy_read(policy)


# ------------------------------------------------------------------------------------------------------------
# Appraisals


def _appraisal_read(row: Appraisal) -> AppraisalRead:
    return AppraisalRead(
        id=row.id,
        asset_id=row.asset_id,
        appraiser_org_id=row.appraiser_org_id,
        report_number=row.report_number,
        p10=MoneyModel(amount=row.p10, currency=row.currency),
        p50=MoneyModel(amount=row.p50, currency=row.currency),
        p90=MoneyModel(amount=row.p90, currency=row.currency),
        appraised_on=row.appraised_on,
        created_at=row.created_at,
    )


def _named_in_open_loan(session: Session, asset_id: int, alliance_id: int) -> bool:
    return (
        session.scalar(
            select(func.count(LoanAsset.id))
            .join(Loan, Loan.id == LoanAsset.loan_id)
            .where(
                LoanAsset.asset_id == asset_id,
                Loan.alliance_id == alliance_id,
                Loan.status.in_([s.value for s in OPEN_STATUSES]),
            )
        )
        or 0
    ) > 0


def _load_asset(session: Session, asset_id: int) -> Asset:
    asset = session.scalars(
        select(Asset).where(Asset.id == asset_id).options(selectinload(Asset.owners))
    ).one_or_none()
    if asset is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"asset {asset_id} not found")
    return asset


def record_appraisal(*, uow: UnitOfWork, actor: Principal, data: AppraisalCreate) -> AppraisalRead:
    """An appraiser enters an outside appraisal of an asset it may see or that a loan application names."""
    if actor.role != Role.APPRAISER or actor.org_id is None or actor.alliance_id is None:
        raise DomainError(ErrorCode.FORBIDDEN, "only appraisers record appraisal reports")
    with uow:
        session = uow.session
        asset = _load_asset(session, data.asset_id)
        scope = scope_of(asset)
        visible = can(actor, Action.READ, scope) or (
            asset.alliance_id == actor.alliance_id
            and scope.visibility != Visibility.RESTRICTED
            and _named_in_open_loan(session, asset.id, actor.alliance_id)
        )
        if not visible:
            raise DomainError(ErrorCode.NOT_FOUND, f"asset {data.asset_id} not found")
        duplicate = session.scalar(
            select(func.count(Appraisal.id)).where(
                Appraisal.appraiser_org_id == actor.org_id,
                Appraisal.report_number == data.report_number,
                Appraisal.asset_id == asset.id,
            )
        )
        if duplicate:
            raise DomainError(ErrorCode.DUPLICATE, f"report {data.report_number} is already recorded")
        row = Appraisal(
            alliance_id=actor.alliance_id,
            asset_id=asset.id,
            appraiser_org_id=actor.org_id,
            report_number=data.report_number,
            currency=data.p10.currency,
            p10=data.p10.amount,
            p50=data.p50.amount,
            p90=data.p90.amount,
            appraised_on=data.appraised_on,
            recorded_by=actor.user_id,
        )
        session.add(row)
        uow.flush()
        record_audit(
            session,
            actor=actor,
            action="finance.appraisal.recorded",
            entity_type="appraisal",
            entity_id=row.id,
            after=data.model_dump(mode="json"),
            region_code=asset.region_code,
            org_id=actor.org_id,
        )
        uow.commit()
        return _appraisal_read(row)


def list_appraisals(*, uow: UnitOfWork, actor: Principal, asset_id: int) -> list[AppraisalRead]:
    """Appraisals of an asset: for its readers, for lenders it is pledged to, and the appraiser's own."""
    with uow:
        session = uow.session
        asset = _load_asset(session, asset_id)
        rows = session.scalars(
            select(Appraisal).where(Appraisal.asset_id == asset_id).order_by(Appraisal.appraised_on.desc())
        ).all()
        if can(actor, Action.READ, scope_of(asset)):
            return [_appraisal_read(r) for r in rows]
        lender = session.scalar(
            select(func.count(Loan.id))
            .join(LoanAsset, LoanAsset.loan_id == Loan.id)
            .where(LoanAsset.asset_id == asset_id, access.readable_loans(actor))
        )
        own = [r for r in rows if actor.role == Role.APPRAISER and r.appraiser_org_id == actor.org_id]
        if not lender and not own:
            raise DomainError(ErrorCode.NOT_FOUND)
        return [_appraisal_read(r) for r in (rows if lender else own)]


# ------------------------------------------------------------------------------------------------------------
# Loans: reading


def _money(amount: Decimal | None, currency: str) -> MoneyModel | None:
    return None if amount is None else MoneyModel(amount=amount, currency=currency)


def _org_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids)))
    return {i: n for i, n in rows.tuples()}


def _loan_read(loan: Loan, names: dict[int, str]) -> LoanRead:
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
        version=loan.version,
        created_at=loan.created_at,
        updated_at=loan.updated_at,
        asset_ids=[a.asset_id for a in loan.assets],
    )


def _loan_detail(session: Session, loan: Loan) -> LoanDetail:
    names = _org_names(session, {loan.borrower_org_id, loan.bank_org_id})
    assets = {
        a.id: a
        for a in session.scalars(select(Asset).where(Asset.id.in_([la.asset_id for la in loan.assets])))
    }
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
    return LoanDetail(
        **_loan_read(loan, names).model_dump(),
        assets=lines,
        events=[LoanEventRead.model_validate(e) for e in loan.events],
        alerts=[PledgeAlertRead.model_validate(a) for a in loan.alerts],
    )


def _get(session: Session, loan_id: int, *, lock: bool = False) -> Loan:
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
        loan = _get(uow.session, loan_id)
        access.require_loan_read(actor, loan)
        return _loan_detail(uow.session, loan)


def list_loans(
    *, uow: UnitOfWork, actor: Principal, status: LoanStatus | None = None, page: int = 1, size: int = 20
) -> LoanPage:
    """The loans the actor may see, newest first."""
    page, size = max(page, 1), min(max(size, 1), 100)
    conditions = [access.readable_loans(actor)]
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
        names = _org_names(session, {o for loan in loans for o in (loan.borrower_org_id, loan.bank_org_id)})
        return LoanPage(items=[_loan_read(x, names) for x in loans], total=total, page=page, size=size)


# ------------------------------------------------------------------------------------------------------------
# Loans: the state machine


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
    allowed_from: Sequence[LoanStatus],
    to: LoanStatus,
    step: StepRequest,
    data: dict[str, Any] | None = None,
) -> None:
    """Check the transition, move the status, and write the loan event and the audit row."""
    if LoanStatus(loan.status) not in allowed_from:
        raise DomainError(
            ErrorCode.INVALID_STATE, f"a {loan.status} loan cannot become {to.value}", loan_status=loan.status
        )
    previous = loan.status
    loan.status = to.value
    loan.version += 1
    loan.updated_at = db_now(session)
    loan.events.append(
        LoanEvent(
            from_status=previous,
            to_status=to.value,
            occurred_on=step.occurred_on,
            actor_user_id=actor.user_id,
            note=step.note,
            data=data or {},
        )
    )
    _audit(
        session,
        actor=actor,
        action=f"finance.loan.{to.value}",
        loan=loan,
        before={"status": previous},
        after={"status": to.value, "occurred_on": step.occurred_on, **(data or {})},
    )


def _check_bank(session: Session, actor: Principal, bank_org_id: int) -> Organisation:
    bank = session.get(Organisation, bank_org_id)
    if bank is None or bank.alliance_id != actor.alliance_id:
        raise DomainError(ErrorCode.NOT_FOUND, f"bank {bank_org_id} not found in this alliance")
    if bank.kind != OrgKind.FINANCIER.value:
        raise DomainError(ErrorCode.VALIDATION_ERROR, f"organisation {bank_org_id} is not a financier")
    return bank


def create_loan(*, uow: UnitOfWork, actor: Principal, data: LoanCreate) -> LoanDetail:
    """The borrower drafts an application naming the bank, the amount and the assets to pledge."""
    if actor.role not in ORG_ROLES or actor.org_id is None or actor.alliance_id is None:
        raise DomainError(ErrorCode.FORBIDDEN, "loan applications are made by an organisation's members")
    check_shares(data.bank_share, data.government_share, data.guarantor_share)
    asset_ids = sorted(set(data.asset_ids))
    with uow:
        session = uow.session
        _check_bank(session, actor, data.bank_org_id)
        borrower = session.get(Organisation, actor.org_id)
        assert borrower is not None  # noqa: S101 - a principal's organisation exists
        assets = session.scalars(
            select(Asset)
            .where(Asset.id.in_(asset_ids), readable_assets(actor))
            .options(selectinload(Asset.owners))
            .order_by(Asset.id)
        ).all()
        if len(assets) != len(asset_ids):
            missing = sorted(set(asset_ids) - {a.id for a in assets})
            raise DomainError(ErrorCode.NOT_FOUND, f"assets {missing} not found")
        for asset in assets:
            if actor.org_id not in {o.org_id for o in asset.owners}:
                raise DomainError(
                    ErrorCode.FORBIDDEN, f"asset {asset.id} is not owned by the borrowing organisation"
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
            assets=[LoanAsset(asset_id=a.id) for a in assets],
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
        return _loan_detail(session, _get(session, loan.id))


def _step(
    *,
    uow: UnitOfWork,
    actor: Principal,
    loan_id: int,
    who: str,
    allowed_from: Sequence[LoanStatus],
    to: LoanStatus,
    step: StepRequest,
) -> LoanDetail:
    with uow:
        session = uow.session
        loan = _get(session, loan_id, lock=True)
        if who == "bank":
            access.require_bank(actor, loan)
        else:
            access.require_borrower(actor, loan, admin_only=who == "borrower_admin")
        _move(session, loan, actor=actor, allowed_from=allowed_from, to=to, step=step)
        if to == LoanStatus.SUBMITTED:
            if _policy_of(session, loan.bank_org_id) is None:
                raise DomainError(ErrorCode.INVALID_STATE, "the bank has not published a lending policy")
            loan.submitted_at = loan.updated_at
        if to in (LoanStatus.REJECTED,):
            loan.decided_at = loan.updated_at
        uow.commit()
        return _loan_detail(session, loan)


def submit_loan(*, uow: UnitOfWork, actor: Principal, loan_id: int, step: StepRequest) -> LoanDetail:
    """The borrower's admin sends the draft to the bank (which must have a lending policy)."""
    return _step(
        uow=uow,
        actor=actor,
        loan_id=loan_id,
        who="borrower_admin",
        allowed_from=(LoanStatus.DRAFT,),
        to=LoanStatus.SUBMITTED,
        step=step,
    )


def withdraw_loan(*, uow: UnitOfWork, actor: Principal, loan_id: int, step: StepRequest) -> LoanDetail:
    """The borrower withdraws a draft or a pending application."""
    return _step(
        uow=uow,
        actor=actor,
        loan_id=loan_id,
        who="borrower",
        allowed_from=(LoanStatus.DRAFT, LoanStatus.SUBMITTED),
        to=LoanStatus.WITHDRAWN,
        step=step,
    )


def reject_loan(*, uow: UnitOfWork, actor: Principal, loan_id: int, step: StepRequest) -> LoanDetail:
    """The bank declines a submitted application."""
    return _step(
        uow=uow,
        actor=actor,
        loan_id=loan_id,
        who="bank",
        allowed_from=(LoanStatus.SUBMITTED,),
        to=LoanStatus.REJECTED,
        step=step,
    )


def disburse_loan(*, uow: UnitOfWork, actor: Principal, loan_id: int, step: StepRequest) -> LoanDetail:
    """The bank pays out an approved loan."""
    return _step(
        uow=uow,
        actor=actor,
        loan_id=loan_id,
        who="bank",
        allowed_from=(LoanStatus.APPROVED,),
        to=LoanStatus.DISBURSED,
        step=step,
    )


def _collateral_facts(
    session: Session, loan: Loan, valuations: ValuationSource, *, lock: bool
) -> tuple[list[Asset], list[CollateralFacts]]:
    stmt = select(Asset).where(Asset.id.in_([la.asset_id for la in loan.assets])).order_by(Asset.id)
    assets = list(session.scalars(stmt.with_for_update() if lock else stmt))
    facts = [
        CollateralFacts(
            asset_id=a.id,
            title=a.title,
            ip_type=a.ip_type,
            legal_status=a.legal_status,
            expiry_date=a.expiry_date,
            pledged=a.pledged and loan.status not in {s.value for s in PLEDGED_STATUSES},
            valuation=valuations.latest_range(session, asset_id=a.id),
        )
        for a in assets
    ]
    return assets, facts


def _assessment_read(assessment: Assessment, policy: LendingPolicy) -> AssessmentRead:
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


def assess_loan(
    *, uow: UnitOfWork, actor: Principal, loan_id: int, valuations: ValuationSource | None = None
) -> AssessmentRead:
    """The LTV assessment under the bank's current policy and the latest valuations (writes nothing)."""
    with uow:
        session = uow.session
        loan = _get(session, loan_id)
        access.require_loan_read(actor, loan)
        policy = _policy_of(session, loan.bank_org_id)
        if policy is None:
            raise DomainError(ErrorCode.INVALID_STATE, "the bank has not published a lending policy")
        _, facts = _collateral_facts(session, loan, valuations or default_valuations(), lock=False)
        assessment = assess_collateral(
            facts=facts,
            policy=_terms(policy),
            requested=Money(loan.amount, loan.currency),
            term_months=loan.term_months,
            today=db_now(session).date(),
        )
        return _assessment_read(assessment, policy)


def approve_loan(
    *,
    uow: UnitOfWork,
    actor: Principal,
    loan_id: int,
    step: ApproveRequest,
    valuations: ValuationSource | None = None,
) -> LoanDetail:
    """The bank approves under its policy (haircut P10 LTV) and registers the pledge in the registry."""
    with uow:
        session = uow.session
        loan = _get(session, loan_id, lock=True)
        access.require_bank(actor, loan)
        if loan.status != LoanStatus.SUBMITTED.value:
            raise DomainError(ErrorCode.INVALID_STATE, f"a {loan.status} loan cannot become approved")
        shares = (step.bank_share, step.government_share, step.guarantor_share)
        if any(s is not None for s in shares):
            if any(s is None for s in shares):
                raise DomainError(ErrorCode.VALIDATION_ERROR, "give all three risk-compensation shares")
            bank_share, gov_share, guarantor_share = (Decimal(s or 0) for s in shares)
            check_shares(bank_share, gov_share, guarantor_share)
            loan.bank_share, loan.government_share, loan.guarantor_share = shares  # type: ignore[assignment]
        policy = _policy_of(session, loan.bank_org_id)
        if policy is None:
            raise DomainError(ErrorCode.INVALID_STATE, "the bank has not published a lending policy")
        # Lock the collateral (primary-key order, as set_pledge does) before judging it.
        _, facts = _collateral_facts(session, loan, valuations or default_valuations(), lock=True)
        assessment = assess_collateral(
            facts=facts,
            policy=_terms(policy),
            requested=Money(loan.amount, loan.currency),
            term_months=loan.term_months,
            today=db_now(session).date(),
        )
        if not assessment.approvable:
            raise DomainError(
                ErrorCode.VALIDATION_ERROR,
                "; ".join(assessment.problems),
                problems=list(assessment.problems),
            )
        pledged = set_pledge(
            session,
            actor=actor,
            asset_ids=[la.asset_id for la in loan.assets],
            pledged=True,
            reference=f"pledge loan #{loan.id}",
            occurred_on=step.occurred_on,
        )
        status_now = {a.id: a.legal_status for a in pledged}
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
            allowed_from=(LoanStatus.SUBMITTED,),
            to=LoanStatus.APPROVED,
            step=step,
            data={
                "collateral_value": str(assessment.collateral_value.amount),
                "max_amount": str(assessment.max_amount.amount),
                "ltv": str(assessment.ltv),
                "shares": [str(loan.bank_share), str(loan.government_share), str(loan.guarantor_share)],
            },
        )
        loan.decided_at = loan.updated_at
        uow.commit()
        return _loan_detail(session, loan)


def _release(session: Session, loan: Loan, *, actor: Principal, occurred_on: dt.date, why: str) -> None:
    set_pledge(
        session,
        actor=actor,
        asset_ids=[la.asset_id for la in loan.assets],
        pledged=False,
        reference=f"pledge loan #{loan.id} {why}",
        occurred_on=occurred_on,
    )


def repay_loan(*, uow: UnitOfWork, actor: Principal, loan_id: int, step: StepRequest) -> LoanDetail:
    """The bank records full repayment and the pledge is released in the registry."""
    with uow:
        session = uow.session
        loan = _get(session, loan_id, lock=True)
        access.require_bank(actor, loan)
        _move(
            session, loan, actor=actor, allowed_from=(LoanStatus.DISBURSED,), to=LoanStatus.REPAID, step=step
        )
        _release(session, loan, actor=actor, occurred_on=step.occurred_on, why="repaid")
        uow.commit()
        return _loan_detail(session, loan)


def default_loan(*, uow: UnitOfWork, actor: Principal, loan_id: int, step: DefaultRequest) -> LoanDetail:
    """The bank declares a default with the principal outstanding; the pledge stays for disposal."""
    with uow:
        session = uow.session
        loan = _get(session, loan_id, lock=True)
        access.require_bank(actor, loan)
        outstanding = step.outstanding.to_money()
        if outstanding.currency != loan.currency:
            raise DomainError(ErrorCode.CURRENCY_MISMATCH, f"{outstanding.currency} vs {loan.currency}")
        if outstanding.amount <= 0:
            raise DomainError(ErrorCode.VALIDATION_ERROR, "the outstanding amount must be positive")
        _move(
            session,
            loan,
            actor=actor,
            allowed_from=(LoanStatus.DISBURSED,),
            to=LoanStatus.DEFAULTED,
            step=step,
            data={"outstanding": str(outstanding.amount)},
        )
        loan.outstanding_at_default = outstanding.amount
        uow.commit()
        return _loan_detail(session, loan)


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
        loan = _get(session, loan_id, lock=True)
        access.require_bank(actor, loan)
        proceeds = step.proceeds.to_money()
        if proceeds.currency != loan.currency:
            raise DomainError(ErrorCode.CURRENCY_MISMATCH, f"{proceeds.currency} vs {loan.currency}")
        if proceeds.amount < 0:
            raise DomainError(ErrorCode.VALIDATION_ERROR, "proceeds cannot be negative")
        if loan.status != LoanStatus.DEFAULTED.value or loan.outstanding_at_default is None:
            raise DomainError(ErrorCode.INVALID_STATE, f"a {loan.status} loan cannot become disposed")
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
            allowed_from=(LoanStatus.DEFAULTED,),
            to=LoanStatus.DISPOSED,
            step=step,
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
        return _loan_detail(session, loan)


# ------------------------------------------------------------------------------------------------------------
# Monitoring


def scan_pledge_alerts(
    *, uow: UnitOfWork, actor: Principal = SYSTEM, alliance_id: int | None = None
) -> MonitorReport:
    """Compare every pledged asset's legal status with the last one seen; raise one alert per change."""
    with uow:
        session = uow.session
        stmt = (
            select(LoanAsset)
            .join(Loan, Loan.id == LoanAsset.loan_id)
            .where(Loan.status.in_([s.value for s in PLEDGED_STATUSES]))
            .order_by(LoanAsset.id)
            .with_for_update(of=LoanAsset)
        )
        if alliance_id is not None:
            stmt = stmt.where(Loan.alliance_id == alliance_id)
        watched = list(session.scalars(stmt))
        statuses = dict(
            session.execute(
                select(Asset.id, Asset.legal_status).where(Asset.id.in_({w.asset_id for w in watched}))
            )
            .tuples()
            .all()
        )
        now = db_now(session)
        raised: list[PledgeAlert] = []
        for item in watched:
            current = statuses[item.asset_id]
            previous = item.last_seen_status or item.status_at_pledge or current
            if current == previous:
                continue
            alert = PledgeAlert(
                loan_id=item.loan_id,
                asset_id=item.asset_id,
                status_at_pledge=item.status_at_pledge or previous,
                previous_status=previous,
                current_status=current,
                detected_at=now,
            )
            session.add(alert)
            item.last_seen_status = current
            raised.append(alert)
        uow.flush()
        loans = {
            loan.id: loan
            for loan in session.scalars(select(Loan).where(Loan.id.in_({a.loan_id for a in raised})))
        }
        for alert in raised:
            loan = loans[alert.loan_id]
            record_audit(
                session,
                actor=actor,
                action="finance.pledge_alert.raised",
                entity_type="loan",
                entity_id=loan.id,
                before={"asset_id": alert.asset_id, "legal_status": alert.previous_status},
                after={"asset_id": alert.asset_id, "legal_status": alert.current_status},
                region_code=loan.region_code,
                org_id=loan.borrower_org_id,
            )
        uow.commit()
        return MonitorReport(
            loans=len({w.loan_id for w in watched}),
            assets=len(watched),
            new_alerts=[PledgeAlertRead.model_validate(a) for a in raised],
        )


def list_alerts(*, uow: UnitOfWork, actor: Principal, limit: int = 50) -> list[PledgeAlertRead]:
    """The newest alerts on loans the actor may see."""
    with uow:
        rows = uow.session.scalars(
            select(PledgeAlert)
            .join(Loan, Loan.id == PledgeAlert.loan_id)
            .where(access.readable_loans(actor))
            .order_by(PledgeAlert.id.desc())
            .limit(min(max(limit, 1), 500))
        ).all()
        return [PledgeAlertRead.model_validate(r) for r in rows]


def banks(*, uow: UnitOfWork, actor: Principal) -> list[dict[str, Any]]:
    """The alliance's financier organisations and whether each has published a lending policy."""
    if actor.alliance_id is None:
        return []
    with uow:
        rows = uow.session.execute(
            select(Organisation.id, Organisation.name, LendingPolicy.id)
            .outerjoin(LendingPolicy, LendingPolicy.bank_org_id == Organisation.id)
            .where(
                Organisation.alliance_id == actor.alliance_id, Organisation.kind == OrgKind.FINANCIER.value
            )
            .order_by(Organisation.id)
        ).all()
        return [{"id": i, "name": n, "has_policy": p is not None} for i, n, p in rows]


def owned_assets(*, uow: UnitOfWork, actor: Principal) -> list[dict[str, Any]]:
    """The actor's organisation's unpledged assets, for the application form."""
    if actor.org_id is None or actor.role not in ORG_ROLES:
        return []
    with uow:
        rows = uow.session.execute(
            select(Asset.id, Asset.title, Asset.ip_type, Asset.legal_status)
            .join(AssetOwner, AssetOwner.asset_id == Asset.id)
            .where(AssetOwner.org_id == actor.org_id, Asset.pledged.is_(False))
            .order_by(Asset.id)
        ).all()
        return [{"id": i, "title": t, "ip_type": k, "legal_status": s} for i, t, k, s in rows]
