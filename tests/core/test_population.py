"""Provincial population: the NBS year-end table in the shared data, and the generic long CSV format."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ipops.core.codes import InvalidCodeError
from ipops.core.regions import PopulationTable, load_population_csv, load_regions

NBS_FILE = "statistics/nbs_province_yearend_population_2005_2024_PyPSA-China-PIK.csv"
YRD = ("310000", "320000", "330000", "340000")


@pytest.fixture(scope="module")
def nbs(shared_data: Path) -> PopulationTable:
    return load_population_csv(shared_data / NBS_FILE)


def test_shape(nbs: PopulationTable) -> None:
    assert len(nbs.region_codes) == 31
    assert nbs.years == list(range(2005, 2025))
    assert len(nbs.values) == 31 * 20
    table = load_regions()
    assert all(table.require(code).level == "province" for code in nbs.region_codes)
    assert nbs.unit == "10k persons"


def test_2020_figures(nbs: PopulationTable) -> None:
    assert nbs.get("320000", 2020) == 8477  # Jiangsu
    assert nbs.get("310000", 2020) == 2488  # Shanghai
    assert nbs.get("330000", 2020) == 6468  # Zhejiang
    assert nbs.get("340000", 2020) == 6105  # Anhui
    assert nbs.total(YRD, year=2020) == 23538
    assert nbs.get("150000", 2020) == 2403  # "Innermongolia" in the file
    assert nbs.get("540000", 2020) == 366  # "Tibet" in the file


def test_series_and_missing(nbs: PopulationTable) -> None:
    series = nbs.series("320000")
    assert list(series)[:2] == [2005, 2006]
    assert series[2024] == 8526
    with pytest.raises(KeyError):
        nbs.get("320000", 2004)
    with pytest.raises(KeyError):
        nbs.get("810000", 2020)  # Hong Kong is not in the NBS table


def test_generic_long_csv(tmp_path: Path) -> None:
    path = tmp_path / "pop.csv"
    path.write_text(
        "region_code,year,population\n320500,2020,1274.83\n320500000000,2021,1284.78\n", encoding="utf-8"
    )
    table = load_population_csv(path)
    assert table.get("320500", 2020) == Decimal("1274.83")
    assert table.series("320500") == {2020: Decimal("1274.83"), 2021: Decimal("1284.78")}


def test_bad_files(tmp_path: Path) -> None:
    bad_header = tmp_path / "bad.csv"
    bad_header.write_text("name,value\nx,1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="expected"):
        load_population_csv(bad_header)
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("region,2020\nAtlantis,5\n", encoding="utf-8")
    with pytest.raises(InvalidCodeError) as info:
        load_population_csv(unknown)
    assert info.value.code == "region_unknown"
    not_a_number = tmp_path / "nan.csv"
    not_a_number.write_text("region,2020\nJiangsu,n/a\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not a number"):
        load_population_csv(not_a_number)
