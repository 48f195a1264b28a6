"""`ipops lake ...`: ingest office files into the lake, show stats, run SQL, show a document's indicators."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from ipops.lake.ingest import IngestProgress, IngestReport, ingest_paths
from ipops.lake.store import LakeStore, default_lake_dir

lake_app = typer.Typer(
    help="知识产权数据湖：导入、统计、查询、质量指标 · IP data lake: ingest, stats, SQL, indicators",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()

LakeDir = Annotated[
    Path | None,
    typer.Option(
        "--lake-dir",
        help="数据湖目录（默认 $IPOPS_LAKE_DIR 或 ./var/lake）· lake folder (default: the same)",
        show_default=False,
    ),
]


class Engine(StrEnum):
    """Where the Ibis queries run: embedded DuckDB, or PySpark (local mode here, a cluster in production)."""

    DUCKDB = "duckdb"
    SPARK = "spark"


def _store(lake_dir: Path | None) -> LakeStore:
    return LakeStore(lake_dir or default_lake_dir())


class _IngestProgress:
    """Feeds a Rich progress bar from the ingest runner's per-file snapshots."""

    def __init__(self, progress: Progress, total_files: int | None) -> None:
        self.progress = progress
        self.task = progress.add_task("导入 · ingesting", total=total_files, files=0, docs=0, rate=0.0)

    def __call__(self, snapshot: IngestProgress) -> None:
        rate = snapshot.documents_parsed / max(snapshot.seconds, 1e-9)
        self.progress.update(
            self.task,
            completed=snapshot.files_seen,
            files=snapshot.files_seen,
            docs=snapshot.documents_parsed,
            rate=rate,
        )


def _count_files(paths: Sequence[Path]) -> int | None:
    """How many files the paths hold (for the progress bar); None when a folder is too big to walk."""
    total = 0
    for path in paths:
        if path.is_dir():
            for _ in path.rglob("*"):
                total += 1
                if total > 200_000:
                    return None
        else:
            total += 1
    return total


def _summary_table(report: IngestReport) -> Table:
    table = Table(title="导入结果 · ingest summary")
    table.add_column("项目 · item")
    table.add_column("数量 · count", justify="right")
    rows = [
        ("文件 · files", report.files_seen),
        ("输入记录 · records in", report.documents_in),
        ("已解析 · parsed", report.documents_parsed),
        ("隔离 · quarantined", report.quarantined),
        ("容错恢复 · recovered", report.recovered),
        ("重复跳过 · duplicates", report.duplicates_skipped),
        ("写入 · written", report.documents_written),
    ]
    for label, value in rows:
        table.add_row(label, f"{value:,}")
    return table


def _formats_table(report: IngestReport) -> Table:
    table = Table(title="按格式 · by format")
    table.add_column("格式 · format")
    table.add_column("已解析 · parsed", justify="right")
    table.add_column("隔离 · quarantined", justify="right")
    for family in sorted(set(report.formats) | set(report.quarantined_formats)):
        table.add_row(
            family, f"{report.formats.get(family, 0):,}", f"{report.quarantined_formats.get(family, 0):,}"
        )
    return table


