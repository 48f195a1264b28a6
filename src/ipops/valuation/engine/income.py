"""Income methods (relief-from-royalty, DCF, MPEEM) valued by vectorised Monte Carlo.

Per path, with year-1 after-tax attributable amount A, growth g, discount rate d and economic life L:

    V = TAB * sum_{t=1..T} A (1+g)^(t-1) w_t / (1+d)^(e_t),  w_t = clip(L - (t-1), 0, 1),

e_t = t - 0.5 under the mid-year convention (else t), T = ceil(max L). A fractional last year counts pro rata
(w_t), discounted at the same mid-point. TAB = 1 / (1 - tau * a_n), a_n the present value of an annuity of
1/n over the n-year tax amortisation period at d (same timing convention), or 1 without TAB.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np

from ipops.valuation.engine.distributions import (
    Distribution,
    EngineError,
    FloatArray,
    InputValue,
    input_from_json,
    input_to_json,
    one_at_a_time,
)
from ipops.valuation.engine.result import (
    TornadoBar,
    ValuationResult,
    YearFigure,
    summarise,
    to_money_decimal,
)
from ipops.valuation.engine.sampling import Correlation, correlations_from_json, sample_inputs

DEFAULT_PATHS = 100_000
DEFAULT_SEED = 20_230_901
DEFAULT_TAX_RATE = 0.25  # PRC enterprise income tax, standard rate
CN_AMORTISATION_YEARS = 10  # PRC: intangibles amortised over no less than 10 years
MAX_HORIZON = 100
_CHUNK = 16_384

COMMON_DEFAULTS: dict[str, float] = {"growth": 0.0, "tax_rate": DEFAULT_TAX_RATE}


class IncomeMethod(Protocol):
    """An income method: which inputs it needs and the year-1 after-tax amount it attributes to the asset."""

    @property
    def name(self) -> str:
        """Method key."""
        ...

    @property
    def version(self) -> str:
        """Method version recorded with each result (e.g. "rfr-1.0")."""
        ...

    @property
    def label(self) -> str:
        """Human-readable name."""
        ...

    @property
    def required(self) -> tuple[str, ...]:
        """Inputs without defaults."""
        ...

    @property
    def defaults(self) -> Mapping[str, float]:
        """Optional inputs and their defaults."""
        ...

    def base_amount(self, x: Mapping[str, FloatArray]) -> FloatArray:
        """Year-1 after-tax amount attributable to the asset, per path."""
        ...

    def growth(self, x: Mapping[str, FloatArray]) -> FloatArray:
        """Effective annual growth of that amount, per path."""
        ...


@dataclass(frozen=True, slots=True)
class ReliefFromRoyalty:
    """Relief from royalty: after-tax royalties saved = revenue x royalty rate x (1 - tax rate)."""

    name: str = "relief_from_royalty"
    version: str = "rfr-1.0"
    label: str = "Relief from royalty"
    required: tuple[str, ...] = ("revenue", "royalty_rate", "discount_rate", "life_years")

    @property
    def defaults(self) -> Mapping[str, float]:
        """Optional inputs and their defaults."""
        return COMMON_DEFAULTS

    def base_amount(self, x: Mapping[str, FloatArray]) -> FloatArray:
        """Year-1 after-tax royalty saving."""
        return np.asarray(x["revenue"] * x["royalty_rate"] * (1.0 - x["tax_rate"]), dtype=np.float64)

    def growth(self, x: Mapping[str, FloatArray]) -> FloatArray:
        """Revenue growth."""
        return x["growth"]


@dataclass(frozen=True, slots=True)
class DiscountedCashFlow:
    """DCF by profit split: revenue x operating margin x (1 - tax) x share attributable to the asset."""

    name: str = "discounted_cash_flow"
    version: str = "dcf-1.0"
    label: str = "Discounted cash flow (profit split)"
    required: tuple[str, ...] = ("revenue", "profit_margin", "discount_rate", "life_years")

    @property
    def defaults(self) -> Mapping[str, float]:
        """Optional inputs and their defaults (attribution 1 = the whole cash flow)."""
        return {**COMMON_DEFAULTS, "attribution": 1.0}

    def base_amount(self, x: Mapping[str, FloatArray]) -> FloatArray:
        """Year-1 after-tax cash flow attributable to the asset."""
        return np.asarray(
            x["revenue"] * x["profit_margin"] * (1.0 - x["tax_rate"]) * x["attribution"], dtype=np.float64
        )

    def growth(self, x: Mapping[str, FloatArray]) -> FloatArray:
        """Revenue growth."""
        return x["growth"]


@dataclass(frozen=True, slots=True)
class MultiPeriodExcessEarnings:
    """MPEEM: after-tax profit less contributory asset charges (inputs cac_*, as shares of revenue).

    Attrition (share of the revenue base lost per year) compounds with growth: (1 + g)(1 - attrition) - 1.
    """

    name: str = "multi_period_excess_earnings"
    version: str = "mpeem-1.0"
    label: str = "Multi-period excess earnings"
    required: tuple[str, ...] = ("revenue", "profit_margin", "discount_rate", "life_years")

    @property
    def defaults(self) -> Mapping[str, float]:
        """Optional inputs and their defaults."""
        return {**COMMON_DEFAULTS, "attrition": 0.0}

    def base_amount(self, x: Mapping[str, FloatArray]) -> FloatArray:
        """Year-1 excess earnings."""
        charges: FloatArray | float = 0.0
        for key in sorted(x):
            if key.startswith("cac_"):
                charges = charges + x[key]
        return np.asarray(
            x["revenue"] * (x["profit_margin"] * (1.0 - x["tax_rate"]) - charges), dtype=np.float64
        )

    def growth(self, x: Mapping[str, FloatArray]) -> FloatArray:
        """Growth net of attrition."""
        return np.asarray((1.0 + x["growth"]) * (1.0 - x["attrition"]) - 1.0, dtype=np.float64)


INCOME_METHODS: dict[str, IncomeMethod] = {
    m.name: m for m in (ReliefFromRoyalty(), DiscountedCashFlow(), MultiPeriodExcessEarnings())
}


@dataclass(frozen=True, slots=True)
class SimulationSettings:
    """How to run: paths, seed, timing convention, TAB, correlations, currency, chart bins."""

    paths: int = DEFAULT_PATHS
    seed: int = DEFAULT_SEED
    mid_year: bool = True
    tax_amortisation: bool = False
    amortisation_years: int = CN_AMORTISATION_YEARS
    correlations: tuple[Correlation, ...] = ()
    currency: str = "CNY"
    histogram_bins: int = 30

    def __post_init__(self) -> None:
        if self.paths < 1 or self.paths > 20_000_000:
            raise EngineError("paths must lie between 1 and 20,000,000")
        if self.amortisation_years < 1:
            raise EngineError("amortisation_years must be at least 1")
        if self.histogram_bins < 1:
            raise EngineError("histogram_bins must be at least 1")

    def to_dict(self) -> dict[str, Any]:
        """JSON echo."""
        return {
            "paths": self.paths,
            "seed": self.seed,
            "mid_year": self.mid_year,
            "tax_amortisation": self.tax_amortisation,
            "amortisation_years": self.amortisation_years,
            "correlations": [c.to_dict() for c in self.correlations],
            "currency": self.currency,
            "histogram_bins": self.histogram_bins,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SimulationSettings:
        """Inverse of `to_dict` (missing keys take defaults)."""
        return cls(
            paths=int(data.get("paths", DEFAULT_PATHS)),
            seed=int(data.get("seed", DEFAULT_SEED)),
            mid_year=bool(data.get("mid_year", True)),
            tax_amortisation=bool(data.get("tax_amortisation", False)),
            amortisation_years=int(data.get("amortisation_years", CN_AMORTISATION_YEARS)),
            correlations=correlations_from_json(data.get("correlations")),
            currency=str(data.get("currency", "CNY")),
            histogram_bins=int(data.get("histogram_bins", 30)),
        )


def annuity_factor(*, rate: float, years: int, mid_year: bool = False) -> float:
    """Present value of 1 a year for `years` years at `rate` (end-of-year, or mid-year if asked)."""
    if years <= 0:
        return 0.0
    base = float(years) if rate == 0 else (1.0 - (1.0 + rate) ** -years) / rate
    return base * ((1.0 + rate) ** 0.5 if mid_year else 1.0)


def growing_annuity_factor(*, rate: float, growth: float, years: int) -> float:
    """Present value of 1 at year 1 growing at `growth` a year for `years` years, end-of-year discounting."""
    if years <= 0:
        return 0.0
    if math.isclose(rate, growth):
        return years / (1.0 + rate)
    return (1.0 - ((1.0 + growth) / (1.0 + rate)) ** years) / (rate - growth)


def tab_factor(
    *, discount_rate: FloatArray | float, tax_rate: FloatArray | float, years: int, mid_year: bool
) -> FloatArray:
    """Tax amortisation benefit factor 1 / (1 - t * PV(annuity of 1/n over n years)), vectorised."""
    d = np.asarray(discount_rate, dtype=np.float64)
    t = np.asarray(tax_rate, dtype=np.float64)
    v_n = np.power(1.0 + d, -float(years))
    safe = np.where(np.abs(d) < 1e-12, 1.0, d)
    pv = np.where(np.abs(d) < 1e-12, 1.0, (1.0 - v_n) / (safe * years))
    if mid_year:
        pv = pv * np.sqrt(1.0 + d)
    denominator = 1.0 - t * pv
    if np.any(denominator <= 0):
        raise EngineError("tax amortisation benefit undefined (tax rate x annuity >= 1)")
    return np.asarray(1.0 / denominator, dtype=np.float64)


def _resolve_inputs(method: IncomeMethod, inputs: Mapping[str, InputValue]) -> dict[str, InputValue]:
    missing = [k for k in method.required if k not in inputs]
    if missing:
        raise EngineError(f"{method.name} needs inputs: {', '.join(missing)}")
    resolved: dict[str, InputValue] = dict(method.defaults)
    resolved.update(inputs)
    allowed = set(method.required) | set(method.defaults)
    unknown = [k for k in resolved if k not in allowed and not k.startswith("cac_")]
    if unknown or (
        not isinstance(method, MultiPeriodExcessEarnings) and any(k.startswith("cac_") for k in resolved)
    ):
        raise EngineError(f"{method.name} does not take inputs: {', '.join(sorted(unknown) or ['cac_*'])}")
    return resolved


def _elem(a: FloatArray, s: slice) -> FloatArray:
    return a if a.ndim == 0 else a[s]


@dataclass(frozen=True, slots=True)
class _Paths:
    values: FloatArray
    year_cash: FloatArray
    year_pv: FloatArray


def _value_paths(
    method: IncomeMethod, x: Mapping[str, FloatArray], *, n: int, mid_year: bool, tab: bool, tab_years: int
) -> _Paths:
    """Present values per path; a paths x years block per chunk (no Python loop over paths)."""
    life = np.asarray(x["life_years"], dtype=np.float64)
    if np.any(life < 0) or not np.all(np.isfinite(life)):
        raise EngineError("life_years must be finite and >= 0")
    horizon = int(math.ceil(float(life.max()))) if life.size else 0
    if horizon > MAX_HORIZON:
        raise EngineError(f"economic life is capped at {MAX_HORIZON} years")
    d = np.asarray(x["discount_rate"], dtype=np.float64)
    if np.any(d <= -1.0):
        raise EngineError("discount_rate must exceed -100%")
    base = method.base_amount(x)
    grow = np.asarray(method.growth(x), dtype=np.float64)
    values = np.zeros(n, dtype=np.float64)
    year_cash = np.zeros(horizon, dtype=np.float64)
    year_pv = np.zeros(horizon, dtype=np.float64)
    if horizon == 0:
        return _Paths(values, year_cash, year_pv)
    first = 0.5 if mid_year else 1.0
    offsets = np.arange(horizon, dtype=np.float64)[:, None]  # (years, 1): t - 1
    full_life = life.ndim == 0 and float(life) >= horizon
    for start in range(0, n, _CHUNK):
        s = slice(start, min(start + _CHUNK, n))
        m = s.stop - s.start
        # Years run along axis 0 so each year is a contiguous row of paths (the block is paths x years).
        cash = np.empty((horizon, m), dtype=np.float64)
        cash[0] = _elem(base, s)
        cash[1:] = 1.0 + _elem(grow, s)
        np.multiply.accumulate(cash, axis=0, out=cash)
        if not full_life:
            weight = _elem(life, s) - offsets
            np.clip(weight, 0.0, 1.0, out=weight)
            cash *= weight
        v = 1.0 / (1.0 + _elem(d, s))
        disc = np.empty((horizon, m), dtype=np.float64)
        disc[0] = v**first
        disc[1:] = v
        np.multiply.accumulate(disc, axis=0, out=disc)
        disc *= cash
        year_cash += cash.sum(axis=1)
        year_pv += disc.sum(axis=1)
        values[s] = disc.sum(axis=0)
    if tab:
        values *= tab_factor(discount_rate=d, tax_rate=x["tax_rate"], years=tab_years, mid_year=mid_year)
    return _Paths(values, year_cash / n, year_pv / n)


def _point_value(method: IncomeMethod, point: Mapping[str, float], *, settings: SimulationSettings) -> float:
    x = {k: np.asarray([v], dtype=np.float64) for k, v in point.items()}
    paths = _value_paths(
        method,
        x,
        n=1,
        mid_year=settings.mid_year,
        tab=settings.tax_amortisation,
        tab_years=settings.amortisation_years,
    )
    return float(paths.values[0])


def tornado(
    method: IncomeMethod, inputs: Mapping[str, InputValue], *, settings: SimulationSettings
) -> tuple[float, list[tuple[str, float, float, float, float]]]:
    """All-P50 value and per uncertain input (name, P10, P90, value@P10, value@P90), widest first."""
    return one_at_a_time(inputs, lambda point: _point_value(method, point, settings=settings))


def value_income(
    method: IncomeMethod | str,
    inputs: Mapping[str, InputValue],
    *,
    settings: SimulationSettings | None = None,
) -> ValuationResult:
    """Run an income method by Monte Carlo (one path if every input is fixed) and summarise the range."""
    if isinstance(method, str):
        try:
            method = INCOME_METHODS[method]
        except KeyError as exc:
            raise EngineError(f"unknown income method {method!r}") from exc
    settings = settings or SimulationSettings()
    resolved = _resolve_inputs(method, inputs)
    uncertain = any(isinstance(v, Distribution) for v in resolved.values())
    n = settings.paths if uncertain else 1
    rng = np.random.Generator(np.random.PCG64(settings.seed))
    x = sample_inputs(resolved, n=n, rng=rng, correlations=settings.correlations)
    paths = _value_paths(
        method,
        x,
        n=n,
        mid_year=settings.mid_year,
        tab=settings.tax_amortisation,
        tab_years=settings.amortisation_years,
    )
    values = paths.values
    if not np.all(np.isfinite(values)):
        raise EngineError("the simulation produced non-finite values; check the inputs")
    cur = settings.currency
    summary = summarise(values, currency=cur, bins=settings.histogram_bins)
    base_value, bars = tornado(method, resolved, settings=settings)
    echo = {
        "method": method.name,
        "inputs": {k: input_to_json(v) for k, v in sorted(resolved.items())},
        "settings": settings.to_dict(),
    }
    notes = []
    if settings.tax_amortisation:
        notes.append(f"TAB over {settings.amortisation_years} years included")
    notes.append("mid-year convention" if settings.mid_year else "end-of-year convention")
    return ValuationResult(
        method=method.name,
        method_version=method.version,
        inputs=echo,
        seed=settings.seed,
        paths=n,
        currency=cur,
        percentiles=summary.percentiles,
        mean=summary.mean,
        se=summary.se,
        sd=summary.sd,
        base_value=to_money_decimal(base_value, cur),
        years=tuple(
            YearFigure(i + 1, to_money_decimal(float(c), cur), to_money_decimal(float(p), cur))
            for i, (c, p) in enumerate(zip(paths.year_cash, paths.year_pv, strict=True))
        ),
        tornado=tuple(
            TornadoBar(name, lo, hi, to_money_decimal(v_lo, cur), to_money_decimal(v_hi, cur))
            for name, lo, hi, v_lo, v_hi in bars
        ),
        histogram=summary.histogram,
        notes=tuple(notes),
    )


def inputs_from_json(raw: Mapping[str, Any]) -> dict[str, InputValue]:
    """Parse {"name": number | distribution object} into engine inputs."""
    return {str(k): input_from_json(v) for k, v in raw.items()}


def run_from_echo(echo: Mapping[str, Any]) -> ValuationResult:
    """Re-run a valuation from a result's inputs echo (reproduces the figures exactly)."""
    settings = SimulationSettings.from_dict(echo.get("settings", {}))
    return value_income(str(echo["method"]), inputs_from_json(echo["inputs"]), settings=settings)


