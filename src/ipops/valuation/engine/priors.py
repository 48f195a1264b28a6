"""Royalty-rate priors: published ranges per industry and basis, parsed into triangular or PERT inputs."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from ipops.valuation.engine.distributions import EngineError, Pert, Triangular

BASES = ("revenue", "operating_profit")


@dataclass(frozen=True, slots=True)
class RoyaltyPrior:
    """A prior (not a finding) on a royalty rate: low, mode, high as fractions of the basis; source."""

    industry: str
    basis: str
    low: float
    mode: float
    high: float
    source: str
    note: str = ""

    def triangular(self) -> Triangular:
        """The prior as a triangular distribution."""
        return Triangular(self.low, self.mode, self.high)

    def pert(self) -> Pert:
        """The prior as a beta-PERT distribution."""
        return Pert(self.low, self.mode, self.high)


def parse_priors_csv(text: str) -> list[RoyaltyPrior]:
    """Parse rows industry, basis, low, mode, high, source, note; each must name its source."""
    out = []
    for line, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        try:
            prior = RoyaltyPrior(
                industry=row["industry"].strip(),
                basis=row["basis"].strip(),
                low=float(row["low"]),
                mode=float(row["mode"]),
                high=float(row["high"]),
                source=row["source"].strip(),
                note=(row.get("note") or "").strip(),
            )
        except (KeyError, ValueError, AttributeError) as exc:
            raise EngineError(f"royalty priors line {line}: {exc}") from exc
        if not prior.source or prior.basis not in BASES or not prior.low <= prior.mode <= prior.high:
            raise EngineError(
                f"royalty priors line {line}: needs a source, a known basis, low <= mode <= high"
            )
        out.append(prior)
    return out


def prior_for(priors: list[RoyaltyPrior], *, industry: str, basis: str = "revenue") -> RoyaltyPrior:
    """The prior for an industry and basis, falling back to the all-industry row."""
    for wanted in (industry, "all"):
        for prior in priors:
            if prior.industry == wanted and prior.basis == basis:
                return prior
    raise EngineError(f"no royalty prior for {industry!r} on {basis!r}")
