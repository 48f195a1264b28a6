"""Bundled royalty-rate priors (src/ipops/valuation/data/royalty_priors.csv)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from ipops.valuation.engine.priors import RoyaltyPrior, parse_priors_csv


@cache
def bundled_priors() -> tuple[RoyaltyPrior, ...]:
    """The bundled priors, each row naming its published source."""
    text = resources.files("ipops.valuation").joinpath("data/royalty_priors.csv").read_text(encoding="utf-8")
    return tuple(parse_priors_csv(text))