def rerun(result: ValuationResult) -> ValuationResult:
    """Re-run a stored result; equal to the original for the same engine version."""
    return run_from_echo(result.inputs)


def _settings(
    *,
    paths: int,
    seed: int,
    mid_year: bool,
    tax_amortisation: bool,
    amortisation_years: int,
    correlations: Sequence[Correlation],
    currency: str,
) -> SimulationSettings:
    return replace(
        SimulationSettings(),
        paths=paths,
        seed=seed,
        mid_year=mid_year,
        tax_amortisation=tax_amortisation,
        amortisation_years=amortisation_years,
        correlations=tuple(correlations),
        currency=currency,
    )


def relief_from_royalty(
    *,
    revenue: InputValue,
    royalty_rate: InputValue,
    discount_rate: InputValue,
    life_years: InputValue,
    growth: InputValue = 0.0,
    tax_rate: InputValue = DEFAULT_TAX_RATE,
    paths: int = DEFAULT_PATHS,
    seed: int = DEFAULT_SEED,
    mid_year: bool = True,
    tax_amortisation: bool = False,
    amortisation_years: int = CN_AMORTISATION_YEARS,
    correlations: Sequence[Correlation] = (),
    currency: str = "CNY",
) -> ValuationResult:
    """Relief-from-royalty value of an asset (revenue in year 1, growing; royalty saved after tax)."""
    inputs = {
        "revenue": revenue,
        "royalty_rate": royalty_rate,
        "discount_rate": discount_rate,
        "life_years": life_years,
        "growth": growth,
        "tax_rate": tax_rate,
    }
    settings = _settings(
        paths=paths,
        seed=seed,
        mid_year=mid_year,
        tax_amortisation=tax_amortisation,
        amortisation_years=amortisation_years,
        correlations=correlations,
        currency=currency,
    )
    return value_income(INCOME_METHODS["relief_from_royalty"], inputs, settings=settings)


