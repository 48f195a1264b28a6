"""Market and cost methods as ranges: closed-form checks, weighted percentiles, re-runs from the echo."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipops.valuation.engine.cost import CostBasis, cost_approach, value_cost
from ipops.valuation.engine.distributions import EngineError, input_from_json
from ipops.valuation.engine.income import SimulationSettings
from ipops.valuation.engine.market import value_market
from ipops.valuation.engine.methods import rerun_echo
from ipops.valuation.engine.result import summarise

ITEMS = {"research_and_development": 1_000_000.0, "filing_and_prosecution": 50_000.0}
ON = "2025-01-01"


def comparable(price: float, **extra: object) -> dict[str, object]:
    return {
        "price": price,
        "date": ON,
        "type": "invention",
        "industry": "batteries",
        "remaining_life": 8,
        "exclusivity": "exclusive",
        "region": "320500",
        **extra,
    }


SUBJECT = {
    "ip_type": "invention",
    "industry": "batteries",
    "remaining_life": 8,
    "exclusivity": "exclusive",
    "region": "320500",
}


def test_fixed_cost_inputs_equal_the_closed_form() -> None:
    inputs = {"cost_index": 1.1, "developer_profit_rate": 0.15, "physical": 0.4, "functional": 0.2}
    result = value_cost(cost_items=ITEMS, inputs=inputs)
    closed = cost_approach(cost_items=ITEMS, **inputs)
    # 1,050,000 x 1.1 x 1.15 x 0.6 x 0.8 = 637,560.00
    assert closed.value == Decimal("637560.00")
    assert result.paths == 1 and result.p10 == result.p50 == result.p90 == result.base_value == closed.value


def test_uncertain_cost_gives_a_range_and_reruns_exactly() -> None:
    inputs = {
        "cost_index": 1.1,
        "developer_profit_rate": input_from_json(
            {"dist": "triangular", "low": 0.1, "mode": 0.15, "high": 0.25}
        ),
        "functional": input_from_json({"dist": "uniform", "low": 0.1, "high": 0.3}),
        "physical": 0.4,
    }
    result = value_cost(
        cost_items=ITEMS,
        inputs=inputs,
        basis=CostBasis.REPRODUCTION,
        settings=SimulationSettings(paths=50_000),
    )
    assert result.p10 < result.p50 < result.p90
    assert {bar.name for bar in result.tornado} == {"functional", "developer_profit_rate"}
    assert result.tornado[0].name == "functional"  # the wider swing comes first
    assert rerun_echo(result.inputs) == result
    # the mean of a product of independent factors is the product of their means
    expected = 1_050_000 * 1.1 * (1 + (0.1 + 0.15 + 0.25) / 3) * 0.6 * (1 - 0.2)
    assert float(result.mean) == pytest.approx(expected, rel=2e-3)


def test_cost_rates_outside_the_unit_interval_are_refused() -> None:
    with pytest.raises(EngineError, match="functional obsolescence"):
        value_cost(
            cost_items=ITEMS,
            inputs={"functional": input_from_json({"dist": "uniform", "low": 0.5, "high": 1.2})},
        )
    with pytest.raises(EngineError, match="unknown cost-method inputs"):
        value_cost(cost_items=ITEMS, inputs={"royalty_rate": 0.05})


def test_market_range_of_equally_weighted_comparables() -> None:
    result = value_market(
        comparables=[comparable(100.0), comparable(200.0), comparable(300.0)],
        subject=SUBJECT,
        policy={"valuation_date": ON},
    )
    # no adjustment is needed, so every weight is 1/3: the weighted CDF steps at 1/3 and 2/3
    assert (result.p10, result.p50, result.p90) == (Decimal("100.00"), Decimal("200.00"), Decimal("300.00"))
    assert result.mean == result.base_value == Decimal("200.00")
    assert result.sd == Decimal("81.65")  # sqrt(20,000 / 3)
    assert result.se == Decimal("47.14")  # sd / sqrt(3)
    assert result.paths == 3 and len(result.notes) == 3
    assert rerun_echo(result.inputs) == result


def test_market_adjusts_and_excludes() -> None:
    result = value_market(
        comparables=[
            comparable(1_000_000.0, date="2023-01-01", exclusivity="non_exclusive", reference="deal A"),
            comparable(900_000.0, industry="chemicals", reference="deal B"),
            comparable(5_000_000.0, type="trademark", reference="mark"),
        ],
        subject=SUBJECT,
        policy={"valuation_date": ON, "price_index": 0.03},
    )
    assert result.notes[-1] == "1 comparable(s) of another IP type excluded"
    assert result.notes[0].startswith("deal A: 1,000,000.00 -> ")
    days = (dt.date(2025, 1, 1) - dt.date(2023, 1, 1)).days
    adjusted_a = 1_000_000 * 1.03 ** (days / 365.2425) / 0.6
    assert float(result.p90) == pytest.approx(adjusted_a, abs=0.01)
    assert float(result.p10) == pytest.approx(900_000 * 0.9, abs=0.01)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(min_value=1, max_value=1e7), min_size=1, max_size=30),
    st.lists(st.floats(min_value=0.01, max_value=1), min_size=30, max_size=30),
)
def test_weighted_percentiles_are_ordered_and_bounded(values: list[float], weights: list[float]) -> None:
    summary = summarise(np.array(values), currency="CNY", bins=10, weights=np.array(weights[: len(values)]))
    ordered = [summary.percentiles[f"p{p}"] for p in (5, 10, 25, 50, 75, 90, 95)]
    assert ordered == sorted(ordered)
    low, high = Decimal(min(values)).quantize(Decimal("0.01")), Decimal(max(values)).quantize(Decimal("0.01"))
    assert low - Decimal("0.01") <= ordered[0] and ordered[-1] <= high + Decimal("0.01")
