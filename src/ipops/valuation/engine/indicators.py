"""Patent value indicator tree on the structure of GB/T 42748-2023 专利评估指引 (legal, technical, economic).

The three first-level dimensions and their leaves follow the standard's structure; the scenario weights are
ipops defaults (the standard leaves weighting to the appraiser) and every scenario's weights sum to 1.
Scores are 0-100 per leaf. A dimension's score is the weighted mean of its scored leaves (weights
renormalised over the leaves that have a score); the total is the weighted mean of the scored dimensions.

Score -> royalty position: piecewise linear through (0, low), (50, mode), (100, high) of the royalty prior,
so an average asset sits at the prior's mode and the extremes at its ends (`royalty_rate_for_score`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from ipops.valuation.engine.distributions import EngineError, Triangular


class Scenario(StrEnum):
    """Purpose of the valuation (GB/T 42748-2023 application scenarios)."""

    LICENSING_TRANSFER = "licensing_transfer"
    FINANCE = "finance"
    TAX = "tax"
    INFRINGEMENT_REMEDY = "infringement_remedy"
    MANAGEMENT = "management"


SCENARIO_LABELS: dict[Scenario, tuple[str, str]] = {
    Scenario.LICENSING_TRANSFER: ("许可转让", "Licensing / transfer"),
    Scenario.FINANCE: ("融资", "Finance"),
    Scenario.TAX: ("税务", "Tax"),
    Scenario.INFRINGEMENT_REMEDY: ("侵权救济", "Infringement remedy"),
    Scenario.MANAGEMENT: ("管理", "Management"),
}


@dataclass(frozen=True, slots=True)
class Indicator:
    """A node of the tree with bilingual labels."""

    key: str
    zh: str
    en: str
    dimension: str
    base_weight: float = 0.0


DIMENSIONS: tuple[Indicator, ...] = (
    Indicator("legal", "法律价值", "Legal value", ""),
    Indicator("technical", "技术价值", "Technical value", ""),
    Indicator("economic", "经济价值", "Economic value", ""),
)

# Base within-dimension weights (each dimension's sum to 1).
LEAVES: tuple[Indicator, ...] = (
    Indicator("stability", "稳定性", "Validity / stability", "legal", 0.20),
    Indicator("non_circumventability", "不可规避性", "Non-circumventability", "legal", 0.12),
    Indicator("dependency", "依赖性", "Independence from other patents", "legal", 0.08),
    Indicator("protection_scope", "保护范围", "Scope of protection", "legal", 0.15),
    Indicator("remaining_term", "剩余有效期", "Remaining term", "legal", 0.15),
    Indicator("multi_country", "多国申请", "Multi-country filing", "legal", 0.08),
    Indicator("licensing_status", "许可状况", "Licensing status", "legal", 0.10),
    Indicator("infringement_detectability", "侵权可判定性", "Detectability of infringement", "legal", 0.12),
    Indicator("advancement", "先进性", "Advancement", "technical", 0.22),
    Indicator("industry_trend", "行业发展趋势", "Industry development trend", "technical", 0.15),
    Indicator("application_scope", "适用范围", "Range of application", "technical", 0.18),
    Indicator(
        "complementary_dependence",
        "配套技术依存度",
        "Independence from complementary technology",
        "technical",
        0.12,
    ),
    Indicator("substitutability", "可替代性", "Hard to substitute", "technical", 0.18),
    Indicator("maturity", "成熟度", "Maturity", "technical", 0.15),
    Indicator("market_application", "市场应用", "Market application", "economic", 0.25),
    Indicator("market_size", "市场规模前景", "Market size outlook", "economic", 0.22),
    Indicator("market_share", "市场占有率", "Market share", "economic", 0.20),
    Indicator("competition", "竞争情况", "Competitive position", "economic", 0.18),
    Indicator("policy_fit", "政策适应性", "Policy fit", "economic", 0.15),
)
LEAF_KEYS = tuple(leaf.key for leaf in LEAVES)

_DIMENSION_WEIGHTS: dict[Scenario, dict[str, float]] = {
    Scenario.LICENSING_TRANSFER: {"legal": 0.35, "technical": 0.30, "economic": 0.35},
    Scenario.FINANCE: {"legal": 0.40, "technical": 0.25, "economic": 0.35},
    Scenario.TAX: {"legal": 0.25, "technical": 0.30, "economic": 0.45},
    Scenario.INFRINGEMENT_REMEDY: {"legal": 0.45, "technical": 0.25, "economic": 0.30},
    Scenario.MANAGEMENT: {"legal": 0.30, "technical": 0.40, "economic": 0.30},
}
# Emphasis multipliers on base leaf weights per scenario (renormalised within each dimension).
_EMPHASIS: dict[Scenario, dict[str, float]] = {
    Scenario.LICENSING_TRANSFER: {
        "licensing_status": 1.5,
        "market_application": 1.3,
        "non_circumventability": 1.2,
    },
    Scenario.FINANCE: {"stability": 1.5, "remaining_term": 1.5, "market_share": 1.2},
    Scenario.TAX: {"market_application": 1.3, "market_share": 1.3},
    Scenario.INFRINGEMENT_REMEDY: {
        "infringement_detectability": 2.0,
        "non_circumventability": 1.5,
        "protection_scope": 1.3,
    },
    Scenario.MANAGEMENT: {"industry_trend": 1.3, "maturity": 1.2, "policy_fit": 1.2},
}


def dimension_weights(scenario: Scenario | str) -> dict[str, float]:
    """First-level weights of a scenario (sum to 1)."""
    return dict(_DIMENSION_WEIGHTS[Scenario(scenario)])


def within_weights(scenario: Scenario | str) -> dict[str, dict[str, float]]:
    """Leaf weights within each dimension for a scenario (each dimension's sum to 1)."""
    emphasis = _EMPHASIS[Scenario(scenario)]
    out: dict[str, dict[str, float]] = {}
    for dim in DIMENSIONS:
        raw = {lf.key: lf.base_weight * emphasis.get(lf.key, 1.0) for lf in LEAVES if lf.dimension == dim.key}
        total = sum(raw.values())
        out[dim.key] = {k: v / total for k, v in raw.items()}
    return out


def scenario_weights(scenario: Scenario | str) -> dict[str, float]:
    """Effective leaf weights (dimension weight x within-dimension weight); they sum to 1."""
    dims = dimension_weights(scenario)
    return {k: dims[dim] * w for dim, leaves in within_weights(scenario).items() for k, w in leaves.items()}


@dataclass(frozen=True, slots=True)
class IndicatorScore:
    """Leaf, dimension and total scores (0-100) under one scenario."""

    scenario: Scenario
    leaves: dict[str, float]
    dimensions: dict[str, float]
    total: float
    unscored: tuple[str, ...]


def score_tree(*, scores: Mapping[str, float | None], scenario: Scenario | str) -> IndicatorScore:
    """Aggregate leaf scores (0-100; None or absent = unscored) into dimension and total scores."""
    scenario = Scenario(scenario)
    unknown = [k for k in scores if k not in LEAF_KEYS]
    if unknown:
        raise EngineError(f"unknown indicators: {', '.join(sorted(unknown))}")
    leaves = {k: float(v) for k, v in scores.items() if v is not None}
    for key, value in leaves.items():
        if not 0.0 <= value <= 100.0:
            raise EngineError(f"score of {key} must lie in [0, 100], got {value}")
    if not leaves:
        raise EngineError("no indicator has a score")
    dims: dict[str, float] = {}
    for dim, weights in within_weights(scenario).items():
        scored = {k: w for k, w in weights.items() if k in leaves}
        if scored:
            dims[dim] = sum(w * leaves[k] for k, w in scored.items()) / sum(scored.values())
    dim_w = dimension_weights(scenario)
    total = sum(dim_w[d] * s for d, s in dims.items()) / sum(dim_w[d] for d in dims)
    unscored = tuple(k for k in LEAF_KEYS if k not in leaves)
    return IndicatorScore(scenario, leaves, dims, total, unscored)


def royalty_rate_for_score(score: float, *, low: float, mode: float, high: float) -> float:
    """Royalty rate at a total score: linear (0, low) -> (50, mode) -> (100, high)."""
    if not 0.0 <= score <= 100.0:
        raise EngineError(f"score must lie in [0, 100], got {score}")
    if not low <= mode <= high:
        raise EngineError("royalty prior needs low <= mode <= high")
    if score <= 50.0:
        return low + (mode - low) * score / 50.0
    return mode + (high - mode) * (score - 50.0) / 50.0


def royalty_prior_for_score(
    score: float, *, low: float, mode: float, high: float, band: float = 20.0
) -> Triangular:
    """Narrowed royalty prior: triangular at the rates for score - band, score and score + band (clipped)."""
    lo = royalty_rate_for_score(max(0.0, score - band), low=low, mode=mode, high=high)
    mid = royalty_rate_for_score(score, low=low, mode=mode, high=high)
    hi = royalty_rate_for_score(min(100.0, score + band), low=low, mode=mode, high=high)
    if hi <= lo:
        raise EngineError("royalty prior has no width")
    return Triangular(lo, mid, hi)


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def _unit(indicators: Mapping[str, float | None], key: str) -> float | None:
    value = indicators.get(key)
    if value is None:
        return None
    return min(1.0, max(0.0, float(value)))


def technical_scores_from_oecd(indicators: Mapping[str, float | None]) -> dict[str, float]:
    """Technical leaf scores (0-100) from the lake's cohort-normalised OECD indicators (each 0-1 or None).

    advancement = mean(radicalness, originality, forward citations); industry_trend = forward citations;
    application_scope = mean(generality, patent scope, claims); complementary_dependence = 1 - backward
    citations (building on less prior art = less dependence); substitutability = mean(radicalness,
    originality); maturity = grant lag score (faster grant). A leaf with no available input is left out.
    """
    fwd = _unit(indicators, "forward_citations_window_norm")
    bwd = _unit(indicators, "backward_citations_norm")
    rad = _unit(indicators, "radicalness_norm")
    orig = _unit(indicators, "originality_norm")
    raw = {
        "advancement": _mean([rad, orig, fwd]),
        "industry_trend": fwd,
        "application_scope": _mean(
            [
                _unit(indicators, "generality_norm"),
                _unit(indicators, "patent_scope_norm"),
                _unit(indicators, "claims_norm"),
            ]
        ),
        "complementary_dependence": None if bwd is None else 1.0 - bwd,
        "substitutability": _mean([rad, orig]),
        "maturity": _unit(indicators, "grant_lag_norm"),
    }
    return {k: round(100.0 * v, 6) for k, v in raw.items() if v is not None}


def legal_scores_from_oecd(indicators: Mapping[str, float | None]) -> dict[str, float]:
    """Legal leaves the lake informs: multi_country = family size, protection_scope = mean(scope, claims)."""
    family = _unit(indicators, "family_size_norm")
    scope = _mean([_unit(indicators, "patent_scope_norm"), _unit(indicators, "claims_norm")])
    raw = {"multi_country": family, "protection_scope": scope}
    return {k: round(100.0 * v, 6) for k, v in raw.items() if v is not None}
