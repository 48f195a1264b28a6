"""Command line: serve, migrate, load the sample alliance, manage users, and the data lake.

命令行：启动服务、数据库迁移、加载示例联盟、创建用户，以及知识产权数据湖。
"""

from __future__ import annotations

import getpass
import importlib
import signal
import subprocess
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ipops.core.authz import SYSTEM, Role
from ipops.core.config import get_settings

app = typer.Typer(
    help="ipops 知识产权运营服务平台 · IP operations service platform",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="数据库 · database", no_args_is_help=True)
user_app = typer.Typer(help="用户 · users", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
console = Console()


def _mount_optional(module_name: str, attribute: str, name: str) -> None:
    """Add a domain's sub-commands when that domain exists."""
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is None or not module_name.startswith(exc.name):
            raise
        return
    sub_app = getattr(module, attribute, None)
    if isinstance(sub_app, typer.Typer):
        app.add_typer(sub_app, name=name)


_mount_optional("ipops.lake.cli", "lake_app", "lake")
_mount_optional("ipops.core.search.cli", "search_app", "search")
_mount_optional("ipops.reports.cli", "report_app", "report")
_mount_optional("ipops.valuation.cli", "valuation_app", "valuation")
_mount_optional("ipops.finance.cli", "finance_app", "finance")
_mount_optional("ipops.core.ledger.cli", "ledger_app", "ledger")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """迁移数据库到最新版本 · Migrate the database to the newest revision."""
    from ipops.core.migrate import upgrade_database

    settings = get_settings()
    _ensure_sqlite_dir(settings.database_url)
    upgrade_database(url=settings.database_url)
    console.print(f"[green]✓[/] 数据库已是最新 · database is at head: {_redact(settings.database_url)}")


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _ensure_sqlite_dir(url: str) -> None:
    from pathlib import Path

    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite") and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


@app.command("load-sample")
def load_sample() -> None:
    """加载长三角示例联盟、机构、用户、知识产权和数据湖样本 · Load the sample alliance and lake samples."""
    from ipops.sample import SAMPLE_PASSWORD, load_sample_data

    report = load_sample_data(database_url=get_settings().database_url)
    table = Table(title="示例账号 · sample accounts (password: " + SAMPLE_PASSWORD + ")")
    for column in ("username", "role", "region", "organisation"):
        table.add_column(column)
    for row in report.users:
        table.add_row(row.username, row.role, row.region_code or "", row.organisation or "")
    console.print(table)
    console.print(
        f"[green]✓[/] alliance {report.alliance_code}: {report.regions} regions, {report.organisations} "
        f"organisations, {report.assets} assets{' (already loaded)' if report.already_loaded else ''}"
    )
    from ipops.lake.samples import ingest_bundled_samples
    from ipops.lake.store import LakeStore

    lake_dir = get_settings().lake_dir
    with LakeStore(lake_dir) as store:
        lake = ingest_bundled_samples(store)
    assignments = lake.formats.get("uspto-assignment", 0)  # assignment records dedup by reel/frame
    console.print(
        f"[green]✓[/] 数据湖 · lake {lake_dir}: {lake.documents_parsed} records parsed = "
        f"{lake.documents_written} documents and marks written + {assignments} assignment records + "
        f"{lake.duplicates_skipped} duplicates skipped; {lake.quarantined} quarantined"
    )


@user_app.command("create")
def user_create(
    username: Annotated[str, typer.Argument(help="登录名 · login name")],
    role: Annotated[Role, typer.Option(help="角色 · role")] = Role.ALLIANCE_ADMIN,
    alliance: Annotated[str, typer.Option(help="联盟代码 · alliance code")] = "yrd",
    region: Annotated[str | None, typer.Option(help="GB/T 2260 地区代码 · region code")] = None,
    org_id: Annotated[int | None, typer.Option(help="机构编号 · organisation id")] = None,
    display_name: Annotated[str | None, typer.Option(help="显示名 · display name")] = None,
    password: Annotated[
        str | None, typer.Option(help="密码（省略则提示输入）· password (prompted if omitted)")
    ] = None,
) -> None:
    """创建用户 · Create a user (as the system, for bootstrapping)."""
    from sqlalchemy import select

    from ipops.alliance.models import Alliance
    from ipops.alliance.schemas import UserCreate
    from ipops.alliance.service import create_user
    from ipops.core.db import make_engine, make_session_factory
    from ipops.core.errors import DomainError
    from ipops.core.uow import UnitOfWork

    secret = password or getpass.getpass("密码 · password: ")
    factory = make_session_factory(make_engine(get_settings().database_url))
    with factory() as session:
        alliance_id = session.scalar(select(Alliance.id).where(Alliance.code == alliance))
    if alliance_id is None:
        console.print(f"[red]✗[/] 联盟不存在 · no alliance {alliance!r}; run `ipops load-sample` first")
        raise typer.Exit(2)
    try:
        user = create_user(
            uow=UnitOfWork(factory),
            actor=SYSTEM,
            alliance_id=alliance_id,
            data=UserCreate(
                username=username,
                display_name=display_name or username,
                password=secret,
                role=role,
                region_code=region,
                org_id=org_id,
            ),
        )
    except DomainError as exc:
        console.print(f"[red]✗[/] {exc.code.value}: {exc.detail}")
        raise typer.Exit(2) from exc
    console.print(f"[green]✓[/] user {user.username} ({user.role}) id={user.id}")


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="监听地址 · bind address")] = None,
    port: Annotated[int | None, typer.Option(help="端口 · port")] = None,
    reload: Annotated[bool, typer.Option(help="开发热重载 · auto-reload")] = False,
    with_worker: Annotated[
        bool, typer.Option("--with-worker", help="同时启动后台任务进程 · also run the job worker")
    ] = False,
) -> None:
    """启动 Web 服务 · Serve the web application and API (with --with-worker, the job worker too)."""
    import uvicorn

    settings = get_settings()
    worker = _start_worker() if with_worker else None
    try:
        uvicorn.run(
            "ipops.web.app:create_app",
            factory=True,
            host=host or settings.host,
            port=port or settings.port,
            reload=reload,
        )
    finally:
        if worker is not None:
            _stop_worker(worker)


def _start_worker() -> subprocess.Popen[bytes]:
    process = subprocess.Popen([sys.executable, "-m", "ipops.cli", "worker"])  # noqa: S603 - our own CLI
    console.print(f"[green]✓[/] 后台任务进程 · worker started (pid {process.pid})")
    return process


def _stop_worker(process: subprocess.Popen[bytes]) -> None:
    """Ctrl-C reaches the worker too (same process group); otherwise ask it, then insist."""
    try:
        process.wait(timeout=2)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGINT)  # huey: finish the running jobs, then stop
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    console.print("[green]✓[/] 后台任务进程已停止 · worker stopped")


@app.command("worker")
def worker(
    threads: Annotated[int | None, typer.Option(help="并发线程数 · worker threads")] = None,
) -> None:
    """运行后台任务与定时任务 · Run the job worker (huey consumer) and the periodic schedule."""
    from ipops.core.jobs.worker import run_worker

    try:
        run_worker(threads=threads)
    except (LookupError, RuntimeError) as exc:
        console.print(f"[red]✗[/] {exc}")
        raise typer.Exit(2) from exc


if __name__ == "__main__":
    app()
