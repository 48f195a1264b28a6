"""Distributions, Gaussian copula, tornado, reproducibility, seed stability and the golden result."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from ipops.valuation.engine import (
    Correlation,
    Empirical,
    EngineError,
    Lognormal,
    Pert,
    Triangular,
    TruncatedNormal,
    Uniform,
    ValuationResult,
    cholesky_factor,
    distribution_from_dict,
    relief_from_royalty,
    rerun,
    run_from_echo,
)
from ipops.valuation.engine.income import DEFAULT_PATHS
from ipops.valuation.engine.sampling import sample_inputs

GOLDEN = Path(__file__).parent / "golden" / "rfr_seed42.json"
N = 100_000


def _rng(seed: int = 1) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(seed))


@pytest.mark.parametrize(
    ("dist", "mean"),
    [
        (Uniform(1.0, 3.0), 2.0),
        (Triangular(1.0, 2.0, 6.0), 3.0),
        (Pert(1.0, 2.0, 6.0), (1 + 4 * 2 + 6) / 6),
        (Lognormal(10.0, 3.0), 10.0),
        (TruncatedNormal(0.0, 1.0, 0.0, math.inf), math.sqrt(2 / math.pi)),
        (Empirical((1.0, 2.0, 3.0, 4.0)), 2.5),
    ],
)
def test_sample_and_ppf_agree_on_the_mean(dist: object, mean: float) -> None:
    from ipops.valuation.engine.distributions import Distribution

    assert isinstance(dist, Distribution)
    drawn = dist.sample(_rng(), N)
    inverted = dist.ppf(_rng(2).random(N))
    assert drawn.mean() == pytest.approx(mean, rel=0.02)
    assert inverted.mean() == pytest.approx(mean, rel=0.02)
    assert distribution_from_dict(dist.to_dict()) == dist


def test_lognormal_from_p10_p90_hits_its_percentiles() -> None:
    dist = Lognormal.from_p10_p90(p10=80.0, p90=130.0)
    assert dist.ppf(np.array([0.1, 0.9])) == pytest.approx([80.0, 130.0], rel=1e-9)
    assert distribution_from_dict({"dist": "lognormal", "p10": 80, "p90": 130}) == dist


def test_pert_ppf_table_matches_scipy_beta() -> None:
    dist = Pert(0.02, 0.05, 0.09)
    u = np.linspace(0.001, 0.999, 1000)
    exact = 0.02 + 0.07 * stats.beta(dist.alpha, dist.beta).ppf(u)
    assert dist.ppf(u) == pytest.approx(exact, abs=1e-6)


def test_truncated_normal_stays_inside_bounds() -> None:
    drawn = TruncatedNormal(0.1, 0.05, 0.0, 0.15).sample(_rng(), N)
    assert drawn.min() >= 0.0 and drawn.max() <= 0.15


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(EngineError):
        Triangular(3.0, 1.0, 2.0)
    with pytest.raises(EngineError):
        distribution_from_dict({"dist": "weibull"})
    with pytest.raises(EngineError):
        Lognormal(-1.0, 1.0)


def test_copula_reaches_the_target_rank_correlation() -> None:
    inputs = {"a": Triangular(0, 1, 3), "b": Lognormal(5.0, 2.0), "c": Pert(0, 1, 2)}
    pairs = (Correlation("a", "b", 0.7), Correlation("b", "c", -0.4))
    x = sample_inputs(inputs, n=N, rng=_rng(), correlations=pairs)
    # Spearman of a Gaussian copula: (6 / pi) asin(rho / 2).
    for (a, b), rho in ((("a", "b"), 0.7), (("b", "c"), -0.4)):
        got = stats.spearmanr(x[a], x[b]).statistic
        assert got == pytest.approx(6 / math.pi * math.asin(rho / 2), abs=0.01)
    assert x["a"].mean() == pytest.approx(4 / 3, rel=0.01)


def test_correlation_matrix_must_be_psd() -> None:
    bad = np.array([[1.0, 0.9, -0.9], [0.9, 1.0, 0.9], [-0.9, 0.9, 1.0]])
    with pytest.raises(EngineError, match="positive semi-definite"):
        cholesky_factor(bad)
    with pytest.raises(EngineError, match="symmetric"):
        cholesky_factor(np.array([[1.0, 0.2], [0.3, 1.0]]))
    singular = np.array([[1.0, 1.0], [1.0, 1.0]])
    root = cholesky_factor(singular)
    assert root @ root.T == pytest.approx(singular)


def test_correlated_fixed_input_is_refused() -> None:
    with pytest.raises(EngineError, match="must be distributions"):
        relief_from_royalty(
            revenue=Triangular(1, 2, 3),
            royalty_rate=0.05,
            discount_rate=0.1,
            life_years=5,
            correlations=(Correlation("revenue", "royalty_rate", 0.5),),
        )


def _uncertain(seed: int, paths: int = DEFAULT_PATHS) -> ValuationResult:
    return relief_from_royalty(
        revenue=Lognormal.from_p10_p90(p10=8e6, p90=1.4e7),
        royalty_rate=Pert(0.02, 0.045, 0.08),
        discount_rate=Triangular(0.10, 0.13, 0.18),
        growth=Triangular(-0.02, 0.04, 0.08),
        life_years=Triangular(6, 9, 12),
        correlations=(Correlation("revenue", "growth", 0.5),),
        tax_amortisation=True,
        paths=paths,
        seed=seed,
    )


def test_same_inputs_and_seed_give_identical_output() -> None:
    a = _uncertain(11, paths=20_000)
    b = _uncertain(11, paths=20_000)
    assert a == b and a.to_json() == b.to_json()
    assert a.p10 <= a.p50 <= a.p90 and a.se > 0


def test_seed_stability_at_the_default_path_count() -> None:
    start = time.perf_counter()
    p50 = [float(_uncertain(seed).p50) for seed in (1, 2, 3, 4)]
    assert time.perf_counter() - start < 5.0
    centre = float(np.mean(p50))
    assert all(abs(p - centre) / centre < 0.01 for p in p50)


def test_one_default_run_is_fast() -> None:
    start = time.perf_counter()
    _uncertain(5)
    assert time.perf_counter() - start < 5.0


def test_tornado_is_sorted_and_brackets_the_base() -> None:
    result = _uncertain(1, paths=20_000)
    swings = [bar.swing for bar in result.tornado]
    assert swings == sorted(swings, reverse=True)
    assert {bar.name for bar in result.tornado} == {
        "revenue",
        "royalty_rate",
        "discount_rate",
        "growth",
        "life_years",
    }
    for bar in result.tornado:
        assert min(bar.value_low, bar.value_high) <= result.base_value <= max(bar.value_low, bar.value_high)
    rate = next(bar for bar in result.tornado if bar.name == "discount_rate")
    assert rate.value_low > rate.value_high  # higher discount rate, lower value


def test_json_round_trip_and_rerun_reproduce_exactly() -> None:
    result = _uncertain(8, paths=20_000)
    back = ValuationResult.from_json(result.to_json())
    assert back == result
    assert rerun(back) == result
    assert run_from_echo(json.loads(json.dumps(result.inputs))) == result
    assert sum(result.histogram.counts) == result.paths


def test_golden_result() -> None:
    result = _uncertain(42, paths=20_000)
    if not GOLDEN.exists():  # pragma: no cover - regenerate by deleting the file
        GOLDEN.write_text(json.dumps(result.to_dict(), indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    golden = json.loads(GOLDEN.read_text())
    got = result.to_dict()
    assert got["inputs"] == golden["inputs"]
    assert got["method_version"] == golden["method_version"]
    for key in ("p5", "p10", "p25", "p50", "p75", "p90", "p95"):
        assert float(got["percentiles"][key]) == pytest.approx(float(golden["percentiles"][key]), rel=1e-9)
    for key in ("mean", "se", "sd", "base_value"):
        assert float(got[key]) == pytest.approx(float(golden[key]), rel=1e-9)
    assert got["histogram"]["counts"] == golden["histogram"]["counts"]
    for mine, theirs in zip(got["years"], golden["years"], strict=True):
        assert float(mine["present_value"]) == pytest.approx(float(theirs["present_value"]), rel=1e-9)
