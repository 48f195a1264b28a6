"""Closed-form checks: annuity maths, pass-through identity, full repayment, SIFMA conversions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import numpy_financial as npf
import pytest

from ipops.finance.cashflow import (
    PSA,
    AmortisingLoan,
    ConstantRate,
    Deal,
    FixedCoupon,
    PayInterest,
    PayPrincipal,
    PayResidual,
    PeriodSchedule,
    Pool,
    Scenario,
    ScenarioGrid,
    Tranche,
    run_deal,
    single_period_rate,
    to_money,
)

RATE, TERM, BALANCE = 0.06, 24, 1_000_000.0


def _pass_through(*, periods: int = TERM) -> Deal:
    return Deal(
        pool=Pool(assets=(AmortisingLoan(balance=BALANCE, annual_rate=RATE, remaining_term=TERM),)),
        tranches=[Tranche(name="A", balance=BALANCE, coupon=FixedCoupon(RATE))],
        schedule=PeriodSchedule.monthly(start=date(2024, 1, 31), periods=periods),
        waterfalls={"pre": [PayInterest(tranches=("A",)), PayPrincipal(tranches=("A",))]},
    )


def test_level_pay_pool_matches_annuity_formula() -> None:
    result = run_deal(deal=_pass_through())
    k = np.arange(1, TERM + 1)
    rate = RATE / 12
    np.testing.assert_allclose(result.pool.interest[0], -npf.ipmt(rate, k, TERM, BALANCE), rtol=1e-10)
    np.testing.assert_allclose(
        result.pool.scheduled_principal[0], -npf.ppmt(rate, k, TERM, BALANCE), rtol=1e-10
    )
    np.testing.assert_allclose(result.pool.total_collections[0], -npf.pmt(rate, TERM, BALANCE), rtol=1e-10)
    assert result.pool.ending_balance[0, -1] == pytest.approx(0.0, abs=1e-6)


def test_single_tranche_equal_to_pool_passes_the_pools_cash_exactly() -> None:
    result = run_deal(deal=_pass_through(), scenarios=ScenarioGrid(cdr=(0.0,), cpr=(0.0, 0.15)))
    tranche = result.tranches["A"]
    np.testing.assert_allclose(tranche.interest_paid, result.pool.interest, atol=1e-7)
    np.testing.assert_allclose(tranche.principal_paid, result.pool.principal_collections, atol=1e-7)
    np.testing.assert_allclose(tranche.balance, result.pool.ending_balance, atol=1e-6)


def test_with_no_losses_every_tranche_is_repaid_in_full() -> None:
    deal = Deal(
        pool=Pool(assets=(AmortisingLoan(balance=BALANCE, annual_rate=RATE, remaining_term=TERM),)),
        tranches=[
            Tranche(name="A", balance=800_000.0, coupon=FixedCoupon(0.03)),
            Tranche(name="B", balance=150_000.0, coupon=FixedCoupon(0.05)),
            Tranche(name="C", balance=50_000.0),
        ],
        schedule=PeriodSchedule.monthly(start=date(2024, 1, 31), periods=TERM),
        waterfalls={
            "pre": [
                PayInterest(tranches=("A",)),
                PayInterest(tranches=("B",)),
                PayPrincipal(tranches=("A", "B", "C")),
                PayResidual(tranche="C"),
            ]
        },
    )
    result = run_deal(deal=deal, scenarios=ScenarioGrid(cpr=(0.0, 0.1, 0.3)))
    for statement in result.tranches.values():
        np.testing.assert_allclose(statement.balance[:, -1], 0.0, atol=1e-6)
        np.testing.assert_allclose(
            statement.principal_paid.sum(axis=1), statement.original_balance, rtol=1e-12
        )
        np.testing.assert_allclose(statement.interest_shortfall[:, -1], 0.0, atol=1e-6)


def test_sifma_smm_and_mdr() -> None:
    assert float(single_period_rate(annual_rate=0.06, year_fraction=1 / 12)) == pytest.approx(
        0.00514301, abs=1e-8
    )
    assert float(single_period_rate(annual_rate=0.12, year_fraction=1 / 12)) == pytest.approx(
        1 - 0.88 ** (1 / 12), rel=1e-12
    )


def test_psa_ramp_reaches_six_percent_at_month_thirty() -> None:
    rates = PSA(speed=100).annual_rates(periods=40)
    assert rates[0] == pytest.approx(0.002)
    assert rates[29] == pytest.approx(0.06)
    assert rates[39] == pytest.approx(0.06)
    assert PSA(speed=150).annual_rates(periods=30)[-1] == pytest.approx(0.09)


def test_defaults_hit_the_beginning_balance_before_amortisation() -> None:
    deal = _pass_through(periods=3)
    result = run_deal(
        deal=deal, scenarios=Scenario(default=ConstantRate(0.12), recovery_rate=0.4, recovery_lag=2)
    )
    mdr = 1 - 0.88 ** (1 / 12)
    assert result.pool.default[0, 0] == pytest.approx(BALANCE * mdr)
    expected_principal = -npf.ppmt(RATE / 12, 1, TERM, BALANCE) * (1 - mdr)
    assert result.pool.scheduled_principal[0, 0] == pytest.approx(expected_principal)
    assert result.pool.recovery[0, 2] == pytest.approx(0.4 * result.pool.default[0, 0])
    assert result.pool.loss[0, 0] == pytest.approx(0.6 * result.pool.default[0, 0])


def test_money_leaves_as_half_even_decimal_with_currency() -> None:
    money = to_money(2.675)  # the float's shortest repr, then banker's rounding
    assert money.amount == Decimal("2.68")
    assert to_money(2.665).amount == Decimal("2.66")
    assert to_money(0.125).amount == Decimal("0.12")
    assert money.currency == "CNY"
    rows = run_deal(deal=_pass_through()).tranche_rows(tranche="A")
    assert rows[-1]["balance"] == to_money(0.0)
