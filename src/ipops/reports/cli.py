"""`ipops report …`: innovation reports, white papers, statistics import and the figure audit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from ipops.core.errors import DomainError
from ipops.reports.audit import (
    AuditFileError,
    Verdict,
    audit,
    audit_as_dict,
    format_audit,
    load_audit_file,
    with_population,
)
from ipops.reports.figures import format_number
from ipops.reports.paths import SEED_AUDIT_FILE

if TYPE_CHECKING:
    from ipops.reports.builder import InnovationReport

report_app = typer.Typer(help="报告 · innovation reports and figure audit", no_args_is_help=True)
console = Console()


@report_app.command("audit")
def audit_command(
    file: Annotated[
        Path, typer.Argument(help="核查文件 (.toml/.json) · statements to audit", exists=True, dir_okay=False)
    ] = SEED_AUDIT_FILE,
    population: Annotated[
        Path | None,
        typer.Option(help="人口表 CSV · population CSV (region_code,year,population or NBS wide format)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON 输出 · print JSON")] = False,
    strict: Annotated[
        bool, typer.Option(help="有不一致时退出码为 1 · exit 1 when a claim is inconsistent")
    ] = False,
    lang: Annotated[str, typer.Option(help="输出语言 · zh_CN | en")] = "zh_CN",
) -> None:
    """核查已发布的统计表述 · Recompute the values a published statement implies and check its claims."""
    try:
        audit_file = load_audit_file(file)
    except AuditFileError as exc:
        console.print(f"[red]✗[/] {exc}")
        raise typer.Exit(2) from exc
    if population is not None:
        from ipops.core.regions import load_population_csv

        table = load_population_csv(population)
        audit_file = with_population(audit_file, table.values, source=f"population table {population.name}")
    result = audit(audit_file)
    from ipops.web.i18n import normalise_locale, translations

    locale = normalise_locale(lang) or "zh_CN"
    if as_json:
        zh = translations("zh_CN").gettext
        typer.echo(json.dumps(audit_as_dict(result, zh_gettext=zh), ensure_ascii=False, indent=2))
    else:
        typer.echo(format_audit(result, gettext=translations(locale).gettext, locale=locale))
    counts = result.counts()
    if strict and (counts[Verdict.INCONSISTENT] or counts[Verdict.PERIOD_MISMATCH]):
        raise typer.Exit(1)


def _uow() -> object:
    from ipops.core.config import get_settings
    from ipops.core.db import make_engine, make_session_factory
    from ipops.core.uow import UnitOfWork

    return UnitOfWork(make_session_factory(make_engine(get_settings().database_url)))


REPORTS_OUT_DIR = Path("var") / "reports"  # under var/, which git ignores


def _refusal(exc: DomainError) -> str:
    """A domain error as the CLI prints it: the title in both languages, then the detail."""
    from ipops.core.errors import error_title

    zh, en = error_title(exc.code, "zh_CN"), error_title(exc.code, "en")
    return f"{zh} · {en}" + (f": {exc.detail}" if exc.detail else "")


def _headline_table(report: InnovationReport) -> Table:
    """The report's key figures for the nation and the member provinces; unknown figures say so."""
    from ipops.reports.indicators import ALWAYS_SHOWN, HEADLINE, indicator_of
    from ipops.reports.render import no_data

    heads = [r for r in report.regions if r.level in ("nation", "province")]
    table = Table(title=f"{report.alliance_zh} {report.year} · 主要指标 key indicators")
    table.add_column("指标 indicator", overflow="fold", min_width=10)
    for region in heads:
        table.add_column(region.name_zh, justify="right", overflow="fold")
    for key in HEADLINE:
        cells = [report.cell(key, r.code).figure for r in heads]
        if key not in ALWAYS_SHOWN and not any(cells):
            continue
        meta = indicator_of(key)
        table.add_row(
            meta.zh,
            *(format_number(f.value, meta.places) if f else f"[dim]{no_data('zh_CN')}[/]" for f in cells),
        )
    return table


