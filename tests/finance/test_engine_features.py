"""Structure features: assets, triggers, reserve, credit support, scenario grid, metrics, breakeven."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from tests.finance.deals import royalty_deal

from ipops.finance.cashflow import (
    ConstantRate,
    CumulativeDefaultTrigger,
    DateTrigger,
    Deal,
    FinanceLeaseRents,
    FixedCoupon,
    PayInterest,
    PayPrincipal,
    PayResidual,
    PeriodSchedule,
    Pool,
    Receivable,
    RoyaltyLicence,
    Scenario,
    ScenarioGrid,
    StepUpCoupon,
    SupplyChainReceivables,
    Tranche,
    breakeven_cdr,
    run_deal,
)

INDEX = {"LPR1Y": [0.031]}


def test_royalty_balance_is_present_value_of_remaining_royalties() -> None:
    licence = RoyaltyLicence(royalties=(100.0, 100.0, 100.0), discount_rate=0.12)
    path, interest = licence.scheduled(periods_per_year=12)
    assert path[0] == pytest.approx(sum(100.0 / 1.01**k for k in (1, 2, 3)))
    np.testing.assert_allclose(interest + (path[:-1] - path[1:]), 100.0)


def test_lease_rents_are_level_and_pay_the_residual_at_term() -> None:
    lease = FinanceLeaseRents(financed_amount=1000.0, annual_rate=0.06, lease_term=12, residual_value=100.0)
    flows = lease.project(periods=12, scenarios=Scenario().resolve(periods=12), periods_per_year=12)
    cash = flows.total_collections[0]
    np.testing.assert_allclose(cash[:-1], lease.rent())
    assert cash[-1] == pytest.approx(lease.rent() + 100.0)
    assert flows.ending_balance[0, -1] == pytest.approx(0.0, abs=1e-9)


def test_receivables_pay_at_due_dates_less_dilution() -> None:
    pool = SupplyChainReceivables(
        receivables=(Receivable(face=600.0, due_period=2), Receivable(face=400.0, due_period=5)),
        dilution_rate=0.02,
    )
    flows = pool.project(periods=6, scenarios=Scenario().resolve(periods=6), periods_per_year=12)
    assert flows.scheduled_principal[0, 1] == pytest.approx(588.0)
    assert flows.dilution[0, 4] == pytest.approx(8.0)
    assert flows.interest.sum() == 0.0
    assert flows.ending_balance[0, -1] == pytest.approx(0.0)


def test_grid_runs_in_one_pass_and_matches_single_runs() -> None:
    deal = royalty_deal()
    grid = ScenarioGrid(cdr=(0.0, 0.05, 0.2), cpr=(0.0, 0.1), recovery_rate=(0.0, 0.5), index_paths=INDEX)
    result = run_deal(deal=deal, scenarios=grid)
    assert result.tranches["A"].balance.shape == (12, deal.schedule.count)
    for s, (cdr, cpr, recovery) in enumerate(grid.points()):
        scenario = Scenario(
            default=ConstantRate(cdr), prepayment=ConstantRate(cpr), recovery_rate=recovery, index_paths=INDEX
        )
        single = run_deal(deal=deal, scenarios=scenario)
        for name in ("A", "B", "C"):
            np.testing.assert_allclose(
                result.tranches[name].cash[s], single.tranches[name].cash[0], atol=1e-9
            )


def test_coverage_trigger_switches_to_sequential_and_stops_junior_interest() -> None:
    result = run_deal(deal=royalty_deal(), scenarios=ScenarioGrid(cdr=(0.0, 0.6), index_paths=INDEX))
    breached = result.breached["coverage"]
    assert not breached[0].any()
    assert breached[1].any()
    first = int(np.argmax(breached[1]))
    assert breached[1, first:].all()  # breaches latch
    assert result.tranches["C"].interest_paid[1, first:].sum() == 0.0
    assert result.tranches["C"].principal_paid[1, first:].sum() == 0.0


def test_date_and_cumulative_default_triggers() -> None:
    deal = replace(
        royalty_deal(),
        triggers=[
            DateTrigger(name="end of revolving", period=10),
            CumulativeDefaultTrigger(name="cdr", threshold=0.05),
        ],
    )
    result = run_deal(deal=deal, scenarios=ScenarioGrid(cdr=(0.0, 0.3), index_paths=INDEX))
    assert not result.breached["end of revolving"][:, :10].any()
    assert result.breached["end of revolving"][:, 10:].all()
    assert not result.breached["cdr"][0].any()
    assert result.breached["cdr"][1].any()


def test_reserve_is_topped_up_to_target_and_released_when_senior_repaid() -> None:
    result = run_deal(deal=royalty_deal(), scenarios=Scenario(index_paths=INDEX))
    reserve = result.accounts["reserve"][0]
    senior_at_start = np.concatenate([[900.0], result.tranches["A"].balance[0, :-1]])
    target = np.minimum(np.maximum(0.02 * senior_at_start, 5.0), senior_at_start)
    np.testing.assert_allclose(reserve[:-1], target[:-1], atol=1e-9)
    assert reserve[-1] == pytest.approx(0.0)  # the clean-up waterfall releases it


def test_shortfall_undertaking_then_guarantee_cover_senior_interest() -> None:
    deal = royalty_deal(with_support=True)
    stressed = Scenario(default=ConstantRate(0.9), index_paths=INDEX)
    result = run_deal(deal=deal, scenarios=stressed)
    originator = result.support_drawn["originator"][0]
    guarantor = result.support_drawn["guarantor"][0]
    assert originator.sum() == pytest.approx(20.0)  # the undertaking pays up to its cap first
    assert guarantor.sum() > 0.0
    assert (guarantor[originator.cumsum() < 20.0 - 1e-9] == 0).all()  # guarantor only after the cap
    assert result.tranches["A"].interest_shortfall[0].max() == pytest.approx(0.0, abs=1e-9)
    unsupported = run_deal(deal=royalty_deal(), scenarios=stressed)
    assert unsupported.tranches["A"].loss[0] >= result.tranches["A"].loss[0]


def test_step_up_coupon_and_metrics() -> None:
    deal = Deal(
        pool=Pool(assets=(RoyaltyLicence(royalties=(30.0,) * 48, discount_rate=0.05),)),
        tranches=[
            Tranche(name="A", balance=1000.0, coupon=StepUpCoupon(rate=0.03, step_up=0.01, from_period=24))
        ],
        schedule=PeriodSchedule.monthly(start=date(2024, 1, 31), periods=48),
        waterfalls={"pre": [PayInterest(tranches=("A",)), PayPrincipal(tranches=("A",)), PayResidual()]},
    )
    result = run_deal(deal=deal)
    assert result.tranches["A"].rate[0, 23] == pytest.approx(0.03)
    assert result.tranches["A"].rate[0, 24] == pytest.approx(0.04)
    metrics = result.metrics()["A"]
    assert 0.03 < metrics["irr"] < 0.041
    assert 0 < metrics["modified_duration"] < metrics["wal"] + 1e-9
    assert metrics["loss"] == 0.0


def test_breakeven_cdr_is_where_first_loss_starts() -> None:
    deal = royalty_deal(periods=24)
    base = Scenario(index_paths=INDEX)
    senior = breakeven_cdr(deal=deal, tranche="A", base=base)
    junior = breakeven_cdr(deal=deal, tranche="C", base=base)
    assert 0.0 < junior < senior < 1.0
    below = run_deal(deal=deal, scenarios=replace(base, default=ConstantRate(senior * 0.98)))
    above = run_deal(deal=deal, scenarios=replace(base, default=ConstantRate(senior * 1.02)))
    assert below.tranches["A"].loss[0] <= 1e-6
    assert above.tranches["A"].loss[0] > 1e-6


def test_fixed_coupon_pass_through_without_steps_keeps_cash_in_account() -> None:
    deal = replace(
        royalty_deal(periods=12),
        tranches=[Tranche(name="A", balance=10.0, coupon=FixedCoupon(0.0))],
        waterfalls={"pre": []},
        reserve=None,
        triggers=[],
        fees=[],
    )
    result = run_deal(deal=deal)
    np.testing.assert_allclose(result.accounts["collection"][0], np.cumsum(result.collections[0]))
