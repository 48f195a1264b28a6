"""Transition tables: allowed moves, audit action names, and a move that is one conditional UPDATE."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session
from tests.world import World

from ipops.core.audit import AuditEntry
from ipops.core.errors import DomainError, ErrorCode
from ipops.core.jobs.models import JOB_STATES, Job, JobState
from ipops.core.states import StateMachine


def _job(session: Session) -> int:
    job = Job(kind="x", state="queued", params={}, actor={}, progress_done=0, progress_total=0, attempts=0)
    session.add(job)
    session.flush()
    return job.id


def test_table_lists_moves_and_audit_actions() -> None:
    assert JOB_STATES.available(JobState.QUEUED) == ["start", "fail"]
    assert JOB_STATES.available(JobState.SUCCEEDED) == []
    assert JOB_STATES.can(JobState.RUNNING, "requeue") and not JOB_STATES.can(JobState.QUEUED, "succeed")
    assert JOB_STATES.audit_actions == ["job.start", "job.succeed", "job.fail", "job.requeue"]
    with pytest.raises(ValueError, match="terminal"):
        StateMachine.table(
            entity_type="x", states=JobState, moves={"undo": (JobState.FAILED, JobState.QUEUED)},
            terminal=[JobState.FAILED],
        )  # fmt: skip


def test_a_move_is_one_conditional_update_and_a_stale_one_is_refused(
    db_session: Session, world: World
) -> None:
    job_id = _job(db_session)
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731 - (conn, cursor, statement, ...)
    event.listen(db_session.bind, "before_cursor_execute", listener)
    try:
        moved = JOB_STATES.move(
            db_session, state_column=Job.state, record_id=job_id, name="start", expected=JobState.QUEUED,
            actor=world.users["ent_admin"], audit={"worker": "w1"},
        )  # fmt: skip
    finally:
        event.remove(db_session.bind, "before_cursor_execute", listener)
    updates = [s for s in statements if s.lstrip().upper().startswith("UPDATE")]
    assert len(updates) == 1 and "state" in updates[0].split("WHERE")[1]
    assert not any(s.lstrip().upper().startswith("SELECT jobs".upper()) for s in statements[:1])
    assert (moved.source, moved.target) == (JobState.QUEUED, JobState.RUNNING)
    assert db_session.get(Job, job_id).state == "running"  # type: ignore[union-attr]
    audit = db_session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "job")).one()
    assert audit.action == "job.start" and audit.summary["after"] == {"state": "running", "worker": "w1"}
    # A second request that last saw the job queued loses: the UPDATE matches no row.
    with pytest.raises(DomainError) as stale:
        JOB_STATES.move(
            db_session, state_column=Job.state, record_id=job_id, name="start", expected=JobState.QUEUED
        )
    assert stale.value.code == ErrorCode.INVALID_STATE
    with pytest.raises(DomainError) as not_allowed:
        JOB_STATES.move(
            db_session, state_column=Job.state, record_id=job_id, name="requeue", expected=JobState.QUEUED
        )
    assert not_allowed.value.extra["allowed"] == ["start", "fail"]
