"""Periodic tasks, declared in one place; the worker runs them on huey's crontab schedule.

Each target is named, not imported, so that a domain may move its entry point: the first of the listed
candidates that imports is used, and the worker refuses to start when none does. A target is called as
`target(uow=UnitOfWork(...))` and must be idempotent (two workers may both run it).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ipops.core.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class PeriodicTask:
    """A named task, when it runs (huey crontab fields) and where its function lives."""

    name: str
    crontab: dict[str, str]
    targets: tuple[str, ...]  # "module:function" candidates, first importable wins


PERIODIC_TASKS = (
    PeriodicTask(
        name="finance.pledge_monitor",
        crontab={"minute": "5"},  # hourly: legal-status changes of pledged assets raise alerts
        targets=("ipops.finance.service:scan_pledge_alerts", "ipops.finance.pledge:scan_pledge_alerts"),
    ),
    PeriodicTask(
        name="platform.deliver_events",
        crontab={"minute": "*"},  # re-delivers events whose after-commit delivery did not happen
        targets=("ipops.core.events:deliver_pending_events",),
    ),
    PeriodicTask(
        name="platform.sweep_jobs",
        crontab={"minute": "*"},  # re-sends lost job messages, requeues jobs whose worker died
        targets=("ipops.core.jobs.service:sweep_jobs",),
    ),
)


def _import_target(dotted: str) -> Callable[..., Any] | None:
    module_name, _, attribute = dotted.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is None or not module_name.startswith(exc.name):
            raise  # the module exists but one of its own imports is broken: say so
        return None
    target = getattr(module, attribute, None)
    return target if callable(target) else None


def resolve_periodic(name: str) -> Callable[..., Any]:
    """The function behind a periodic task; raises when none of its candidates exists."""
    spec = next(t for t in PERIODIC_TASKS if t.name == name)
    for dotted in spec.targets:
        target = _import_target(dotted)
        if target is not None:
            return target
    raise LookupError(f"periodic task {name}: none of {', '.join(spec.targets)} exists")


def check_schedule() -> dict[str, str]:
    """Resolve every periodic task (the worker calls this before it starts); name -> function."""
    resolved: dict[str, str] = {}
    for spec in PERIODIC_TASKS:
        target = resolve_periodic(spec.name)
        resolved[spec.name] = f"{target.__module__}:{target.__qualname__}"
    return resolved


def run_periodic(name: str, *, uow: UnitOfWork) -> Any:
    """Run one periodic task now (the CLI's `ipops worker --run-once`, tests)."""
    return resolve_periodic(name)(uow=uow)
