"""ValuationResult: the reproducible outcome of one valuation run, with a JSON round trip."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from ipops.core.money import Money, quantize

RESULT_SCHEMA = 1


def to_money_decimal(value: float, currency: str) -> Decimal:
    """Float64 engine figure -> Decimal at the currency's minor unit, ROUND_HALF_EVEN (0.01 for CNY)."""
    if not math.isfinite(value):
        raise ValueError(f"not a finite amount: {value!r}")
    return quantize(Decimal(value), currency)


@dataclass(frozen=True, slots=True)
class YearFigure:
    """Expected (path-mean) cash flow of one projection year and its present value (before TAB)."""

    year: int
    cash_flow: Decimal
    present_value: Decimal


@dataclass(frozen=True, slots=True)
class TornadoBar:
    """Value with one input at its P10 and P90 while every other input sits at its P50."""

    name: str
    input_low: float
    input_high: float
    value_low: Decimal
    value_high: Decimal

    @property
    def swing(self) -> Decimal:
        """Absolute value swing between the two ends."""
        return abs(self.value_high - self.value_low)


@dataclass(frozen=True, slots=True)
class Histogram:
    """Histogram of simulated values: len(edges) == len(counts) + 1."""

    edges: tuple[Decimal, ...]
    counts: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ValuationResult:
    """One valuation: method and version, echo of inputs, seed, paths, range and chart data.

    Money figures are Decimal quantised to the currency's minor unit (0.01 for CNY) with ROUND_HALF_EVEN;
    the engine computes in float64 and converts only here, at the boundary.
    """

    method: str
    method_version: str
    inputs: dict[str, Any]
    seed: int
    paths: int
    currency: str
    percentiles: dict[str, Decimal]
    mean: Decimal
    se: Decimal
    sd: Decimal
    base_value: Decimal
    years: tuple[YearFigure, ...] = ()
    tornado: tuple[TornadoBar, ...] = ()
    histogram: Histogram = field(default_factory=lambda: Histogram((), ()))
    notes: tuple[str, ...] = ()

    @property
    def p10(self) -> Decimal:
        """10th percentile."""
        return self.percentiles["p10"]

    @property
    def p50(self) -> Decimal:
        """Median."""
        return self.percentiles["p50"]

    @property
    def p90(self) -> Decimal:
        """90th percentile."""
        return self.percentiles["p90"]

    def money(self, key: str) -> Money:
        """A percentile ("p10") or "mean" as Money."""
        amount = self.mean if key == "mean" else self.percentiles[key]
        return Money(amount, self.currency)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (Decimals as strings)."""
        return {
            "schema": RESULT_SCHEMA,
            "method": self.method,
            "method_version": self.method_version,
            "inputs": self.inputs,
            "seed": self.seed,
            "paths": self.paths,
            "currency": self.currency,
            "percentiles": {k: str(v) for k, v in self.percentiles.items()},
            "mean": str(self.mean),
            "se": str(self.se),
            "sd": str(self.sd),
            "base_value": str(self.base_value),
            "years": [
                {"year": y.year, "cash_flow": str(y.cash_flow), "present_value": str(y.present_value)}
                for y in self.years
            ],
            "tornado": [
                {
                    "name": b.name,
                    "input_low": b.input_low,
                    "input_high": b.input_high,
                    "value_low": str(b.value_low),
                    "value_high": str(b.value_high),
                }
                for b in self.tornado
            ],
            "histogram": {
                "edges": [str(e) for e in self.histogram.edges],
                "counts": list(self.histogram.counts),
            },
            "notes": list(self.notes),
        }

    def to_json(self) -> str:
        """Canonical JSON text (sorted keys)."""
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ValuationResult:
        """Inverse of `to_dict`."""
        hist = data.get("histogram") or {"edges": [], "counts": []}
        return cls(
            method=str(data["method"]),
            method_version=str(data["method_version"]),
            inputs=dict(data["inputs"]),
            seed=int(data["seed"]),
            paths=int(data["paths"]),
            currency=str(data["currency"]),
            percentiles={str(k): Decimal(v) for k, v in data["percentiles"].items()},
            mean=Decimal(data["mean"]),
            se=Decimal(data["se"]),
            sd=Decimal(data["sd"]),
            base_value=Decimal(data["base_value"]),
            years=tuple(
                YearFigure(int(y["year"]), Decimal(y["cash_flow"]), Decimal(y["present_value"]))
                for y in data.get("years", [])
            ),
            tornado=tuple(
                TornadoBar(
                    str(b["name"]),
                    float(b["input_low"]),
                    float(b["input_high"]),
                    Decimal(b["value_low"]),
                    Decimal(b["value_high"]),
                )
                for b in data.get("tornado", [])
            ),
            histogram=Histogram(
                tuple(Decimal(e) for e in hist["edges"]), tuple(int(c) for c in hist["counts"])
            ),
            notes=tuple(str(n) for n in data.get("notes", [])),
        )

    @classmethod
    def from_json(cls, text: str) -> ValuationResult:
        """Inverse of `to_json`."""
        return cls.from_dict(json.loads(text))


PERCENTILES = (5, 10, 25, 50, 75, 90, 95)


@dataclass(frozen=True, slots=True)
class Summary:
    """Percentiles, mean, dispersion and histogram of a set of simulated (or weighted) values."""

    percentiles: dict[str, Decimal]
    mean: Decimal
    sd: Decimal
    se: Decimal
    histogram: Histogram


def summarise(
    values: npt.ArrayLike, *, currency: str, bins: int, weights: npt.ArrayLike | None = None
) -> Summary:
    """Summary of values; with weights, weighted percentiles (the inverse of the weighted CDF) and a
    standard error on Kish's effective sample size 1 / sum(w^2)."""
    data = np.asarray(values, dtype=np.float64)
    n = int(data.size)
    if weights is None:
        qs = np.percentile(data, PERCENTILES)
        mean = float(data.mean())
        sd = float(data.std(ddof=1)) if n > 1 else 0.0
        size = float(n)
        counts, edges = np.histogram(data, bins=bins if n > 1 else 1)
    else:
        w = np.asarray(weights, dtype=np.float64)
        w = w / w.sum()
        order = np.argsort(data, kind="stable")
        positions = np.searchsorted(np.cumsum(w[order]), np.array(PERCENTILES) / 100.0 - 1e-12)
        qs = data[order][np.minimum(positions, n - 1)]
        mean = float(np.dot(w, data))
        sd = float(np.sqrt(np.dot(w, (data - mean) ** 2)))
        size = float(1.0 / np.sum(w**2))
        counts, edges = np.histogram(data, bins=min(bins, max(n, 1)))
    return Summary(
        percentiles={
            f"p{p}": to_money_decimal(float(q), currency) for p, q in zip(PERCENTILES, qs, strict=True)
        },
        mean=to_money_decimal(mean, currency),
        sd=to_money_decimal(sd, currency),
        se=to_money_decimal(sd / math.sqrt(size) if size > 0 else 0.0, currency),
        histogram=Histogram(
            tuple(to_money_decimal(float(e), currency) for e in edges), tuple(int(c) for c in counts)
        ),
    )
