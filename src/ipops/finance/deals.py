"""Securitisation use cases: contracts (entered or imported from CSV), deals, pool selection under
eligibility criteria and concentration limits, tranche structure, scenario runs and their statements."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ipops.alliance.models import Organisation, OrgKind
from ipops.assets.models import IN_FORCE, Asset
from ipops.assets.service import record_licence
from ipops.core.audit import record_audit
from ipops.core.authz import ORG_ROLES, Principal, Role
from ipops.core.db import db_now
from ipops.core.errors import DomainError, ErrorCode
from ipops.core.money import Money, MoneyModel
from ipops.core.uow import UnitOfWork
from ipops.finance import access, pooling
from ipops.finance.cashflow import DealResult, ScenarioGrid, breakeven_cdr, run_deal
from ipops.finance.cashflow.calendar import add_months
from ipops.finance.models import (
    Contract,
    ContractKind,
    DealContract,
    DealRun,
    DealTranche,
    SecuritisationDeal,
)
from ipops.finance.schemas import (
    ConcentrationLimits,
    ContractCreate,
    ContractRead,
    DealContractRead,
    DealCreate,
    DealDetail,
    DealPage,
    DealRead,
    DealRunRead,
    EligibilityCriteria,
    ImportProblem,
    ImportReport,
    PoolReason,
    PoolReport,
    PoolRequest,
    RunRequest,
    ScenarioOutcome,
    StructureRequest,
    TrancheRead,
)

CSV_COLUMNS = (
    "kind",
    "reference",
    "obligor",
    "obligor_region_code",
    "asset_id",
    "currency",
    "amount",
    "annual_rate",
    "term_months",
    "residual",
    "first_due",
    "royalties",
)

# ------------------------------------------------------------------------------------------------------------
# Contracts


def _require_originator(actor: Principal) -> tuple[int, int]:
    if actor.role not in ORG_ROLES or actor.org_id is None or actor.alliance_id is None:
        raise DomainError(ErrorCode.FORBIDDEN, "contracts are recorded by the originating organisation")
    return actor.alliance_id, actor.org_id


def _insert_contract(session: Session, *, actor: Principal, org_id: int, data: ContractCreate) -> Contract:
    """Validate one contract against the registry and add it (the caller flushes, audits and commits)."""
    assert actor.alliance_id is not None  # noqa: S101 - checked by the caller
    if data.asset_id is not None:
        asset = session.scalars(
            select(Asset).where(Asset.id == data.asset_id).options(selectinload(Asset.owners))
        ).one_or_none()
        if asset is None or asset.alliance_id != actor.alliance_id:
            raise DomainError(ErrorCode.NOT_FOUND, f"asset {data.asset_id} not found")
        if org_id not in {o.org_id for o in asset.owners}:
            raise DomainError(ErrorCode.FORBIDDEN, f"asset {data.asset_id} is not owned by the originator")
    taken = session.scalar(
        select(func.count(Contract.id)).where(
            Contract.originator_org_id == org_id, Contract.reference == data.reference
        )
    )
    if taken:
        raise DomainError(ErrorCode.DUPLICATE, f"contract {data.reference} is already recorded")
    contract = Contract(
        alliance_id=actor.alliance_id,
        originator_org_id=org_id,
        kind=data.kind.value,
        reference=data.reference,
        obligor=data.obligor,
        obligor_region_code=data.obligor_region_code,
        asset_id=data.asset_id,
        currency=data.currency,
        amount=data.amount or Decimal(0),
        annual_rate=data.annual_rate,
        term_months=data.term_months,
        residual=data.residual,
        first_due=data.first_due,
        royalties=[str(r) for r in data.royalties],
        created_by=actor.user_id,
    )
    session.add(contract)
    if contract.kind == ContractKind.LICENCE.value and contract.asset_id is not None:
        # the registry's event history shows the licence the pool will collect royalties from
        record_licence(
            session,
            actor=actor,
            asset_id=contract.asset_id,
            licensee=contract.obligor,
            reference=contract.reference,
            occurred_on=db_now(session).date(),
        )
    return contract


def _audit_contract(session: Session, actor: Principal, contract: Contract, region_code: str | None) -> None:
    record_audit(
        session,
        actor=actor,
        action="finance.contract.created",
        entity_type="contract",
        entity_id=contract.id,
        after={
            "kind": contract.kind,
            "reference": contract.reference,
            "obligor": contract.obligor,
            "amount": contract.amount,
            "currency": contract.currency,
            "asset_id": contract.asset_id,
        },
        region_code=region_code,
        org_id=contract.originator_org_id,
    )


def create_contract(*, uow: UnitOfWork, actor: Principal, data: ContractCreate) -> ContractRead:
    """Record a licence, lease or receivable contract of the actor's organisation."""
    _, org_id = _require_originator(actor)
    with uow:
        session = uow.session
        org = session.get(Organisation, org_id)
        contract = _insert_contract(session, actor=actor, org_id=org_id, data=data)
        uow.flush()
        _audit_contract(session, actor, contract, org.region_code if org else None)
        uow.commit()
        return ContractRead.model_validate(contract)


