"""Benchmark: 10,000 scenarios x 120 periods, 3 tranches + reserve, engine vs a hand-written numpy waterfall.

Run: ``.venv/bin/python benchmarks/abs_scenarios.py``.  Both paths do the same maths (SIFMA level-pay pool,
sequential notes, reserve at 2% of the senior balance with a floor); their results are checked equal.  Each
path is timed ``REPEATS`` times, alternating, and the best times are compared (the machine may be shared).
"""

from __future__ import annotations

import time
from datetime import date

import numpy as np

from ipops.finance.cashflow import (
    AmortisingLoan,
    Deal,
    FixedCoupon,
    PayInterest,
    PayPrincipal,
    PayResidual,
    PeriodSchedule,
    Pool,
    ReleaseReserveExcess,
    ReserveAccount,
    ScenarioArrays,
    TopUpReserve,
    Tranche,
    run_deal,
)

SCENARIOS, PERIODS = 10_000, 120
BALANCE, RATE = 1_000_000_000.0, 0.055
NOTES = (("A", 800_000_000.0, 0.03), ("B", 120_000_000.0, 0.045), ("C", 80_000_000.0, 0.0))
RESERVE_PCT, RESERVE_FLOOR = 0.02, 2_000_000.0


def build_deal() -> Deal:
    """The benchmark deal."""
    return Deal(
        pool=Pool(assets=(AmortisingLoan(balance=BALANCE, annual_rate=RATE, remaining_term=PERIODS),)),
        tranches=[Tranche(name=n, balance=b, coupon=FixedCoupon(c)) for n, b, c in NOTES],
        schedule=PeriodSchedule.monthly(start=date(2025, 1, 31), periods=PERIODS),
        reserve=ReserveAccount(target_pct_of_senior=RESERVE_PCT, floor=RESERVE_FLOOR, senior_tranches=("A",)),
        waterfalls={
            "pre": [
                ReleaseReserveExcess(),
                PayInterest(tranches=("A",)),
                PayInterest(tranches=("B",)),
                TopUpReserve(),
                PayPrincipal(tranches=("A", "B", "C")),
                PayResidual(tranche="C"),
            ]
        },
    )


def scenarios(rng: np.random.Generator) -> ScenarioArrays:
    """Random CDR / CPR / recovery per scenario, constant over time."""
    ones = np.ones((1, PERIODS))
    return ScenarioArrays(
        cdr=rng.uniform(0.0, 0.15, (SCENARIOS, 1)) * ones,
        cpr=rng.uniform(0.0, 0.25, (SCENARIOS, 1)) * ones,
        recovery_rate=rng.uniform(0.0, 0.6, SCENARIOS),
    )


class _Fixed:
    """A ScenarioSource returning pre-built arrays."""

    def __init__(self, arrays: ScenarioArrays) -> None:
        self.arrays = arrays

    def resolve(self, *, periods: int) -> ScenarioArrays:
        """The arrays."""
        return self.arrays


def hand_written(arrays: ScenarioArrays) -> dict[str, np.ndarray]:
    """The same pool and waterfall written inline in numpy."""
    r = RATE / 12
    mdr = 1.0 - (1.0 - arrays.cdr) ** (1 / 12)
    smm = 1.0 - (1.0 - arrays.cpr) ** (1 / 12)
    sched = np.zeros(PERIODS + 1)
    sched[0] = BALANCE
    payment = BALANCE * r / (1 - (1 + r) ** -PERIODS)
    for k in range(PERIODS):
        sched[k + 1] = sched[k] - (payment - sched[k] * r) if k < PERIODS - 1 else 0.0
    performing = np.ones(SCENARIOS)
    bal = {n: np.full(SCENARIOS, b) for n, b, _ in NOTES}
    due = {n: np.zeros(SCENARIOS) for n, _, _ in NOTES}
    reserve = np.zeros(SCENARIOS)
    residual = np.zeros(SCENARIOS)
    for p in range(PERIODS):
        survivors = performing * (1 - mdr[:, p])
        defaulted = (performing - survivors) * sched[p]
        cash = survivors * (sched[p] * r + (sched[p] - sched[p + 1])) + survivors * sched[p + 1] * smm[:, p]
        cash += defaulted * arrays.recovery_rate
        performing = survivors * (1 - smm[:, p])
        target = np.minimum(np.maximum(RESERVE_PCT * bal["A"], RESERVE_FLOOR), bal["A"])
        excess = np.maximum(reserve - target, 0)
        reserve -= excess
        cash += excess
        for name, _, coupon in NOTES[:2]:
            due[name] += bal[name] * coupon / 12
            paid = np.minimum(cash, due[name])
            due[name] -= paid
            cash -= paid
        top_up = np.minimum(np.maximum(target - reserve, 0), cash)
        reserve += top_up
        cash -= top_up
        for name, _, _ in NOTES:
            paid = np.minimum(cash, bal[name])
            bal[name] -= paid
            cash -= paid
        residual += cash
    return {**bal, "reserve": reserve, "residual": residual}


REPEATS = 5  # each path is timed this many times, alternating; the best time of each is compared


def time_once(deal: Deal, arrays: ScenarioArrays) -> tuple[float, float]:
    """One timed engine run and one timed hand-written run (seconds), their results checked equal."""
    started = time.perf_counter()
    result = run_deal(deal=deal, scenarios=_Fixed(arrays))
    engine_seconds = time.perf_counter() - started
    started = time.perf_counter()
    reference = hand_written(arrays)
    hand_seconds = time.perf_counter() - started
    for name, _, _ in NOTES:
        np.testing.assert_allclose(
            result.tranches[name].balance[:, -1], reference[name], rtol=1e-9, atol=1e-3
        )
    np.testing.assert_allclose(result.accounts["reserve"][:, -1], reference["reserve"], rtol=1e-9, atol=1e-3)
    return engine_seconds, hand_seconds  # as in a single timed run, nothing of this run is kept


def main() -> None:
    """Time both paths (best of ``REPEATS``) and print scenarios per second and the ratio."""
    arrays = scenarios(np.random.default_rng(7))
    deal = build_deal()
    run_deal(deal=deal, scenarios=_Fixed(arrays))  # warm-up
    engine_times, hand_times = zip(*(time_once(deal, arrays) for _ in range(REPEATS)), strict=True)
    engine_seconds, hand_seconds = min(engine_times), min(hand_times)
    print(f"{SCENARIOS} scenarios x {PERIODS} periods, 3 tranches + reserve, best of {REPEATS} runs each")
    print(f"engine:       {engine_seconds:.3f} s  {SCENARIOS / engine_seconds:,.0f} scenarios/s")
    print(f"hand-written: {hand_seconds:.3f} s  {SCENARIOS / hand_seconds:,.0f} scenarios/s")
    print(f"ratio engine/hand-written time: {engine_seconds / hand_seconds:.2f}x")


if __name__ == "__main__":
    main()
