"""The compiled waterfall: the unmasked fast paths and the masked general paths give the same statements."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from ipops.finance.cashflow import (
    AmortisingLoan,
    CumulativeDefaultTrigger,
    Deal,
    FixedCoupon,
    PayInterest,
    PayPrincipal,
    PayResidual,
    PeriodSchedule,
    Pool,
    ReleaseReserveExcess,
    ReserveAccount,
    ScenarioGrid,
    TopUpReserve,
    Tranche,
    Transfer,
    run_deal,
)
from ipops.finance.cashflow.structure import Account

STEPS = (
    ReleaseReserveExcess(),
    PayInterest(tranches=("A",)),
    PayInterest(tranches=("B",)),
    TopUpReserve(),
    PayPrincipal(tranches=("A", "B", "C")),
    Transfer(source="collection", target="spare", amount=1_000.0),
    PayResidual(tranche="C"),
    PayResidual(source="spare"),
)
GRID = ScenarioGrid(cdr=(0.0, 0.05, 0.3), cpr=(0.0, 0.2), recovery_rate=(0.4,))


def _deal() -> Deal:
    return Deal(
        pool=Pool(assets=(AmortisingLoan(balance=1_000_000.0, annual_rate=0.06, remaining_term=24),)),
        tranches=[
            Tranche(name="A", balance=800_000.0, coupon=FixedCoupon(0.03)),
            Tranche(name="B", balance=120_000.0, coupon=FixedCoupon(0.05), unpaid_interest=250.0),
            Tranche(name="C", balance=80_000.0),
        ],
        schedule=PeriodSchedule.monthly(start=date(2025, 1, 31), periods=24),
        accounts=(Account("collection"), Account("spare")),
        reserve=ReserveAccount(target_pct_of_senior=0.02, floor=5_000.0, senior_tranches=("A",)),
        waterfalls={"pre": STEPS},
    )


def _statements(deal: Deal) -> dict[str, np.ndarray]:
    result = run_deal(deal=deal, scenarios=GRID)
    out = {f"{n} {c}": getattr(t, c) for n, t in result.tranches.items() for c in ("balance", "interest_due")}
    out |= {f"{n} paid": t.interest_paid + t.principal_paid for n, t in result.tranches.items()}
    out |= {f"{n} shortfall": t.interest_shortfall for n, t in result.tranches.items()}
    out |= {f"account {n}": a for n, a in result.accounts.items()}
    out["residual"] = result.residual_to_originator
    return out


@pytest.mark.parametrize(
    "masked",
    [
        # a "post" waterfall identical to "pre", which the defaulting scenarios switch to at different
        # periods: every step runs masked, for a changing mix of scenarios
        {"waterfalls": {"pre": STEPS, "post": STEPS}, "triggers": [CumulativeDefaultTrigger("cdr", 0.004)]},
        # a trigger that never breaches, named by every step: masks of all-True
        {
            "waterfalls": {"pre": tuple(replace(s, unless_trigger="never") for s in STEPS), "post": ()},
            "triggers": [CumulativeDefaultTrigger("never", 2.0)],
        },
    ],
    ids=["post-waterfall", "unless-trigger"],
)
def test_masked_paths_match_the_fast_paths(masked: dict[str, object]) -> None:
    fast = _statements(_deal())
    slow = _statements(replace(_deal(), **masked))  # type: ignore[arg-type]
    assert fast.keys() == slow.keys()
    for name, values in fast.items():
        np.testing.assert_allclose(slow[name], values, rtol=0, atol=1e-9, err_msg=name)
    assert fast["B shortfall"][:, 0].max() < 250.0  # the carried-in unpaid interest was paid
    breached = run_deal(deal=replace(_deal(), **masked), scenarios=GRID).breached  # type: ignore[arg-type]
    if "cdr" in breached:  # the mix of scenarios on each waterfall changes over time
        assert breached["cdr"][:, -1].any() and not breached["cdr"][:, -1].all()
        assert not breached["cdr"][:, 0].all()
