"""The bundled GB/T 2260 table: counts, hierarchy, names, address resolution, provenance."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from ipops.core import codes
from ipops.core.codes import InvalidCodeError
from ipops.core.paths import BUNDLED_DATA_DIR
from ipops.core.regions import RegionTable, load_regions, pinyin_name, short_name


@pytest.fixture(scope="module")
def table() -> RegionTable:
    return load_regions()


def test_counts(table: RegionTable) -> None:
    assert len(table.by_level("province")) == 34  # 31 + Taiwan, Hong Kong, Macao
    assert len(table.by_level("city")) == 342
    assert len(table.by_level("county")) == 2975
    assert sum(r.nbs_only for r in table) == 124
    assert len(table) == 3351


def test_load_is_cached(table: RegionTable) -> None:
    assert load_regions() is table


def test_hierarchy_is_consistent(table: RegionTable) -> None:
    for region in table:
        assert codes.region_level(region.code) == region.level
        if region.level == "province":
            assert region.parent_code is None
        else:
            assert region.parent_code == codes.parent_of(region.code)
            parent = table.get(region.parent_code or "")
            assert parent is not None
            assert region in table.children(parent.code)


def test_well_known_codes(table: RegionTable) -> None:
    assert [r.code for r in table.find_by_name("苏州市")] == ["320500"]
    assert [r.code for r in table.find_by_name("苏州")] == ["320500"]
    assert table.find_by_name("上海市")[0].code == "310000"
    assert [r.code for r in table.find_by_name("吉林")] == ["220000", "220200"]  # province first
    hangzhou = {r.code: r.name for r in table.children("330100")}
    assert hangzhou["330106"] == "西湖区"
    assert table.get("320576000000") == table.get("320576")  # 12-digit NBS code
    assert table.get("not-a-code") is None
    assert "320500" in table


def test_municipalities(table: RegionTable) -> None:
    assert [r.code for r in table.children("310000")] == ["310100"]
    city = table.require("310100")
    assert (city.name, city.official_name, city.level, city.placeholder) == ("上海市", "市辖区", "city", True)
    assert table.require("310115").parent_code == "310100"  # 浦东新区
    assert table.require("500200").name == "重庆市辖县"
    assert {r.code for r in table.children("500000")} == {"500100", "500200"}
    assert len(table.descendants("310000")) == 1 + 16


def test_cities_without_counties_and_province_administered_counties(table: RegionTable) -> None:
    assert table.require("441900").level == "city"  # 东莞市 has no counties
    assert table.children("441900") == []
    xiantao = table.require("429004")
    assert (xiantao.name, xiantao.parent_code) == ("仙桃市", "429000")


def test_yrd_alliance_has_41_cities(table: RegionTable) -> None:
    provinces = ("310000", "320000", "330000", "340000")
    cities = [r for p in provinces for r in table.children(p) if r.level == "city"]
    assert len(cities) == 41


@pytest.mark.parametrize(
    ("code", "english"),
    [
        ("320000", "Jiangsu"),
        ("610000", "Shaanxi"),
        ("140000", "Shanxi"),
        ("150000", "Inner Mongolia"),
        ("810000", "Hong Kong"),
        ("320500", "Suzhou"),
        ("341300", "Suzhou"),  # 宿州, Anhui
        ("330106", "Xihu District"),
        ("310115", "Pudong New Area"),
        ("310100", "Shanghai"),
        ("140400", "Changzhi"),  # pypinyin alone says Zhangzhi
        ("341500", "Lu'an"),
        ("610100", "Xi'an"),
        ("650100", "Urumqi"),
        ("532900", "Dali Autonomous Prefecture"),
        ("320576", "Suzhou Industrial Park"),
        ("320583", "Kunshan"),
        ("130624", "Fuping County"),
    ],
)
def test_english_names(table: RegionTable, code: str, english: str) -> None:
    assert table.name(code, lang="en") == english


def test_every_region_has_a_latin_english_name(table: RegionTable) -> None:
    for region in table:
        assert re.fullmatch(r"[A-Za-zü' \-]+", table.name(region.code, lang="en")), region


def test_name_of_unknown_code(table: RegionTable) -> None:
    with pytest.raises(InvalidCodeError) as info:
        table.name("329900")
    assert info.value.code == "region_unknown"


def test_short_names_and_pinyin() -> None:
    assert short_name("广西壮族自治区") == "广西"
    assert short_name("内蒙古自治区") == "内蒙古"
    assert short_name("大理白族自治州") == "大理"
    assert short_name("和县") == "和县"  # 和 alone is too short to be a name
    assert pinyin_name("乐清") == "Yueqing"


@pytest.mark.parametrize(
    ("address", "code"),
    [
        ("江苏省苏州市工业园区星湖街328号", "320576"),
        ("苏州工业园区星湖街328号", "320576"),
        ("浙江省杭州市西湖区文三路", "330106"),
        ("杭州市西湖路1号", "330100"),  # a street named 西湖, not 西湖区
        ("上海市浦东新区张江路", "310115"),
        ("上海浦东新区张江路", "310115"),
        ("100176 北京市经济技术开发区永昌北路11号", "110000"),
        ("广东省深圳市龙岗区坂田华为总部办公楼", "440307"),
        ("中国广东省东莞市松山湖", "441900"),
        ("湖北省仙桃市", "429004"),
        ("吉林市船营区", "220204"),
        ("新疆乌鲁木齐市天山区", "650102"),
        ("昆山市玉山镇", "320583"),
        ("朝阳区", None),  # Beijing and Changchun both have one
        ("東京都台東区台東１丁目５番１号", None),
    ],
)
def test_resolve_address(table: RegionTable, address: str, code: str | None) -> None:
    assert table.resolve_address(address) == code


def test_resolve_applicant_addresses_from_cnipa_documents(shared_data: Path, table: RegionTable) -> None:
    folder = shared_data / "patents/cnipa_jpo_wipo_st36_st96_PatentStandardization/examples"
    expected = {"cn_new2.xml": "330109", "cn_old1.xml": "530102", "cn_old4.xml": "330304"}
    for name, code in expected.items():
        text = (folder / name).read_text(encoding="utf-8")
        addresses = re.findall(r"<(?:base:Text|text)>(\d{6} [^<]*[省市][^<]*)<", text)
        assert addresses, name
        assert table.resolve_address(addresses[0]) == code, addresses[0]


def test_bundled_csv_matches_modood_source(shared_data: Path) -> None:
    source = shared_data / "china_admin_divisions/modood_2023"

    def read(name: str) -> list[dict[str, str]]:
        with (source / name).open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    expected = {p["code"] + "0000": (p["name"], "province", "") for p in read("provinces.csv")}
    expected |= {
        c["code"] + "00": (c["name"], "city", c["provinceCode"] + "0000") for c in read("cities.csv")
    }
    for area in read("areas.csv"):
        expected.setdefault(area["code"], (area["name"], "county", area["cityCode"] + "00"))
    with (BUNDLED_DATA_DIR / "gbt2260_2023.csv").open(encoding="utf-8", newline="") as handle:
        bundled = {r["code6"]: (r["name"], r["level"], r["parent_code6"]) for r in csv.DictReader(handle)}
    extra = {code: row for code, row in bundled.items() if code not in expected}
    assert extra == {
        "710000": ("台湾省", "province", ""),
        "810000": ("香港特别行政区", "province", ""),
        "820000": ("澳门特别行政区", "province", ""),
    }
    assert {code: row for code, row in bundled.items() if code in expected} == expected