def _csv_row_to_contract(row: dict[str, str]) -> ContractCreate:
    def opt(name: str) -> str | None:
        value = (row.get(name) or "").strip()
        return value or None

    royalties = [r.strip() for r in (row.get("royalties") or "").replace(",", ";").split(";") if r.strip()]
    return ContractCreate.model_validate(
        {
            "kind": opt("kind"),
            "reference": opt("reference"),
            "obligor": opt("obligor"),
            "obligor_region_code": opt("obligor_region_code"),
            "asset_id": opt("asset_id"),
            "currency": opt("currency") or "CNY",
            "amount": opt("amount"),
            "annual_rate": opt("annual_rate"),
            "term_months": opt("term_months"),
            "residual": opt("residual"),
            "first_due": opt("first_due"),
            "royalties": royalties,
        }
    )


def _validation_lines(exc: ValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in e['loc']) or 'row'}: {e['msg']}" for e in exc.errors()]


def import_contracts(*, uow: UnitOfWork, actor: Principal, text: str) -> ImportReport:
    """Import contracts from CSV (header row, columns CSV_COLUMNS): good rows go in, bad rows are reported."""
    _, org_id = _require_originator(actor)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"kind", "reference", "obligor", "first_due"} - set(reader.fieldnames or [])
    if missing:
        raise DomainError(ErrorCode.VALIDATION_ERROR, f"the CSV lacks columns: {', '.join(sorted(missing))}")
    problems: list[ImportProblem] = []
    created: list[Contract] = []
    rows = 0
    with uow:
        session = uow.session
        org = session.get(Organisation, org_id)
        for row in reader:
            rows += 1
            line = reader.line_num
            reference = (row.get("reference") or "").strip() or None
            try:
                data = _csv_row_to_contract(row)
                with session.begin_nested():
                    contract = _insert_contract(session, actor=actor, org_id=org_id, data=data)
                    session.flush()
            except ValidationError as exc:
                problems.append(ImportProblem(line=line, reference=reference, errors=_validation_lines(exc)))
                continue
            except DomainError as exc:
                problems.append(
                    ImportProblem(line=line, reference=reference, errors=[f"{exc.code.value}: {exc.detail}"])
                )
                continue
            created.append(contract)
        for contract in created:
            _audit_contract(session, actor, contract, org.region_code if org else None)
        record_audit(
            session,
            actor=actor,
            action="finance.contract.imported",
            entity_type="organisation",
            entity_id=org_id,
            after={"rows": rows, "imported": len(created), "rejected": [p.line for p in problems]},
            region_code=org.region_code if org else None,
            org_id=org_id,
        )
        uow.commit()
        return ImportReport(
            rows=rows, imported=len(created), rejected=problems, contract_ids=[c.id for c in created]
        )


