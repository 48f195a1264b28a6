"""The worker: a huey consumer running jobs, event deliveries and the periodic schedule."""

from __future__ import annotations

import logging

from ipops.core.config import Settings, get_settings
from ipops.core.jobs.queue import get_queue


def run_worker(*, threads: int | None = None, settings: Settings | None = None) -> None:
    """Consume the queue until SIGINT (graceful: running jobs finish) or SIGTERM."""
    from ipops.schedule import check_schedule
    from ipops.wiring import load_wiring

    settings = settings or get_settings()
    load_wiring()
    schedule = check_schedule()  # a periodic task whose function has gone refuses the start
    queue = get_queue()
    if queue.huey.immediate:
        raise RuntimeError("IPOPS_JOBS_IMMEDIATE is set: jobs run inline and there is nothing to consume")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    log = logging.getLogger("ipops.worker")
    backend = "redis" if settings.redis_url else f"sqlite {settings.jobs_sqlite_path}"
    log.info("queue %s on %s; periodic: %s", settings.jobs_queue_name, backend, ", ".join(schedule))
    consumer = queue.huey.create_consumer(
        workers=threads or settings.worker_threads,
        worker_type="thread",
        periodic=True,
        initial_delay=0.1,
        backoff=1.15,
        max_delay=1.0,
        check_worker_health=True,
    )
    consumer.run()
