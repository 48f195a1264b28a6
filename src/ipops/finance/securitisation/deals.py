"""Securitisation deals: opened by the originator's administrator naming its arranging bank, read by their
parties and the region's office, structured into tranches by either party."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ipops.alliance.kinds import OrgKind
from ipops.alliance.service import organisations_by_id
from ipops.assets.service import briefs
from ipops.core.audit import record_audit
from ipops.core.authz import Action, Principal, can, clause, require
from ipops.core.db import db_now
from ipops.core.errors import DomainError, ErrorCode
from ipops.core.money import Money, MoneyModel
from ipops.core.uow import UnitOfWork
from ipops.finance.models import DealContract, DealRun, DealTranche, SecuritisationDeal
from ipops.finance.scope import deal_columns, deal_facts, new_deal_facts
from ipops.finance.securitisation.schemas import (
    ConcentrationLimits,
    ContractRead,
    DealContractRead,
    DealCreate,
    DealDetail,
    DealPage,
    DealRead,
    EligibilityCriteria,
    StructureRequest,
    TrancheRead,
)


def deal_read(session: Session, deal: SecuritisationDeal) -> DealRead:
    """The wire form of a deal."""
    org = organisations_by_id(session, {deal.originator_org_id}).get(deal.originator_org_id)
    pool = sum((c.balance for c in deal.contracts), Decimal(0))
    notes = sum((t.balance for t in deal.tranches), Decimal(0))
    return DealRead(
        id=deal.id,
        name=deal.name,
        originator_org_id=deal.originator_org_id,
        originator_name=org.name if org else "",
        arranger_org_id=deal.arranger_org_id,
        region_code=deal.region_code,
        currency=deal.currency,
        start_date=deal.start_date,
        term_months=deal.term_months,
        discount_rate=deal.discount_rate,
        servicer_fee_rate=deal.servicer_fee_rate,
        trustee_fee=MoneyModel(amount=deal.trustee_fee, currency=deal.currency),
        criteria=EligibilityCriteria.model_validate(deal.criteria),
        limits=ConcentrationLimits.model_validate(deal.limits),
        pool_balance=MoneyModel(amount=pool, currency=deal.currency),
        tranche_total=MoneyModel(amount=notes, currency=deal.currency),
        version=deal.version,
        created_at=deal.created_at,
    )


def deal_detail(session: Session, deal: SecuritisationDeal) -> DealDetail:
    """A deal with its pool, tranches and runs."""
    assets = briefs(
        session, [dc.contract.asset_id for dc in deal.contracts if dc.contract.asset_id is not None]
    )
    run_ids = list(
        session.scalars(select(DealRun.id).where(DealRun.deal_id == deal.id).order_by(DealRun.id.desc()))
    )
    return DealDetail(
        **deal_read(session, deal).model_dump(),
        contracts=[
            DealContractRead(
                contract=ContractRead.model_validate(dc.contract),
                balance=MoneyModel(amount=dc.balance, currency=deal.currency),
                flags=dc.flags,
                ip_type=assets[dc.contract.asset_id].ip_type if dc.contract.asset_id in assets else None,
            )
            for dc in deal.contracts
        ],
        tranches=[TrancheRead.model_validate(t) for t in deal.tranches],
        run_ids=run_ids,
    )


def get_deal_row(session: Session, deal_id: int, *, lock: bool = False) -> SecuritisationDeal:
    """A deal row with its pool and tranches (locked FOR UPDATE when asked)."""
    stmt = (
        select(SecuritisationDeal)
        .where(SecuritisationDeal.id == deal_id)
        .options(
            selectinload(SecuritisationDeal.contracts).selectinload(DealContract.contract),
            selectinload(SecuritisationDeal.tranches),
        )
    )
    deal = session.scalars(stmt.with_for_update(of=SecuritisationDeal) if lock else stmt).one_or_none()
    if deal is None:
        raise DomainError(ErrorCode.NOT_FOUND)
    return deal


def writable_deal(session: Session, actor: Principal, deal_id: int) -> SecuritisationDeal:
    """The deal locked for a change its originator's admin or arranging bank makes (404 / 403 otherwise)."""
    deal = get_deal_row(session, deal_id, lock=True)
    require(session, actor, Action.WRITE, deal_facts(deal))
    return deal


def audit_deal(
    session: Session, *, actor: Principal, action: str, deal: SecuritisationDeal, **kw: Any
) -> None:
    """An audit row about the deal."""
    record_audit(
        session,
        actor=actor,
        action=action,
        entity_type="deal",
        entity_id=deal.id,
        before=kw.get("before"),
        after=kw.get("after"),
        region_code=deal.region_code,
        org_id=deal.originator_org_id,
    )