@lake_app.command("ingest")
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="文件或目录 · files or folders", exists=True)],
    lake_dir: LakeDir = None,
) -> None:
    """导入专利/商标文件（XML、ZIP、GZ、批量文件）· Ingest office files into the lake (idempotent)."""
    columns = (
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("文件 files {task.fields[files]}"),
        TextColumn("文献 docs {task.fields[docs]}"),
        TextColumn("{task.fields[rate]:.0f} docs/s"),
        TimeElapsedColumn(),
    )
    try:
        with _store(lake_dir) as store:
            with Progress(*columns, console=console, transient=False) as progress:
                feed = _IngestProgress(progress, _count_files(paths))
                report = ingest_paths(paths, sink=store, on_progress=feed)
            run_id = store.record_run(report, paths=[str(p) for p in paths])  # the batch's one commit
    except OSError as exc:  # the lake folder itself failed (disk full, permissions); bad input never raises
        console.print(f"[red]✗ 数据湖写入失败 · lake write failed:[/] {exc}")
        raise typer.Exit(code=1) from exc
    console.print(_summary_table(report))
    console.print(_formats_table(report))
    if report.seconds > 0:
        rate = report.documents_parsed / report.seconds
        megabytes_per_second = report.bytes_read / 1e6 / report.seconds
        console.print(
            f"{report.seconds:.1f} s · {rate:,.0f} docs/s · {megabytes_per_second:,.1f} MB/s · run {run_id}"
        )
    if report.quarantined:
        console.print(
            "[yellow]隔离原因见 · quarantine reasons:[/] ipops lake query "
            '"select source_file, reason from quarantine"'
        )


@lake_app.command("migrate")
def migrate(lake_dir: LakeDir = None) -> None:
    """升级旧数据湖（清单提交、doc_office 分区）· Upgrade an older lake: manifests, doc_office partitions."""
    found = _store(lake_dir).migrate()
    if found.already_current:
        console.print("[green]✓[/] 数据湖已是最新格式 · the lake already has the current layout")
        return
    console.print(
        f"[green]✓[/] 已升级 · upgraded: {found.files_adopted:,} files named in a manifest, "
        f"{found.files_moved:,} moved to doc_office=… partitions"
    )


@lake_app.command("stats")
def stats(lake_dir: LakeDir = None) -> None:
    """数据湖概况：各表行数、按局统计 · Row counts per table and documents per office."""
    summary = _store(lake_dir).stats()
    table = Table(title=f"数据湖 · lake {summary.root}")
    table.add_column("表 · table")
    table.add_column("行数 · rows", justify="right")
    for name, count in summary.rows.items():
        table.add_row(name, f"{count:,}")
    console.print(table)
    offices = Table(title="按局 · documents by office")
    offices.add_column("局 · office")
    offices.add_column("文献 · documents", justify="right")
    for office, count in summary.documents_by_office.items():
        offices.add_row(office, f"{count:,}")
    console.print(offices)
    console.print(f"{summary.files:,} Parquet files · {summary.bytes_on_disk / 1e6:,.1f} MB")


