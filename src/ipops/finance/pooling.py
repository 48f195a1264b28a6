"""From stored contracts and tranches to the cash-flow engine's Deal, and back out as tables (pure).

A run stores its inputs as plain JSON (``deal_inputs``) so that its statements and exports can always be
rebuilt exactly. Periods are months from the deal's start date; period k ends k + 1 months after it.
Amounts enter the engine as float64 and leave as ``Money`` (Decimal, 0.01, ROUND_HALF_EVEN).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import numpy as np

from ipops.core.money import Money
from ipops.finance.cashflow import (
    Deal,
    DealResult,
    FinanceLeaseRents,
    FixedCoupon,
    FixedFee,
    FloatingCoupon,
    PayFee,
    PayInterest,
    PayPrincipal,
    PayResidual,
    PercentOfBalanceFee,
    PeriodSchedule,
    Pool,
    PoolAsset,
    PrincipalDue,
    Receivable,
    RoyaltyLicence,
    ScenarioGrid,
    Seniority,
    StepUpCoupon,
    SupplyChainReceivables,
    Tranche,
    to_money,
    tranche_metrics,
)
from ipops.finance.cashflow.structure import Coupon
from ipops.finance.cashflow.waterfall import Step
from ipops.finance.pledge.ltv import months_between


def _due_period(start: dt.date, due: dt.date) -> int:
    """1-based period in which a payment due on ``due`` is collected (never before the first period)."""
    return max(months_between(start, due) + (1 if due.day != start.day else 0), 1)


def contract_asset(contract: Mapping[str, Any], *, start: dt.date, discount_rate: float) -> PoolAsset:
    """The engine asset for one stored contract (a JSON-able mapping of its fields)."""
    kind = contract["kind"]
    first_due = dt.date.fromisoformat(str(contract["first_due"]))
    if kind == "licence":
        offset = _due_period(start, first_due) - 1
        months_before = max(-months_between(start, first_due), 0)
        amounts = [float(Decimal(str(a))) for a in contract["royalties"]][months_before:]
        return RoyaltyLicence(
            royalties=tuple([0.0] * offset + amounts),
            discount_rate=discount_rate,
            sub_licensee=str(contract["obligor"]),
        )
    if kind == "lease":
        return FinanceLeaseRents(
            financed_amount=float(Decimal(str(contract["amount"]))),
            annual_rate=float(Decimal(str(contract["annual_rate"]))),
            lease_term=int(contract["term_months"]),
            residual_value=float(Decimal(str(contract["residual"] or 0))),
            lessee=str(contract["obligor"]),
        )
    return SupplyChainReceivables(
        receivables=(
            Receivable(
                face=float(Decimal(str(contract["amount"]))), due_period=_due_period(start, first_due)
            ),
        ),
        core_enterprise=str(contract["obligor"]),
    )


def contract_balance(
    contract: Mapping[str, Any], *, start: dt.date, discount_rate: Decimal, currency: str
) -> Money:
    """A contract's pool balance at the start: PV of royalties, financed amount, or face."""
    asset = contract_asset(contract, start=start, discount_rate=float(discount_rate))
    if isinstance(asset, RoyaltyLicence):
        path, _ = asset.scheduled(periods_per_year=12)
        return to_money(path[0], currency=currency)
    return Money(Decimal(str(contract["amount"])), currency)


def _coupon(tranche: Mapping[str, Any]) -> Coupon:
    rate = float(Decimal(str(tranche["rate"])))
    if tranche["coupon_kind"] == "floating":
        return FloatingCoupon(index=str(tranche["index_name"] or "LPR1Y"), spread=rate, floor=0.0)
    if tranche["coupon_kind"] == "step_up":
        return StepUpCoupon(
            rate=rate,
            step_up=float(Decimal(str(tranche["step_up"]))),
            from_period=int(tranche["step_from_period"]) - 1,
        )
    return FixedCoupon(rate)


def sequential_waterfall(tranches: list[Mapping[str, Any]]) -> dict[str, list[Step]]:
    """Fees, rated interest, notes paid down to the pool in order, sub interest, then the residual."""
    rated = tuple(t["name"] for t in tranches if t["seniority"] != Seniority.SUBORDINATED.value)
    subordinated = tuple(t["name"] for t in tranches if t["seniority"] == Seniority.SUBORDINATED.value)
    everyone = rated + subordinated
    residual_to = subordinated[-1] if subordinated else None
    pre: list[Step] = [PayFee(fees=("trustee",)), PayFee(fees=("servicer",))]
    pre += [PayInterest(tranches=(name,)) for name in rated]
    pre.append(PayPrincipal(tranches=everyone, due=PrincipalDue.POOL_PAYDOWN, advance_rate=1.0))
    pre += [PayInterest(tranches=(name,)) for name in subordinated]
    pre.append(PayResidual(tranche=residual_to))
    cleanup: list[Step] = [PayPrincipal(tranches=everyone), PayResidual(tranche=residual_to)]
    return {"pre": pre, "cleanup": cleanup}


