"""The bundled GB/T 2260 division table: lookup, zh/en names, address resolution; provincial population."""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from pypinyin import Style, lazy_pinyin

from ipops.core.codes import InvalidCodeError, Lang, RegionLevel, normalise_region_code
from ipops.core.paths import BUNDLED_DATA_DIR

REGIONS_CSV = BUNDLED_DATA_DIR / "gbt2260_2023.csv"
LEVEL_RANK: dict[RegionLevel, int] = {"province": 0, "city": 1, "county": 2}
LEVELS: dict[str, RegionLevel] = {"province": "province", "city": "city", "county": "county"}

PROVINCE_EN: dict[str, str] = {
    "110000": "Beijing",
    "120000": "Tianjin",
    "130000": "Hebei",
    "140000": "Shanxi",
    "150000": "Inner Mongolia",
    "210000": "Liaoning",
    "220000": "Jilin",
    "230000": "Heilongjiang",
    "310000": "Shanghai",
    "320000": "Jiangsu",
    "330000": "Zhejiang",
    "340000": "Anhui",
    "350000": "Fujian",
    "360000": "Jiangxi",
    "370000": "Shandong",
    "410000": "Henan",
    "420000": "Hubei",
    "430000": "Hunan",
    "440000": "Guangdong",
    "450000": "Guangxi",
    "460000": "Hainan",
    "500000": "Chongqing",
    "510000": "Sichuan",
    "520000": "Guizhou",
    "530000": "Yunnan",
    "540000": "Xizang",
    "610000": "Shaanxi",
    "620000": "Gansu",
    "630000": "Qinghai",
    "640000": "Ningxia",
    "650000": "Xinjiang",
    "710000": "Taiwan",
    "810000": "Hong Kong",
    "820000": "Macao",
}
# Other spellings met in data sources (e.g. the NBS/PyPSA population table says "Innermongolia", "Tibet").
PROVINCE_EN_ALIASES: dict[str, str] = {
    "innermongolia": "150000",
    "neimenggu": "150000",
    "nei mongol": "150000",
    "tibet": "540000",
    "xizang": "540000",
    "macau": "820000",
    "hongkong": "810000",
    "shaanxi": "610000",
    "shanxi": "140000",
}

# Conventional English names that are not the pinyin of the Chinese (mostly non-Han place names).
EXONYMS: dict[str, str] = {
    "呼和浩特": "Hohhot",
    "乌鲁木齐": "Urumqi",
    "鄂尔多斯": "Ordos",
    "呼伦贝尔": "Hulunbuir",
    "巴彦淖尔": "Bayannur",
    "乌兰察布": "Ulanqab",
    "兴安": "Hinggan",
    "锡林郭勒": "Xilingol",
    "阿拉善": "Alxa",
    "哈尔滨": "Harbin",
    "齐齐哈尔": "Qiqihar",
    "大兴安岭": "Da Hinggan Ling",
    "拉萨": "Lhasa",
    "日喀则": "Shigatse",
    "昌都": "Qamdo",
    "林芝": "Nyingchi",
    "那曲": "Nagqu",
    "阿里": "Ngari",
    "克拉玛依": "Karamay",
    "吐鲁番": "Turpan",
    "喀什": "Kashgar",
    "和田": "Hotan",
    "阿克苏": "Aksu",
    "伊犁": "Ili",
    "阿勒泰": "Altay",
    "博尔塔拉": "Bortala",
    "巴音郭楞": "Bayingolin",
    "克孜勒苏": "Kizilsu",
    "阿坝": "Ngawa",
    "甘孜": "Garze",
}
# pypinyin's reading of a few place-name characters is wrong (长治 is Changzhi, not Zhangzhi).
CHAR_READINGS = {"长": "chang", "都": "du", "朝": "chao", "漯": "luo", "蚌": "beng", "曾": "zeng"}
PHRASE_READINGS = {
    "乐亭": "lao ting",
    "乐清": "yue qing",
    "南乐": "nan le",
    "闵行": "min hang",
    "涡阳": "guo yang",
    "六安": "lu an",
    "六合": "lu he",
    "番禺": "pan yu",
    "铅山": "yan shan",
    "单县": "shan xian",
    "浚县": "xun xian",
    "洪洞": "hong tong",
    "枞阳": "zong yang",
    "歙县": "she xian",
    "莘县": "shen xian",
}

