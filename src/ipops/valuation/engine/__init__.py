"""Pure valuation engine: float64 numpy maths, no ORM, web or I/O; money leaves as Decimal (see result)."""

from ipops.valuation.engine.cost import CostBasis, CostResult, cost_approach, physical_from_life
from ipops.valuation.engine.distributions import (
    Distribution,
    Empirical,
    EngineError,
    Fixed,
    Lognormal,
    Pert,
    Triangular,
    TruncatedNormal,
    Uniform,
    distribution_from_dict,
    input_from_json,
)
from ipops.valuation.engine.income import (
    INCOME_METHODS,
    SimulationSettings,
    discounted_cash_flow,
    multi_period_excess_earnings,
    relief_from_royalty,
    rerun,
    run_from_echo,
    tab_factor,
    value_income,
)
from ipops.valuation.engine.indicators import (
    Scenario,
    scenario_weights,
    score_tree,
    technical_scores_from_oecd,
)
from ipops.valuation.engine.life import EconomicLife, remaining_economic_life
from ipops.valuation.engine.market import (
    Comparable,
    MarketPolicy,
    Subject,
    comparables_from_csv,
    market_approach,
)
from ipops.valuation.engine.result import ValuationResult
from ipops.valuation.engine.sampling import Correlation, cholesky_factor

__all__ = [
    "INCOME_METHODS",
    "Comparable",
    "Correlation",
    "CostBasis",
    "CostResult",
    "Distribution",
    "EconomicLife",
    "Empirical",
    "EngineError",
    "Fixed",
    "Lognormal",
    "MarketPolicy",
    "Pert",
    "Scenario",
    "SimulationSettings",
    "Subject",
    "Triangular",
    "TruncatedNormal",
    "Uniform",
    "ValuationResult",
    "cholesky_factor",
    "comparables_from_csv",
    "cost_approach",
    "discounted_cash_flow",
    "distribution_from_dict",
    "input_from_json",
    "market_approach",
    "multi_period_excess_earnings",
    "physical_from_life",
    "relief_from_royalty",
    "remaining_economic_life",
    "rerun",
    "run_from_echo",
    "scenario_weights",
    "score_tree",
    "tab_factor",
    "technical_scores_from_oecd",
    "value_income",
]
