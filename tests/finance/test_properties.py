"""Property tests: cash conservation, no negative balances, seniority, losses monotone in CDR."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.finance.deals import royalty_deal

from ipops.finance.cashflow import ScenarioGrid, run_deal

DEAL = royalty_deal(periods=24, with_support=True)
rates = st.floats(min_value=0.0, max_value=0.8, allow_nan=False)
FAST = settings(max_examples=25, deadline=None)


def _grid(cdrs: list[float], cpr: float, recovery: float) -> ScenarioGrid:
    return ScenarioGrid(
        cdr=tuple(cdrs), cpr=(cpr,), recovery_rate=(recovery,), recovery_lag=2, index_paths={"LPR1Y": [0.03]}
    )


@FAST
@given(cdrs=st.lists(rates, min_size=1, max_size=4), cpr=rates, recovery=st.floats(0.0, 1.0))
def test_cash_is_conserved_every_period_in_every_scenario(
    cdrs: list[float], cpr: float, recovery: float
) -> None:
    result = run_deal(deal=DEAL, scenarios=_grid(cdrs, cpr, recovery))
    inflow = result.collections + sum(result.support_drawn.values()) + result.liquidation_proceeds
    fees = sum(f.paid for f in result.fees.values())
    notes = sum(t.interest_paid + t.principal_paid for t in result.tranches.values())
    outflow = fees + notes + result.residual_to_originator + result.account_change()
    np.testing.assert_allclose(inflow, outflow, atol=1e-7)


@FAST
@given(cdrs=st.lists(rates, min_size=1, max_size=4), cpr=rates, recovery=st.floats(0.0, 1.0))
def test_balances_never_negative_and_senior_never_worse(
    cdrs: list[float], cpr: float, recovery: float
) -> None:
    result = run_deal(deal=DEAL, scenarios=_grid(cdrs, cpr, recovery))
    for statement in result.tranches.values():
        assert (statement.balance >= -1e-9).all()
        assert (statement.interest_shortfall >= -1e-9).all()
    for account in result.accounts.values():
        assert (account >= -1e-9).all()
    losses = [result.tranches[name].loss for name in ("A", "B", "C")]
    assert (losses[0] <= losses[1] + 1e-12).all()
    assert (losses[1] <= losses[2] + 1e-12).all()


@FAST
@given(low=rates, step=st.floats(0.0, 0.5), cpr=st.floats(0.0, 0.3))
def test_losses_are_monotone_in_cdr(low: float, step: float, cpr: float) -> None:
    result = run_deal(deal=royalty_deal(periods=24), scenarios=_grid([low, min(low + step, 1.0)], cpr, 0.3))
    for name in ("A", "B", "C"):
        loss = result.tranches[name].loss
        assert loss[0] <= loss[1] + 1e-9
