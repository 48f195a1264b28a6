"""Market method: comparable transactions, adjustment factors and a weighted estimate.

adjusted_i = price_i x time x life x exclusivity x industry x region x maturity, each factor the ratio of
the subject's attribute to the comparable's:

- time: (1 + price_index)^(years from the comparable's date to the valuation date);
- life: annuity factor of the subject's remaining life / that of the comparable's, at `discount_rate`;
- exclusivity: level multipliers (exclusive 1.0, sole 0.8, non-exclusive 0.6 by default), subject / comp;
- industry, region: 1 when equal, else the configured factor (default 0.9);
- maturity: (1 + maturity_step)^(subject level - comparable level), levels 1 (lab) .. 5 (mass production).

weight_i = 1 / (1 + sum_j |ln factor_ij|): the less a comparable needs adjusting, the more it counts.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from ipops.valuation.engine.distributions import EngineError
from ipops.valuation.engine.result import ValuationResult, summarise, to_money_decimal

DEFAULT_EXCLUSIVITY: dict[str, float] = {
    "exclusive": 1.0,
    "sole": 0.8,
    "non_exclusive": 0.6,
    "assignment": 1.0,
}
FACTOR_NAMES = ("time", "life", "exclusivity", "industry", "region", "maturity")
CSV_COLUMNS = ("price", "date", "type", "industry", "remaining_life", "exclusivity", "region")


@dataclass(frozen=True, slots=True)
class Comparable:
    """One comparable transaction."""

    price: float
    date: dt.date
    ip_type: str
    industry: str
    remaining_life: float
    exclusivity: str
    region: str
    maturity: int = 3
    reference: str = ""


@dataclass(frozen=True, slots=True)
class Subject:
    """The asset being valued, in the comparables' terms."""

    ip_type: str
    industry: str
    remaining_life: float
    exclusivity: str
    region: str
    maturity: int = 3


@dataclass(frozen=True, slots=True)
class MarketPolicy:
    """Adjustment parameters (documented in the module docstring)."""

    valuation_date: dt.date
    price_index: float = 0.02
    discount_rate: float = 0.12
    exclusivity_levels: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_EXCLUSIVITY))
    other_industry_factor: float = 0.9
    other_region_factor: float = 0.9
    maturity_step: float = 0.1
    same_type_only: bool = True


@dataclass(frozen=True, slots=True)
class AdjustedComparable:
    """A comparable with its factors, adjusted price and weight."""

    comparable: Comparable
    factors: dict[str, float]
    adjusted_price: Decimal
    weight: float


@dataclass(frozen=True, slots=True)
class MarketResult:
    """Weighted estimate, range of adjusted prices and the per-comparable working."""

    method: str
    method_version: str
    currency: str
    estimate: Decimal
    low: Decimal
    median: Decimal
    high: Decimal
    rows: tuple[AdjustedComparable, ...]
    excluded: tuple[Comparable, ...]


def _norm(text: str) -> str:
    return text.strip().lower().replace("-", "_").replace(" ", "_")


def comparables_from_csv(text: str) -> list[Comparable]:
    """Parse CSV rows with columns price, date, type, industry, remaining_life, exclusivity, region
    (optional maturity, reference)."""
    reader = csv.DictReader(io.StringIO(text))
    header = {_norm(h) for h in reader.fieldnames or ()}
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        raise EngineError(f"comparables CSV lacks columns: {', '.join(missing)}")
    out = []
    for line, raw in enumerate(reader, start=2):
        row = {_norm(k): (v or "").strip() for k, v in raw.items() if k is not None}
        try:
            out.append(
                Comparable(
                    price=float(row["price"].replace(",", "")),
                    date=dt.date.fromisoformat(row["date"]),
                    ip_type=_norm(row["type"]),
                    industry=_norm(row["industry"]),
                    remaining_life=float(row["remaining_life"]),
                    exclusivity=_norm(row["exclusivity"]),
                    region=_norm(row["region"]),
                    maturity=int(row.get("maturity") or 3),
                    reference=row.get("reference", ""),
                )
            )
        except (KeyError, ValueError) as exc:
            raise EngineError(f"comparables CSV line {line}: {exc}") from exc
    return out