@report_app.command("innovation")
def innovation_command(
    alliance: Annotated[str, typer.Option(help="联盟代码 · alliance code")] = "yrd",
    year: Annotated[
        int | None,
        typer.Option(help="报告年度（默认：数据最全的年度）· report year (default: the year with data)"),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="pdf | html | csv | xlsx")] = "html",
    out: Annotated[
        Path | None, typer.Option(help="输出文件或目录 · output file (csv: a folder); default var/reports/")
    ] = None,
    lake_dir: Annotated[
        Path | None, typer.Option(help="数据湖目录 · lake folder (default IPOPS_LAKE_DIR)")
    ] = None,
    tolerance: Annotated[str, typer.Option(help="核对容差 · reconciliation tolerance")] = "0.05",
) -> None:
    """生成创新能力报告 · Render the alliance's innovation-strength report."""
    from decimal import Decimal

    from ipops.core.authz import SYSTEM
    from ipops.core.config import get_settings
    from ipops.core.uow import UnitOfWork
    from ipops.reports import render
    from ipops.reports.service import default_report_year, innovation_report

    if fmt not in ("pdf", "html", "csv", "xlsx"):
        console.print(f"[red]✗[/] 未知格式 unknown format {fmt!r}: pdf, html, csv, xlsx")
        raise typer.Exit(2)
    uow = _uow()
    assert isinstance(uow, UnitOfWork)  # noqa: S101 - built just above
    try:
        chosen = year or default_report_year(uow=uow, actor=SYSTEM, alliance_code=alliance)
        report = innovation_report(
            uow=uow,
            actor=SYSTEM,
            alliance_code=alliance,
            year=chosen,
            lake_dir=lake_dir or get_settings().lake_dir,
            tolerance=Decimal(tolerance),
        )
        target = out or REPORTS_OUT_DIR / (f"{alliance}-{chosen}" + ("" if fmt == "csv" else f".{fmt}"))
        if fmt == "pdf":
            content = render.render_pdf(report)  # refuses before anything is written
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        elif fmt == "html":
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(render.render_document(report), encoding="utf-8")
        elif fmt == "xlsx":
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(render.tables_xlsx(render.report_tables(report)))
        else:
            target.mkdir(parents=True, exist_ok=True)
            for table in render.report_tables(report):
                (target / f"{table.name}.csv").write_text(render.table_csv(table), encoding="utf-8")
    except DomainError as exc:
        console.print(f"[red]✗[/] {_refusal(exc)}")
        raise typer.Exit(2) from exc
    console.print(_headline_table(report))
    console.print(
        f"[green]✓[/] {target} · {len(report.cells)} figures, {len(report.flagged)} disagreements, "
        f"{len(report.sources)} sources"
    )


@report_app.command("import-stats")
def import_stats_command(
    file: Annotated[Path, typer.Argument(help="CSV/XLSX 统计表 · official statistics table", exists=True)],
    name: Annotated[str, typer.Option(help="数据集名称 · dataset name (the source)")],
    as_of: Annotated[str, typer.Option(help="截至日期 · as-of date, YYYY-MM-DD")],
    alliance: Annotated[str, typer.Option(help="联盟代码 · alliance code")] = "yrd",
    publisher: Annotated[str, typer.Option(help="发布机构 · publisher")] = "",
    reference: Annotated[str, typer.Option(help="链接 · URL or citation")] = "",
    population: Annotated[bool, typer.Option(help="人口表 · the file is a population table")] = False,
) -> None:
    """导入官方统计或人口表 · Import an official statistics (or population) table."""
    from ipops.core.authz import SYSTEM
    from ipops.core.uow import UnitOfWork
    from ipops.reports import service
    from ipops.reports.schemas import DatasetKind, DatasetMeta

    uow = _uow()
    assert isinstance(uow, UnitOfWork)  # noqa: S101 - built just above
    try:
        alliance_id = service.alliance_id_for(uow=uow, code=alliance)
        meta = DatasetMeta.model_validate(
            {
                "name": name,
                "as_of": as_of,
                "publisher": publisher,
                "reference": reference or file.name,
                "kind": DatasetKind.POPULATION if population else DatasetKind.OFFICIAL,
            }
        )
        if population:
            created = [
                service.import_population_file(
                    uow=uow,
                    actor=SYSTEM,
                    alliance_id=alliance_id,
                    meta=meta,
                    content=file.read_bytes(),
                    filename=file.name,
                )
            ]
        else:
            created = service.import_statistics_file(
                uow=uow,
                actor=SYSTEM,
                alliance_id=alliance_id,
                meta=meta,
                content=file.read_bytes(),
                filename=file.name,
            )
    except DomainError as exc:
        console.print(f"[red]✗[/] {exc.code.value}: {exc.detail}")
        raise typer.Exit(2) from exc
    for dataset in created:
        console.print(
            f"[green]✓[/] dataset {dataset.id}: {dataset.name} · {dataset.row_count} values "
            f"· as of {dataset.as_of}"
        )


@report_app.command("load-sample-statistics")
def load_sample_statistics_command(
    alliance: Annotated[str, typer.Option(help="联盟代码 · alliance code")] = "yrd",
) -> None:
    """导入示例统计 · Import the bundled national figures and the shared NBS population table."""
    from ipops.core.authz import SYSTEM
    from ipops.core.uow import UnitOfWork
    from ipops.reports import service

    uow = _uow()
    assert isinstance(uow, UnitOfWork)  # noqa: S101 - built just above
    alliance_id = service.alliance_id_for(uow=uow, code=alliance)
    for dataset in service.load_sample_statistics(uow=uow, actor=SYSTEM, alliance_id=alliance_id):
        console.print(f"[green]✓[/] {dataset.name} · {dataset.row_count} values")
