"""Performance assumptions (defaults, prepayments, recoveries, delays) and scenario sets.

Conventions (SIFMA "Uniform Practices", standard formulas section), all per payment period:

* CPR -> SMM and CDR -> MDR: ``1 - (1 - annual) ** (1 / periods_per_year)`` (12 for monthly deals);
  ``single_period_rate`` also takes a year fraction, for engines that convert by days (Hastructure).
* PSA: CPR = 0.2% x age in months, capped at 6% from month 30, scaled by speed / 100.
* Order inside a period (see ``assets.project_amortising``): defaults hit the beginning performing
  balance first; scheduled amortisation is computed on the surviving balance; prepayments are SMM x
  (surviving balance - scheduled principal); interest is earned on the surviving balance.
* Recoveries are ``recovery_rate`` x defaulted principal, received ``recovery_lag`` periods after the
  default; the unrecovered part is a loss booked in the period of default.
* A payment delay shifts all pool cash (not balances) ``payment_delay`` periods later.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from ipops.finance.cashflow.money import FloatArray


def single_period_rate(*, annual_rate: FloatArray | float, year_fraction: FloatArray | float) -> FloatArray:
    """SMM from CPR or MDR from CDR: 1 - (1 - annual) ** year_fraction."""
    annual = np.asarray(annual_rate, dtype=np.float64)
    result: FloatArray = 1.0 - np.power(1.0 - annual, np.asarray(year_fraction, dtype=np.float64))
    return result


def psa_cpr(*, speed: float, ages_in_months: FloatArray) -> FloatArray:
    """Annual CPR of a PSA ramp: 0.2% per month of age to 6% at month 30, times speed / 100."""
    result: FloatArray = (speed / 100.0) * 0.06 * np.minimum(ages_in_months, 30.0) / 30.0
    return result


class RateCurve(Protocol):
    """An annual rate per period (CDR or CPR), given the number of periods."""

    def annual_rates(self, *, periods: int) -> FloatArray:
        """Annual rates, shape (periods,)."""
        ...


@dataclass(frozen=True, slots=True)
class ConstantRate:
    """The same annual rate every period (constant CDR or CPR)."""

    rate: float

    def annual_rates(self, *, periods: int) -> FloatArray:
        """Annual rates, shape (periods,)."""
        return np.full(periods, self.rate, dtype=np.float64)


@dataclass(frozen=True, slots=True)
class RateVector:
    """Annual rates period by period; the last value carries forward."""

    rates: tuple[float, ...]

    def annual_rates(self, *, periods: int) -> FloatArray:
        """Annual rates, shape (periods,)."""
        values = np.asarray(self.rates, dtype=np.float64)
        if values.size >= periods:
            return values[:periods].copy()
        return np.concatenate([values, np.full(periods - values.size, values[-1])])


@dataclass(frozen=True, slots=True)
class PSA:
    """PSA prepayment ramp; ``seasoning`` is the pool's age in months at the first period's start."""

    speed: float = 100.0
    seasoning: int = 0

    def annual_rates(self, *, periods: int) -> FloatArray:
        """Annual CPR per period, shape (periods,)."""
        ages = np.arange(1, periods + 1, dtype=np.float64) + self.seasoning
        return psa_cpr(speed=self.speed, ages_in_months=ages)


@dataclass(frozen=True, slots=True)
class ScenarioArrays:
    """Resolved assumptions for S scenarios over P periods (annual rates, shapes (S, P))."""

    cdr: FloatArray
    cpr: FloatArray
    recovery_rate: FloatArray
    recovery_lag: int = 0
    payment_delay: int = 0
    index_paths: Mapping[str, FloatArray] = field(default_factory=dict)

    @property
    def count(self) -> int:
        """Number of scenarios."""
        return int(self.cdr.shape[0])

    def index_path(self, *, name: str, periods: int) -> FloatArray:
        """An index path as (S, P), broadcasting a (P,) path across scenarios."""
        if name not in self.index_paths:
            raise KeyError(f"no path for index {name!r} in the scenario set")
        path = np.asarray(self.index_paths[name], dtype=np.float64)
        return np.broadcast_to(path[..., :periods], (self.count, periods))


class ScenarioSource(Protocol):
    """Anything that resolves to scenario arrays for a number of periods."""

    def resolve(self, *, periods: int) -> ScenarioArrays:
        """The scenario arrays, shapes (S, periods)."""
        ...


def _paths(index_paths: Mapping[str, Sequence[float]], periods: int) -> dict[str, FloatArray]:
    resolved: dict[str, FloatArray] = {}
    for name, values in index_paths.items():
        resolved[name] = RateVector(rates=tuple(values)).annual_rates(periods=periods)
    return resolved


@dataclass(frozen=True, slots=True)
class Scenario:
    """One set of assumptions: default and prepayment curves, recovery, lag, delay and index paths."""

    default: RateCurve = ConstantRate(0.0)
    prepayment: RateCurve = ConstantRate(0.0)
    recovery_rate: float = 0.0
    recovery_lag: int = 0
    payment_delay: int = 0
    index_paths: Mapping[str, Sequence[float]] = field(default_factory=dict)

    def resolve(self, *, periods: int) -> ScenarioArrays:
        """The scenario as arrays with S = 1."""
        return ScenarioArrays(
            cdr=self.default.annual_rates(periods=periods)[None, :],
            cpr=self.prepayment.annual_rates(periods=periods)[None, :],
            recovery_rate=np.array([self.recovery_rate]),
            recovery_lag=self.recovery_lag,
            payment_delay=self.payment_delay,
            index_paths=_paths(self.index_paths, periods),
        )


@dataclass(frozen=True, slots=True)
class ScenarioGrid:
    """The Cartesian grid CDR x CPR x recovery rate, run in one vectorised pass (S = product of sizes)."""

    cdr: tuple[float, ...] = (0.0,)
    cpr: tuple[float, ...] = (0.0,)
    recovery_rate: tuple[float, ...] = (0.0,)
    recovery_lag: int = 0
    payment_delay: int = 0
    index_paths: Mapping[str, Sequence[float]] = field(default_factory=dict)

    def points(self) -> list[tuple[float, float, float]]:
        """The (cdr, cpr, recovery_rate) of each scenario, in run order."""
        return list(itertools.product(self.cdr, self.cpr, self.recovery_rate))

    def resolve(self, *, periods: int) -> ScenarioArrays:
        """The grid as arrays, one row per (cdr, cpr, recovery) combination."""
        grid = np.array(self.points(), dtype=np.float64).reshape(-1, 3)
        ones = np.ones((1, periods))
        return ScenarioArrays(
            cdr=grid[:, 0:1] * ones,
            cpr=grid[:, 1:2] * ones,
            recovery_rate=grid[:, 2].copy(),
            recovery_lag=self.recovery_lag,
            payment_delay=self.payment_delay,
            index_paths=_paths(self.index_paths, periods),
        )
