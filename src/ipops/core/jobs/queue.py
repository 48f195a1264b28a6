"""The huey queue: SqliteHuey under var/ by default, RedisHuey when IPOPS_REDIS_URL is set.

The queue carries ids only; the rows (jobs, outbox events) carry the work, so a lost or repeated message
is harmless: the sweepers re-send what is left behind and every task claims its row before acting.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from sqlalchemy.orm import Session, sessionmaker

from ipops.core.config import Settings, get_settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Queue:
    """A huey instance and the platform's tasks registered on it."""

    huey: Huey
    run_job: Any  # huey TaskWrapper: calling it enqueues
    deliver_events: Any


def build_queue(settings: Settings) -> Queue:
    """A queue from settings, with the job runner, the event deliverer and the periodic schedule on it."""
    huey: Huey
    if settings.jobs_immediate:  # tasks run at enqueue time; nothing is stored
        huey = MemoryHuey(name=settings.jobs_queue_name, results=False, immediate=True)
    elif settings.redis_url:
        huey = RedisHuey(name=settings.jobs_queue_name, url=settings.redis_url, results=False)
    else:
        settings.jobs_sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey(
            name=settings.jobs_queue_name, filename=str(settings.jobs_sqlite_path), results=False
        )
    from ipops.core.events import deliver_pending_events
    from ipops.core.jobs.service import execute_job
    from ipops.core.uow import UnitOfWork

    def run_job(job_id: int) -> None:
        execute_job(job_id=job_id, session_factory=session_factory())

    def deliver_events() -> None:
        deliver_pending_events(uow=UnitOfWork(session_factory()))

    queue = Queue(
        huey=huey,
        run_job=huey.task(name="ipops.run_job")(run_job),
        deliver_events=huey.task(name="ipops.deliver_events")(deliver_events),
    )
    from ipops.schedule import PERIODIC_TASKS

    for spec in PERIODIC_TASKS:
        huey.periodic_task(crontab(**spec.crontab), name=spec.name)(_periodic_runner(spec.name))
    return queue


def _periodic_runner(name: str) -> Callable[[], None]:
    def run() -> None:
        from ipops.core.uow import UnitOfWork
        from ipops.schedule import resolve_periodic

        resolve_periodic(name)(uow=UnitOfWork(session_factory()))

    run.__name__ = name.replace(".", "_")
    return run


_queue: Queue | None = None


def get_queue() -> Queue:
    """The process's queue, built from the settings on first use."""
    global _queue
    if _queue is None:
        _queue = build_queue(get_settings())
    return _queue


def set_queue(queue: Queue | None) -> Queue | None:
    """Replace the process's queue (tests, the worker); returns the previous one."""
    global _queue
    previous, _queue = _queue, queue
    return previous


# ------------------------------------------------------------------------------------------------------------
# The database the tasks work on

_factory_override: contextvars.ContextVar[sessionmaker[Session] | None] = contextvars.ContextVar(
    "ipops_job_session_factory", default=None
)


@cache
def _settings_factory(url: str) -> sessionmaker[Session]:
    from ipops.core.db import make_engine, make_session_factory

    return make_session_factory(make_engine(url))


def session_factory() -> sessionmaker[Session]:
    """Sessions for task code: the requester's factory when a task runs inline, else the configured URL."""
    return _factory_override.get() or _settings_factory(get_settings().database_url)


@contextmanager
def inline_factory(factory: sessionmaker[Session] | None) -> Iterator[None]:
    """Run inline (immediate-mode) tasks on the requesting unit of work's database."""
    token = _factory_override.set(factory)
    try:
        yield
    finally:
        _factory_override.reset(token)


def send(task: str, *args: Any, factory: sessionmaker[Session] | None = None) -> None:
    """Enqueue a platform task by name; in immediate mode it runs now, on `factory`'s database."""
    queue = get_queue()
    wrapper = getattr(queue, task)
    with inline_factory(factory if queue.huey.immediate else None):
        wrapper(*args)