# Ethnic groups named in autonomous-area names; one-character names only count when followed by 族.
ETHNIC_GROUPS = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 拉祜 水 "
    "东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 "
    "乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
ZH_SUFFIXES = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "地区",
    "林区",
    "新区",
    "盟",
    "省",
    "市",
    "区",
    "县",
    "旗",
)
EN_SUFFIXES = (
    ("自治州", "{} Autonomous Prefecture"),
    ("自治县", "{} Autonomous County"),
    ("自治旗", "{} Autonomous Banner"),
    ("地区", "{} Prefecture"),
    ("林区", "{} Forestry District"),
    ("特区", "{} Special District"),
    ("矿区", "{} Mining District"),
    ("新区", "{} New Area"),
    ("盟", "{} League"),
    ("区", "{} District"),
    ("县", "{} County"),
    ("旗", "{} Banner"),
    ("市", "{}"),
)
ZONE_EN = (
    ("经济技术开发区", "Economic and Technological Development Zone"),
    ("高新技术产业开发区", "High-tech Industrial Development Zone"),
    ("高新技术开发区", "High-tech Development Zone"),
    ("经济开发区", "Economic Development Zone"),
    ("工业园区", "Industrial Park"),
    ("产业园区", "Industrial Park"),
    ("管理区", "Administrative Zone"),
    ("示范区", "Demonstration Zone"),
    ("开发区", "Development Zone"),
    ("新区", "New Area"),
)
PLACEHOLDER_EN = {
    "省直辖县级行政区划": "county-level divisions under the province",
    "自治区直辖县级行政区划": "county-level divisions under the autonomous region",
}
# A short alias followed by one of these is a street name (西湖路), not the district (西湖区).
STREET_CHARS = frozenset("路街道巷弄号桥")


@dataclass(frozen=True, slots=True)
class Region:
    """One GB/T 2260 division; a municipality's 市辖区 row carries its name (official_name keeps 市辖区)."""

    code: str
    name: str
    level: RegionLevel
    parent_code: str | None
    official_name: str
    nbs_only: bool = (
        False  # an NBS statistical zone (x7x codes such as 苏州工业园区), not in GB/T 2260 proper
    )
    placeholder: bool = False  # a grouping row (市辖区, 县, 省直辖县级行政区划) rather than a real city


def _strip_ethnic(base: str) -> str:
    """Drop trailing ethnic-group names (大理白族 → 大理, 海西蒙古族藏族 → 海西), keeping 2+ characters."""
    changed = True
    while changed:
        changed = False
        for group in ETHNIC_GROUPS:
            for tail in (group + "族", group if len(group) > 1 else None):
                if tail and base.endswith(tail) and len(base) - len(tail) >= 2:
                    base, changed = base[: -len(tail)], True
                    break
            if changed:
                break
    return base


def short_name(name: str) -> str:
    """The name without its suffix (苏州市 → 苏州, 广西壮族自治区 → 广西) when 2+ characters remain."""
    for suffix in ZH_SUFFIXES:
        if name.endswith(suffix):
            base = _strip_ethnic(name[: -len(suffix)])
            return base if len(base) >= 2 else name
    return name


