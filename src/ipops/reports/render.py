"""Render a report: the tables behind it, SVG charts, an HTML page or document, a PDF, CSV and XLSX."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from ipops.core import exports as spreadsheet
from ipops.reports import charts
from ipops.reports.builder import ALLIANCE, Cell, InnovationReport
from ipops.reports.figures import Figure, Source, SourceKind, format_number, quantize_places
from ipops.reports.indicators import (
    ALWAYS_SHOWN,
    CITY_COLUMNS,
    HEADLINE,
    HIGH_VALUE_PER_10K,
    PER_10K,
    indicator_of,
)
from ipops.reports.sources import NATION, NATION_WITH_HMT

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "web" / "templates"
KIND_BADGE = {
    SourceKind.LAKE: ("湖", "L"),
    SourceKind.OFFICIAL: ("官", "O"),
    SourceKind.POPULATION: ("人", "P"),
    SourceKind.DERIVED: ("算", "D"),
}
# Source categories as a reader sees them (the catalogue translates them).
KIND_LABEL = {
    SourceKind.LAKE: "data lake",
    SourceKind.OFFICIAL: "official statistics",
    SourceKind.POPULATION: "population table",
    SourceKind.DERIVED: "derived",
}
NO_DATA = {"zh": "暂无数据", "en": "no data"}
SERIES_CANDIDATES = (
    "patent_grants",
    "patent_applications",
    "invention_applications",
    "invention_in_force",
    "pct_applications",
    "utility_model_in_force",
)


@dataclass(frozen=True, slots=True)
class Table:
    """One exportable table: a name, a header and rows of plain values."""

    name: str
    header: list[str]
    rows: list[list[Any]]


def _zh(locale: str) -> bool:
    return locale.startswith("zh")


def _region_name(report: InnovationReport, code: str, locale: str) -> str:
    try:
        return report.region(code).name(locale)
    except KeyError:
        return code


def _places(indicator: str) -> int:
    return indicator_of(indicator).places


def no_data(locale: str) -> str:
    """What a missing figure prints as: never 0."""
    return NO_DATA["zh"] if _zh(locale) else NO_DATA["en"]


def cited_sources(figure: Figure) -> list[Source]:
    """The sources a figure rests on: its own, or its inputs' for a derived figure (in input order)."""
    if figure.source.kind != SourceKind.DERIVED:
        return [figure.source]
    found: list[Source] = []
    for part in figure.inputs:
        for source in cited_sources(part):
            if source not in found:
                found.append(source)
    return found


def source_marks(report: InnovationReport, figure: Figure | None) -> str:
    """The numbers of a figure's sources in the report's sources table, e.g. "[3][12]"."""
    if figure is None:
        return ""
    numbers = [report.source_number(s) for s in cited_sources(figure)]
    return "".join(f"[{n}]" for n in numbers if n is not None)


def badge(figure: Figure | None, locale: str, report: InnovationReport | None = None) -> str:
    """The short source mark, source numbers and as-of date under a number, e.g. "官[3] 2016-12-31"."""
    if figure is None:
        return ""
    zh, en = KIND_BADGE[figure.source.kind]
    marks = source_marks(report, figure) if report is not None else ""
    return f"{zh if _zh(locale) else en}{marks} {figure.as_of.isoformat()}"


def export_value(indicator: str, value: Decimal | None, locale: str) -> Decimal | str:
    """A value as exported: rates rounded to their printed places plus two, "no data" when unknown."""
    if value is None:
        return no_data(locale)
    places = indicator_of(indicator).places
    if value == value.to_integral_value():
        return value
    return quantize_places(value, places + 2 if places else 4)


