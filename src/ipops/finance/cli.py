"""`ipops finance`: the pledge monitor and an offline deal run from a JSON file.

金融命令：质押监控、从 JSON 文件运行证券化现金流。
"""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

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


def _catalogued(msgid: str, **args: object) -> str:
    """A catalogue message in both languages (zh_CN first), as the CLI prints refusals."""
    from ipops.web.i18n import translations

    zh, en = (translations(locale).gettext(msgid) % args for locale in ("zh_CN", "en"))
    return f"{zh} · {en}"


def _refuse(msgid: str, **args: object) -> typer.Exit:
    console.print(f"[red]✗[/] {_catalogued(msgid, **args)}", highlight=False)
    return typer.Exit(2)


def is_absbox_deal(inputs: object) -> bool:
    """Whether a parsed JSON file is an AbsBox / Hastructure deal (``MDeal``, or its bare body)."""
    if not isinstance(inputs, dict):
        return False
    if inputs.get("tag") == "MDeal" and isinstance(inputs.get("contents"), dict):
        return True
    return {"dates", "pool", "bonds", "waterfall"} <= inputs.keys()


def _is_stored_run(inputs: object) -> bool:
    return isinstance(inputs, dict) and isinstance(inputs.get("deal"), dict) and "tranches" in inputs


@finance_app.command("run-deal")
def run_deal_file(
    path: Annotated[
        Path,
        typer.Argument(help="JSON: a stored run {deal, contracts, tranches, request} or an AbsBox MDeal"),
    ],
    csv_out: Annotated[
        Path | None, typer.Option("--csv", help="写出分层现金流 · write tranche flows")
    ] = None,
) -> None:
    """离线运行证券化现金流 · Run a deal from a JSON file (a stored run or an AbsBox deal)."""
    try:
        inputs = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _refuse("The deal file cannot be read as JSON: %(detail)s", detail=str(exc)) from exc
    if is_absbox_deal(inputs):
        _run_absbox_file(inputs, name=path.stem, csv_out=csv_out)
        return
    if not _is_stored_run(inputs):
        raise _refuse(
            "The deal file is neither a stored deal run ({deal, contracts, tranches, request}) "
            "nor an AbsBox deal (MDeal): %(path)s",
            path=str(path),
        )
    _run_stored_file(inputs, name=path.stem, csv_out=csv_out)


def _run_stored_file(inputs: dict[str, Any], *, name: str, csv_out: Path | None) -> None:
    from pydantic import ValidationError

    from ipops.finance import exports
    from ipops.finance.deals import execute
    from ipops.finance.pooling import summarise
    from ipops.finance.schemas import RunRequest

    try:
        inputs["request"] = RunRequest.model_validate(inputs.get("request", {})).model_dump(mode="json")
        result, grid = execute(inputs)
    except (ValidationError, KeyError, TypeError, ValueError) as exc:
        raise _refuse("The stored deal run is incomplete or invalid: %(detail)s", detail=repr(exc)) from exc
    table = Table(title=str(inputs["deal"].get("name", name)))
    table.add_column("CDR")
    table.add_column("CPR")
    names = list(result.tranches)
    for tranche in names:
        table.add_column(f"{tranche} loss", justify="right")
    for scenario in summarise(result, grid):
        losses = [f"{Decimal(scenario['tranches'][n]['loss']) * 100:.2f}%" for n in names]
        table.add_row(scenario["cdr"], scenario["cpr"], *losses)
    console.print(table)
    if csv_out is not None:
        csv_out.write_text(exports.cashflow_csv(inputs), encoding="utf-8")
        console.print(f"[green]✓[/] {csv_out}")


def _run_absbox_file(inputs: dict[str, Any], *, name: str, csv_out: Path | None) -> None:
    from ipops.finance.cashflow import Scenario, run_deal, to_money
    from ipops.finance.cashflow.absbox_import import AbsBoxAssumptions, import_absbox_deal

    assumptions = AbsBoxAssumptions()
    try:
        imported = import_absbox_deal(inputs, assumptions=assumptions)
    except NotImplementedError as exc:
        raise _refuse(
            "The AbsBox deal uses a feature that is not imported: %(detail)s", detail=str(exc)
        ) from exc
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise _refuse("The AbsBox deal is incomplete or invalid: %(detail)s", detail=repr(exc)) from exc
    scenario = Scenario(index_paths={k: [v] for k, v in assumptions.index_rates.items()})
    result = run_deal(deal=imported.deal, scenarios=scenario)
    currency = imported.deal.currency
    title = f"{imported.deal.name} (AbsBox · CDR {assumptions.cdr:.0%} · CPR {assumptions.cpr:.0%})"
    table = Table(title=title)
    for column in ("bond", "balance", "interest paid", "principal paid", "ending balance"):
        table.add_column(column, justify="left" if column == "bond" else "right")
    for tranche in imported.deal.tranches:
        statement = result.tranches[tranche.name]
        table.add_row(
            tranche.name,
            f"{tranche.balance:,.2f}",
            f"{statement.interest_paid[0].sum():,.2f}",
            f"{statement.principal_paid[0].sum():,.2f}",
            f"{statement.balance[0, -1]:,.2f}",
        )
    console.print(table)
    for note in imported.ignored:
        console.print(f"[yellow]![/] {note}", highlight=False)
    if csv_out is not None:
        rows: list[tuple[str, ...]] = [
            ("date", "bond", "balance", "interest_paid", "principal_paid", "currency")
        ]
        for tranche in imported.deal.tranches:
            statement = result.tranches[tranche.name]
            for p, day in enumerate(result.dates):
                amounts = (statement.balance, statement.interest_paid, statement.principal_paid)
                rows.append(
                    (
                        day.isoformat(),
                        _csv_text(tranche.name),
                        *(str(to_money(a[0, p], currency=currency).amount) for a in amounts),
                        currency,
                    )
                )
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        csv_out.write_text(buffer.getvalue(), encoding="utf-8")
        console.print(f"[green]✓[/] {csv_out}")


def _csv_text(value: str) -> str:
    """A text cell that a spreadsheet will not read as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
