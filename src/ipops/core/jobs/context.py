"""What a job handler gets: its parameters, the requester it acts for, sessions, and a progress reporter."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.orm import Session, sessionmaker

from ipops.core.authz import Principal, Role
from ipops.core.jobs.models import Job, JobState
from ipops.core.uow import UnitOfWork

PROGRESS_INTERVAL_SECONDS = 0.5  # progress writes are throttled; the last one always goes through


def principal_snapshot(principal: Principal) -> dict[str, Any]:
    """The requester as stored on the job."""
    return {
        "user_id": principal.user_id,
        "username": principal.username,
        "role": principal.role,
        "alliance_id": principal.alliance_id,
        "region_code": principal.region_code,
        "org_id": principal.org_id,
    }


def principal_from_snapshot(snapshot: dict[str, Any]) -> Principal:
    """The requester a job acts for."""
    return Principal(
        user_id=snapshot.get("user_id"),
        username=str(snapshot.get("username", "system")),
        role=str(snapshot.get("role", Role.PUBLIC.value)),
        alliance_id=snapshot.get("alliance_id"),
        region_code=snapshot.get("region_code"),
        org_id=snapshot.get("org_id"),
    )


@dataclass
class JobContext:
    """One running job, as its handler sees it."""

    job_id: int
    kind: str
    params: dict[str, Any]
    actor: Principal
    session_factory: sessionmaker[Session]
    _last_progress: float = field(default=0.0, repr=False)

    def uow(self) -> UnitOfWork:
        """A fresh unit of work on the job's database (the handler commits its own use cases)."""
        return UnitOfWork(self.session_factory)

    def progress(self, done: int, total: int, note: str | None = None) -> None:
        """Record how far the job got (in its own short transaction) and beat its heartbeat."""
        now = time.monotonic()
        if done < total and now - self._last_progress < PROGRESS_INTERVAL_SECONDS:
            return
        self._last_progress = now
        with self.session_factory() as session:
            session.execute(
                update(Job)
                .where(Job.id == self.job_id, Job.state == JobState.RUNNING.value)
                .values(
                    progress_done=max(0, min(done, total)),
                    progress_total=max(total, 0),
                    progress_note=note[:200] if note else None,
                    heartbeat_at=func.now(),
                )
            )
            session.commit()