def list_contracts(*, uow: UnitOfWork, actor: Principal, org_id: int | None = None) -> list[ContractRead]:
    """Contracts of the actor's organisation (or, for a deal writer, of the originator it arranges for)."""
    with uow:
        session = uow.session
        if org_id is None or org_id == actor.org_id and actor.role in ORG_ROLES:
            _, own = _require_originator(actor)
            target = own
        else:
            arranged = session.scalar(
                select(func.count(SecuritisationDeal.id)).where(
                    SecuritisationDeal.originator_org_id == org_id,
                    SecuritisationDeal.arranger_org_id == actor.org_id,
                    SecuritisationDeal.alliance_id == actor.alliance_id,
                )
            )
            if actor.role != Role.FINANCIER or not arranged:
                raise DomainError(ErrorCode.NOT_FOUND)
            target = org_id
        rows = session.scalars(
            select(Contract).where(Contract.originator_org_id == target).order_by(Contract.id)
        ).all()
        return [ContractRead.model_validate(c) for c in rows]


# ------------------------------------------------------------------------------------------------------------
# Deals


def _deal_read(session: Session, deal: SecuritisationDeal) -> DealRead:
    org = session.get(Organisation, deal.originator_org_id)
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


def _deal_detail(session: Session, deal: SecuritisationDeal) -> DealDetail:
    asset_ids = {dc.contract.asset_id for dc in deal.contracts if dc.contract.asset_id is not None}
    ip_types = dict(
        session.execute(select(Asset.id, Asset.ip_type).where(Asset.id.in_(asset_ids))).tuples().all()
    )
    run_ids = list(
        session.scalars(select(DealRun.id).where(DealRun.deal_id == deal.id).order_by(DealRun.id.desc()))
    )
    return DealDetail(
        **_deal_read(session, deal).model_dump(),
        contracts=[
            DealContractRead(
                contract=ContractRead.model_validate(dc.contract),
                balance=MoneyModel(amount=dc.balance, currency=deal.currency),
                flags=dc.flags,
                ip_type=ip_types.get(dc.contract.asset_id) if dc.contract.asset_id else None,
            )
            for dc in deal.contracts
        ],
        tranches=[TrancheRead.model_validate(t) for t in deal.tranches],
        run_ids=run_ids,
    )


def _get_deal(session: Session, deal_id: int, *, lock: bool = False) -> SecuritisationDeal:
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


