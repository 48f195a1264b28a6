"""The search service on a small constructed index: Chinese words, English stems, filters, facets, paging."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ipops.core.search import (
    IndexSource,
    IndexSpec,
    IndexVersionError,
    SearchDocument,
    SearchIndex,
    SearchRequest,
    build_index,
    open_or_build,
)
from ipops.core.search.text import query_units

SPEC = IndexSpec(
    name="sample",
    text_fields={"title": 3.0, "abstract": 1.0},
    keyword_fields=("office", "ipc"),
    prefix_fields=("ipc",),
    number_fields=("year", "filed"),
    default_order="filed",
)


def document(doc_id: str, title: str, abstract: str, office: str, ipc: str, filed: int) -> SearchDocument:
    """One index document with its filing date as yyyymmdd."""
    return SearchDocument(
        doc_id=doc_id,
        text={"title": title, "abstract": abstract},
        keywords={"office": [office], "ipc": [ipc]},
        numbers={"year": filed // 10_000, "filed": filed},
        payload={"title": title},
    )


DOCUMENTS = [
    document(
        "CN-1",
        "一种基于合约管理的跨链去中心化方法",
        "本发明公开了一种区块链跨链方法。",
        "CN",
        "G06Q40/04",
        20210826,
    ),
    document("CN-2", "一种区块链数据存储方法", "跨链交易的数据在各节点存储。", "CN", "G06F16/27", 20200115),
    document("CN-3", "一种医用放射治疗装置", "治疗头可旋转。", "CN", "A61N5/10", 20150807),
    document(
        "US-1", "Lithium batteries for vehicles", "A battery pack with cells.", "US", "H01M10/0525", 20190601
    ),
    document(
        "US-2",
        "Self organizing battery structure",
        "Cells that organise themselves.",
        "US",
        "H01M50/20",
        20080301,
    ),
    document("US-3", "Wireless <device> settings", "A radio handset.", "US", "H04W8/22", 20030105),
]


@pytest.fixture
def index(tmp_path: Path) -> SearchIndex:
    built = SearchIndex(SPEC, tmp_path / "sample")
    built.add(DOCUMENTS)
    return built


def ids(index: SearchIndex, **request: object) -> list[str]:
    """Hit doc_ids of a request, in rank order."""
    return [hit.doc_id for hit in index.search(SearchRequest(**request)).hits]  # type: ignore[arg-type]


def test_chinese_words_rank_title_matches_first(index: SearchIndex) -> None:
    assert ids(index, text="跨链") == ["CN-1", "CN-2"]  # CN-1 has it in the title and the abstract
    assert ids(index, text="放射治疗") == ["CN-3"]
    assert ids(index, text="治疗") == ["CN-3"]
    assert ids(index, text="跨链 存储") == ["CN-2"]  # every word must match
    assert ids(index, text="量子") == []


def test_english_is_stemmed(index: SearchIndex) -> None:
    assert [u.word for u in query_units("batteries")] == ["batteri"]
    assert [u.word for u in query_units("battery")] == ["batteri"]
    assert set(ids(index, text="battery")) == {"US-1", "US-2"}
    assert set(ids(index, text="batteries")) == {"US-1", "US-2"}
    assert ids(index, text="organizing") == ["US-2"]
    assert ids(index, text="the") == []  # only a stop word: nothing to look for


def test_highlights_are_escaped_with_marks(index: SearchIndex) -> None:
    page = index.search(SearchRequest(text="wireless"))
    assert page.hits[0].highlights == {"title": "<mark>Wireless</mark> &lt;device&gt; settings"}
    page = index.search(SearchRequest(text="跨链"))
    assert page.hits[0].highlights["title"] == "一种基于合约管理的<mark>跨链</mark>去中心化方法"


def test_filters(index: SearchIndex) -> None:
    assert ids(index, filters={"office": "US"}) == ["US-1", "US-2", "US-3"]  # newest filing first
    assert ids(index, prefixes={"ipc": "H01M"}) == ["US-1", "US-2"]
    assert ids(index, prefixes={"ipc": "G06F16/"}) == ["CN-2"]
    assert ids(index, ranges={"filed": (20150101, 20201231)}) == ["CN-2", "US-1", "CN-3"]
    assert ids(index, ranges={"filed": (None, 20080301)}) == ["US-2", "US-3"]
    assert ids(index, text="跨链", filters={"office": "US"}) == []
    assert ids(index, within={"title": "区块链"}) == ["CN-2"]
    with pytest.raises(ValueError, match="not a keyword field"):
        index.search(SearchRequest(filters={"title": "x"}))


def test_facets_count_every_match(index: SearchIndex) -> None:
    page = index.search(SearchRequest(facets=("office", "year"), limit=1))
    assert page.total == 6
    assert page.facets["office"] == [("CN", 3), ("US", 3)]
    assert sorted(page.facets["year"]) == [
        ("2003", 1),
        ("2008", 1),
        ("2015", 1),
        ("2019", 1),
        ("2020", 1),
        ("2021", 1),
    ]
    page = index.search(SearchRequest(text="cells", facets=("office",)))
    assert (page.total, page.facets["office"]) == (2, [("US", 2)])


def test_paging_with_a_total(index: SearchIndex) -> None:
    first = index.search(SearchRequest(limit=4))
    second = index.search(SearchRequest(limit=4, offset=4))
    assert (first.total, second.total) == (6, 6)
    assert [h.doc_id for h in first.hits + second.hits] == ["CN-1", "CN-2", "US-1", "CN-3", "US-2", "US-3"]


def test_re_adding_replaces_by_doc_id(index: SearchIndex) -> None:
    assert index.add(DOCUMENTS) == 6
    assert index.count() == 6
    renamed = document("US-3", "Bluetooth headset", "A radio handset.", "US", "H04W8/22", 20030105)
    index.add([renamed, renamed])
    assert index.count() == 6
    assert ids(index, text="wireless") == []
    assert ids(index, text="headset") == ["US-3"]
    index.delete(["US-3"])
    assert index.count() == 5


def test_rebuild_swaps_the_folder_and_a_changed_spec_rebuilds(tmp_path: Path) -> None:
    directory = tmp_path / "sample"
    assert build_index(SPEC, directory, DOCUMENTS[:2]) == 2
    assert build_index(SPEC, directory, DOCUMENTS) == 6
    assert SearchIndex(SPEC, directory).count() == 6
    assert json.loads((directory / "ipops-index.json").read_text()) == {
        "name": "sample",
        "version": 1,
        "layout": 2,
    }
    newer = IndexSpec(name="sample", text_fields={"title": 1.0}, version=2)
    with pytest.raises(IndexVersionError):
        SearchIndex(newer, directory)
    source = IndexSource(spec=newer, directory=lambda: directory, documents=lambda: iter(DOCUMENTS[:3]))
    assert open_or_build(source).count() == 3
