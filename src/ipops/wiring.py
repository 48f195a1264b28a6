"""The explicit list of modules that register job kinds and event consumers; a missing one fails at start-up.

The web app, the worker and every delivery load these before they run anything, so a job kind or an event
consumer is known in every process. Add a domain's `tasks` or `consumers` module here when it has one.
"""

from __future__ import annotations

import importlib
from functools import cache

TASK_MODULES = (
    "ipops.core.jobs.service",  # the job.finished event type
    "ipops.core.ledger.tasks",  # ledger.verify
    "ipops.notify.consumers",  # the inbox: one notification per event and recipient
)


@cache
def load_wiring() -> tuple[str, ...]:
    """Import every task and consumer module (once per process)."""
    for name in TASK_MODULES:
        importlib.import_module(name)
    return TASK_MODULES
