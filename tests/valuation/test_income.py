"""Income methods against closed forms (numpy-financial, pyxirr, annuity formulas)."""

from __future__ import annotations

import math

import numpy as np
import numpy_financial as npf
import pytest
import pyxirr

from ipops.valuation.engine import (
    EngineError,
    Triangular,
    discounted_cash_flow,
    multi_period_excess_earnings,
    relief_from_royalty,
    tab_factor,
    value_income,
)
from ipops.valuation.engine.income import annuity_factor, growing_annuity_factor

REV, ROY, TAX, RATE = 1_000_000.0, 0.05, 0.25, 0.12
SAVING = REV * ROY * (1 - TAX)


def close(a: object, b: float, *, cents: float = 0.01) -> bool:
    return abs(float(str(a)) - b) <= cents


def test_rfr_level_end_of_year_matches_npf_pv() -> None:
    result = relief_from_royalty(
        revenue=REV, royalty_rate=ROY, discount_rate=RATE, life_years=10, mid_year=False
    )
    expected = -npf.pv(RATE, 10, SAVING)
    assert result.paths == 1
    assert close(result.p50, expected) and result.p10 == result.p50 == result.p90 == result.mean
    assert result.se == 0
    assert close(result.p50, SAVING * annuity_factor(rate=RATE, years=10))
    assert result.method_version == "rfr-1.0" and result.currency == "CNY"


def test_rfr_mid_year_matches_npf_npv_shifted_half_a_year() -> None:
    result = relief_from_royalty(revenue=REV, royalty_rate=ROY, discount_rate=RATE, life_years=8)
    flows = [0.0] + [SAVING] * 8
    expected = npf.npv(RATE, flows) * (1 + RATE) ** 0.5
    assert close(result.p50, expected)
    assert close(result.p50, pyxirr.npv(RATE, flows) * math.sqrt(1 + RATE))


def test_rfr_growing_annuity_formula() -> None:
    g = 0.04
    result = relief_from_royalty(
        revenue=REV, royalty_rate=ROY, discount_rate=RATE, life_years=12, growth=g, mid_year=False
    )
    expected = SAVING * (1 - ((1 + g) / (1 + RATE)) ** 12) / (RATE - g)
    assert close(result.p50, expected)
    assert close(result.p50, SAVING * growing_annuity_factor(rate=RATE, growth=g, years=12))
    flows = [0.0] + [SAVING * (1 + g) ** t for t in range(12)]
    assert close(result.p50, pyxirr.npv(RATE, flows))


def test_growing_annuity_when_growth_equals_rate() -> None:
    assert growing_annuity_factor(rate=0.1, growth=0.1, years=5) == pytest.approx(5 / 1.1)


def test_fractional_life_counts_the_last_year_pro_rata() -> None:
    whole = relief_from_royalty(
        revenue=REV, royalty_rate=ROY, discount_rate=RATE, life_years=3, mid_year=False
    )
    part = relief_from_royalty(
        revenue=REV, royalty_rate=ROY, discount_rate=RATE, life_years=3.5, mid_year=False
    )
    assert close(part.p50 - whole.p50, 0.5 * SAVING / (1 + RATE) ** 4)
    assert len(part.years) == 4 and close(part.years[3].cash_flow, 0.5 * SAVING)


def test_zero_life_is_zero() -> None:
    result = relief_from_royalty(revenue=REV, royalty_rate=ROY, discount_rate=RATE, life_years=0)
    assert result.p50 == 0 and result.mean == 0 and result.years == ()


