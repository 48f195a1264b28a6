"""Job read models (the JSON API and the job page)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, computed_field

from ipops.core.jobs.models import FINISHED_STATES, JobState


class JobProgress(BaseModel):
    """How far a job got: `done` of `total` steps (total 0 while unknown)."""

    model_config = ConfigDict(frozen=True)

    done: int
    total: int
    note: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def fraction(self) -> float | None:
        """done / total, or None while the total is unknown."""
        return round(self.done / self.total, 4) if self.total else None


class JobRead(BaseModel):
    """A job as its owner sees it."""

    model_config = ConfigDict(frozen=True)

    id: int
    kind: str
    state: JobState
    progress: JobProgress
    result: dict[str, Any] | None
    error_code: str | None
    error_detail: str | None
    owner_user_id: int | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    @property
    def finished(self) -> bool:
        """Whether the job has succeeded or failed."""
        return self.state in FINISHED_STATES


class JobLinks(BaseModel):
    """Where to follow a job."""

    api: str
    page: str


class JobAccepted(BaseModel):
    """The 202 body of a request that started a job."""

    job: JobRead
    links: JobLinks
