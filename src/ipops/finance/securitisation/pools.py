"""The pool of a deal: eligibility criteria, concentration limits, adding and removing contracts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from ipops.assets.service import AssetBrief, briefs
from ipops.core.authz import Action, Principal, clause
from ipops.core.db import db_now
from ipops.core.errors import DomainError, ErrorCode
from ipops.core.money import MoneyModel
from ipops.core.uow import UnitOfWork
from ipops.finance import pooling
from ipops.finance.cashflow.calendar import add_months
from ipops.finance.models import Contract, ContractKind, DealContract, SecuritisationDeal
from ipops.finance.scope import contract_columns
from ipops.finance.securitisation.deals import audit_deal, deal_detail, writable_deal
from ipops.finance.securitisation.schemas import (
    ConcentrationLimits,
    DealDetail,
    EligibilityCriteria,
    PoolReason,
    PoolReport,
    PoolRequest,
)


def contract_facts(contract: Contract) -> dict[str, Any]:
    """A contract's cash-flow fields as JSON, as the engine and a run's stored inputs take them."""
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
    asset: AssetBrief | None,
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
        if criteria.require_in_force and not asset.in_force:
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
    *, lines: Sequence[tuple[Contract, AssetBrief | None, Decimal]], limits: ConcentrationLimits
) -> list[tuple[Contract, str, str]]:
    """(contract, rule, message) for each contract in a bucket above its share of the pool balance."""
    total = sum((balance for _, _, balance in lines), Decimal(0))
    if total <= 0:
        return []

    def obligor(contract: Contract, asset: AssetBrief | None) -> str:
        return contract.obligor.strip().casefold()

    def region(contract: Contract, asset: AssetBrief | None) -> str:
        return contract.obligor_region_code or "unknown"

    def ip_type(contract: Contract, asset: AssetBrief | None) -> str:
        return asset.ip_type if asset is not None else "none"

    dimensions: tuple[tuple[str, Decimal, Callable[[Contract, AssetBrief | None], str]], ...] = (
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
        deal = writable_deal(session, actor, deal_id)
        criteria = EligibilityCriteria.model_validate(deal.criteria)
        limits = ConcentrationLimits.model_validate(deal.limits)
        wanted = sorted(set(data.contract_ids) - {dc.contract_id for dc in deal.contracts})
        # only the originator's contracts that the actor may pool: any other id is simply not found
        contracts = list(
            session.scalars(
                select(Contract)
                .where(
                    Contract.id.in_(wanted),
                    Contract.originator_org_id == deal.originator_org_id,
                    clause(actor, Action.POOL, contract_columns()),
                )
                .order_by(Contract.id)
                .with_for_update(of=Contract)
            )
        )
        if {c.id for c in contracts} != set(wanted):
            raise DomainError(ErrorCode.NOT_FOUND, "some of these contracts are not the originator's to pool")
        asset_ids = {c.asset_id for c in contracts if c.asset_id} | {
            dc.contract.asset_id for dc in deal.contracts if dc.contract.asset_id
        }
        assets = briefs(session, sorted(asset_ids))
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
                contract_facts(contract),
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
        audit_deal(
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
        deal = writable_deal(session, actor, deal_id)
        kept = [dc for dc in deal.contracts if dc.contract_id != contract_id]
        if len(kept) == len(deal.contracts):
            raise DomainError(ErrorCode.NOT_FOUND, f"contract {contract_id} is not in the pool")
        deal.contracts = kept
        deal.version += 1
        deal.updated_at = db_now(session)
        audit_deal(
            session,
            actor=actor,
            action="finance.deal.pool_removed",
            deal=deal,
            after={"contract_id": contract_id},
        )
        uow.commit()
        return deal_detail(session, deal)