def discounted_cash_flow(
    *,
    revenue: InputValue,
    profit_margin: InputValue,
    discount_rate: InputValue,
    life_years: InputValue,
    attribution: InputValue = 1.0,
    growth: InputValue = 0.0,
    tax_rate: InputValue = DEFAULT_TAX_RATE,
    paths: int = DEFAULT_PATHS,
    seed: int = DEFAULT_SEED,
    mid_year: bool = True,
    tax_amortisation: bool = False,
    amortisation_years: int = CN_AMORTISATION_YEARS,
    correlations: Sequence[Correlation] = (),
    currency: str = "CNY",
) -> ValuationResult:
    """DCF of the cash flow attributable to the asset (profit split by `attribution`)."""
    inputs = {
        "revenue": revenue,
        "profit_margin": profit_margin,
        "discount_rate": discount_rate,
        "life_years": life_years,
        "attribution": attribution,
        "growth": growth,
        "tax_rate": tax_rate,
    }
    settings = _settings(
        paths=paths,
        seed=seed,
        mid_year=mid_year,
        tax_amortisation=tax_amortisation,
        amortisation_years=amortisation_years,
        correlations=correlations,
        currency=currency,
    )
    return value_income(INCOME_METHODS["discounted_cash_flow"], inputs, settings=settings)


