"""Assemble an innovation-strength report from lake counts, official statistics and population (pure).

Each reported number is one Figure: the official statistic where one was imported, else the lake count; the
other source is kept beside it and the two are reconciled. Rates, growth, ratios and alliance totals are
derived figures that name their inputs and are as of the oldest input.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from ipops.reports.figures import Figure, Source, SourceKind, derived, format_number
from ipops.reports.indicators import (
    GROWTH_SUFFIX,
    INDICATORS,
    PER_10K,
    PER_10K_STOCKS,
    RANKED,
    indicator_of,
)
from ipops.reports.reconcile import DEFAULT_TOLERANCE, Reconciliation, reconcile
from ipops.reports.sources import NATION, NATION_WITH_HMT, ApplicantRow, CompositionRow, LakeCount

ALLIANCE = "ALLIANCE"
SERIES_YEARS = 5
Key = tuple[str, str, int]


@dataclass(frozen=True, slots=True)
class ReportRegion:
    """A region the report covers: the nation, the alliance, a member province or city."""

    code: str
    name_zh: str
    name_en: str
    level: str  # nation | alliance | province | city
    parent_code: str | None = None

    def name(self, locale: str) -> str:
        """The region's name in a locale."""
        return self.name_zh if locale.startswith("zh") else self.name_en


@dataclass(frozen=True, slots=True)
class Cell:
    """The reported figure for one key, the figure of each source, and their reconciliation."""

    figure: Figure | None
    lake: Figure | None = None
    official: Figure | None = None
    reconciliation: Reconciliation | None = None


@dataclass(frozen=True, slots=True)
class RankEntry:
    """One region's place in a ranking."""

    rank: int
    region_code: str
    figure: Figure


@dataclass
class ReportInputs:
    """Everything a report is built from."""

    alliance_code: str
    alliance_zh: str
    alliance_en: str
    year: int
    members: Sequence[ReportRegion]
    official: Sequence[Figure]  # official statistics and population figures
    lake_counts: Sequence[LakeCount] = ()
    lake_source: Source | None = None
    composition: Sequence[CompositionRow] = ()
    top_applicants: Sequence[ApplicantRow] = ()
    tolerance: Decimal = DEFAULT_TOLERANCE
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime(1970, 1, 1, tzinfo=dt.UTC))


@dataclass
class InnovationReport:
    """A built report: regions, cells by (indicator, region, year), rankings and the material behind them."""

    alliance_code: str
    alliance_zh: str
    alliance_en: str
    year: int
    years: list[int]
    regions: list[ReportRegion]
    cells: dict[Key, Cell]
    rankings: dict[str, dict[str, list[RankEntry]]]  # indicator -> level -> entries
    reconciliations: list[Reconciliation]
    sources: list[Source]
    composition: list[CompositionRow]
    top_applicants: list[ApplicantRow]
    tolerance: Decimal
    generated_at: dt.datetime
    omissions: list[tuple[str, str]]
    coverage_years: list[int] = field(default_factory=list)
    lake_present: bool = False  # the lake exists and was counted
    lake_gaps: list[str] = field(default_factory=list)  # top-level members without lake documents

    def coverage(self, indicator: str, year: int) -> list[str]:
        """The covered regions that have a figure for an indicator and year."""
        return [r.code for r in self.regions if (indicator, r.code, year) in self.cells]

    def source_number(self, source: Source) -> int | None:
        """A source's 1-based number in the sources table (sources are cited by name and reference)."""
        for index, known in enumerate(self.sources, start=1):
            if (known.kind, known.name, known.reference) == (source.kind, source.name, source.reference):
                return index
        return None

    def region(self, code: str) -> ReportRegion:
        """A covered region by code."""
        for region in self.regions:
            if region.code == code:
                return region
        raise KeyError(code)

    def cell(self, indicator: str, region_code: str, year: int | None = None) -> Cell:
        """The cell for a key (an empty cell when nothing is known)."""
        return self.cells.get((indicator, region_code, self.year if year is None else year), Cell(None))

    def value(self, indicator: str, region_code: str, year: int | None = None) -> Decimal | None:
        """The reported value for a key, or None."""
        figure = self.cell(indicator, region_code, year).figure
        return figure.value if figure else None

    def by_level(self, level: str) -> list[ReportRegion]:
        """The covered regions of one level, in code order."""
        return [r for r in self.regions if r.level == level]

    @property
    def flagged(self) -> list[Reconciliation]:
        """Reconciliations whose sources disagree beyond the tolerance."""
        return [r for r in self.reconciliations if r.flagged]


