"""OECD quality indicators on the constructed lake, checked against values worked out by hand.

Subclasses: A {H01L, G06F} cites B {H01L}, C {G06F, H04L}, D {A61K} (+1 NPL); A is cited by E {H01L},
F {B65D, H01L} and G {G06Q} (G twice, and G also cites itself). Each cited/citing patent spreads weight 1
evenly over its subclasses, and shares are taken over the patents:
  originality(A) = 1 - [(1/3)^2 + (1/6)^2 + (1/6)^2 + (1/3)^2] = 1 - 10/36 = 26/36
  generality(A)  = 1 - [(1.5/3)^2 + (0.5/3)^2 + (1/3)^2]      = 1 - 14/36 = 22/36
  radicalness(A) = pairs of cited patent x subclass not in A's {H01L, G06F}: H04L (C), A61K (D) -> 2/4
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.lake.test_indicators_data import CN, DD, EP_A1, EP_B1, A, E, F, G, build_constructed_lake

from ipops.lake.indicators import document_indicators, indicator_table
from ipops.lake.store import LakeStore


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> LakeStore:
    return build_constructed_lake(tmp_path_factory.mktemp("lake"))


@pytest.fixture(scope="module")
def rows(lake: LakeStore) -> dict[str, dict[str, object]]:
    table = indicator_table(lake.connect()).to_pyarrow().to_pylist()
    return {r["doc_id"]: r for r in table}


def test_focal_document_raw_indicators(lake: LakeStore) -> None:
    found = document_indicators(lake, doc_id=A)
    assert found is not None
    assert found.field_number == 8  # main IPC H01L 21/00 -> Semiconductors
    assert found.cohort_size == 2  # A and E: semiconductors x 2010
    assert (found.forward_citations, found.forward_citations_window) == (3, 2)  # F (2019) is outside 5 years
    assert found.forward_window_complete is True
    assert (found.backward_citations, found.backward_citations_in_lake, found.npl_citations) == (3, 3, 1)
    assert found.family_size == 2  # US + the JP priority
    assert found.claims == 10
    assert found.patent_scope == 2
    assert found.originality == pytest.approx(26 / 36)
    assert found.generality == pytest.approx(22 / 36)
    assert found.radicalness == pytest.approx(2 / 4)
    assert found.grant_lag_days == 730


def test_cohort_normalisation_and_composites(lake: LakeStore) -> None:
    found = document_indicators(lake, doc_id=A)
    assert found is not None
    # Cohort {A, E}: E has 20 claims, no forward citations, 1 backward citation, lag 1310 days.
    assert found.claims_norm == pytest.approx(10 / 20)
    assert found.forward_citations_window_norm == 1.0
    assert found.backward_citations_norm == 1.0
    assert found.generality_norm == 1.0  # E's generality is undefined (never cited)
    assert found.grant_lag_norm == pytest.approx(1 - 730 / 1310)
    assert found.quality_index_4 == pytest.approx((1 + 1 + 0.5 + 1) / 4)
    assert found.quality_index_6 == pytest.approx((1 + 1 + 0.5 + 1 + 1 + (1 - 730 / 1310)) / 6)


def test_other_documents(rows: dict[str, dict[str, object]]) -> None:
    e, f, g = rows[E], rows[F], rows[G]
    assert e["originality"] == pytest.approx(0.5)  # cites only A {H01L, G06F}
    assert e["radicalness"] == pytest.approx(0.5)  # G06F is not E's
    assert e["generality"] is None
    assert e["claims_norm"] == 1.0
    assert e["backward_citations_norm"] == pytest.approx(1 / 3)
    # F cites A {H01L, G06F} and EP-2000001 {A61K}: shares 1/4, 1/4, 1/2.
    assert f["originality"] == pytest.approx(1 - (1 / 16 + 1 / 16 + 1 / 4))
    assert f["radicalness"] == pytest.approx(2 / 3)
    assert f["forward_window_complete"] is False  # published 2019; the lake ends in 2021
    # G: duplicate citation counted once, self-citation and an unknown JP number only as backward citations.
    assert (g["backward_citations"], g["backward_citations_in_lake"]) == (3, 1)
    assert g["radicalness"] == 1.0


def test_family_and_kind_merging(rows: dict[str, dict[str, object]]) -> None:
    # EP A1 and B1 share a number: both get F's citation; FAM9 holds EP and US documents.
    assert rows[EP_A1]["forward_citations"] == rows[EP_B1]["forward_citations"] == 1
    assert rows[EP_B1]["generality"] == pytest.approx(0.5)
    assert rows[EP_A1]["family_size"] == rows[DD]["family_size"] == 2
    assert rows[CN]["family_size"] == 1
    assert rows[CN]["grant_lag_days"] is None
    assert rows[CN]["field_number"] == 1  # H01M -> electrical machinery, apparatus, energy


def test_unknown_document(lake: LakeStore) -> None:
    assert document_indicators(lake, doc_id="US-0000000-B1") is None


def test_indicators_on_empty_lake(tmp_path: Path) -> None:
    assert indicator_table(LakeStore(tmp_path).connect()).to_pyarrow().num_rows == 0
