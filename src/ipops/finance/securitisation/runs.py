"""Scenario runs of a deal: stored inputs (exports rebuild them exactly), the CDR x CPR grid, breakevens."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from ipops.core.authz import Action, Principal, require
from ipops.core.errors import DomainError, ErrorCode
from ipops.core.uow import UnitOfWork
from ipops.finance import pooling
from ipops.finance.cashflow import ConstantRate, DealResult, Scenario, ScenarioGrid, breakeven_cdr, run_deal
from ipops.finance.models import DealRun, SecuritisationDeal
from ipops.finance.scope import deal_facts
from ipops.finance.securitisation.deals import audit_deal, get_deal_row, writable_deal
from ipops.finance.securitisation.pools import contract_facts
from ipops.finance.securitisation.schemas import DealRunRead, RunRequest, ScenarioOutcome


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
            {"id": dc.contract_id, "reference": dc.contract.reference, **contract_facts(dc.contract)}
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
        deal = writable_deal(session, actor, deal_id)
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
        audit_deal(
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
        deal = get_deal_row(session, deal_id)
        require(session, actor, Action.READ, deal_facts(deal))
        run = session.get(DealRun, run_id)
        if run is None or run.deal_id != deal.id:
            raise DomainError(ErrorCode.NOT_FOUND)
        return _run_read(run), run.inputs


def latest_run_id(*, uow: UnitOfWork, actor: Principal, deal_id: int) -> int | None:
    """The newest run of a readable deal."""
    with uow:
        deal = get_deal_row(uow.session, deal_id)
        require(uow.session, actor, Action.READ, deal_facts(deal))
        return uow.session.scalar(select(func.max(DealRun.id)).where(DealRun.deal_id == deal_id))