def engine_deal(inputs: Mapping[str, Any]) -> Deal:
    """The engine's Deal from a run's stored inputs."""
    deal = inputs["deal"]
    start = dt.date.fromisoformat(str(deal["start_date"]))
    discount = float(Decimal(str(deal["discount_rate"])))
    assets = tuple(contract_asset(c, start=start, discount_rate=discount) for c in inputs["contracts"])
    tranches = list(inputs["tranches"])
    return Deal(
        name=str(deal["name"]),
        currency=str(deal["currency"]),
        pool=Pool(assets=assets),
        tranches=[
            Tranche(
                name=str(t["name"]),
                balance=float(Decimal(str(t["balance"]))),
                coupon=_coupon(t),
                seniority=Seniority(t["seniority"]),
            )
            for t in tranches
        ],
        schedule=PeriodSchedule.monthly(start=start, periods=int(deal["term_months"])),
        fees=[
            FixedFee(name="trustee", amount=float(Decimal(str(deal["trustee_fee"])))),
            PercentOfBalanceFee(name="servicer", annual_rate=float(Decimal(str(deal["servicer_fee_rate"])))),
        ],
        waterfalls=sequential_waterfall(tranches),
    )


def scenario_grid(request: Mapping[str, Any], *, periods: int) -> ScenarioGrid:
    """The CDR x CPR grid of a run request, with the index level for floating coupons."""
    index = float(Decimal(str(request["index_rate"])))
    return ScenarioGrid(
        cdr=tuple(float(Decimal(str(v))) for v in request["cdr"]),
        cpr=tuple(float(Decimal(str(v))) for v in request["cpr"]),
        recovery_rate=(float(Decimal(str(request["recovery_rate"]))),),
        recovery_lag=int(request["recovery_lag"]),
        index_paths={"LPR1Y": [index] * periods},
    )


def _dec(value: float, places: str = "0.000001") -> Decimal | None:
    if value is None or math.isnan(value) or math.isinf(value):
        return None
    return Decimal(repr(float(value))).quantize(Decimal(places))


def summarise(result: DealResult, grid: ScenarioGrid) -> list[dict[str, Any]]:
    """Per scenario: its CDR, CPR and recovery, and each tranche's loss, principal lost, WAL and IRR."""
    currency = result.deal.currency
    out: list[dict[str, Any]] = []
    for index, (cdr, cpr, recovery) in enumerate(grid.points()):
        tranches: dict[str, Any] = {}
        for name, statement in result.tranches.items():
            metrics = tranche_metrics(result=result, tranche=name, scenario=index)
            lost = to_money(statement.balance[index, -1], currency=currency)
            tranches[name] = {
                "loss": str(_dec(metrics["loss"]) or Decimal(0)),
                "principal_lost": {"amount": str(lost.amount), "currency": currency},
                "wal": None if (w := _dec(metrics["wal"], "0.0001")) is None else str(w),
                "irr": None if (r := _dec(metrics["irr"])) is None else str(r),
            }
        out.append(
            {
                "index": index,
                "cdr": str(_dec(cdr)),
                "cpr": str(_dec(cpr)),
                "recovery_rate": str(_dec(recovery)),
                "tranches": tranches,
            }
        )
    return out


def statement_tables(result: DealResult, grid: ScenarioGrid) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """The pool and tranche statements of every scenario as (header, rows) tables, amounts as Decimal."""
    points = grid.points()
    pool_header = [
        "scenario",
        "cdr",
        "cpr",
        "period",
        "date",
        "beginning_balance",
        "scheduled_principal",
        "prepayment",
        "default",
        "recovery",
        "interest",
        "ending_balance",
    ]
    tranche_header = [
        "scenario",
        "cdr",
        "cpr",
        "tranche",
        "period",
        "date",
        "balance",
        "interest_due",
        "interest_paid",
        "principal_paid",
        "interest_shortfall",
    ]
    pool_rows: list[list[Any]] = []
    tranche_rows: list[list[Any]] = []
    for index, (cdr, cpr, _) in enumerate(points):
        head = [index, _dec(cdr), _dec(cpr)]
        for row in result.pool_rows(scenario=index):
            pool_rows.append(
                [
                    *head,
                    row["period"],
                    row["date"],
                    *(_amount(row[c]) for c in pool_header[5:]),
                ]
            )
        for name in result.tranches:
            for row in result.tranche_rows(tranche=name, scenario=index):
                tranche_rows.append(
                    [*head, name, row["period"], row["date"], *(_amount(row[c]) for c in tranche_header[6:])]
                )
    return {"pool": (pool_header, pool_rows), "tranches": (tranche_header, tranche_rows)}


def _amount(value: object) -> Decimal:
    assert isinstance(value, Money)  # noqa: S101 - engine rows carry Money
    return value.amount


def balance_paths(result: DealResult, *, scenario: int) -> dict[str, list[Decimal]]:
    """Each tranche's balance after every period in one scenario, opening balance first."""
    paths: dict[str, list[Decimal]] = {}
    for name, statement in result.tranches.items():
        values = np.concatenate([[statement.original_balance], statement.balance[scenario]])
        paths[name] = [to_money(v).amount for v in values]
    return paths
