"""Hypothesis properties of the income engine."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ipops.valuation.engine import Triangular, relief_from_royalty

revenue = st.floats(1e3, 1e9)
rate = st.floats(0.001, 0.3)
discount = st.floats(0.01, 0.4)
life = st.floats(0.0, 30.0)
growth = st.floats(-0.1, 0.15)


def value(**kw: float) -> float:
    return float(relief_from_royalty(**kw).p50)  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(revenue, rate, discount, st.floats(0.5, 30.0), growth, st.floats(1.01, 2.0))
def test_monotone_in_royalty_and_revenue(r: float, k: float, d: float, n: float, g: float, up: float) -> None:
    base = value(revenue=r, royalty_rate=k, discount_rate=d, life_years=n, growth=g)
    assert value(revenue=r, royalty_rate=min(k * up, 1.0), discount_rate=d, life_years=n, growth=g) >= base
    assert value(revenue=r * up, royalty_rate=k, discount_rate=d, life_years=n, growth=g) >= base


@settings(max_examples=60, deadline=None)
@given(revenue, rate, discount, st.floats(0.5, 30.0), growth, st.floats(0.001, 0.2))
def test_decreasing_in_discount_rate(r: float, k: float, d: float, n: float, g: float, bump: float) -> None:
    base = value(revenue=r, royalty_rate=k, discount_rate=d, life_years=n, growth=g)
    assert value(revenue=r, royalty_rate=k, discount_rate=d + bump, life_years=n, growth=g) <= base


@settings(max_examples=40, deadline=None)
@given(revenue, rate, discount, life)
def test_non_negative_and_zero_life_is_zero(r: float, k: float, d: float, n: float) -> None:
    assert value(revenue=r, royalty_rate=k, discount_rate=d, life_years=n) >= 0
    assert value(revenue=r, royalty_rate=k, discount_rate=d, life_years=0.0) == 0


@settings(max_examples=15, deadline=None)
@given(st.floats(1e4, 1e7), st.floats(0.05, 2.0), st.integers(0, 2**32))
def test_percentiles_are_ordered(low: float, spread: float, seed: int) -> None:
    result = relief_from_royalty(
        revenue=Triangular(low, low * (1 + spread / 2), low * (1 + spread)),
        royalty_rate=Triangular(0.01, 0.03, 0.06),
        discount_rate=Triangular(0.08, 0.12, 0.2),
        life_years=Triangular(2, 5, 10),
        paths=2_000,
        seed=seed,
    )
    p = result.percentiles
    assert p["p5"] <= p["p10"] <= p["p25"] <= p["p50"] <= p["p75"] <= p["p90"] <= p["p95"]
    assert result.p10 <= result.mean <= result.p90
