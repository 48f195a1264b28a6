"""Every valuation method behind one entry point, so any stored result's echo can be re-run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ipops.valuation.engine.cost import CostBasis, value_cost
from ipops.valuation.engine.distributions import EngineError
from ipops.valuation.engine.income import INCOME_METHODS, SimulationSettings, inputs_from_json, run_from_echo
from ipops.valuation.engine.market import value_market
from ipops.valuation.engine.result import ValuationResult

METHOD_NAMES = (*INCOME_METHODS, "market_comparables", "cost")


def rerun_echo(echo: Mapping[str, Any]) -> ValuationResult:
    """Re-run a valuation from its inputs echo (identical figures for the same method version)."""
    method = str(echo.get("method"))
    if method in INCOME_METHODS:
        return run_from_echo(echo)
    if method == "cost":
        return value_cost(
            cost_items={str(k): float(v) for k, v in dict(echo["cost_items"]).items()},
            inputs=inputs_from_json(dict(echo["inputs"])),
            basis=CostBasis(str(echo.get("basis", CostBasis.REPLACEMENT.value))),
            settings=SimulationSettings.from_dict(dict(echo.get("settings", {}))),
        )
    if method == "market_comparables":
        settings = dict(echo.get("settings", {}))
        return value_market(
            comparables=list(echo["comparables"]),
            subject=dict(echo["subject"]),
            policy=dict(echo["policy"]),
            currency=str(settings.get("currency", "CNY")),
            histogram_bins=int(settings.get("histogram_bins", 20)),
        )
    raise EngineError(f"unknown valuation method {method!r}")