def _render(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@lake_app.command("query")
def query(
    sql: Annotated[
        str, typer.Argument(help="SQL（DuckDB 方言），可用视图 documents、parties… · SQL over the views")
    ],
    lake_dir: LakeDir = None,
    limit: Annotated[int, typer.Option(help="最多显示行数 · max rows shown")] = 200,
) -> None:
    """即席只读 SQL 查询 · Run one read-only SQL statement over the lake's views (documents, parties, ...)."""
    import duckdb

    from ipops.lake.sql import RefusedStatementError, run_read_query

    try:
        names, rows = run_read_query(_store(lake_dir), sql, limit=limit)
    except RefusedStatementError as exc:
        console.print(f"[red]✗ 拒绝执行 · refused:[/] {exc}")
        raise typer.Exit(code=2) from exc
    except duckdb.Error as exc:
        console.print(f"[red]✗ SQL 错误 · SQL error:[/] {exc}")
        raise typer.Exit(code=1) from exc
    table = Table(show_lines=False)
    for name in names:
        table.add_column(name)
    for row in rows[:limit]:
        table.add_row(*(_render(v) for v in row))
    console.print(table)
    shown = min(len(rows), limit)
    more = " (更多行未显示 · more rows not shown)" if len(rows) > limit else ""
    console.print(f"{shown} 行 · rows{more}")


@lake_app.command("indicators")
def indicators(
    doc_id: Annotated[str, typer.Argument(help="文献编号，如 US-07654321-B2 · document id")],
    lake_dir: LakeDir = None,
    window_years: Annotated[
        int, typer.Option(help="前向引用窗口（年）· forward-citation window (years)")
    ] = 5,
    engine: Annotated[
        Engine, typer.Option(help="查询引擎 · query engine (the same Ibis query runs on both)")
    ] = Engine.DUCKDB,
) -> None:
    """专利质量指标（OECD）· OECD patent quality indicators of one document, raw and cohort-normalised."""
    from ipops.lake.classify import load_wipo_concordance
    from ipops.lake.engines import duckdb_backend, spark_backend
    from ipops.lake.indicators import document_indicators

    store = _store(lake_dir)
    backend = spark_backend(store) if engine == Engine.SPARK else duckdb_backend(store)
    found = document_indicators(backend, doc_id=doc_id, window_years=window_years)
    if found is None:
        console.print(f"[red]✗ 数据湖中没有 · not in the lake:[/] {doc_id}")
        raise typer.Exit(code=1)
    field = load_wipo_concordance().fields.get(found.field_number) if found.field_number else None
    cohort = f"{field.name_zh} · {field.name_en}" if field else "未分类 · unclassified"
    table = Table(title=f"{doc_id} · {cohort} × {found.filing_year} (n={found.cohort_size})")
    table.add_column("指标 · indicator")
    table.add_column("值 · value", justify="right")
    table.add_column("同组归一 · cohort-normalised", justify="right")
    rows: list[tuple[str, object, object]] = [
        ("前向引用 · forward citations (all)", found.forward_citations, None),
        (
            f"前向引用 · forward citations ({window_years}y)",
            found.forward_citations_window,
            found.forward_citations_window_norm,
        ),
        ("后向引用 · backward citations", found.backward_citations, found.backward_citations_norm),
        ("其中在湖内 · of which in the lake", found.backward_citations_in_lake, None),
        ("非专利文献引用 · NPL citations", found.npl_citations, None),
        ("同族规模 · family size (offices)", found.family_size, found.family_size_norm),
        ("权利要求数 · claims", found.claims, found.claims_norm),
        ("专利宽度 · patent scope (IPC subclasses)", found.patent_scope, found.patent_scope_norm),
        ("原创性 · originality", found.originality, found.originality_norm),
        ("通用性 · generality", found.generality, found.generality_norm),
        ("突破性 · radicalness", found.radicalness, found.radicalness_norm),
        ("授权周期 · grant lag (days)", found.grant_lag_days, found.grant_lag_norm),
        ("综合指数4 · quality index 4", found.quality_index_4, None),
        ("综合指数6 · quality index 6", found.quality_index_6, None),
    ]
    for label, raw, norm in rows:
        table.add_row(label, _render(raw), _render(norm))
    console.print(table)
    if found.forward_window_complete is False:
        console.print(
            "[yellow]注意：引用窗口未满，前向引用被截断 · forward-citation window not complete (truncated)[/]"
        )


@lake_app.command("link")
def link(
    lake_dir: LakeDir = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="只显示匹配，不写入 · show matches only")
    ] = False,
) -> None:
    """将登记簿资产关联到数据湖文献 · Link registry assets to lake documents by their numbers (audited)."""
    from ipops.core.config import get_settings
    from ipops.core.db import make_engine, make_session_factory
    from ipops.core.uow import UnitOfWork
    from ipops.lake.link import link_documents_to_assets

    factory = make_session_factory(make_engine(get_settings().database_url))
    links = link_documents_to_assets(store=_store(lake_dir), uow=UnitOfWork(factory), dry_run=dry_run)
    table = Table(title="资产关联 · asset links" + (" (dry run)" if dry_run else ""))
    for column in ("资产 · asset", "文献 · doc_id", "匹配 · matched on"):
        table.add_column(column)
    for found in links:
        table.add_row(str(found.asset_id), found.doc_id, found.matched_on)
    console.print(table)
    console.print(f"{len(links)} 项 · links" + (" (未写入 · not written)" if dry_run else ""))