def pinyin_name(text: str) -> str:
    """Capitalised pinyin without tones, place-name readings fixed and apostrophes before a/o/e (Xi'an)."""
    syllables = lazy_pinyin(text, style=Style.NORMAL, v_to_u=True)
    if len(syllables) == len(text):  # one syllable per character: safe to correct readings in place
        syllables = [CHAR_READINGS.get(ch, syl) for ch, syl in zip(text, syllables, strict=True)]
        for phrase, reading in PHRASE_READINGS.items():
            start = text.find(phrase)
            while start >= 0:
                syllables[start : start + len(phrase)] = reading.split()
                start = text.find(phrase, start + 1)
    out = ""
    for syllable in syllables:
        out += ("'" if out and syllable[:1] in "aoe" else "") + syllable
    return out[:1].upper() + out[1:]


def _english(region: Region) -> str:
    """An English name: the fixed province map, exonyms, else pinyin plus a translated suffix."""
    province = region.code[:2] + "0000"
    if region.level == "province":
        return PROVINCE_EN[region.code]
    if region.placeholder:
        if region.official_name in PLACEHOLDER_EN:
            return f"{PROVINCE_EN[province]} {PLACEHOLDER_EN[region.official_name]}"
        return PROVINCE_EN[province] + (" Counties" if region.official_name == "县" else "")
    name = region.name
    if region.nbs_only:
        for term, english in ZONE_EN:
            if name.endswith(term) and len(name) > len(term):
                return f"{pinyin_name(name[: -len(term)])} {english}"
        return pinyin_name(name)
    for suffix, template in EN_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            base = name[: -len(suffix)]
            base = _strip_ethnic(base) if suffix.startswith("自治") else base
            return template.format(EXONYMS.get(base) or pinyin_name(base))
    return EXONYMS.get(name) or pinyin_name(name)


