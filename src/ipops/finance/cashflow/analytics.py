"""Tranche analytics: WAL, IRR (pyxirr), modified duration, loss, and breakeven CDR by root finding."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pyxirr
from scipy.optimize import brentq

from ipops.finance.cashflow.assumptions import ConstantRate, RateCurve, Scenario
from ipops.finance.cashflow.engine import DealResult, run_deal
from ipops.finance.cashflow.money import FloatArray
from ipops.finance.cashflow.structure import Deal


def weighted_average_life(*, principal: FloatArray, times: FloatArray) -> FloatArray:
    """WAL in years per scenario: sum(t x principal) / sum(principal); NaN if nothing was repaid."""
    repaid = principal.sum(axis=-1)
    weighted = (principal * times).sum(axis=-1)
    result: FloatArray = np.divide(weighted, repaid, out=np.full_like(repaid, np.nan), where=repaid > 0)
    return result


def tranche_metrics(*, result: DealResult, tranche: str, scenario: int = 0) -> dict[str, float]:
    """WAL, IRR (annual, XIRR on the dates, bought at par at the start), modified duration and loss."""
    statement = result.tranches[tranche]
    schedule = result.deal.schedule
    times = schedule.times()
    cash = statement.cash[scenario]
    wal = float(weighted_average_life(principal=statement.principal_paid[scenario], times=times))
    irr = float("nan")
    duration = float("nan")
    if statement.original_balance > 0 and cash.sum() > 0:
        dates = [schedule.start, *schedule.dates]
        flows = [-statement.original_balance, *cash.tolist()]
        found = pyxirr.xirr(dates, flows, silent=True)
        if found is not None:
            irr = float(found)
            discount = np.power(1.0 + irr, -times)
            price = float((cash * discount).sum())
            macaulay = float((times * cash * discount).sum() / price) if price > 0 else float("nan")
            duration = macaulay / (1.0 + irr)
    return {
        "wal": wal,
        "irr": irr,
        "modified_duration": duration,
        "loss": float(statement.loss[scenario]),
        "interest_shortfall": float(statement.interest_shortfall[scenario, -1]),
    }


def breakeven_cdr(
    *,
    deal: Deal,
    tranche: str,
    base: Scenario | None = None,
    loss_tolerance: float = 1e-6,
    upper: float = 1.0,
    xtol: float = 1e-7,
) -> float:
    """The constant CDR at which ``tranche`` first loses principal (brentq on loss - tolerance).

    Returns ``upper`` if even that CDR leaves the tranche whole, 0.0 if it already loses at zero CDR.
    """
    scenario = base or Scenario()

    def loss_at(cdr: float) -> float:
        curve: RateCurve = ConstantRate(cdr)
        result = run_deal(deal=deal, scenarios=replace(scenario, default=curve))
        return float(result.tranches[tranche].loss[0]) - loss_tolerance

    objective: Callable[[float], float] = loss_at
    low, high = objective(0.0), objective(upper)
    if low > 0:
        return 0.0
    if high <= 0:
        return upper
    return float(brentq(objective, 0.0, upper, xtol=xtol))
