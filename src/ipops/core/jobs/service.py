"""Jobs: asked for inside a use case (enqueued after its commit), run once, read through the policy."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ipops.core.audit import record_audit
from ipops.core.authz import Principal
from ipops.core.authz.roles import Tenancy
from ipops.core.db import db_now
from ipops.core.errors import DomainError, ErrorCode
from ipops.core.events import Audience, emit, event_type
from ipops.core.jobs.context import JobContext, principal_from_snapshot, principal_snapshot
from ipops.core.jobs.models import FINISHED_STATES, JOB_STATES, Job, JobState
from ipops.core.jobs.registry import JOB_KINDS, kind_label
from ipops.core.jobs.schemas import JobProgress, JobRead
from ipops.core.uow import UnitOfWork

logger = logging.getLogger(__name__)
STALLED_AFTER = dt.timedelta(minutes=10)  # a running job whose heartbeat is older lost its worker
UNSENT_AFTER = dt.timedelta(minutes=1)  # a queued job older than this may have lost its message
MAX_ATTEMPTS = 3

# The first event on the outbox: the requester hears that their job is done.
event_type(
    "job.finished",
    zh="任务已完成：{job_label}（{state_label}）",
    en="Job finished: {job_label} ({state_label})",
    link="/jobs/{job_id}",
    params=lambda payload, locale: {
        "job_label": kind_label(str(payload.get("kind", "")), locale),
        "state_label": {
            "succeeded": ("成功", "succeeded"),
            "failed": ("失败", "failed"),
        }.get(str(payload.get("state")), ("", ""))[0 if locale.startswith("zh") else 1],
    },
)


def _read(job: Job) -> JobRead:
    return JobRead(
        id=job.id,
        kind=job.kind,
        state=JobState(job.state),
        progress=JobProgress(done=job.progress_done, total=job.progress_total, note=job.progress_note),
        result=job.result,
        error_code=job.error_code,
        error_detail=job.error_detail,
        owner_user_id=job.owner_user_id,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
    )


def request_job(
    uow: UnitOfWork,
    *,
    actor: Principal,
    kind: str,
    params: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
    region_code: str | None = None,
) -> JobRead:
    """Add a job to the open use case; it is enqueued only once that use case commits.

    Call inside `with uow:` before `uow.commit()`. The same `idempotency_key` again returns the first job.
    """
    from ipops.wiring import load_wiring

    load_wiring()
    if kind not in JOB_KINDS:
        raise ValueError(f"unknown job kind {kind!r}; is its module in ipops.wiring?")
    session = uow.session
    if idempotency_key is not None:
        existing = session.scalars(select(Job).where(Job.idempotency_key == idempotency_key)).one_or_none()
        if existing is not None:
            return _same_job(existing, kind=kind, actor=actor)
    job = Job(
        kind=kind,
        state=JobState.QUEUED.value,
        params=params or {},
        owner_user_id=actor.user_id,
        owner_org_id=actor.org_id,
        alliance_id=actor.alliance_id,
        region_code=region_code or actor.region_code,
        actor=principal_snapshot(actor),
        idempotency_key=idempotency_key,
        progress_done=0,
        progress_total=0,
        attempts=0,
    )
    try:
        with session.begin_nested():
            session.add(job)
    except IntegrityError:  # the same key committed by a concurrent request
        existing = session.scalars(select(Job).where(Job.idempotency_key == idempotency_key)).one()
        return _same_job(existing, kind=kind, actor=actor)
    record_audit(
        session,
        actor=actor,
        action="job.requested",
        entity_type="job",
        entity_id=job.id,
        after={"kind": kind},
        region_code=job.region_code,
        org_id=job.owner_org_id,
    )
    job_id, factory = job.id, uow.session_factory
    uow.after_commit(lambda: enqueue_job(job_id, factory=factory))
    session.refresh(job)
    return _read(job)


def _same_job(existing: Job, *, kind: str, actor: Principal) -> JobRead:
    if existing.kind != kind or existing.owner_user_id != actor.user_id:
        raise DomainError(ErrorCode.DUPLICATE, "the idempotency key belongs to another job")
    return _read(existing)


def enqueue_job(job_id: int, *, factory: sessionmaker[Session] | None = None) -> None:
    """Put a committed job's id on the queue (inline in immediate mode, on `factory`'s database)."""
    from ipops.core.jobs.queue import send

    send("run_job", job_id, factory=factory)


# ------------------------------------------------------------------------------------------------------------
# Reading, through the policy: the requesting user, and members of the requesting organisation


def readable_jobs_clause(actor: Principal) -> ColumnElement[bool]:
    """The SQL form of `may_read_job`."""
    if not actor.is_authenticated:
        return false()
    mine = Job.owner_user_id == actor.user_id
    if actor.tenancy is Tenancy.ORGANISATION and actor.org_id is not None:
        return or_(mine, and_(Job.owner_org_id == actor.org_id, Job.alliance_id == actor.alliance_id))
    return mine


def may_read_job(actor: Principal, job: Job) -> bool:
    """Whether `actor` may see this job: they asked for it, or it was asked within their organisation."""
    if not actor.is_authenticated:
        return False
    if job.owner_user_id is not None and job.owner_user_id == actor.user_id:
        return True
    return (
        actor.tenancy is Tenancy.ORGANISATION
        and actor.org_id is not None
        and job.owner_org_id == actor.org_id
        and job.alliance_id == actor.alliance_id
    )


def get_job(*, uow: UnitOfWork, actor: Principal, job_id: int) -> JobRead:
    """One job; 401 for anonymous callers and 404 when the job is not theirs to know."""
    if not actor.is_authenticated:
        raise DomainError(ErrorCode.UNAUTHENTICATED)
    with uow:
        job = uow.session.get(Job, job_id)
        if job is None or not may_read_job(actor, job):
            raise DomainError(ErrorCode.NOT_FOUND, f"job {job_id}")
        return _read(job)


def list_jobs(*, uow: UnitOfWork, actor: Principal, limit: int = 50) -> list[JobRead]:
    """The newest jobs the actor may see."""
    if not actor.is_authenticated:
        raise DomainError(ErrorCode.UNAUTHENTICATED)
    with uow:
        rows = uow.session.scalars(
            select(Job).where(readable_jobs_clause(actor)).order_by(Job.id.desc()).limit(max(1, limit))
        )
        return [_read(job) for job in rows]


# ------------------------------------------------------------------------------------------------------------
# Running (the worker side)


def execute_job(*, job_id: int, session_factory: sessionmaker[Session]) -> JobState | None:
    """Claim the job, run its handler, store the result or error; a second delivery finds it claimed."""
    from ipops.wiring import load_wiring

    load_wiring()
    with UnitOfWork(session_factory) as uow:
        job = uow.session.get(Job, job_id)
        if job is None:
            logger.warning("job %s does not exist (yet?)", job_id)
            return None
        try:
            JOB_STATES.move(
                uow.session,
                state_column=Job.state,
                record_id=job_id,
                name="start",
                expected=JobState.QUEUED,
                values={"started_at": func.now(), "heartbeat_at": func.now(), "attempts": Job.attempts + 1},
            )
        except DomainError:
            return None  # taken by another worker, or finished: at-least-once delivery, run once
        uow.commit()
        kind_name, params, actor = job.kind, dict(job.params), principal_from_snapshot(job.actor)
    kind = JOB_KINDS.get(kind_name)
    if kind is None:
        return _finish(
            session_factory, job_id, error=(ErrorCode.INTERNAL_ERROR, f"unknown job kind {kind_name}")
        )
    context = JobContext(
        job_id=job_id, kind=kind_name, params=params, actor=actor, session_factory=session_factory
    )
    try:
        result = kind.handler(context)
    except DomainError as failed:
        return _finish(session_factory, job_id, error=(failed.code, failed.detail))
    except Exception:
        logger.exception("job %s (%s) failed", job_id, kind_name)
        return _finish(
            session_factory, job_id, error=(ErrorCode.INTERNAL_ERROR, "the job failed unexpectedly")
        )
    return _finish(session_factory, job_id, result=result)


def _finish(
    session_factory: sessionmaker[Session],
    job_id: int,
    *,
    result: dict[str, Any] | None = None,
    error: tuple[ErrorCode, str] | None = None,
) -> JobState:
    """Store the outcome and tell the requester, in one transaction (the event rides the outbox)."""
    with UnitOfWork(session_factory) as uow:
        session = uow.session
        job = session.get(Job, job_id)
        assert job is not None  # noqa: S101 - claimed above
        if error is None:
            values: dict[str, Any] = {"result": result or {}, "finished_at": func.now()}
            if job.progress_total:
                values["progress_done"] = job.progress_total
            moved = JOB_STATES.move(
                session, state_column=Job.state, record_id=job_id, name="succeed",
                expected=JobState.RUNNING, values=values,
            )  # fmt: skip
        else:
            code, detail = error
            moved = JOB_STATES.move(
                session, state_column=Job.state, record_id=job_id, name="fail", expected=JobState.RUNNING,
                values={"error_code": code.value, "error_detail": detail[:500], "finished_at": func.now()},
            )  # fmt: skip
        if job.owner_user_id is not None:
            emit(
                session,
                event_type="job.finished",
                payload={"job_id": job_id, "kind": job.kind, "state": moved.target.value},
                audience=Audience(user_ids=(job.owner_user_id,)),
                alliance_id=job.alliance_id,
                entity_type="job",
                entity_id=str(job_id),
            )
        uow.commit()
        return moved.target


def sweep_jobs(*, uow: UnitOfWork) -> dict[str, int]:
    """Re-send jobs whose message may be lost, and requeue (or fail) jobs whose worker died."""
    resend: list[int] = []
    with uow:
        session = uow.session
        now = db_now(session)
        stalled = session.scalars(
            select(Job)
            .where(Job.state == JobState.RUNNING.value, Job.heartbeat_at < now - STALLED_AFTER)
            .order_by(Job.id)
            .with_for_update(skip_locked=True)
        ).all()
        failed = 0
        for job in stalled:
            if job.attempts >= MAX_ATTEMPTS:
                stopped = {
                    "error_code": ErrorCode.INTERNAL_ERROR.value,
                    "error_detail": "its worker stopped",
                    "finished_at": func.now(),
                }
                JOB_STATES.move(
                    session, state_column=Job.state, record_id=job.id, name="fail", expected=JobState.RUNNING,
                    values=stopped,
                )  # fmt: skip
                failed += 1
            else:
                JOB_STATES.move(
                    session,
                    state_column=Job.state,
                    record_id=job.id,
                    name="requeue",
                    expected=JobState.RUNNING,
                )
                resend.append(job.id)
        resend += session.scalars(
            select(Job.id).where(Job.state == JobState.QUEUED.value, Job.created_at < now - UNSENT_AFTER)
        ).all()
        uow.commit()
    for job_id in resend:
        enqueue_job(job_id, factory=uow.session_factory)
    return {"resent": len(resend), "failed": failed}


def wait_for_job(*, session_factory: sessionmaker[Session], job_id: int, timeout: float) -> JobState:
    """Block until a job finishes (the CLI's --wait; tests of a real worker)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        with session_factory() as session:
            state = JobState(session.scalar(select(Job.state).where(Job.id == job_id)) or JobState.QUEUED)
        if state in FINISHED_STATES or time.monotonic() > deadline:
            return state
        time.sleep(0.2)
