"""The same Ibis queries on DuckDB and on local-mode PySpark give the same answers."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.lake.test_indicators_data import build_constructed_lake

from ipops.lake import queries
from ipops.lake.engines import duckdb_backend, local_spark_session, spark_backend
from ipops.lake.indicators import indicator_table
from ipops.lake.store import LakeStore

pytestmark = pytest.mark.spark


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    pytest.importorskip("pyspark")
    session = local_spark_session(app_name="ipops-tests")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> LakeStore:
    return build_constructed_lake(tmp_path_factory.mktemp("spark-lake"))


def _same(left: list[dict[str, object]], right: list[dict[str, object]]) -> None:
    assert len(left) == len(right)
    for a, b in zip(left, right, strict=True):
        assert a.keys() == b.keys()
        for key, value in a.items():
            other = b[key]
            if isinstance(value, float) and isinstance(other, float):
                assert math.isclose(value, other, rel_tol=1e-9, abs_tol=1e-12), (
                    a["doc_id"] if "doc_id" in a else a,
                    key,
                )
            else:
                assert value == other, (a, key)


def test_indicators_and_queries_equal_on_duckdb_and_spark(
    lake: LakeStore, spark: Any, tmp_path: Path
) -> None:
    backends = [duckdb_backend(lake), spark_backend(lake, session=spark)]
    results = [
        [
            indicator_table(con).order_by("doc_id").to_pyarrow().to_pylist(),
            queries.technology_field_composition(con, by=("office", "filing_year")).to_pyarrow().to_pylist(),
            queries.counts_by(con, dimensions=("office", "region")).to_pyarrow().to_pylist(),
        ]
        for con in backends
    ]
    for on_duckdb, on_spark in zip(results[0], results[1], strict=True):
        _same(on_duckdb, on_spark)
    assert len(results[0][0]) == 10


def test_cli_indicators_on_spark_equal_duckdb(lake: LakeStore, spark: Any) -> None:
    from tests.lake.test_indicators_data import A
    from typer.testing import CliRunner

    from ipops.lake.cli import lake_app

    runner = CliRunner()
    outputs = [
        runner.invoke(
            lake_app, ["indicators", A, "--lake-dir", str(lake.root), "--engine", engine], terminal_width=200
        )
        for engine in ("duckdb", "spark")
    ]
    assert [o.exit_code for o in outputs] == [0, 0], [o.output for o in outputs]
    assert "0.7222" in outputs[1].output  # originality, as on DuckDB
    assert outputs[0].output == outputs[1].output