def top_level_members(members: Iterable[ReportRegion]) -> list[ReportRegion]:
    """Members not inside another member: provinces, and cities whose province is not a member."""
    members = list(members)
    provinces = {m.code for m in members if m.level == "province"}
    return [m for m in members if m.level == "province" or (m.parent_code or "") not in provinces]


OMISSIONS: list[tuple[str, str]] = [
    (
        "商标、地理标志、许可与转让仅来自导入的官方统计：数据湖中的商标和转让记录没有可归属的国内地区。",
        "Trademarks, geographical indications, licences and transfers come from imported official statistics "
        "only: the lake's trademark and assignment records carry no attributable Chinese region.",
    ),
    (
        "数据湖中的有效发明专利按“已授权且未满 20 年”估算，未扣除未缴年费等失效。",
        "Lake counts of inventions in force are granted inventions within their 20-year term; lapses for "
        "unpaid annuities are not subtracted.",
    ),
    (
        "产业构成按 WIPO 35 个技术领域（5 个部门）统计；NACE 产业对照表许可证不明，未使用。",
        "Composition is by WIPO technology field and sector; the NACE industry concordance is not used "
        "because its licence is unknown.",
    ),
    (
        "保护（案件、维权）与交易市场数据尚未接入，对应模块上线后补充。",
        "Protection (cases, enforcement) and market (deals, listings) figures are omitted until those "
        "modules exist.",
    ),
]


def default_year(official: Iterable[Figure], members: Iterable[ReportRegion]) -> int | None:
    """The year with the most official figures for member regions (population aside), the latest on ties."""
    codes = {m.code for m in members}
    per_year: dict[int, int] = {}
    for figure in official:
        if figure.region_code in codes and figure.indicator != "population":
            per_year[figure.year] = per_year.get(figure.year, 0) + 1
    if not per_year:
        return None
    return max(per_year, key=lambda year: (per_year[year], year))


