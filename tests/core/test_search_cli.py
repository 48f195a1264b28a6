"""`ipops search` on a constructed lake: rebuild the lake index, query it with a filter and facets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.lake.test_indicators_data import CN, build_constructed_lake
from typer.testing import CliRunner

from ipops.core.search.cli import search_app
from ipops.lake.search_index import lake_index_dir

runner = CliRunner()


def test_rebuild_and_query_the_lake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lake = tmp_path / "lake"
    build_constructed_lake(lake)
    monkeypatch.setenv("IPOPS_LAKE_DIR", str(lake))
    rebuilt = runner.invoke(search_app, ["rebuild", "lake"], terminal_width=200)
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "10 篇 documents" in rebuilt.output and lake_index_dir(lake).is_dir()
    found = runner.invoke(search_app, ["query", "lake", "负极", "--facet", "office", "--json"])
    assert found.exit_code == 0, found.output
    answer = json.loads(found.output)
    assert (answer["total"], answer["hits"][0]["doc_id"]) == (1, CN)
    assert answer["facets"] == {"office": [["CN", 1]]}
    filtered = runner.invoke(
        search_app, ["query", "lake", "--filter", "office=US", "--prefix", "ipc=H01L", "--json"]
    )
    assert json.loads(filtered.output)["total"] == 4
    unknown = runner.invoke(search_app, ["rebuild", "nowhere"])
    assert unknown.exit_code != 0 and "no search index named" in unknown.output
    wrong = runner.invoke(search_app, ["query", "lake", "--filter", "title=x"])
    assert wrong.exit_code != 0 and "not a keyword field" in wrong.output
