"""The job record: what was asked, by whom, how far it got, and its result or error."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from ipops.core.db import Base
from ipops.core.states import StateMachine


class JobState(StrEnum):
    """Where a job stands."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


FINISHED_STATES = frozenset({JobState.SUCCEEDED, JobState.FAILED})

JOB_STATES = StateMachine.table(
    entity_type="job",
    states=JobState,
    moves={
        "start": (JobState.QUEUED, JobState.RUNNING),
        "succeed": (JobState.RUNNING, JobState.SUCCEEDED),
        "fail": ((JobState.QUEUED, JobState.RUNNING), JobState.FAILED),
        "requeue": (JobState.RUNNING, JobState.QUEUED),  # its worker died; another one takes it again
    },
    terminal=FINISHED_STATES,
)


class Job(Base):
    """One piece of background work; the queue carries only its id, the row carries everything else."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_state_created", "state", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    state: Mapped[str] = mapped_column(String(12), default=JobState.QUEUED.value)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error_code: Mapped[str | None] = mapped_column(String(60))
    error_detail: Mapped[str | None] = mapped_column(String(500))
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int] = mapped_column(default=0)
    progress_note: Mapped[str | None] = mapped_column(String(200))
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    owner_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    alliance_id: Mapped[int | None] = mapped_column(ForeignKey("alliances.id", ondelete="SET NULL"))
    region_code: Mapped[str | None] = mapped_column(String(6))
    actor: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict
    )  # the requester, as the job acts for them
    idempotency_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    started_at: Mapped[dt.datetime | None]
    heartbeat_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