class _Builder:
    def __init__(self, inputs: ReportInputs) -> None:
        self.inputs = inputs
        self.year = inputs.year
        self.window = list(range(inputs.year - SERIES_YEARS, inputs.year + 1))
        # Figures are built for every year an official table covers, so coverage shows across years.
        self.years = sorted(set(self.window) | {f.year for f in inputs.official})
        self.members = list(inputs.members)
        self.top = top_level_members(self.members)
        nations = (
            [NATION, NATION_WITH_HMT]
            if any(f.region_code == NATION_WITH_HMT for f in inputs.official)
            else [NATION]
        )
        self.region_codes = [*nations, ALLIANCE, *(m.code for m in self.members)]
        self.lake: dict[Key, Figure] = {}
        self.official: dict[Key, Figure] = {}
        self.chosen: dict[Key, Figure] = {}
        self.reconciliations: dict[Key, Reconciliation] = {}
        self.lake_gaps: list[str] = []

    def _load(self) -> None:
        source = self.inputs.lake_source
        if source is not None:
            counted = {(c.indicator, c.region_code, c.year): c.count for c in self.inputs.lake_counts}
            # A region-year the lake holds no document for is unknown, not zero: the lake is a sample.
            held = {(code, year) for (_, code, year), n in counted.items() if n > 0}
            lake_keys = [i.key for i in INDICATORS.values() if i.lake]
            for indicator in lake_keys:
                for code in [NATION, *(m.code for m in self.members)]:
                    for year in self.window:
                        if (code, year) in held:
                            value = Decimal(counted.get((indicator, code, year), 0))
                            self.lake[(indicator, code, year)] = Figure(indicator, code, year, value, source)
            window = set(self.window)
            self.lake_gaps = [m.code for m in self.top if not any((m.code, y) in held for y in window)]
        for figure in sorted(self.inputs.official, key=lambda f: f.as_of):
            self.official[(figure.indicator, figure.region_code, figure.year)] = figure  # newest wins

    def _alliance_totals(self, figures: dict[Key, Figure]) -> None:
        top_codes = [m.code for m in self.top]
        indicators = {k[0] for k in figures}
        for indicator in indicators:
            if indicator not in INDICATORS or not INDICATORS[indicator].additive:
                continue
            for year in self.years:
                parts = [figures.get((indicator, code, year)) for code in top_codes]
                if not top_codes or any(p is None for p in parts):
                    continue
                present = tuple(p for p in parts if p is not None)
                total = sum((p.value for p in present), Decimal(0))
                figures[(indicator, ALLIANCE, year)] = derived(
                    indicator=indicator,
                    region_code=ALLIANCE,
                    year=year,
                    value=total,
                    derivation=" + ".join(format_number(p.value) for p in present)
                    + f" = {format_number(total)}",
                    inputs=present,
                )

    def _choose(self) -> None:
        for key in set(self.lake) | set(self.official):
            lake, official = self.lake.get(key), self.official.get(key)
            chosen = official or lake
            if chosen is not None:
                self.chosen[key] = chosen
            if lake is not None and official is not None:
                self.reconciliations[key] = reconcile(
                    lake=lake, official=official, tolerance=self.inputs.tolerance
                )

    def _derive(self) -> None:
        for rate_key, stock_key in PER_10K_STOCKS.items():
            for code in self.region_codes:
                for year in self.years:
                    key = (rate_key, code, year)
                    stock = self.chosen.get((stock_key, code, year))
                    population = self.chosen.get(("population", code, year))
                    if key in self.official or stock is None or population is None or not population.value:
                        continue
                    self.chosen[key] = derived(
                        indicator=rate_key,
                        region_code=code,
                        year=year,
                        value=stock.value / population.value,
                        derivation=f"{format_number(stock.value)} / {format_number(population.value)} (10k)",
                        inputs=(stock, population),
                    )
        for indicator in [k for k, i in INDICATORS.items() if i.additive and k != "population"]:
            for code in self.region_codes:
                for year in self.years[1:]:
                    now, before = (
                        self.chosen.get((indicator, code, year)),
                        self.chosen.get((indicator, code, year - 1)),
                    )
                    if now is None or before is None or not before.value:
                        continue
                    growth = (now.value / before.value - 1) * 100
                    self.chosen[(indicator + GROWTH_SUFFIX, code, year)] = derived(
                        indicator=indicator + GROWTH_SUFFIX,
                        region_code=code,
                        year=year,
                        value=growth,
                        derivation=f"{format_number(now.value)} / {format_number(before.value)} − 1",
                        inputs=(now, before),
                    )
        for code in self.region_codes:
            if code == NATION:
                continue
            rate = self.chosen.get((PER_10K, code, self.year))
            if rate is None:
                continue
            for other, suffix in ((NATION, "_vs_nation"), (ALLIANCE, "_vs_alliance")):
                base = self.chosen.get((PER_10K, other, self.year))
                if base is None or not base.value or other == code:
                    continue
                self.chosen[(PER_10K + suffix, code, self.year)] = derived(
                    indicator=PER_10K + suffix,
                    region_code=code,
                    year=self.year,
                    value=rate.value / base.value,
                    derivation=f"{format_number(rate.value, 2)} / {format_number(base.value, 2)}",
                    inputs=(rate, base),
                )

    def _rankings(self) -> dict[str, dict[str, list[RankEntry]]]:
        rankings: dict[str, dict[str, list[RankEntry]]] = {}
        for indicator in RANKED:
            rankings[indicator] = {}
            for level in ("province", "city"):
                figures = [
                    self.chosen[(indicator, m.code, self.year)]
                    for m in self.members
                    if m.level == level and (indicator, m.code, self.year) in self.chosen
                ]
                figures.sort(key=lambda f: (-f.value, f.region_code))
                entries: list[RankEntry] = []
                for index, figure in enumerate(figures, start=1):
                    tied = entries and entries[-1].figure.value == figure.value
                    entries.append(RankEntry(entries[-1].rank if tied else index, figure.region_code, figure))
                rankings[indicator][level] = entries
        return rankings

    def build(self) -> InnovationReport:
        self._load()
        self._alliance_totals(self.lake)
        self._alliance_totals(self.official)
        # An alliance total is official when every member has the official figure, else the lake's.
        self._choose()
        self._derive()
        cells = {
            key: Cell(figure, self.lake.get(key), self.official.get(key), self.reconciliations.get(key))
            for key, figure in self.chosen.items()
        }
        # A source is cited once, by name and reference, as of its newest figure.
        sources: dict[tuple[str, str, str], Source] = {}
        for figure in sorted(list(self.lake.values()) + list(self.official.values()), key=lambda f: f.as_of):
            if figure.source.kind != SourceKind.DERIVED:  # alliance totals cite their members' sources
                sources[(figure.source.kind, figure.source.name, figure.source.reference)] = figure.source
        nations = [
            ReportRegion(NATION, "全国", "China (national)", "nation"),
            ReportRegion(
                NATION_WITH_HMT, "全国（含港澳台）", "China incl. Hong Kong, Macao, Taiwan", "nation"
            ),
        ]
        alliance = ReportRegion(ALLIANCE, self.inputs.alliance_zh, self.inputs.alliance_en, "alliance")
        return InnovationReport(
            alliance_code=self.inputs.alliance_code,
            alliance_zh=self.inputs.alliance_zh,
            alliance_en=self.inputs.alliance_en,
            year=self.year,
            years=self.window[1:],
            regions=[
                *(n for n in nations if n.code in self.region_codes),
                alliance,
                *sorted(self.members, key=lambda m: (m.level != "province", m.code)),
            ],
            cells=cells,
            rankings=self._rankings(),
            reconciliations=sorted(
                self.reconciliations.values(),
                key=lambda r: (not r.flagged, r.indicator, r.region_code, r.year),
            ),
            sources=sorted(sources.values(), key=lambda s: (s.kind, s.name, s.as_of)),
            composition=list(self.inputs.composition),
            top_applicants=list(self.inputs.top_applicants),
            tolerance=self.inputs.tolerance,
            generated_at=self.inputs.generated_at,
            omissions=list(OMISSIONS),
            coverage_years=self._coverage_years(cells),
            lake_present=self.inputs.lake_source is not None,
            lake_gaps=self.lake_gaps,
        )

    def _coverage_years(self, cells: dict[Key, Cell]) -> list[int]:
        """The years from the first to the last with a figure for a member region (and the report's year)."""
        codes = {m.code for m in self.members}
        years = [y for (i, code, y) in cells if code in codes and i != "population"]
        if not years:
            return [self.year]
        return list(range(min(min(years), self.year), max(max(years), self.year) + 1))


def build_report(inputs: ReportInputs) -> InnovationReport:
    """Build the report: choose, reconcile, derive, total and rank every figure."""
    return _Builder(inputs).build()


__all__ = [
    "ALLIANCE",
    "Cell",
    "InnovationReport",
    "ReportInputs",
    "ReportRegion",
    "build_report",
    "default_year",
    "indicator_of",
]