def multi_period_excess_earnings(
    *,
    revenue: InputValue,
    profit_margin: InputValue,
    discount_rate: InputValue,
    life_years: InputValue,
    contributory_charges: Mapping[str, InputValue],
    attrition: InputValue = 0.0,
    growth: InputValue = 0.0,
    tax_rate: InputValue = DEFAULT_TAX_RATE,
    paths: int = DEFAULT_PATHS,
    seed: int = DEFAULT_SEED,
    mid_year: bool = True,
    tax_amortisation: bool = False,
    amortisation_years: int = CN_AMORTISATION_YEARS,
    correlations: Sequence[Correlation] = (),
    currency: str = "CNY",
) -> ValuationResult:
    """MPEEM value: after-tax profit less contributory asset charges (each a share of revenue), discounted."""
    inputs: dict[str, InputValue] = {
        "revenue": revenue,
        "profit_margin": profit_margin,
        "discount_rate": discount_rate,
        "life_years": life_years,
        "attrition": attrition,
        "growth": growth,
        "tax_rate": tax_rate,
    }
    for key, value in contributory_charges.items():
        inputs[key if key.startswith("cac_") else f"cac_{key}"] = value
    settings = _settings(
        paths=paths,
        seed=seed,
        mid_year=mid_year,
        tax_amortisation=tax_amortisation,
        amortisation_years=amortisation_years,
        correlations=correlations,
        currency=currency,
    )
    return value_income(INCOME_METHODS["multi_period_excess_earnings"], inputs, settings=settings)
