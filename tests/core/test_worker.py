"""A real worker process (`ipops worker`) on PostgreSQL and Redis runs a job and delivers its event; the
periodic schedule resolves; `ipops serve --with-worker` starts both and stops both on Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, select

from ipops.alliance.schemas import UserCreate
from ipops.alliance.service import create_alliance, create_user, principal_of
from ipops.core.authz import SYSTEM, Role
from ipops.core.config import Settings
from ipops.core.db import make_session_factory
from ipops.core.jobs import JobState, request_job, wait_for_job
from ipops.core.jobs.queue import build_queue, set_queue
from ipops.core.uow import UnitOfWork
from ipops.notify.models import Notification
from ipops.schedule import PERIODIC_TASKS, check_schedule, run_periodic

REDIS_URL = os.environ.get("IPOPS_TEST_REDIS_URL", "redis://127.0.0.1:6379/2")


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


def test_periodic_tasks_resolve_and_the_pledge_monitor_runs(uow: UnitOfWork) -> None:
    resolved = check_schedule()
    assert set(resolved) == {t.name for t in PERIODIC_TASKS}
    assert resolved["finance.pledge_monitor"].endswith("scan_pledge_alerts")
    report = run_periodic("finance.pledge_monitor", uow=uow)
    assert report.new_alerts == []


@pytest.fixture
def redis_queue() -> Iterator[str]:
    """A queue of this test's own name on Redis db 2; the test process enqueues into it."""
    if not _redis_up():
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required in CI at {REDIS_URL}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    name = f"ipops-test-{uuid.uuid4().hex[:8]}"
    queue = build_queue(Settings(redis_url=REDIS_URL, jobs_queue_name=name))
    previous = set_queue(queue)
    yield name
    set_queue(previous)
    queue.huey.storage.flush_all()  # this queue's keys only


@pytest.mark.postgres
def test_a_worker_process_on_postgres_and_redis_runs_the_job(db_engine: Engine, redis_queue: str) -> None:
    if db_engine.dialect.name != "postgresql":
        pytest.skip("the worker test runs on PostgreSQL (IPOPS_TEST_DATABASE_URL)")
    url = db_engine.url.render_as_string(hide_password=False)
    factory = make_session_factory(db_engine)
    tag = uuid.uuid4().hex[:8]
    alliance_id = create_alliance(
        uow=UnitOfWork(factory), actor=SYSTEM, code=f"w-{tag}", name_zh="任务测试联盟", name_en="worker test",
        region_codes=["310000"],
    )  # fmt: skip
    user = create_user(
        uow=UnitOfWork(factory),
        actor=SYSTEM,
        alliance_id=alliance_id,
        data=UserCreate(
            username=f"w{tag}",
            display_name="任务测试",
            password="worker-test-password",
            role=Role.ALLIANCE_ADMIN,
        ),
    )
    with factory() as session:
        from ipops.alliance.models import User

        actor = principal_of(session.get(User, user.id))  # type: ignore[arg-type]
    uow = UnitOfWork(factory)
    with uow:
        job = request_job(uow, actor=actor, kind="ledger.verify")
        uow.commit()  # enqueued on Redis now; no worker yet
    env = {
        **os.environ,
        "IPOPS_DATABASE_URL": url,
        "IPOPS_REDIS_URL": REDIS_URL,
        "IPOPS_JOBS_QUEUE_NAME": redis_queue,
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "ipops.cli", "worker", "--threads", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        assert wait_for_job(session_factory=factory, job_id=job.id, timeout=90) == JobState.SUCCEEDED
        deadline = time.monotonic() + 30
        note = None
        while note is None and time.monotonic() < deadline:
            with factory() as session:
                note = session.scalars(select(Notification).where(Notification.user_id == user.id)).first()
            time.sleep(0.2)
        assert note is not None and note.event_type == "job.finished"  # delivered by the worker, after commit
        with factory() as session:
            from ipops.core.jobs.models import Job

            row = session.get(Job, job.id)
            assert row is not None and row.result is not None and row.result["ok"] is True
            assert row.progress_done == row.progress_total == 7
    finally:
        worker.send_signal(signal.SIGINT)  # Ctrl-C: huey finishes running work and stops
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
    assert worker.returncode == 0, output
    assert "redis" in output and "finance.pledge_monitor" in output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_with_worker_starts_both_and_ctrl_c_stops_both(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'run.db'}"
    from ipops.core.migrate import upgrade_database

    upgrade_database(url=url)
    port = _free_port()
    env = {
        **os.environ,
        "IPOPS_DATABASE_URL": url,
        "IPOPS_JOBS_SQLITE_PATH": str(tmp_path / "jobs.db"),
        "IPOPS_LAKE_DIR": str(tmp_path / "lake"),
    }
    env.pop("IPOPS_REDIS_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "ipops.cli", "serve", "--with-worker", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, as a terminal gives `make run`
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).json()["status"] == "ok"
        assert (tmp_path / "jobs.db").exists()  # the worker opened its SQLite queue
    finally:
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C does to the terminal's foreground group
        output = process.communicate(timeout=60)[0].decode(errors="replace")
    assert process.returncode == 0, output
    assert "worker started" in output and "worker stopped" in output
    assert "Traceback" not in output, output
