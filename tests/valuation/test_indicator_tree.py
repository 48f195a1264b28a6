"""GB/T 42748-2023 indicator tree: structure, scenario weights, aggregation, royalty mapping, OECD feed."""

from __future__ import annotations

import pytest

from ipops.valuation.engine import (
    EngineError,
    Scenario,
    scenario_weights,
    score_tree,
    technical_scores_from_oecd,
)
from ipops.valuation.engine.indicators import (
    DIMENSIONS,
    LEAVES,
    dimension_weights,
    legal_scores_from_oecd,
    royalty_prior_for_score,
    royalty_rate_for_score,
    within_weights,
)
from ipops.valuation.engine.priors import parse_priors_csv, prior_for
from ipops.valuation.priors import bundled_priors


def test_structure_and_bilingual_labels() -> None:
    assert [d.zh for d in DIMENSIONS] == ["法律价值", "技术价值", "经济价值"]
    by_dim = {d.key: [lf.zh for lf in LEAVES if lf.dimension == d.key] for d in DIMENSIONS}
    assert by_dim["legal"] == [
        "稳定性",
        "不可规避性",
        "依赖性",
        "保护范围",
        "剩余有效期",
        "多国申请",
        "许可状况",
        "侵权可判定性",
    ]
    assert by_dim["technical"] == [
        "先进性",
        "行业发展趋势",
        "适用范围",
        "配套技术依存度",
        "可替代性",
        "成熟度",
    ]
    assert by_dim["economic"] == ["市场应用", "市场规模前景", "市场占有率", "竞争情况", "政策适应性"]
    assert all(lf.en for lf in LEAVES)


@pytest.mark.parametrize("scenario", list(Scenario))
def test_weights_sum_to_one_per_scenario(scenario: Scenario) -> None:
    assert sum(dimension_weights(scenario).values()) == pytest.approx(1.0, abs=1e-12)
    for leaves in within_weights(scenario).values():
        assert sum(leaves.values()) == pytest.approx(1.0, abs=1e-12)
    weights = scenario_weights(scenario)
    assert sum(weights.values()) == pytest.approx(1.0, abs=1e-12)
    assert len(weights) == 19 and all(w > 0 for w in weights.values())


def test_scenarios_emphasise_differently() -> None:
    assert (
        scenario_weights("infringement_remedy")["infringement_detectability"]
        > scenario_weights("tax")["infringement_detectability"]
    )
    assert dimension_weights("finance")["legal"] > dimension_weights("tax")["legal"]


def test_aggregation_renormalises_over_scored_leaves() -> None:
    uniform = score_tree(scores={lf.key: 70.0 for lf in LEAVES}, scenario="finance")
    assert uniform.total == pytest.approx(70.0) and uniform.unscored == ()
    partial = score_tree(scores={"stability": 80.0, "advancement": 40.0}, scenario="licensing_transfer")
    assert partial.dimensions == {"legal": 80.0, "technical": 40.0}
    assert partial.total == pytest.approx((0.35 * 80 + 0.30 * 40) / 0.65)
    assert "market_share" in partial.unscored
    with pytest.raises(EngineError):
        score_tree(scores={"stability": 120.0}, scenario="tax")
    with pytest.raises(EngineError):
        score_tree(scores={"bogus": 1.0}, scenario="tax")


def test_score_to_royalty_mapping() -> None:
    assert royalty_rate_for_score(0, low=0.01, mode=0.04, high=0.1) == 0.01
    assert royalty_rate_for_score(50, low=0.01, mode=0.04, high=0.1) == 0.04
    assert royalty_rate_for_score(100, low=0.01, mode=0.04, high=0.1) == 0.1
    assert royalty_rate_for_score(75, low=0.01, mode=0.04, high=0.1) == pytest.approx(0.07)
    prior = royalty_prior_for_score(75, low=0.01, mode=0.04, high=0.1)
    assert prior.mode == pytest.approx(0.07) and prior.low < prior.mode < prior.high <= 0.1


def test_technical_scores_from_oecd() -> None:
    scores = technical_scores_from_oecd(
        {
            "forward_citations_window_norm": 0.6,
            "backward_citations_norm": 0.2,
            "family_size_norm": 0.5,
            "claims_norm": 0.4,
            "patent_scope_norm": None,
            "originality_norm": 0.9,
            "generality_norm": 0.5,
            "radicalness_norm": 0.3,
            "grant_lag_norm": None,
        }
    )
    assert scores["advancement"] == pytest.approx(60.0)
    assert scores["industry_trend"] == pytest.approx(60.0)
    assert scores["application_scope"] == pytest.approx(45.0)
    assert scores["complementary_dependence"] == pytest.approx(80.0)
    assert scores["substitutability"] == pytest.approx(60.0)
    assert "maturity" not in scores
    assert technical_scores_from_oecd({}) == {}
    assert legal_scores_from_oecd({"family_size_norm": 0.5}) == {"multi_country": 50.0}
    tree = score_tree(scores=scores, scenario="management")
    assert 0 <= tree.total <= 100 and "legal" not in tree.dimensions


def test_bundled_priors_name_their_sources() -> None:
    priors = bundled_priors()
    assert priors and all(p.source and p.low <= p.mode <= p.high for p in priors)
    revenue = prior_for(list(priors), industry="battery", basis="revenue")
    assert revenue.industry == "all" and 0 < revenue.mode < 0.2
    assert revenue.triangular().mode == revenue.mode and revenue.pert().high == revenue.high
    with pytest.raises(EngineError):
        parse_priors_csv("industry,basis,low,mode,high,source,note\nx,revenue,0.1,0.05,0.2,,\n")
