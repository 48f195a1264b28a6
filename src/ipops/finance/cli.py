"""`ipops finance`: the pledge monitor and an offline deal run from a JSON file.

金融命令：质押监控、从 JSON 文件运行证券化现金流。
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ipops.core.config import get_settings

finance_app = typer.Typer(
    help="金融 · finance: pledge monitoring and securitisation runs", no_args_is_help=True
)
console = Console()


@finance_app.command("monitor")
def monitor() -> None:
    """扫描质押资产法律状态变化 · Raise alerts for pledged assets whose legal status changed (idempotent)."""
    from ipops.core.db import make_engine, make_session_factory
    from ipops.core.uow import UnitOfWork
    from ipops.finance.pledge import scan_pledge_alerts

    factory = make_session_factory(make_engine(get_settings().database_url))
    report = scan_pledge_alerts(uow=UnitOfWork(factory))
    for alert in report.new_alerts:
        console.print(
            f"[yellow]![/] loan #{alert.loan_id} asset #{alert.asset_id}: "
            f"{alert.previous_status} → {alert.current_status}"
        )
    console.print(
        f"[green]✓[/] {report.loans} loans, {report.assets} pledged assets checked, "
        f"{len(report.new_alerts)} new alerts"
    )


@finance_app.command("run-deal")
def run_deal_file(
    path: Annotated[Path, typer.Argument(help="JSON: {deal, contracts, tranches, request} as a stored run")],
    csv_out: Annotated[
        Path | None, typer.Option("--csv", help="写出分层现金流 · write tranche flows")
    ] = None,
) -> None:
    """离线运行证券化现金流 · Run a deal from a JSON file and print each tranche's loss by scenario."""
    from ipops.finance import exports
    from ipops.finance.deals import execute
    from ipops.finance.pooling import summarise
    from ipops.finance.schemas import RunRequest

    inputs = json.loads(path.read_text(encoding="utf-8"))
    inputs["request"] = RunRequest.model_validate(inputs.get("request", {})).model_dump(mode="json")
    result, grid = execute(inputs)
    table = Table(title=str(inputs["deal"].get("name", path.stem)))
    table.add_column("CDR")
    table.add_column("CPR")
    names = list(result.tranches)
    for name in names:
        table.add_column(f"{name} loss", justify="right")
    for scenario in summarise(result, grid):
        losses = [f"{Decimal(scenario['tranches'][n]['loss']) * 100:.2f}%" for n in names]
        table.add_row(scenario["cdr"], scenario["cpr"], *losses)
    console.print(table)
    if csv_out is not None:
        csv_out.write_text(exports.cashflow_csv(inputs), encoding="utf-8")
        console.print(f"[green]✓[/] {csv_out}")
