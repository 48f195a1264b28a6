"""`ipops ledger verify`: re-check every journal entry and cached balance of the ledger."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from ipops.core.config import get_settings

ledger_app = typer.Typer(help="账本 · ledger", no_args_is_help=True)
console = Console()


@ledger_app.command("verify")
def verify() -> None:
    """核对全部分录与账户余额 · Re-check every journal entry and account balance; exit 1 on a problem."""
    from ipops.core.db import make_engine, make_session_factory
    from ipops.core.ledger.verify import verify_ledger

    factory = make_session_factory(make_engine(get_settings().database_url))
    with Progress(console=console, transient=True) as bar, factory() as session:
        task = bar.add_task("核对账本 · verifying", total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        check = verify_ledger(session, progress=advance)
    if check.ok:
        console.print(
            f"[green]✓[/] 账本平衡 · ledger balances: {check.entries} entries, {check.transfers} transfers, "
            f"{check.accounts} accounts"
        )
        return
    table = Table(title=f"账本问题 · {len(check.problems)} ledger problems")
    for column in ("check", "subject", "detail"):
        table.add_column(column)
    for problem in check.problems:
        table.add_row(problem.check, problem.subject, problem.detail)
    console.print(table)
    raise typer.Exit(1)