def adjustment_factors(*, comparable: Comparable, subject: Subject, policy: MarketPolicy) -> dict[str, float]:
    """The six factors that carry a comparable's price over to the subject."""
    levels = policy.exclusivity_levels
    for level in (comparable.exclusivity, subject.exclusivity):
        if level not in levels:
            raise EngineError(f"unknown exclusivity {level!r}; known: {', '.join(sorted(levels))}")
    years = (policy.valuation_date - comparable.date).days / 365.2425
    comp_life = _life_factor(comparable.remaining_life, policy.discount_rate)
    if comp_life <= 0:
        raise EngineError("a comparable needs a remaining life above 0")
    return {
        "time": (1.0 + policy.price_index) ** years,
        "life": _life_factor(subject.remaining_life, policy.discount_rate) / comp_life,
        "exclusivity": levels[subject.exclusivity] / levels[comparable.exclusivity],
        "industry": 1.0 if subject.industry == comparable.industry else policy.other_industry_factor,
        "region": 1.0 if subject.region == comparable.region else policy.other_region_factor,
        "maturity": (1.0 + policy.maturity_step) ** (subject.maturity - comparable.maturity),
    }


def _life_factor(years: float, rate: float) -> float:
    """Annuity factor for a possibly fractional life: (1 - (1+r)^-n) / r."""
    if years <= 0:
        return 0.0
    return years if rate == 0 else (1.0 - (1.0 + rate) ** -years) / rate


def market_approach(
    *,
    comparables: Sequence[Comparable],
    subject: Subject,
    policy: MarketPolicy,
    currency: str = "CNY",
) -> MarketResult:
    """Adjust each comparable to the subject and weight them into one estimate (see module docstring)."""
    used = [c for c in comparables if not policy.same_type_only or c.ip_type == subject.ip_type]
    excluded = tuple(c for c in comparables if c not in used)
    if not used:
        raise EngineError("no comparable of the subject's type")
    if subject.remaining_life <= 0:
        raise EngineError(
            "the subject has no remaining economic life: a market value cannot be scaled from it"
        )
    factors = [adjustment_factors(comparable=c, subject=subject, policy=policy) for c in used]
    adjusted = np.array([c.price * math.prod(f.values()) for c, f in zip(used, factors, strict=True)])
    raw_weights = np.array([1.0 / (1.0 + sum(abs(math.log(v)) for v in f.values())) for f in factors])
    weights = raw_weights / raw_weights.sum()
    estimate = float(np.dot(weights, adjusted))
    rows = tuple(
        AdjustedComparable(c, f, to_money_decimal(float(a), currency), float(w))
        for c, f, a, w in zip(used, factors, adjusted, weights, strict=True)
    )
    return MarketResult(
        method="market_comparables",
        method_version="mkt-1.0",
        currency=currency,
        estimate=to_money_decimal(estimate, currency),
        low=to_money_decimal(float(adjusted.min()), currency),
        median=to_money_decimal(float(np.median(adjusted)), currency),
        high=to_money_decimal(float(adjusted.max()), currency),
        rows=rows,
        excluded=excluded,
    )


MARKET_METHOD_VERSION = "mkt-range-1.0"
_POLICY_FIELDS = (
    "price_index",
    "discount_rate",
    "other_industry_factor",
    "other_region_factor",
    "maturity_step",
)


