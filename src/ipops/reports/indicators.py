"""The indicator catalogue: names in Chinese and English, units, decimals, and how each one aggregates."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Indicator:
    """One reported indicator."""

    key: str
    zh: str
    en: str
    unit_zh: str
    unit_en: str
    places: int = 0
    additive: bool = True  # counts add up over regions; rates and ratios do not
    lake: bool = False  # the lake can count it

    def label(self, locale: str) -> str:
        """The indicator's name in a locale."""
        return self.zh if locale.startswith("zh") else self.en

    def unit(self, locale: str) -> str:
        """The unit in a locale."""
        return self.unit_zh if locale.startswith("zh") else self.unit_en


_ITEMS = "件", "items"
CATALOGUE: tuple[Indicator, ...] = (
    Indicator("patent_applications", "专利申请量", "Patent applications", *_ITEMS, lake=True),
    Indicator("invention_applications", "发明专利申请量", "Invention applications", *_ITEMS, lake=True),
    Indicator(
        "utility_model_applications", "实用新型申请量", "Utility model applications", *_ITEMS, lake=True
    ),
    Indicator("design_applications", "外观设计申请量", "Design applications", *_ITEMS, lake=True),
    Indicator("patent_grants", "专利授权量", "Patent grants", *_ITEMS, lake=True),
    Indicator("invention_grants", "发明专利授权量", "Invention grants", *_ITEMS, lake=True),
    Indicator("utility_model_grants", "实用新型授权量", "Utility model grants", *_ITEMS, lake=True),
    Indicator("design_grants", "外观设计授权量", "Design grants", *_ITEMS, lake=True),
    Indicator("invention_in_force", "有效发明专利量", "Invention patents in force", *_ITEMS, lake=True),
    Indicator("utility_model_in_force", "有效实用新型专利量", "Utility models in force", *_ITEMS),
    Indicator("design_in_force", "有效外观设计专利量", "Designs in force", *_ITEMS),
    Indicator("patents_in_force", "有效专利量", "Patents in force (all types)", *_ITEMS),
    Indicator(
        "invention_in_force_per_10k",
        "每万人口发明专利拥有量",
        "Invention patents in force per 10,000 population",
        "件/万人",
        "per 10k persons",
        places=2,
        additive=False,
    ),
    Indicator(
        "high_value_inventions_in_force",
        "高价值发明专利拥有量",
        "High-value invention patents in force",
        *_ITEMS,
    ),
    Indicator(
        "high_value_inventions_per_10k",
        "每万人口高价值发明专利拥有量",
        "High-value invention patents in force per 10,000 population",
        "件/万人",
        "per 10k persons",
        places=2,
        additive=False,
    ),
    Indicator("pct_applications", "PCT 国际专利申请量", "PCT applications", *_ITEMS, lake=True),
    Indicator("pct_applications_published", "PCT 国际申请公布量", "PCT applications published", *_ITEMS),
    Indicator("trademark_applications", "商标申请量", "Trademark applications", *_ITEMS),
    Indicator("trademark_registrations", "商标注册量", "Trademark registrations", *_ITEMS),
    Indicator("geographical_indications", "地理标志数量", "Geographical indications", *_ITEMS),
    Indicator("licences_recorded", "专利许可备案量", "Patent licences recorded", *_ITEMS),
    Indicator("transfers_recorded", "专利转让登记量", "Patent transfers recorded", *_ITEMS),
    Indicator("population", "年末常住人口", "Year-end resident population", "万人", "10k persons"),
)
INDICATORS: dict[str, Indicator] = {i.key: i for i in CATALOGUE}
GROWTH_SUFFIX = "_yoy"
PER_10K = "invention_in_force_per_10k"
HIGH_VALUE_PER_10K = "high_value_inventions_per_10k"
# Each per-10k rate and the year-end stock it divides by the year-end population.
PER_10K_STOCKS = {PER_10K: "invention_in_force", HIGH_VALUE_PER_10K: "high_value_inventions_in_force"}

# What the headline table shows, in order; growth rows follow the counts they describe.
HEADLINE = (
    "patent_applications",
    "invention_applications",
    "patent_grants",
    "patent_grants_yoy",
    "invention_grants",
    "utility_model_grants",
    "design_grants",
    "invention_in_force",
    PER_10K,
    "high_value_inventions_in_force",
    HIGH_VALUE_PER_10K,
    "utility_model_in_force",
    "design_in_force",
    "patents_in_force",
    "pct_applications",
    "pct_applications_yoy",
    "pct_applications_published",
    "trademark_applications",
    "trademark_registrations",
    "geographical_indications",
    "licences_recorded",
    "transfers_recorded",
    "population",
)
CITY_COLUMNS = ("patent_applications", "patent_grants", "patent_grants_yoy", "invention_in_force", PER_10K)
RANKED = (PER_10K, "patent_grants", "invention_in_force", "pct_applications")
# Rows the key-indicator table always shows, with "no data" where nothing is known.
ALWAYS_SHOWN = ("invention_in_force", PER_10K, HIGH_VALUE_PER_10K)


def indicator_of(key: str) -> Indicator:
    """The catalogue entry of a key, with growth keys (…_yoy) described as percentages."""
    if key in INDICATORS:
        return INDICATORS[key]
    if key.endswith(GROWTH_SUFFIX):
        base = INDICATORS[key.removesuffix(GROWTH_SUFFIX)]
        return Indicator(key, base.zh + "同比增长", base.en + ", year-on-year growth", "%", "%", 2, False)
    for suffix, zh, en in (
        ("_vs_nation", "与全国之比", "ratio to national"),
        ("_vs_alliance", "与联盟之比", "ratio to alliance"),
    ):
        if key.endswith(suffix):
            base = INDICATORS[key.removesuffix(suffix)]
            return Indicator(key, f"{base.zh}{zh}", f"{base.en}, {en}", "倍", "×", 2, False)
    raise KeyError(key)