def report_tables(report: InnovationReport, *, locale: str = "zh_CN") -> list[Table]:
    """Every table of the report, as exported to CSV and XLSX."""

    def name(code: str) -> str:
        return _region_name(report, code, locale)

    figures = Table(
        "figures",
        [
            "indicator",
            "indicator_name",
            "region_code",
            "region",
            "year",
            "value",
            "unit",
            "source_kind",
            "source",
            "source_reference",
            "as_of",
            "derivation",
            "lake_value",
            "official_value",
            "relative_difference",
            "flagged",
        ],
        [],
    )
    for (indicator, code, year), cell in sorted(
        report.cells.items(), key=lambda kv: (kv[0][0], kv[0][2], kv[0][1])
    ):
        if cell.figure is None:
            continue
        meta = indicator_of(indicator)
        rec = cell.reconciliation
        figures.rows.append(
            [
                indicator,
                meta.label(locale),
                code,
                name(code),
                year,
                export_value(indicator, cell.figure.value, locale),
                meta.unit(locale),
                cell.figure.source.kind.value,
                " + ".join(s.name for s in cited_sources(cell.figure)),
                " ; ".join(s.reference for s in cited_sources(cell.figure)),
                cell.figure.as_of.isoformat(),
                cell.figure.derivation,
                cell.lake.value if cell.lake else None,
                cell.official.value if cell.official else None,
                rec.relative if rec else None,
                rec.flagged if rec else None,
            ]
        )
    heads = [r for r in report.regions if r.level in ("nation", "alliance", "province")]
    summary = Table(
        "summary",
        ["indicator", "indicator_name", "year", *(f"{r.code} {r.name(locale)}" for r in heads)],
        [
            [
                key,
                indicator_of(key).label(locale),
                report.year,
                *(export_value(key, report.value(key, r.code), locale) for r in heads),
            ]
            for key in HEADLINE
        ],
    )
    cities = Table(
        "cities",
        ["region_code", "region", *CITY_COLUMNS],
        [
            [
                c.code,
                c.name(locale),
                *(export_value(k, report.value(k, c.code), locale) for k in CITY_COLUMNS),
            ]
            for c in report.by_level("city")
        ],
    )
    coverage = Table(
        "coverage",
        ["indicator", "indicator_name", *(str(y) for y in report.coverage_years)],
        [
            [
                key,
                indicator_of(key).label(locale),
                *(" ".join(report.coverage(key, y)) or no_data(locale) for y in report.coverage_years),
            ]
            for key in coverage_rows(report)
        ],
    )
    rankings = Table(
        "rankings", ["indicator", "level", "rank", "region_code", "region", "value", "source", "as_of"], []
    )
    for indicator, levels in report.rankings.items():
        for level, entries in levels.items():
            for e in entries:
                rankings.rows.append(
                    [
                        indicator,
                        level,
                        e.rank,
                        e.region_code,
                        name(e.region_code),
                        e.figure.value,
                        e.figure.source.label,
                        e.figure.as_of.isoformat(),
                    ]
                )
    composition = Table(
        "composition",
        ["province_code", "province", "sector", "field_number", "field", "documents"],
        [
            [
                c.province_code,
                name(c.province_code),
                c.sector_zh if _zh(locale) else c.sector_en,
                c.field_number,
                c.field_zh if _zh(locale) else c.field_en,
                c.documents,
            ]
            for c in report.composition
        ],
    )
    applicants = Table(
        "top_applicants",
        ["rank", "applicant", "region_code", "applications", "grants"],
        [
            [i, a.name, a.region_code, a.applications, a.grants]
            for i, a in enumerate(report.top_applicants, start=1)
        ],
    )
    reconciliation = Table(
        "reconciliation",
        [
            "indicator",
            "region_code",
            "region",
            "year",
            "lake",
            "lake_as_of",
            "official",
            "official_source",
            "official_as_of",
            "difference",
            "relative_difference",
            "tolerance",
            "flagged",
        ],
        [
            [
                r.indicator,
                r.region_code,
                name(r.region_code),
                r.year,
                r.lake.value,
                r.lake.as_of.isoformat(),
                r.official.value,
                r.official.source.name,
                r.official.as_of.isoformat(),
                r.difference,
                r.relative,
                r.tolerance,
                r.flagged,
            ]
            for r in report.reconciliations
        ],
    )
    sources_table = Table(
        "sources",
        ["number", "kind", "name", "reference", "as_of"],
        [
            [n, s.kind.value, s.name, s.reference, s.as_of.isoformat()]
            for n, s in enumerate(report.sources, start=1)
        ],
    )
    return [
        figures,
        summary,
        cities,
        coverage,
        rankings,
        composition,
        applicants,
        reconciliation,
        sources_table,
    ]