def _audit_deal(
    session: Session, *, actor: Principal, action: str, deal: SecuritisationDeal, **kw: Any
) -> None:
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
    """An originator's admin or a bank's financier (who then arranges it) opens a deal."""
    if actor.alliance_id is None or actor.org_id is None:
        raise DomainError(ErrorCode.FORBIDDEN, "deals are created by originators and arranging banks")
    if actor.role == Role.ORG_ADMIN:
        originator_id = data.originator_org_id or actor.org_id
        if originator_id != actor.org_id:
            raise DomainError(ErrorCode.FORBIDDEN, "an originator creates deals for its own organisation")
        arranger_id = data.arranger_org_id
    elif actor.role == Role.FINANCIER:
        if data.originator_org_id is None:
            raise DomainError(ErrorCode.VALIDATION_ERROR, "name the originator organisation")
        originator_id, arranger_id = data.originator_org_id, actor.org_id
    else:
        raise DomainError(ErrorCode.FORBIDDEN, "deals are created by originators and arranging banks")
    with uow:
        session = uow.session
        originator = session.get(Organisation, originator_id)
        if originator is None or originator.alliance_id != actor.alliance_id:
            raise DomainError(ErrorCode.NOT_FOUND, f"organisation {originator_id} not found")
        if arranger_id is not None:
            arranger = session.get(Organisation, arranger_id)
            if arranger is None or arranger.alliance_id != actor.alliance_id:
                raise DomainError(ErrorCode.NOT_FOUND, f"organisation {arranger_id} not found")
            if arranger.kind != OrgKind.FINANCIER.value:
                raise DomainError(ErrorCode.VALIDATION_ERROR, "the arranger must be a financier")
        now = db_now(session)
        deal = SecuritisationDeal(
            alliance_id=actor.alliance_id,
            region_code=originator.region_code,
            originator_org_id=originator_id,
            arranger_org_id=arranger_id,
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
        _audit_deal(session, actor=actor, action="finance.deal.created", deal=deal, after=data.model_dump())
        uow.commit()
        return _deal_detail(session, _get_deal(session, deal.id))


def get_deal(*, uow: UnitOfWork, actor: Principal, deal_id: int) -> DealDetail:
    """One deal with its pool, tranches and runs, if the actor may see it."""
    with uow:
        deal = _get_deal(uow.session, deal_id)
        access.require_deal_read(actor, deal)
        return _deal_detail(uow.session, deal)


def list_deals(*, uow: UnitOfWork, actor: Principal, page: int = 1, size: int = 20) -> DealPage:
    """The deals the actor may see, newest first."""
    page, size = max(page, 1), min(max(size, 1), 100)
    clause = access.readable_deals(actor)
    with uow:
        session = uow.session
        total = int(session.execute(select(func.count(SecuritisationDeal.id)).where(clause)).scalar_one())
        deals = session.scalars(
            select(SecuritisationDeal)
            .where(clause)
            .options(selectinload(SecuritisationDeal.contracts), selectinload(SecuritisationDeal.tranches))
            .order_by(SecuritisationDeal.id.desc())
            .offset((page - 1) * size)
            .limit(size)
        ).all()
        return DealPage(items=[_deal_read(session, d) for d in deals], total=total, page=page, size=size)


# ------------------------------------------------------------------------------------------------------------
# Pool: eligibility and concentration


def _contract_facts(contract: Contract) -> dict[str, Any]:
    return {
        "kind": contract.kind,
        "obligor": contract.obligor,
        "amount": str(contract.amount),
        "annual_rate": None if contract.annual_rate is None else str(contract.annual_rate),
        "term_months": contract.term_months,
        "residual": None if contract.residual is None else str(contract.residual),
        "first_due": contract.first_due.isoformat(),
        "royalties": list(contract.royalties),
    }


def eligibility_reasons(
    *,
    contract: Contract,
    asset: Asset | None,
    deal: SecuritisationDeal,
    criteria: EligibilityCriteria,
    other_deal_id: int | None,
) -> list[tuple[str, str]]:
    """(rule, message) for every eligibility criterion the contract fails."""
    reasons: list[tuple[str, str]] = []
    maturity = add_months(start=deal.start_date, months=deal.term_months)
    if contract.originator_org_id != deal.originator_org_id:
        reasons.append(("originator", "the contract belongs to another organisation"))
    if other_deal_id is not None and other_deal_id != deal.id:
        reasons.append(("in_other_deal", f"already in the pool of deal {other_deal_id}"))
    if contract.currency != deal.currency:
        reasons.append(("currency", f"in {contract.currency}, the deal is in {deal.currency}"))
    if ContractKind(contract.kind) not in criteria.kinds:
        reasons.append(("kind", f"{contract.kind} contracts are not eligible"))
    if asset is not None:
        if criteria.require_in_force and asset.legal_status not in IN_FORCE:
            reasons.append(("legal_status", f"asset {asset.id} is {asset.legal_status}, not granted"))
        if criteria.life_covers_term and (asset.expiry_date is None or asset.expiry_date < maturity):
            reasons.append(
                (
                    "remaining_life",
                    f"asset {asset.id} expires {asset.expiry_date or 'on an unknown date'}, "
                    f"before the deal matures on {maturity}",
                )
            )
        if criteria.exclude_pledged and asset.pledged:
            reasons.append(("pledged", f"asset {asset.id} is pledged elsewhere"))
        if criteria.ip_types is not None and asset.ip_type not in {t.value for t in criteria.ip_types}:
            reasons.append(("ip_type", f"{asset.ip_type} is not an eligible IP type"))
    elif criteria.ip_types is not None:
        reasons.append(("ip_type", "the contract is not backed by an eligible IP asset"))
    return reasons


def concentration_reasons(
    *, lines: Sequence[tuple[Contract, Asset | None, Decimal]], limits: ConcentrationLimits
) -> list[tuple[Contract, str, str]]:
    """(contract, rule, message) for each contract in a bucket above its share of the pool balance."""
    total = sum((balance for _, _, balance in lines), Decimal(0))
    if total <= 0:
        return []

    def obligor(contract: Contract, asset: Asset | None) -> str:
        return contract.obligor.strip().casefold()

    def region(contract: Contract, asset: Asset | None) -> str:
        return contract.obligor_region_code or "unknown"

    def ip_type(contract: Contract, asset: Asset | None) -> str:
        return asset.ip_type if asset is not None else "none"

    dimensions: tuple[tuple[str, Decimal, Callable[[Contract, Asset | None], str]], ...] = (
        ("obligor", limits.max_obligor_share, obligor),
        ("region", limits.max_region_share, region),
        ("ip_type", limits.max_ip_type_share, ip_type),
    )
    out: list[tuple[Contract, str, str]] = []
    for rule, limit, key in dimensions:
        buckets: dict[str, Decimal] = defaultdict(Decimal)
        for contract, asset, balance in lines:
            buckets[key(contract, asset)] += balance
        for contract, asset, _ in lines:
            bucket = key(contract, asset)
            share = buckets[bucket] / total
            if share > limit:
                out.append(
                    (
                        contract,
                        f"concentration_{rule}",
                        f"{rule} {bucket} holds {share:.1%} of the pool, above the {limit:.1%} limit",
                    )
                )
    return out


def add_to_pool(*, uow: UnitOfWork, actor: Principal, deal_id: int, data: PoolRequest) -> PoolReport:
    """Add contracts under the deal's criteria and limits: refuse with reasons, or keep and flag them."""
    with uow:
        session = uow.session
        deal = _get_deal(session, deal_id, lock=True)
        access.require_deal_write(actor, deal)
        criteria = EligibilityCriteria.model_validate(deal.criteria)
        limits = ConcentrationLimits.model_validate(deal.limits)
        wanted = sorted(set(data.contract_ids) - {dc.contract_id for dc in deal.contracts})
        contracts = list(
            session.scalars(
                select(Contract).where(Contract.id.in_(wanted)).order_by(Contract.id).with_for_update()
            )
        )
        found = {c.id for c in contracts if c.alliance_id == deal.alliance_id}
        if found != set(wanted):
            raise DomainError(ErrorCode.NOT_FOUND, f"contracts {sorted(set(wanted) - found)} not found")
        asset_ids = {c.asset_id for c in contracts if c.asset_id} | {
            dc.contract.asset_id for dc in deal.contracts if dc.contract.asset_id
        }
        assets = {a.id: a for a in session.scalars(select(Asset).where(Asset.id.in_(asset_ids)))}
        in_deals = dict(
            session.execute(
                select(DealContract.contract_id, DealContract.deal_id).where(
                    DealContract.contract_id.in_(wanted)
                )
            )
            .tuples()
            .all()
        )
        excluded: list[PoolReason] = []
        eligible: list[Contract] = []
        for contract in contracts:
            reasons = eligibility_reasons(
                contract=contract,
                asset=assets.get(contract.asset_id) if contract.asset_id else None,
                deal=deal,
                criteria=criteria,
                other_deal_id=in_deals.get(contract.id),
            )
            excluded += [
                PoolReason(contract_id=contract.id, reference=contract.reference, rule=r, message=m)
                for r, m in reasons
            ]
            if not reasons:
                eligible.append(contract)

        def balance(contract: Contract) -> Decimal:
            return pooling.contract_balance(
                _contract_facts(contract),
                start=deal.start_date,
                discount_rate=deal.discount_rate,
                currency=deal.currency,
            ).amount

        lines = [
            (dc.contract, assets.get(dc.contract.asset_id) if dc.contract.asset_id else None, dc.balance)
            for dc in deal.contracts
        ] + [(c, assets.get(c.asset_id) if c.asset_id else None, balance(c)) for c in eligible]
        flagged = [
            PoolReason(contract_id=c.id, reference=c.reference, rule=r, message=m)
            for c, r, m in concentration_reasons(lines=lines, limits=limits)
        ]
        if data.on_breach == "refuse" and (excluded or flagged):
            breaches = excluded + flagged
            raise DomainError(
                ErrorCode.VALIDATION_ERROR,
                "; ".join(f"{r.reference}: {r.message}" for r in breaches),
                reasons=[r.model_dump() for r in breaches],
            )
        flags_by_contract: dict[int, list[str]] = defaultdict(list)
        for reason in flagged:
            flags_by_contract[reason.contract_id].append(reason.message)
        for dc in deal.contracts:
            dc.flags = flags_by_contract.get(dc.contract_id, [])
        added = [c for c, _, _ in lines[len(deal.contracts) :]]
        for contract, _, amount in lines[len(deal.contracts) :]:
            deal.contracts.append(
                DealContract(
                    contract_id=contract.id, balance=amount, flags=flags_by_contract.get(contract.id, [])
                )
            )
        deal.version += 1
        deal.updated_at = db_now(session)
        pool_balance = sum((amount for _, _, amount in lines), Decimal(0))
        _audit_deal(
            session,
            actor=actor,
            action="finance.deal.pool_added",
            deal=deal,
            after={
                "added": [c.reference for c in added],
                "excluded": [r.model_dump() for r in excluded],
                "flagged": [r.model_dump() for r in flagged],
                "pool_balance": pool_balance,
            },
        )
        uow.commit()
        return PoolReport(
            added=[c.id for c in added],
            excluded=excluded,
            flagged=flagged,
            pool_balance=MoneyModel(amount=pool_balance, currency=deal.currency),
        )


def remove_from_pool(*, uow: UnitOfWork, actor: Principal, deal_id: int, contract_id: int) -> DealDetail:
    """Take a contract out of a deal's pool."""
    with uow:
        session = uow.session
        deal = _get_deal(session, deal_id, lock=True)
        access.require_deal_write(actor, deal)
        kept = [dc for dc in deal.contracts if dc.contract_id != contract_id]
        if len(kept) == len(deal.contracts):
            raise DomainError(ErrorCode.NOT_FOUND, f"contract {contract_id} is not in the pool")
        deal.contracts = kept
        deal.version += 1
        deal.updated_at = db_now(session)
        _audit_deal(
            session,
            actor=actor,
            action="finance.deal.pool_removed",
            deal=deal,
            after={"contract_id": contract_id},
        )
        uow.commit()
        return _deal_detail(session, deal)


def set_structure(*, uow: UnitOfWork, actor: Principal, deal_id: int, data: StructureRequest) -> DealDetail:
    """Replace the deal's tranches; the notes may not exceed the pool balance."""
    with uow:
        session = uow.session
        deal = _get_deal(session, deal_id, lock=True)
        access.require_deal_write(actor, deal)
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
        _audit_deal(
            session,
            actor=actor,
            action="finance.deal.structured",
            deal=deal,
            before={"tranches": before},
            after={"tranches": [t.model_dump() for t in data.tranches]},
        )
        uow.commit()
        return _deal_detail(session, deal)


# ------------------------------------------------------------------------------------------------------------
# Runs


def deal_inputs(deal: SecuritisationDeal, request: RunRequest) -> dict[str, Any]:
    """Everything a run needs, as JSON, so that its statements can be rebuilt exactly later."""
    return {
        "deal": {
            "id": deal.id,
            "name": deal.name,
            "currency": deal.currency,
            "start_date": deal.start_date.isoformat(),
            "term_months": deal.term_months,
            "discount_rate": str(deal.discount_rate),
            "servicer_fee_rate": str(deal.servicer_fee_rate),
            "trustee_fee": str(deal.trustee_fee),
        },
        "contracts": [
            {"id": dc.contract_id, "reference": dc.contract.reference, **_contract_facts(dc.contract)}
            for dc in deal.contracts
        ],
        "tranches": [
            {
                "name": t.name,
                "seniority": t.seniority,
                "balance": str(t.balance),
                "coupon_kind": t.coupon_kind,
                "rate": str(t.rate),
                "index_name": t.index_name,
                "step_up": None if t.step_up is None else str(t.step_up),
                "step_from_period": t.step_from_period,
            }
            for t in deal.tranches
        ],
        "request": request.model_dump(mode="json"),
    }


def execute(inputs: dict[str, Any]) -> tuple[DealResult, ScenarioGrid]:
    """Run the engine on stored inputs."""
    engine = pooling.engine_deal(inputs)
    grid = pooling.scenario_grid(inputs["request"], periods=engine.schedule.count)
    return run_deal(deal=engine, scenarios=grid), grid


def _breakevens(inputs: dict[str, Any]) -> dict[str, str | None]:
    engine = pooling.engine_deal(inputs)
    grid = pooling.scenario_grid(inputs["request"], periods=engine.schedule.count)
    from ipops.finance.cashflow import ConstantRate, Scenario

    base = Scenario(
        prepayment=ConstantRate(grid.cpr[0]),
        recovery_rate=grid.recovery_rate[0],
        recovery_lag=grid.recovery_lag,
        index_paths=grid.index_paths,
    )
    out: dict[str, str | None] = {}
    for tranche in engine.tranches:
        value = breakeven_cdr(deal=engine, tranche=tranche.name, base=base, xtol=1e-5)
        out[tranche.name] = str(Decimal(repr(value)).quantize(Decimal("0.0001")))
    return out


def _run_read(run: DealRun) -> DealRunRead:
    return DealRunRead(
        id=run.id,
        deal_id=run.deal_id,
        created_at=run.created_at,
        request=RunRequest.model_validate(run.inputs["request"]),
        scenarios=[ScenarioOutcome.model_validate(s) for s in run.summary["scenarios"]],
        breakeven_cdr={k: None if v is None else Decimal(v) for k, v in run.summary["breakeven_cdr"].items()},
    )


def run_scenarios(*, uow: UnitOfWork, actor: Principal, deal_id: int, request: RunRequest) -> DealRunRead:
    """Run the deal over a CDR x CPR grid, store the inputs and the outcomes, and audit the run."""
    with uow:
        session = uow.session
        deal = _get_deal(session, deal_id, lock=True)
        access.require_deal_write(actor, deal)
        if not deal.contracts:
            raise DomainError(ErrorCode.INVALID_STATE, "the pool is empty: add contracts first")
        if not deal.tranches:
            raise DomainError(ErrorCode.INVALID_STATE, "the deal has no tranches: set the structure first")
        inputs = deal_inputs(deal, request)
        result, grid = execute(inputs)
        summary = {"scenarios": pooling.summarise(result, grid), "breakeven_cdr": _breakevens(inputs)}
        run = DealRun(deal_id=deal.id, inputs=inputs, summary=summary, created_by=actor.user_id)
        session.add(run)
        uow.flush()
        _audit_deal(
            session,
            actor=actor,
            action="finance.deal.run",
            deal=deal,
            after={"run_id": run.id, "request": inputs["request"], "breakeven_cdr": summary["breakeven_cdr"]},
        )
        uow.commit()
        session.refresh(run)
        return _run_read(run)


def get_run(
    *, uow: UnitOfWork, actor: Principal, deal_id: int, run_id: int
) -> tuple[DealRunRead, dict[str, Any]]:
    """A stored run of a readable deal, with its inputs (to rebuild statements)."""
    with uow:
        session = uow.session
        deal = _get_deal(session, deal_id)
        access.require_deal_read(actor, deal)
        run = session.get(DealRun, run_id)
        if run is None or run.deal_id != deal.id:
            raise DomainError(ErrorCode.NOT_FOUND)
        return _run_read(run), run.inputs


def latest_run_id(*, uow: UnitOfWork, actor: Principal, deal_id: int) -> int | None:
    """The newest run of a readable deal."""
    with uow:
        deal = _get_deal(uow.session, deal_id)
        access.require_deal_read(actor, deal)
        return uow.session.scalar(select(func.max(DealRun.id)).where(DealRun.deal_id == deal_id))


def may_write(*, uow: UnitOfWork, actor: Principal, deal_id: int) -> bool:
    """Whether the actor may change the deal (for showing forms)."""
    with uow:
        return access.can_write_deal(actor, _get_deal(uow.session, deal_id))


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
