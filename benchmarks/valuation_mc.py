"""Valuation benchmark: 1,000,000 paths x 10 years of relief-from-royalty, engine vs a minimal numpy loop.

    python benchmarks/valuation_mc.py [--paths 1000000] [--repeat 3]

The engine run (`ipops.valuation.engine.income.relief_from_royalty`) samples the inputs, values every path,
and also produces percentiles, mean, standard error, per-year expected cash flows, tornado and histogram.
The baseline is the same maths written inline: the same draws from the same generator, a Python loop over
the 10 years with numpy vectors over paths, then P10/P50/P90. Best of --repeat runs each; targets: engine
under 1 s and engine / baseline <= 1.5.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from ipops.valuation.engine.distributions import Lognormal, Pert, Triangular
from ipops.valuation.engine.income import relief_from_royalty

SEED = 7
YEARS = 10
TAX = 0.25
REVENUE = Lognormal.from_p10_p90(p10=8_000_000.0, p90=14_000_000.0)
ROYALTY = Pert(0.02, 0.045, 0.08)
DISCOUNT = Triangular(0.10, 0.13, 0.18)
GROWTH = Triangular(-0.02, 0.04, 0.08)


def engine(paths: int) -> tuple[float, float, float]:
    """P10/P50/P90 through the engine."""
    result = relief_from_royalty(
        revenue=REVENUE,
        royalty_rate=ROYALTY,
        discount_rate=DISCOUNT,
        growth=GROWTH,
        life_years=float(YEARS),
        tax_rate=TAX,
        paths=paths,
        seed=SEED,
    )
    return float(result.p10), float(result.p50), float(result.p90)


def baseline(paths: int) -> tuple[float, float, float]:
    """The same valuation as a minimal loop over years (draws in the engine's order: sorted input names)."""
    rng = np.random.Generator(np.random.PCG64(SEED))
    d = DISCOUNT.sample(rng, paths)
    g = GROWTH.sample(rng, paths)
    revenue = REVENUE.sample(rng, paths)
    royalty = ROYALTY.sample(rng, paths)
    value = np.zeros(paths)
    for t in range(YEARS):
        value += revenue * (1.0 + g) ** t * royalty * (1.0 - TAX) / (1.0 + d) ** (t + 0.5)
    p10, p50, p90 = np.percentile(value, [10, 50, 90])
    return float(p10), float(p50), float(p90)


def best_time(fn: object, paths: int, repeat: int) -> tuple[float, tuple[float, float, float]]:
    """Best wall time of `repeat` runs and the last result."""
    assert callable(fn)
    best = float("inf")
    out: tuple[float, float, float] = (0.0, 0.0, 0.0)
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn(paths)
        best = min(best, time.perf_counter() - start)
    return best, out


def main() -> None:
    """Run both, print times, ratio and the agreement of the percentiles."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--paths", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    engine(10_000)  # warm-up (imports, caches)
    t_engine, e = best_time(engine, args.paths, args.repeat)
    t_base, b = best_time(baseline, args.paths, args.repeat)
    print(f"paths x years        : {args.paths:,} x {YEARS}")
    print(f"engine (full result) : {t_engine:.3f} s   P10/P50/P90 = {e[0]:,.2f} / {e[1]:,.2f} / {e[2]:,.2f}")
    print(f"minimal numpy loop   : {t_base:.3f} s   P10/P50/P90 = {b[0]:,.2f} / {b[1]:,.2f} / {b[2]:,.2f}")
    print(f"ratio engine/loop    : {t_engine / t_base:.2f}  (target <= 1.5; engine target < 1 s)")
    worst = max(abs(x - y) / y for x, y in zip(e, b, strict=True))
    print(f"max relative diff    : {worst:.2e}")


if __name__ == "__main__":
    main()
