"""Cost method: reproduction or replacement cost less physical, functional and economic obsolescence.

cost = (sum of cost items) x cost index x (1 + developer's profit rate)
value = cost x (1 - physical) x (1 - functional) x (1 - economic)

Physical obsolescence of an intangible is commonly taken from the life used: used / (used + remaining)
(`physical_from_life`). Each rate must lie in [0, 1].
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from ipops.valuation.engine.distributions import EngineError
from ipops.valuation.engine.result import to_money_decimal


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