def coverage_rows(report: InnovationReport) -> list[str]:
    """The indicators the coverage table lists: every one with a figure in some year, and the key ones."""
    keys = {k[0] for k in report.cells}
    return [k for k in HEADLINE if k in keys or k in ALWAYS_SHOWN]


def _plain_number(value: Any) -> Any:
    # whole numbers without a trailing ".0000", the rest at their own scale
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return Decimal(int(value))
    return value


def table_csv(table: Table) -> str:
    """One table as CSV text (UTF-8 with header; text cannot run as a formula)."""
    return spreadsheet.csv_text(table.header, ([_plain_number(v) for v in row] for row in table.rows))


def tables_xlsx(tables: list[Table]) -> bytes:
    """Every table as one sheet of an XLSX workbook (numbers as numbers, text never a formula)."""
    return spreadsheet.xlsx_bytes(spreadsheet.Sheet(t.name, t.header, t.rows) for t in tables)


# ------------------------------------------------------------------------------------------------------------
# Charts and HTML


def report_charts(report: InnovationReport, *, locale: str, t: Callable[[str], str]) -> dict[str, Markup]:
    """The report's SVG charts, keyed by name."""
    empty = t("No data for this chart")
    provinces = report.by_level("province")
    cities = report.by_level("city")

    def bars(indicator: str, regions: list[Any], limit: int) -> list[charts.Bar]:
        out = [
            charts.Bar(r.name(locale), f.value, badge(f, locale))
            for r in regions
            if (f := report.cell(indicator, r.code).figure) is not None
        ]
        return sorted(out, key=lambda b: -b.value)[:limit]

    province_metric = (
        PER_10K if any(report.value(PER_10K, p.code) is not None for p in provinces) else "patent_grants"
    )
    city_metric = "patent_grants"

    def points(indicator: str) -> dict[str, dict[int, Decimal]]:
        return {
            p.name(locale): {
                y: v for y in report.years if (v := report.value(indicator, p.code, y)) is not None
            }
            for p in provinces
        }

    # The trend shows the count with the most provincial figures in the window (ties: the first listed).
    series_metric = max(
        SERIES_CANDIDATES,
        key=lambda k: (
            sum(len(v) for v in points(k).values()),
            report.year in set().union(*points(k).values()),
        ),
    )
    series = points(series_metric)
    sectors: list[str] = []
    composition: dict[str, dict[str, Decimal]] = {}
    for row in report.composition:
        sector = row.sector_zh if _zh(locale) and row.sector_zh else row.sector_en
        if sector not in sectors:
            sectors.append(sector)
        parts = composition.setdefault(_region_name(report, row.province_code, locale), {})
        parts[sector] = parts.get(sector, Decimal(0)) + row.documents
    groups = [
        (
            p.name(locale),
            [
                charts.Tile(c.code, c.name(locale), report.value(city_metric, c.code))
                for c in cities
                if c.parent_code == p.code
            ],
        )
        for p in provinces
    ]
    return {
        "rank_provinces": Markup(  # noqa: S704 - the SVG is built from escaped parts
            charts.bar_chart(
                bars(province_metric, provinces, 40),
                title=f"{t('Ranking of provinces')}: "
                f"{indicator_of(province_metric).label(locale)} ({report.year})",
                places=_places(province_metric),
                empty=empty,
            )
        ),
        "rank_cities": Markup(  # noqa: S704
            charts.bar_chart(
                bars(city_metric, cities, 20),
                title=f"{t('Top cities')}: {indicator_of(city_metric).label(locale)} ({report.year})",
                empty=empty,
            )
        ),
        "series": Markup(  # noqa: S704
            charts.line_chart(
                series,
                years=report.years,
                title=f"{indicator_of(series_metric).label(locale)} {report.years[0]}–{report.years[-1]}",
                empty=empty,
            )
        ),
        "composition": Markup(  # noqa: S704
            charts.stacked_bars(
                composition, segments=sectors, title=t("Technology composition by sector"), empty=empty
            )
        ),
        "map": Markup(  # noqa: S704
            charts.tile_map(
                [(label, tiles) for label, tiles in groups if tiles],
                title=f"{t('Alliance cities')}: {indicator_of(city_metric).label(locale)} ({report.year})",
                empty=empty,
            )
        ),
    }