def create_deal(*, uow: UnitOfWork, actor: Principal, data: DealCreate) -> DealDetail:
    """The originator's administrator opens a deal for its organisation and names the arranging bank."""
    originator_id = data.originator_org_id or actor.org_id
    with uow:
        session = uow.session
        orgs = organisations_by_id(
            session, {i for i in (originator_id, data.arranger_org_id) if i is not None}
        )
        originator = orgs.get(originator_id) if originator_id is not None else None
        require(
            session,
            actor,
            Action.CREATE,
            new_deal_facts(
                alliance_id=actor.alliance_id or 0,
                region_code=originator.region_code if originator else None,
                originator_org_id=originator_id,
            ),
        )
        if originator is None or originator.alliance_id != actor.alliance_id or actor.alliance_id is None:
            raise DomainError(ErrorCode.NOT_FOUND, f"organisation {originator_id} not found")
        if data.arranger_org_id is not None:
            arranger = orgs.get(data.arranger_org_id)
            if arranger is None or arranger.alliance_id != actor.alliance_id:
                raise DomainError(ErrorCode.NOT_FOUND, f"organisation {data.arranger_org_id} not found")
            if arranger.kind != OrgKind.FINANCIER:
                raise DomainError(ErrorCode.VALIDATION_ERROR, "the arranger must be a financier")
        now = db_now(session)
        deal = SecuritisationDeal(
            alliance_id=actor.alliance_id,
            region_code=originator.region_code,
            originator_org_id=originator.id,
            arranger_org_id=data.arranger_org_id,
            name=data.name,
            currency=data.currency,
            start_date=data.start_date,
            term_months=data.term_months,
            discount_rate=data.discount_rate,
            servicer_fee_rate=data.servicer_fee_rate,
            trustee_fee=data.trustee_fee,
            criteria=data.criteria.model_dump(mode="json"),
            limits=data.limits.model_dump(mode="json"),
            created_by=actor.user_id,
            created_at=now,
            updated_at=now,
        )
        session.add(deal)
        uow.flush()
        audit_deal(session, actor=actor, action="finance.deal.created", deal=deal, after=data.model_dump())
        uow.commit()
        return deal_detail(session, get_deal_row(session, deal.id))


def get_deal(*, uow: UnitOfWork, actor: Principal, deal_id: int) -> DealDetail:
    """One deal with its pool, tranches and runs, if the actor may see it."""
    with uow:
        session = uow.session
        deal = get_deal_row(session, deal_id)
        require(session, actor, Action.READ, deal_facts(deal))
        return deal_detail(session, deal)


def list_deals(*, uow: UnitOfWork, actor: Principal, page: int = 1, size: int = 20) -> DealPage:
    """The deals the actor may see, newest first."""
    page, size = max(page, 1), min(max(size, 1), 100)
    readable = clause(actor, Action.READ, deal_columns())
    with uow:
        session = uow.session
        total = int(session.execute(select(func.count(SecuritisationDeal.id)).where(readable)).scalar_one())
        deals = session.scalars(
            select(SecuritisationDeal)
            .where(readable)
            .options(selectinload(SecuritisationDeal.contracts), selectinload(SecuritisationDeal.tranches))
            .order_by(SecuritisationDeal.id.desc())
            .offset((page - 1) * size)
            .limit(size)
        ).all()
        return DealPage(items=[deal_read(session, d) for d in deals], total=total, page=page, size=size)


def set_structure(*, uow: UnitOfWork, actor: Principal, deal_id: int, data: StructureRequest) -> DealDetail:
    """Replace the deal's tranches; the notes may not exceed the pool balance."""
    with uow:
        session = uow.session
        deal = writable_deal(session, actor, deal_id)
        pool = sum((dc.balance for dc in deal.contracts), Decimal(0))
        notes = sum((t.balance for t in data.tranches), Decimal(0))
        if notes > pool:
            raise DomainError(
                ErrorCode.VALIDATION_ERROR,
                f"the tranches total {Money(notes, deal.currency)}, "
                f"more than the pool's {Money(pool, deal.currency)}",
            )
        before = [{"name": t.name, "balance": t.balance} for t in deal.tranches]
        deal.tranches.clear()
        session.flush()  # delete the old tranche rows before inserting new ones with the same names
        for seq, tranche in enumerate(data.tranches, start=1):
            deal.tranches.append(DealTranche(seq=seq, **tranche.model_dump()))
        deal.version += 1
        deal.updated_at = db_now(session)
        audit_deal(
            session,
            actor=actor,
            action="finance.deal.structured",
            deal=deal,
            before={"tranches": before},
            after={"tranches": [t.model_dump() for t in data.tranches]},
        )
        uow.commit()
        return deal_detail(session, deal)


def may_write(*, uow: UnitOfWork, actor: Principal, deal_id: int) -> bool:
    """Whether the actor may change the deal (for showing forms)."""
    with uow:
        session = uow.session
        return can(session, actor, Action.WRITE, deal_facts(get_deal_row(session, deal_id)))


def may_open_deals(actor: Principal) -> bool:
    """Whether the actor's role may open a deal at all (the new-deal form and its link)."""
    from ipops.core.authz import may_ever

    return actor.org_id is not None and may_ever(actor, "deal", Action.CREATE)


def parse_decimal(value: str) -> Decimal | None:
    """A form field as a Decimal, or None when blank."""
    try:
        return Decimal(value.strip()) if value.strip() else None
    except InvalidOperation as exc:
        raise DomainError(ErrorCode.VALIDATION_ERROR, f"not a number: {value!r}") from exc


def today(*, uow: UnitOfWork) -> dt.date:
    """The database's date (for form defaults)."""
    with uow:
        return db_now(uow.session).date()