class RegionTable:
    """GB/T 2260 divisions indexed by code, parent and name."""

    def __init__(self, regions: Iterable[Region]) -> None:
        self._by_code: dict[str, Region] = {}
        self._children: dict[str, list[Region]] = {}
        for region in sorted(regions, key=lambda r: r.code):
            self._by_code[region.code] = region
            if region.parent_code is not None:
                self._children.setdefault(region.parent_code, []).append(region)
        self._aliases: dict[str, list[tuple[str, bool]]] = {r.code: self._aliases_of(r) for r in self}
        self._by_alias: dict[str, list[Region]] = {}
        for region in self:
            for alias, _ in self._aliases[region.code]:
                self._by_alias.setdefault(alias, []).append(region)

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[Region]:
        return iter(self._by_code.values())

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self.get(code) is not None

    def get(self, code: str) -> Region | None:
        """The region with a 6-digit (or 12-digit NBS) code, or None when unknown or malformed."""
        try:
            return self._by_code.get(normalise_region_code(code))
        except InvalidCodeError:
            return None

    def require(self, code: str) -> Region:
        """The region with this code; raise InvalidCodeError("region_unknown") when absent."""
        region = self.get(code)
        if region is None:
            raise InvalidCodeError(f"{code} is not in the GB/T 2260 table", code="region_unknown", value=code)
        return region

    def children(self, code: str) -> list[Region]:
        """Regions directly below a code (a municipality's child is its 市辖区 row, e.g. 310000 → 310100)."""
        region = self.get(code)
        return list(self._children.get(region.code, [])) if region else []

    def descendants(self, code: str) -> list[Region]:
        """All regions below a code, depth first in code order."""
        out: list[Region] = []
        for child in self.children(code):
            out.append(child)
            out.extend(self.descendants(child.code))
        return out

    def by_level(self, level: RegionLevel) -> list[Region]:
        """All regions of one level in code order."""
        return [r for r in self if r.level == level]

    def name(self, code: str, *, lang: Lang = "zh") -> str:
        """The Chinese name, or an English one (fixed for provinces, pinyin-based below)."""
        region = self.require(code)
        return region.name if lang == "zh" else _english_cached(region)

    def find_by_name(self, name: str) -> list[Region]:
        """Regions whose full or suffix-stripped name equals `name` (苏州 or 苏州市), provinces first."""
        found = self._by_alias.get(_clean_text(name), [])
        return sorted(found, key=lambda r: (LEVEL_RANK[r.level], r.placeholder, r.code))

    def province_code_for_name(self, name: str) -> str | None:
        """The province code for a Chinese (江苏省, 江苏) or English (Jiangsu, Innermongolia) name."""
        key = " ".join(name.split()).lower()
        for code, english in PROVINCE_EN.items():
            if english.lower() == key:
                return code
        if key in PROVINCE_EN_ALIASES:
            return PROVINCE_EN_ALIASES[key]
        provinces = [r for r in self.find_by_name(name) if r.level == "province"]
        return provinces[0].code if provinces else None

    def resolve_address(self, address: str) -> str | None:
        """The most specific region named at the start of an address (江苏省苏州市工业园区… → 320576)."""
        text = _clean_text(address)
        text = re.sub(r"^[\d\W_]+", "", text)  # a leading postcode and punctuation
        for prefix in ("中华人民共和国", "中国"):
            text = text.removeprefix(prefix)
        pos, current = 0, None
        while current is None or current.level != "county":
            found = self._match(text, pos, self._scope(current))
            if found is None:
                break
            current, pos = found[0], pos + found[1]
        if current is None:
            return None
        return current.parent_code if current.placeholder else current.code

    def _scope(self, current: Region | None) -> Iterable[Region]:
        """Where the next address part may lie: anywhere, in a province (cities and counties), in a city."""
        if current is None:
            return self
        if current.level == "province":
            return [r for r in self.descendants(current.code) if not r.placeholder]
        return self.children(current.code)

    def _match(self, text: str, pos: int, scope: Iterable[Region]) -> tuple[Region, int] | None:
        """The region with the longest alias at `pos`; ties go to the higher level, else no match."""
        best_len, best = 0, list[Region]()
        for region in scope:
            for alias, is_short in self._aliases[region.code]:
                if not text.startswith(alias, pos) or len(alias) < best_len:
                    continue
                if is_short and text[pos + len(alias) : pos + len(alias) + 1] in STREET_CHARS:
                    continue
                if len(alias) > best_len:
                    best_len, best = len(alias), []
                best.append(region)
        if not best:
            return None
        top = min(LEVEL_RANK[r.level] for r in best)
        winners = {r.code: r for r in best if LEVEL_RANK[r.level] == top}
        return (next(iter(winners.values())), best_len) if len(winners) == 1 else None

    def _aliases_of(self, region: Region) -> list[tuple[str, bool]]:
        """(alias, is_short) pairs naming a region in addresses; placeholders get none."""
        if region.placeholder:
            return []
        aliases = [(region.name, False)]
        short = short_name(region.name)
        if short != region.name:
            aliases.append((short, True))
        parent = self._by_code.get(region.parent_code or "")
        if region.nbs_only and parent is not None:
            # Zone names repeat their city (苏州工业园区); addresses often write 苏州市工业园区.
            for prefix in (parent.name, short_name(parent.name)):
                rest = region.name.removeprefix(prefix)
                if rest != region.name and len(rest) >= 3:
                    aliases.append((rest, False))
                    break
        return aliases


@functools.cache
def _english_cached(region: Region) -> str:
    return _english(region)