def bilingual(translate: Callable[[str], str]) -> Callable[[str], str]:
    """A gettext that prints Chinese and English together, for the bilingual PDF."""

    def both(message: str) -> str:
        zh = translate(message)
        return message if zh == message else f"{zh} · {message}"

    return both


def report_context(
    report: InnovationReport, *, locale: str, t: Callable[[str], str], missing: str | None = None
) -> dict[str, Any]:
    """What the report templates need: the report, its charts, tables and number helpers."""
    missing = missing or t("no data")

    def value(cell: Cell) -> str:
        if cell.figure is None:
            return missing
        return format_number(cell.figure.value, _places(cell.figure.indicator))

    heads = [r for r in report.regions if r.level in ("nation", "alliance", "province")]
    headline = [
        key for key in HEADLINE if key in ALWAYS_SHOWN or any(report.cell(key, r.code).figure for r in heads)
    ]
    provinces = report.by_level("province")
    cities = report.by_level("city")
    return {
        "report": report,
        "charts": report_charts(report, locale=locale, t=t),
        "heads": heads,
        "headline": headline,
        "city_columns": CITY_COLUMNS,
        "cities_with_data": [c for c in cities if any(report.cell(k, c.code).figure for k in CITY_COLUMNS)],
        "coverage_rows": coverage_rows(report),
        "high_value_years": [y for y in report.coverage_years if report.coverage(HIGH_VALUE_PER_10K, y)],
        "provinces": provinces,
        "lake_gap_names": [_region_name(report, code, locale) for code in report.lake_gaps],
        "indicator_of": indicator_of,
        "value": value,
        "badge": lambda cell: badge(cell.figure, locale, report),
        "kind_label": lambda kind: t(KIND_LABEL[kind]),
        "fmt": format_number,
        "no_data": missing,
        "region_name": lambda code: _region_name(report, code, locale),
        "NATION": NATION,
        "NATION_WITH_HMT": NATION_WITH_HMT,
        "ALLIANCE": ALLIANCE,
        "PER_10K": PER_10K,
        "HIGH_VALUE_PER_10K": HIGH_VALUE_PER_10K,
        "zh": _zh(locale),
        "rloc": locale,
    }


def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=select_autoescape(["html"]))


def render_document(report: InnovationReport, *, template: str = "reports/document.html") -> str:
    """The standalone bilingual HTML document the PDF is printed from."""
    from ipops.web.i18n import translations

    t = bilingual(translations("zh_CN").gettext)
    context = report_context(report, locale="zh_CN", t=t, missing=no_data("zh_CN"))
    return _environment().get_template(template).render(_=t, bilingual_doc=True, **context)


def render_pdf(report: InnovationReport, *, template: str = "reports/document.html") -> bytes:
    """The report as a PDF in the bundled CJK font; refused when a character has no glyph in it."""
    from ipops.core.pdf import html_to_pdf

    return html_to_pdf(render_document(report, template=template), base_url=str(TEMPLATES_DIR))


def render_whitepaper_document(report: InnovationReport, *, province_code: str) -> str:
    """The bilingual white paper of one member province as a standalone HTML document."""
    from ipops.web.i18n import translations

    province = report.region(province_code)
    if province.level != "province":
        raise KeyError(province_code)
    t = bilingual(translations("zh_CN").gettext)
    context = report_context(report, locale="zh_CN", t=t, missing=no_data("zh_CN"))
    return (
        _environment()
        .get_template("reports/whitepaper.html")
        .render(_=t, bilingual_doc=True, province=province, **context)
    )


def render_whitepaper_pdf(report: InnovationReport, *, province_code: str) -> bytes:
    """The white paper of one member province as a PDF in the bundled CJK font."""
    from ipops.core.pdf import html_to_pdf

    html = render_whitepaper_document(report, province_code=province_code)
    return html_to_pdf(html, base_url=str(TEMPLATES_DIR))
