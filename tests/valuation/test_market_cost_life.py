"""Market and cost methods by hand; remaining economic life."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from ipops.valuation.engine import (
    CostBasis,
    EngineError,
    MarketPolicy,
    Subject,
    comparables_from_csv,
    cost_approach,
    market_approach,
    physical_from_life,
    remaining_economic_life,
)

CSV = """price,date,type,industry,remaining_life,exclusivity,region,maturity
1000000,2023-01-01,invention,battery,10,exclusive,guangdong,3
800000,2024-01-01,invention,battery,8,non_exclusive,jiangsu,3
500000,2024-06-01,utility_model,battery,5,exclusive,guangdong,3
"""


def test_market_method_by_hand() -> None:
    comps = comparables_from_csv(CSV)
    assert len(comps) == 3 and comps[1].exclusivity == "non_exclusive"
    policy = MarketPolicy(valuation_date=dt.date(2025, 1, 1), price_index=0.02, discount_rate=0.1)
    subject = Subject(
        ip_type="invention",
        industry="battery",
        remaining_life=10,
        exclusivity="exclusive",
        region="guangdong",
        maturity=4,
    )
    result = market_approach(comparables=comps, subject=subject, policy=policy)
    assert len(result.rows) == 2 and len(result.excluded) == 1
    first, second = result.rows
    ann = lambda n: (1 - 1.1**-n) / 0.1  # noqa: E731
    t1 = 1.02 ** ((dt.date(2025, 1, 1) - dt.date(2023, 1, 1)).days / 365.2425)
    a1 = 1_000_000 * t1 * 1.0 * 1.0 * 1.1
    t2 = 1.02 ** ((dt.date(2025, 1, 1) - dt.date(2024, 1, 1)).days / 365.2425)
    f2 = {"time": t2, "life": ann(10) / ann(8), "exclusivity": 1 / 0.6, "region": 0.9, "maturity": 1.1}
    a2 = 800_000 * math.prod(f2.values())
    assert float(first.adjusted_price) == pytest.approx(a1, abs=0.01)
    assert float(second.adjusted_price) == pytest.approx(a2, abs=0.01)
    assert second.factors["life"] == pytest.approx(ann(10) / ann(8))
    w1 = 1 / (1 + abs(math.log(t1)) + abs(math.log(1.1)))
    w2 = 1 / (1 + sum(abs(math.log(v)) for v in f2.values()))
    expected = (w1 * a1 + w2 * a2) / (w1 + w2)
    assert float(result.estimate) == pytest.approx(expected, abs=0.01)
    assert result.low <= result.estimate <= result.high
    assert first.weight + second.weight == pytest.approx(1.0)


def test_market_csv_errors() -> None:
    with pytest.raises(EngineError, match="lacks columns"):
        comparables_from_csv("price,date\n1,2024-01-01\n")
    with pytest.raises(EngineError, match="line 2"):
        comparables_from_csv(CSV.splitlines()[0] + "\nabc,2024-01-01,invention,x,1,exclusive,y,3\n")


def test_cost_method_by_hand() -> None:
    physical = physical_from_life(used_years=5, remaining_years=15)
    assert physical == 0.25
    result = cost_approach(
        cost_items={"labour": 600_000, "materials": 150_000, "fees": 50_000},
        basis=CostBasis.REPRODUCTION,
        cost_index=1.05,
        developer_profit_rate=0.1,
        physical=physical,
        functional=0.1,
        economic=0.2,
    )
    gross = 800_000 * 1.05 * 1.1
    assert float(result.gross_cost) == pytest.approx(gross)
    assert float(result.value) == pytest.approx(gross * 0.75 * 0.9 * 0.8, abs=0.005)
    with pytest.raises(EngineError):
        cost_approach(cost_items={"x": 1.0}, physical=1.5)


def test_remaining_life_rules() -> None:
    day = dt.date(2025, 1, 1)
    inv = remaining_economic_life(ip_type="invention", filing_date=dt.date(2015, 1, 1), valuation_date=day)
    assert inv.legal_years == pytest.approx(10.0, abs=0.01) and inv.binding == "legal"
    um = remaining_economic_life(
        ip_type="utility_model", filing_date=dt.date(2020, 1, 1), valuation_date=day, technology_cycle_years=3
    )
    assert um.economic_years == 3 and um.binding == "technology"
    new_design = remaining_economic_life(
        ip_type="design", filing_date=dt.date(2022, 1, 1), valuation_date=day
    )
    old_design = remaining_economic_life(
        ip_type="design", filing_date=dt.date(2020, 1, 1), valuation_date=day
    )
    assert new_design.legal_years == pytest.approx(12.0, abs=0.01)
    assert old_design.legal_years == pytest.approx(5.0, abs=0.01)
    mark = remaining_economic_life(
        ip_type="trademark", expiry_date=dt.date(2027, 1, 1), valuation_date=day, technology_cycle_years=15
    )
    assert mark.legal_years is None and mark.economic_years == 15
    lapsed_mark = remaining_economic_life(
        ip_type="trademark",
        expiry_date=dt.date(2027, 1, 1),
        valuation_date=day,
        renewal_expected=False,
        technology_cycle_years=15,
    )
    assert lapsed_mark.economic_years == pytest.approx(2.0, abs=0.01)
    dead = remaining_economic_life(
        ip_type="invention", filing_date=dt.date(2020, 1, 1), valuation_date=day, status="lapsed"
    )
    assert dead.economic_years == 0 and dead.binding == "status"
    old = remaining_economic_life(ip_type="invention", filing_date=dt.date(2000, 1, 1), valuation_date=day)
    assert old.economic_years == 0
    with pytest.raises(EngineError):
        remaining_economic_life(ip_type="trademark", valuation_date=day)
