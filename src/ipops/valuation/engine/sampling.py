"""Joint sampling of inputs: independent draws or a Gaussian copula (Cholesky of a validated correlation)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special

from ipops.valuation.engine.distributions import (
    Distribution,
    EngineError,
    FloatArray,
    InputValue,
    Lognormal,
)

PSD_TOLERANCE = 1e-10


@dataclass(frozen=True, slots=True)
class Correlation:
    """Rank-style dependence between two uncertain inputs (Gaussian copula correlation rho)."""

    a: str
    b: str
    rho: float

    def to_dict(self) -> dict[str, object]:
        """JSON echo."""
        return {"a": self.a, "b": self.b, "rho": self.rho}


def correlations_from_json(raw: Iterable[Mapping[str, object]] | None) -> tuple[Correlation, ...]:
    """Parse [{"a": .., "b": .., "rho": ..}, ...]."""
    out = []
    for item in raw or ():
        try:
            out.append(Correlation(str(item["a"]), str(item["b"]), float(str(item["rho"]))))
        except (KeyError, ValueError) as exc:
            raise EngineError(f"bad correlation entry {item!r}") from exc
    return tuple(out)


def correlation_matrix(*, names: Sequence[str], pairs: Iterable[Correlation]) -> FloatArray:
    """Symmetric matrix with unit diagonal over names from pairwise correlations (unlisted pairs are 0)."""
    index = {n: i for i, n in enumerate(names)}
    matrix = np.eye(len(names), dtype=np.float64)
    for pair in pairs:
        if pair.a not in index or pair.b not in index:
            raise EngineError(f"correlation names an input that is not uncertain: {pair.a!r}, {pair.b!r}")
        if pair.a == pair.b:
            raise EngineError(f"an input cannot be correlated with itself: {pair.a!r}")
        if not -1.0 <= pair.rho <= 1.0:
            raise EngineError(f"correlation must lie in [-1, 1], got {pair.rho}")
        i, j = index[pair.a], index[pair.b]
        matrix[i, j] = matrix[j, i] = pair.rho
    return matrix


def cholesky_factor(matrix: FloatArray) -> FloatArray:
    """Lower factor L with L @ L.T == matrix; refuses matrices that are not symmetric PSD correlations."""
    m = np.asarray(matrix, dtype=np.float64)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise EngineError("a correlation matrix must be square")
    if not np.allclose(m, m.T, atol=1e-12) or not np.allclose(np.diag(m), 1.0):
        raise EngineError("a correlation matrix must be symmetric with a unit diagonal")
    eigenvalues, vectors = np.linalg.eigh(m)
    if eigenvalues.min() < -PSD_TOLERANCE:
        raise EngineError(
            f"correlation matrix is not positive semi-definite (min eigenvalue {eigenvalues.min():.3g})"
        )
    try:
        return np.asarray(np.linalg.cholesky(m), dtype=np.float64)
    except np.linalg.LinAlgError:
        # Singular but PSD (e.g. rho = 1): a symmetric square root serves the same purpose.
        root: FloatArray = np.asarray(vectors * np.sqrt(np.clip(eigenvalues, 0.0, None)), dtype=np.float64)
        return root


def sample_inputs(
    inputs: Mapping[str, InputValue],
    *,
    n: int,
    rng: np.random.Generator,
    correlations: Sequence[Correlation] = (),
) -> dict[str, FloatArray]:
    """Draw n joint values per input; fixed inputs come back as 0-d arrays (they broadcast).

    Draw order is fixed (uncertain inputs by sorted name, correlated group first), so the same inputs and
    seed give identical samples.
    """
    out: dict[str, FloatArray] = {}
    uncertain = sorted(k for k, v in inputs.items() if isinstance(v, Distribution))
    for name, value in inputs.items():
        if not isinstance(value, Distribution):
            out[name] = np.asarray(float(value), dtype=np.float64)
    linked = sorted({c.a for c in correlations} | {c.b for c in correlations})
    if linked:
        missing = [x for x in linked if x not in uncertain]
        if missing:
            raise EngineError(f"correlated inputs must be distributions: {', '.join(missing)}")
        factor = cholesky_factor(correlation_matrix(names=linked, pairs=correlations))
        z = rng.standard_normal((n, len(linked))) @ factor.T
        for j, name in enumerate(linked):
            dist = inputs[name]
            assert isinstance(dist, Distribution)  # noqa: S101 - narrowed above
            column = np.ascontiguousarray(z[:, j])
            if isinstance(dist, Lognormal):
                out[name] = dist.from_normal(column)
            else:
                out[name] = dist.ppf(np.clip(special.ndtr(column), 1e-15, 1.0 - 1e-15))
    for name in uncertain:
        if name not in out:
            dist = inputs[name]
            assert isinstance(dist, Distribution)  # noqa: S101 - narrowed above
            out[name] = dist.sample(rng, n)
    return out