def _clean_text(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def read_regions_csv(path: Path) -> RegionTable:
    """A RegionTable from a CSV with columns code6, name, level, parent_code6, nbs_only."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    names = {row["code6"]: row["name"] for row in rows}
    regions = []
    for row in rows:
        code, official, parent = row["code6"], row["name"], row["parent_code6"] or None
        level = LEVELS.get(row["level"])
        if level is None:
            raise InvalidCodeError(f"bad level {row['level']!r} for {code}", code="region_format", value=code)
        placeholder = level == "city" and (
            official in ("市辖区", "县") or official.endswith("直辖县级行政区划")
        )
        name = official
        if official == "市辖区" and parent:
            name = names[parent]  # 310100 市辖区 → 上海市: the municipality itself at city level
        elif official == "县" and parent:
            name = names[parent] + "辖县"  # 500200 县 → 重庆市辖县
        regions.append(
            Region(
                code=code,
                name=name,
                level=level,
                parent_code=parent,
                official_name=official,
                nbs_only=row["nbs_only"] == "1",
                placeholder=placeholder,
            )
        )
    return RegionTable(regions)


@functools.cache
def load_regions() -> RegionTable:
    """The bundled GB/T 2260 table (NBS 2023 divisions), loaded once."""
    return read_regions_csv(REGIONS_CSV)


# ----------------------------------------------------------------------------------------------------------
# Provincial population (unit: 10,000 persons, as NBS publishes it).


@dataclass(frozen=True)
class PopulationTable:
    """Year-end resident population by province code and year, in 10,000 persons."""

    values: Mapping[tuple[str, int], Decimal]
    unit: str = "10k persons"
    source: str = field(default="", compare=False)

    def get(self, region_code: str, year: int) -> Decimal:
        """The population of one region in one year; KeyError when the table lacks it."""
        key = (normalise_region_code(region_code), year)
        if key not in self.values:
            raise KeyError(f"no population for {key[0]} in {year}")
        return self.values[key]

    def total(self, region_codes: Iterable[str], *, year: int) -> Decimal:
        """The summed population of several regions in one year."""
        return sum((self.get(code, year) for code in region_codes), Decimal(0))

    def series(self, region_code: str) -> dict[int, Decimal]:
        """Population by year for one region, oldest first."""
        code = normalise_region_code(region_code)
        return {year: v for (c, year), v in sorted(self.values.items(), key=lambda kv: kv[0][1]) if c == code}

    @property
    def years(self) -> list[int]:
        """The years covered, ascending."""
        return sorted({year for _, year in self.values})

    @property
    def region_codes(self) -> list[str]:
        """The region codes covered, ascending."""
        return sorted({code for code, _ in self.values})


def _number(text: str, *, where: str) -> Decimal:
    try:
        return Decimal(text.strip())
    except InvalidOperation as exc:
        raise ValueError(f"{where}: {text!r} is not a number") from exc


def load_population_csv(path: Path) -> PopulationTable:
    """Read the NBS/PyPSA wide table (region,2024,…,2005; English names) or region_code,year,population."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return _population_table(path, handle)


def _population_table(path: Path, handle: Iterable[str]) -> PopulationTable:
    # Streamed row by row in Python: a large upload is parsed in a worker thread, and one long C call
    # (list(csv.reader(...)) over a million lines) would hold the GIL and stall the event loop.
    lines = (ln for ln in handle if ln.strip() and not ln.startswith("#"))
    rows = csv.reader(lines)
    first = next(rows, None)
    if first is None:
        raise ValueError(f"{path} has no data")
    header = [h.strip() for h in first]
    values: dict[tuple[str, int], Decimal] = {}
    if header == ["region_code", "year", "population"]:
        for row in rows:
            code = normalise_region_code(row[0])
            values[(code, int(row[1]))] = _number(row[2], where=f"{path} {code} {row[1]}")
    elif header[0].lower() == "region" and all(h.isdigit() for h in header[1:]):
        table = load_regions()
        for row in rows:
            province = table.province_code_for_name(row[0])
            if province is None:
                raise InvalidCodeError(
                    f"unknown province {row[0]!r} in {path}", code="region_unknown", value=row[0]
                )
            for year, cell in zip(header[1:], row[1:], strict=True):
                values[(province, int(year))] = _number(cell, where=f"{path} {row[0]} {year}")
    else:
        raise ValueError(f"{path}: expected 'region,<years>…' or 'region_code,year,population', got {header}")
    return PopulationTable(values=values, source=str(path))