def _comparable_from_json(raw: Mapping[str, Any], number: int) -> Comparable:
    try:
        return Comparable(
            price=float(raw["price"]),
            date=dt.date.fromisoformat(str(raw["date"])),
            ip_type=_norm(str(raw.get("type") or raw["ip_type"])),
            industry=_norm(str(raw["industry"])),
            remaining_life=float(raw["remaining_life"]),
            exclusivity=_norm(str(raw["exclusivity"])),
            region=_norm(str(raw["region"])),
            maturity=int(raw.get("maturity", 3)),
            reference=str(raw.get("reference", "")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise EngineError(f"comparable {number}: {exc!r}") from exc


def _comparable_to_json(c: Comparable) -> dict[str, Any]:
    return {
        "price": c.price,
        "date": c.date.isoformat(),
        "type": c.ip_type,
        "industry": c.industry,
        "remaining_life": c.remaining_life,
        "exclusivity": c.exclusivity,
        "region": c.region,
        "maturity": c.maturity,
        "reference": c.reference,
    }


def value_market(
    *,
    comparables: Sequence[Mapping[str, Any]],
    subject: Mapping[str, Any],
    policy: Mapping[str, Any],
    currency: str = "CNY",
    histogram_bins: int = 20,
) -> ValuationResult:
    """The market method as a range: weighted percentiles of the adjusted comparable prices.

    The weighted mean is the point estimate (as in `market_approach`); P10/P50/P90 come from the weighted
    distribution of the adjusted prices, and the standard error uses Kish's effective sample size.
    """
    parsed = [_comparable_from_json(raw, i) for i, raw in enumerate(comparables, start=1)]
    try:
        the_subject = Subject(
            ip_type=_norm(str(subject["ip_type"])),
            industry=_norm(str(subject["industry"])),
            remaining_life=float(subject["remaining_life"]),
            exclusivity=_norm(str(subject["exclusivity"])),
            region=_norm(str(subject["region"])),
            maturity=int(subject.get("maturity", 3)),
        )
        unknown = sorted(set(policy) - {*_POLICY_FIELDS, "valuation_date", "same_type_only"})
        if unknown:
            raise EngineError(f"unknown market policy fields: {', '.join(unknown)}")
        defaults = MarketPolicy(valuation_date=dt.date.fromisoformat(str(policy["valuation_date"])))
        the_policy = MarketPolicy(
            valuation_date=defaults.valuation_date,
            price_index=float(policy.get("price_index", defaults.price_index)),
            discount_rate=float(policy.get("discount_rate", defaults.discount_rate)),
            other_industry_factor=float(policy.get("other_industry_factor", defaults.other_industry_factor)),
            other_region_factor=float(policy.get("other_region_factor", defaults.other_region_factor)),
            maturity_step=float(policy.get("maturity_step", defaults.maturity_step)),
            same_type_only=bool(policy.get("same_type_only", True)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise EngineError(f"market subject or policy: {exc!r}") from exc
    found = market_approach(comparables=parsed, subject=the_subject, policy=the_policy, currency=currency)
    adjusted = np.array([float(r.adjusted_price) for r in found.rows])
    weights = np.array([r.weight for r in found.rows])
    summary = summarise(adjusted, currency=currency, bins=histogram_bins, weights=weights)
    notes = [
        f"{r.comparable.reference or r.comparable.date.isoformat()}: {r.comparable.price:,.2f} -> "
        f"{r.adjusted_price:,} (weight {r.weight:.3f}; "
        + ", ".join(f"{k} {v:.3f}" for k, v in r.factors.items())
        + ")"
        for r in found.rows
    ]
    if found.excluded:
        notes.append(f"{len(found.excluded)} comparable(s) of another IP type excluded")
    echo = {
        "method": "market_comparables",
        "comparables": [_comparable_to_json(c) for c in parsed],
        "subject": {
            "ip_type": the_subject.ip_type,
            "industry": the_subject.industry,
            "remaining_life": the_subject.remaining_life,
            "exclusivity": the_subject.exclusivity,
            "region": the_subject.region,
            "maturity": the_subject.maturity,
        },
        "policy": {"valuation_date": the_policy.valuation_date.isoformat(), **dict(policy)},
        "settings": {"currency": currency, "histogram_bins": histogram_bins},
    }
    return ValuationResult(
        method="market_comparables",
        method_version=MARKET_METHOD_VERSION,
        inputs=echo,
        seed=0,
        paths=len(found.rows),
        currency=currency,
        percentiles=summary.percentiles,
        mean=found.estimate,
        se=summary.se,
        sd=summary.sd,
        base_value=found.estimate,
        histogram=summary.histogram,
        notes=tuple(notes),
    )
