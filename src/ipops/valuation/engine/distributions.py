"""Input distributions: every uncertain input is a fixed value or one of these, sampled in float64 numpy."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt
from scipy import special

FloatArray = npt.NDArray[np.float64]

# z-score of the 90th percentile of the standard normal (P10/P90 parameterisations).
Z90 = 1.2815515655446004
_BETA_GRID = 4097


@cache
def _beta_probs() -> FloatArray:
    """Probability grid for tabulated inverse CDFs, dense in the tails (normal scores -8.5..8.5)."""
    inner = special.ndtr(np.linspace(-8.5, 8.5, _BETA_GRID))
    return np.asarray(np.concatenate(([0.0], inner, [1.0])), dtype=np.float64)


class EngineError(ValueError):
    """An input the engine cannot value (bad parameters, bad correlation matrix, unknown method)."""


@runtime_checkable
class Distribution(Protocol):
    """A univariate distribution the Monte Carlo engine can sample and invert."""

    @property
    def kind(self) -> str:
        """Distribution name as in JSON ("triangular", ...)."""
        ...

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        """Draw n independent values."""
        ...

    def ppf(self, u: FloatArray) -> FloatArray:
        """Inverse CDF at probabilities u in (0, 1) (used by the Gaussian copula and the tornado)."""
        ...

    def to_dict(self) -> dict[str, Any]:
        """JSON echo with a "dist" key that `distribution_from_dict` reads back."""
        ...


def _quantile(dist: Distribution, p: float) -> float:
    return float(dist.ppf(np.array([p], dtype=np.float64))[0])


def quantile(value: float | Distribution, p: float) -> float:
    """The p-quantile of an input (a fixed value is its own quantile)."""
    if isinstance(value, Distribution):
        return _quantile(value, p)
    return float(value)


@dataclass(frozen=True, slots=True)
class Fixed:
    """A known value (degenerate distribution)."""

    value: float
    kind: str = field(default="fixed", init=False)

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        """n copies of the value (the generator is not advanced)."""
        return np.full(n, self.value, dtype=np.float64)

    def ppf(self, u: FloatArray) -> FloatArray:
        """The value at every probability."""
        return np.full(np.shape(u), self.value, dtype=np.float64)

    def to_dict(self) -> dict[str, Any]:
        """JSON echo."""
        return {"dist": "fixed", "value": float(self.value)}


@dataclass(frozen=True, slots=True)
class Uniform:
    """Uniform on [low, high]."""

    low: float
    high: float
    kind: str = field(default="uniform", init=False)

    def __post_init__(self) -> None:
        if not self.low <= self.high:
            raise EngineError(f"uniform needs low <= high, got {self.low}, {self.high}")

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        """n draws."""
        return rng.uniform(self.low, self.high, n)

    def ppf(self, u: FloatArray) -> FloatArray:
        """Inverse CDF."""
        return self.low + (self.high - self.low) * np.asarray(u, dtype=np.float64)

    def to_dict(self) -> dict[str, Any]:
        """JSON echo."""
        return {"dist": "uniform", "low": float(self.low), "high": float(self.high)}


@dataclass(frozen=True, slots=True)
class Triangular:
    """Triangular with minimum low, mode and maximum high."""

    low: float
    mode: float
    high: float
    kind: str = field(default="triangular", init=False)

    def __post_init__(self) -> None:
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise EngineError(f"triangular needs low <= mode <= high, low < high: {self}")

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        """n draws."""
        return rng.triangular(self.low, self.mode, self.high, n)

    def ppf(self, u: FloatArray) -> FloatArray:
        """Inverse CDF (closed form)."""
        u = np.asarray(u, dtype=np.float64)
        a, c, b = self.low, self.mode, self.high
        fc = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1.0 - u) * (b - a) * (b - c))
        return np.where(u < fc, left, right)

    def to_dict(self) -> dict[str, Any]:
        """JSON echo."""
        return {
            "dist": "triangular",
            "low": float(self.low),
            "mode": float(self.mode),
            "high": float(self.high),
        }


@dataclass(frozen=True)  # no slots: the cached inverse-CDF table lives in __dict__
class Pert:
    """Beta-PERT on [low, high] with the given mode and shape lambda (4 = classic PERT)."""

    low: float
    mode: float
    high: float
    shape: float = 4.0
    kind: str = field(default="pert", init=False)

    def __post_init__(self) -> None:
        if not (self.low <= self.mode <= self.high and self.low < self.high) or self.shape <= 0:
            raise EngineError(f"PERT needs low <= mode <= high, low < high, shape > 0: {self}")

    @property
    def alpha(self) -> float:
        """First beta shape parameter."""
        return 1.0 + self.shape * (self.mode - self.low) / (self.high - self.low)

    @property
    def beta(self) -> float:
        """Second beta shape parameter."""
        return 1.0 + self.shape * (self.high - self.mode) / (self.high - self.low)

    @cached_property
    def _grid(self) -> FloatArray:
        # Tabulated inverse of the regularised incomplete beta; interpolation error < 1e-6 of the range.
        return np.asarray(special.betaincinv(self.alpha, self.beta, _beta_probs()), dtype=np.float64)

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        """n draws."""
        return self.low + (self.high - self.low) * rng.beta(self.alpha, self.beta, n)

    def ppf(self, u: FloatArray) -> FloatArray:
        """Inverse CDF (exact for small arrays, tabulated and interpolated for large ones)."""
        u = np.asarray(u, dtype=np.float64)
        if u.size <= 64:
            x = special.betaincinv(self.alpha, self.beta, u)
        else:
            x = np.interp(u, _beta_probs(), self._grid)
        return np.asarray(self.low + (self.high - self.low) * x, dtype=np.float64)

    def to_dict(self) -> dict[str, Any]:
        """JSON echo."""
        return {
            "dist": "pert",
            "low": float(self.low),
            "mode": float(self.mode),
            "high": float(self.high),
            "shape": float(self.shape),
        }


@dataclass(frozen=True, slots=True)
class Lognormal:
    """Lognormal given by the mean and standard deviation of the value itself (not of its log)."""

    mean: float
    sd: float
    kind: str = field(default="lognormal", init=False)

    def __post_init__(self) -> None:
        if self.mean <= 0 or self.sd <= 0:
            raise EngineError(f"lognormal needs mean > 0 and sd > 0: {self}")

    @property
    def sigma(self) -> float:
        """Standard deviation of log(value)."""
        return math.sqrt(math.log1p((self.sd / self.mean) ** 2))

    @property
    def mu(self) -> float:
        """Mean of log(value)."""
        return math.log(self.mean) - 0.5 * self.sigma**2

    @classmethod
    def from_p10_p90(cls, *, p10: float, p90: float) -> Lognormal:
        """The lognormal whose 10th and 90th percentiles are p10 and p90."""
        if not 0 < p10 < p90:
            raise EngineError(f"lognormal needs 0 < p10 < p90, got {p10}, {p90}")
        mu = 0.5 * (math.log(p10) + math.log(p90))
        sigma = (math.log(p90) - math.log(p10)) / (2.0 * Z90)
        mean = math.exp(mu + 0.5 * sigma**2)
        return cls(mean=mean, sd=mean * math.sqrt(math.expm1(sigma**2)))

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        """n draws."""
        return rng.lognormal(self.mu, self.sigma, n)

    def ppf(self, u: FloatArray) -> FloatArray:
        """Inverse CDF."""
        z = special.ndtri(np.asarray(u, dtype=np.float64))
        return np.asarray(np.exp(self.mu + self.sigma * z), dtype=np.float64)

    def from_normal(self, z: FloatArray) -> FloatArray:
        """Transform standard normal scores directly (no round trip through probabilities)."""
        return np.exp(self.mu + self.sigma * z)

    def to_dict(self) -> dict[str, Any]:
        """JSON echo."""
        return {"dist": "lognormal", "mean": float(self.mean), "sd": float(self.sd)}


@dataclass(frozen=True, slots=True)
class TruncatedNormal:
    """Normal(mean, sd) truncated to [low, high] (either bound may be infinite)."""

    mean: float
    sd: float
    low: float = -math.inf
    high: float = math.inf
    kind: str = field(default="truncated_normal", init=False)

    def __post_init__(self) -> None:
        if self.sd <= 0 or not self.low < self.high:
            raise EngineError(f"truncated normal needs sd > 0 and low < high: {self}")
        if self._cdf_bounds[1] - self._cdf_bounds[0] < 1e-12:
            raise EngineError(f"truncated normal has no mass inside [{self.low}, {self.high}]")

    @property
    def _cdf_bounds(self) -> tuple[float, float]:
        lo = float(special.ndtr((self.low - self.mean) / self.sd))
        hi = float(special.ndtr((self.high - self.mean) / self.sd))
        return lo, hi

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        """n draws (inverse-CDF method)."""
        return self.ppf(rng.random(n))

    def ppf(self, u: FloatArray) -> FloatArray:
        """Inverse CDF."""
        lo, hi = self._cdf_bounds
        p = lo + (hi - lo) * np.asarray(u, dtype=np.float64)
        x = self.mean + self.sd * special.ndtri(p)
        return np.asarray(np.clip(x, self.low, self.high), dtype=np.float64)

    def to_dict(self) -> dict[str, Any]:
        """JSON echo (infinite bounds as null)."""
        return {
            "dist": "truncated_normal",
            "mean": float(self.mean),
            "sd": float(self.sd),
            "low": None if math.isinf(self.low) else float(self.low),
            "high": None if math.isinf(self.high) else float(self.high),
        }


@dataclass(frozen=True, slots=True)
class Empirical:
    """The empirical distribution of observed values (inverse CDF interpolated between order statistics)."""

    values: tuple[float, ...]
    kind: str = field(default="empirical", init=False)

    def __post_init__(self) -> None:
        if len(self.values) < 2 or not all(math.isfinite(v) for v in self.values):
            raise EngineError("empirical needs at least two finite values")
        object.__setattr__(self, "values", tuple(sorted(float(v) for v in self.values)))

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        """n draws (smoothed: inverse CDF at uniform probabilities)."""
        return self.ppf(rng.random(n))

    def ppf(self, u: FloatArray) -> FloatArray:
        """Piecewise-linear inverse CDF through (i / (k - 1), x_(i))."""
        xs = np.asarray(self.values, dtype=np.float64)
        return np.interp(np.asarray(u, dtype=np.float64), np.linspace(0.0, 1.0, xs.size), xs)

    def to_dict(self) -> dict[str, Any]:
        """JSON echo."""
        return {"dist": "empirical", "values": [float(v) for v in self.values]}


InputValue = float | Distribution


def _num(spec: Mapping[str, Any], key: str, default: float | None = None) -> float:
    raw = spec.get(key, default)
    if raw is None:
        raise EngineError(f"{spec.get('dist')!r} distribution needs {key!r}")
    try:
        return float(raw)
    except (TypeError, ValueError) as exc:
        raise EngineError(f"{key!r} must be a number, got {raw!r}") from exc


def distribution_from_dict(spec: Mapping[str, Any]) -> Distribution:
    """Build a distribution from its JSON form ({"dist": "triangular", "low": .., "mode": .., "high": ..})."""
    kind = str(spec.get("dist", "")).lower()
    if kind == "fixed":
        return Fixed(_num(spec, "value"))
    if kind == "uniform":
        return Uniform(_num(spec, "low"), _num(spec, "high"))
    if kind == "triangular":
        return Triangular(_num(spec, "low"), _num(spec, "mode"), _num(spec, "high"))
    if kind in {"pert", "beta_pert"}:
        return Pert(_num(spec, "low"), _num(spec, "mode"), _num(spec, "high"), _num(spec, "shape", 4.0))
    if kind == "lognormal":
        if "p10" in spec or "p90" in spec:
            return Lognormal.from_p10_p90(p10=_num(spec, "p10"), p90=_num(spec, "p90"))
        return Lognormal(_num(spec, "mean"), _num(spec, "sd"))
    if kind == "truncated_normal":
        low = spec.get("low")
        high = spec.get("high")
        return TruncatedNormal(
            _num(spec, "mean"),
            _num(spec, "sd"),
            -math.inf if low is None else float(low),
            math.inf if high is None else float(high),
        )
    if kind == "empirical":
        values = spec.get("values")
        if not isinstance(values, Sequence) or isinstance(values, str):
            raise EngineError("empirical distribution needs a list of values")
        return Empirical(tuple(float(v) for v in values))
    raise EngineError(f"unknown distribution {kind!r}")


def input_from_json(raw: Any) -> InputValue:
    """A JSON input: a number is a fixed value, an object is a distribution."""
    if isinstance(raw, bool):
        raise EngineError("an input must be a number or a distribution object")
    if isinstance(raw, int | float):
        return float(raw)
    if isinstance(raw, str):
        try:
            return float(raw)
        except ValueError as exc:
            raise EngineError(f"not a number: {raw!r}") from exc
    if isinstance(raw, Mapping):
        dist = distribution_from_dict(raw)
        return dist.value if isinstance(dist, Fixed) else dist
    raise EngineError(f"an input must be a number or a distribution object, got {type(raw).__name__}")


def input_to_json(value: InputValue) -> Any:
    """The JSON echo of an input (inverse of `input_from_json`)."""
    if isinstance(value, Distribution):
        return value.to_dict()
    return float(value)


def one_at_a_time(
    inputs: Mapping[str, InputValue], value_at: Callable[[dict[str, float]], float]
) -> tuple[float, list[tuple[str, float, float, float, float]]]:
    """Tornado data: value with every input at its P50, and per uncertain input (name, P10, P90, value at
    P10, value at P90) with the others at P50, widest swing first."""
    medians = {k: quantile(v, 0.5) for k, v in inputs.items()}
    base = value_at(medians)
    bars = []
    for name, value in inputs.items():
        if isinstance(value, Distribution):
            lo, hi = quantile(value, 0.1), quantile(value, 0.9)
            bars.append((name, lo, hi, value_at({**medians, name: lo}), value_at({**medians, name: hi})))
    bars.sort(key=lambda b: (-abs(b[4] - b[3]), b[0]))
    return base, bars