def test_tab_factor_formula_and_effect() -> None:
    n, t = 10, 0.25
    annuity = -npf.pv(RATE, n, 1.0 / n)
    factor = float(tab_factor(discount_rate=RATE, tax_rate=t, years=n, mid_year=False))
    assert factor == pytest.approx(1 / (1 - t * annuity), rel=1e-12)
    plain = relief_from_royalty(
        revenue=REV, royalty_rate=ROY, discount_rate=RATE, life_years=10, mid_year=False
    )
    with_tab = relief_from_royalty(
        revenue=REV,
        royalty_rate=ROY,
        discount_rate=RATE,
        life_years=10,
        mid_year=False,
        tax_amortisation=True,
    )
    assert close(with_tab.p50, -npf.pv(RATE, 10, SAVING) * factor)
    assert with_tab.p50 > plain.p50
    assert float(tab_factor(discount_rate=0.0, tax_rate=t, years=n, mid_year=False)) == pytest.approx(
        1 / 0.75
    )


def test_dcf_profit_split_by_hand() -> None:
    result = discounted_cash_flow(
        revenue=2_000_000, profit_margin=0.2, attribution=0.3, discount_rate=0.1, life_years=5, mid_year=False
    )
    cash = 2_000_000 * 0.2 * 0.75 * 0.3
    assert close(result.p50, -npf.pv(0.1, 5, cash))
    assert result.method == "discounted_cash_flow" and result.method_version == "dcf-1.0"


def test_mpeem_contributory_charges_and_attrition() -> None:
    result = multi_period_excess_earnings(
        revenue=1_000_000,
        profit_margin=0.3,
        contributory_charges={"working_capital": 0.02, "fixed_assets": 0.03, "workforce": 0.01},
        attrition=0.1,
        discount_rate=0.14,
        life_years=6,
        mid_year=False,
    )
    excess = 1_000_000 * (0.3 * 0.75 - 0.06)
    expected = sum(excess * 0.9**t / 1.14 ** (t + 1) for t in range(6))
    assert close(result.p50, expected)
    assert result.method_version == "mpeem-1.0"
    assert "cac_workforce" in result.inputs["inputs"]


def test_per_year_expected_cash_flows_sum_to_mean() -> None:
    result = relief_from_royalty(
        revenue=Triangular(8e5, 1e6, 1.3e6), royalty_rate=0.05, discount_rate=0.12, life_years=6, paths=20_000
    )
    assert len(result.years) == 6
    total_pv = sum(float(y.present_value) for y in result.years)
    assert total_pv == pytest.approx(float(result.mean), abs=0.05)
    assert result.years[0].cash_flow > result.years[0].present_value


def test_refusals() -> None:
    with pytest.raises(EngineError, match="needs inputs"):
        value_income("relief_from_royalty", {"revenue": 1.0})
    with pytest.raises(EngineError, match="unknown income method"):
        value_income("nope", {})
    with pytest.raises(EngineError, match="does not take"):
        value_income(
            "relief_from_royalty",
            {"revenue": 1.0, "royalty_rate": 0.1, "discount_rate": 0.1, "life_years": 1, "margin": 3.0},
        )
    with pytest.raises(EngineError, match="life_years"):
        relief_from_royalty(revenue=1.0, royalty_rate=0.1, discount_rate=0.1, life_years=-1)


def test_vectorised_matches_scalar_paths() -> None:
    result = relief_from_royalty(
        revenue=Triangular(8e5, 1e6, 1.3e6),
        royalty_rate=Triangular(0.03, 0.05, 0.08),
        discount_rate=0.12,
        life_years=Triangular(3, 6, 9),
        paths=20_000,
        seed=3,
    )
    rng = np.random.Generator(np.random.PCG64(3))
    life = Triangular(3, 6, 9).sample(rng, 20_000)
    revenue = Triangular(8e5, 1e6, 1.3e6).sample(rng, 20_000)
    royalty = Triangular(0.03, 0.05, 0.08).sample(rng, 20_000)
    values = np.zeros(20_000)
    for t in range(9):
        w = np.clip(life - t, 0, 1)
        values += revenue * royalty * 0.75 * w / 1.12 ** (t + 0.5)
    assert float(result.p50) == pytest.approx(float(np.median(values)), abs=0.01)
    assert float(result.mean) == pytest.approx(float(values.mean()), abs=0.01)
