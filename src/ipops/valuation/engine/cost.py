"""Cost method: reproduction or replacement cost less physical, functional and economic obsolescence.

cost = (sum of cost items) x cost index x (1 + developer's profit rate)
value = cost x (1 - physical) x (1 - functional) x (1 - economic)

Physical obsolescence of an intangible is commonly taken from the life used: used / (used + remaining)
(`physical_from_life`). Each rate must lie in [0, 1].

`cost_approach` is the deterministic build-up; `value_cost` runs the same formula by Monte Carlo when the cost
index, the developer's profit or an obsolescence rate is a distribution, so the method gives a range.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

import numpy as np

from ipops.valuation.engine.distributions import (
    Distribution,
    EngineError,
    FloatArray,
    InputValue,
    input_to_json,
    one_at_a_time,
)
from ipops.valuation.engine.income import SimulationSettings
from ipops.valuation.engine.result import TornadoBar, ValuationResult, summarise, to_money_decimal
from ipops.valuation.engine.sampling import sample_inputs


class CostBasis(StrEnum):
    """Reproduction (an exact replica) or replacement (equal utility with today's means)."""

    REPRODUCTION = "reproduction"
    REPLACEMENT = "replacement"


@dataclass(frozen=True, slots=True)
class CostResult:
    """Cost build-up and the value after obsolescence."""

    method: str
    method_version: str
    basis: CostBasis
    currency: str
    items: dict[str, Decimal]
    gross_cost: Decimal
    obsolescence: dict[str, float]
    value: Decimal


def physical_from_life(*, used_years: float, remaining_years: float) -> float:
    """Physical obsolescence as the share of total life used: used / (used + remaining)."""
    if used_years < 0 or remaining_years < 0 or used_years + remaining_years == 0:
        raise EngineError("used and remaining years must be >= 0 and not both 0")
    return used_years / (used_years + remaining_years)


def cost_approach(
    *,
    cost_items: Mapping[str, float],
    basis: CostBasis = CostBasis.REPLACEMENT,
    cost_index: float = 1.0,
    developer_profit_rate: float = 0.0,
    physical: float = 0.0,
    functional: float = 0.0,
    economic: float = 0.0,
    currency: str = "CNY",
) -> CostResult:
    """Value by cost less obsolescence (see module docstring)."""
    if not cost_items:
        raise EngineError("the cost method needs at least one cost item")
    if any(v < 0 for v in cost_items.values()) or cost_index <= 0 or developer_profit_rate < 0:
        raise EngineError("cost items, index and developer's profit must be non-negative (index > 0)")
    rates = {"physical": physical, "functional": functional, "economic": economic}
    for name, rate in rates.items():
        if not 0.0 <= rate <= 1.0:
            raise EngineError(f"{name} obsolescence must lie in [0, 1], got {rate}")
    gross = sum(cost_items.values()) * cost_index * (1.0 + developer_profit_rate)
    value = gross * (1.0 - physical) * (1.0 - functional) * (1.0 - economic)
    return CostResult(
        method="cost",
        method_version="cost-1.0",
        basis=basis,
        currency=currency,
        items={k: to_money_decimal(v, currency) for k, v in cost_items.items()},
        gross_cost=to_money_decimal(gross, currency),
        obsolescence=rates,
        value=to_money_decimal(value, currency),
    )


COST_METHOD_VERSION = "cost-mc-1.0"
# inputs of the Monte Carlo cost method besides the fixed cost items: each a number or a distribution
COST_DEFAULTS: dict[str, float] = {
    "cost_index": 1.0,
    "developer_profit_rate": 0.0,
    "physical": 0.0,
    "functional": 0.0,
    "economic": 0.0,
}
_RATES = ("physical", "functional", "economic")


def _cost_values(total: float, x: Mapping[str, FloatArray]) -> FloatArray:
    gross = total * x["cost_index"] * (1.0 + x["developer_profit_rate"])
    value = gross * (1.0 - x["physical"]) * (1.0 - x["functional"]) * (1.0 - x["economic"])
    return np.asarray(value, dtype=np.float64)


def value_cost(
    *,
    cost_items: Mapping[str, float],
    inputs: Mapping[str, InputValue],
    basis: CostBasis = CostBasis.REPLACEMENT,
    settings: SimulationSettings | None = None,
) -> ValuationResult:
    """The cost method by Monte Carlo: uncertain index, profit and obsolescence rates give a value range."""
    settings = settings or SimulationSettings()
    unknown = sorted(set(inputs) - set(COST_DEFAULTS))
    if unknown:
        raise EngineError(f"unknown cost-method inputs: {', '.join(unknown)}")
    if not cost_items or any(v < 0 for v in cost_items.values()):
        raise EngineError("the cost method needs at least one cost item, none negative")
    resolved: dict[str, InputValue] = {**COST_DEFAULTS, **inputs}
    uncertain = any(isinstance(v, Distribution) for v in resolved.values())
    n = settings.paths if uncertain else 1
    rng = np.random.Generator(np.random.PCG64(settings.seed))
    x = sample_inputs(resolved, n=n, rng=rng, correlations=settings.correlations)
    for name in _RATES:
        if np.any((x[name] < 0.0) | (x[name] > 1.0)):
            raise EngineError(f"{name} obsolescence must lie in [0, 1]; its distribution leaves that range")
    if np.any(x["cost_index"] <= 0.0) or np.any(x["developer_profit_rate"] < 0.0):
        raise EngineError("the cost index must be > 0 and the developer's profit rate >= 0")
    total = float(sum(cost_items.values()))
    values = np.broadcast_to(_cost_values(total, x), (n,))
    currency = settings.currency
    summary = summarise(values, currency=currency, bins=settings.histogram_bins)
    base, points = one_at_a_time(
        resolved, lambda point: float(_cost_values(total, {k: np.asarray(v) for k, v in point.items()}))
    )
    bars = [
        TornadoBar(name, lo, hi, to_money_decimal(v_lo, currency), to_money_decimal(v_hi, currency))
        for name, lo, hi, v_lo, v_hi in points
    ]
    echo = {
        "method": "cost",
        "basis": basis.value,
        "cost_items": {k: float(v) for k, v in sorted(cost_items.items())},
        "inputs": {k: input_to_json(v) for k, v in sorted(resolved.items())},
        "settings": settings.to_dict(),
    }
    return ValuationResult(
        method="cost",
        method_version=COST_METHOD_VERSION,
        inputs=echo,
        seed=settings.seed,
        paths=n,
        currency=currency,
        percentiles=summary.percentiles,
        mean=summary.mean,
        se=summary.se,
        sd=summary.sd,
        base_value=to_money_decimal(base, currency),
        tornado=tuple(bars),
        histogram=summary.histogram,
        notes=(
            f"{basis.value} cost {to_money_decimal(total, currency)} {currency} before index, profit and "
            "obsolescence",
        ),
    )
