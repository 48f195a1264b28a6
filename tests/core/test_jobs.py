"""Jobs: enqueued only after the use case commits, run once, read through the policy, shown on a page."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tests.world import PASSWORD, World

from ipops.alliance.models import Alliance
from ipops.core.errors import DomainError, ErrorCode
from ipops.core.jobs import JobContext, JobState, get_job, job_kind, list_jobs, request_job
from ipops.core.jobs.models import Job
from ipops.core.jobs.service import execute_job, sweep_jobs
from ipops.core.uow import UnitOfWork
from ipops.notify.models import Notification

RUNS: list[int] = []


@job_kind("test.count_alliances", zh="统计联盟", en="Count alliances")
def count_alliances(ctx: JobContext) -> dict[str, Any]:
    RUNS.append(ctx.job_id)
    ctx.progress(1, 2, note="counting")
    with ctx.session_factory() as session:
        names = sorted(session.scalars(select(Alliance.code)))
    if ctx.params.get("fail"):
        raise DomainError(ErrorCode.CONFLICT, "asked to fail")
    return {"alliances": names, "by": ctx.actor.username}


def _request_then_fail(uow: UnitOfWork, actor: object) -> Any:
    """A use case that asks for a job and then ends without committing."""
    with uow:
        job = request_job(uow, actor=actor, kind="test.count_alliances")  # type: ignore[arg-type]
    return job


def test_a_job_runs_after_the_commit_and_not_at_all_on_rollback(uow: UnitOfWork, world: World) -> None:
    actor = world.users["ent_admin"]
    RUNS.clear()
    with uow:
        job = request_job(uow, actor=actor, kind="test.count_alliances")
        uow.session.add(Alliance(code="seen-by-job", name_zh="任务可见", name_en="seen"))
        assert RUNS == []  # nothing runs before the commit...
        uow.commit()
    assert RUNS == [job.id]  # ...and the job saw what the use case committed
    done = get_job(uow=uow, actor=actor, job_id=job.id)
    assert done.state == JobState.SUCCEEDED
    assert "seen-by-job" in done.result["alliances"] and done.result["by"] == "ent_admin"
    assert (done.progress.done, done.progress.total) == (2, 2)
    rolled_back = _request_then_fail(uow, actor)
    assert RUNS == [job.id]
    with pytest.raises(DomainError):
        get_job(uow=uow, actor=actor, job_id=rolled_back.id)


def test_a_job_runs_once_however_often_it_is_delivered(
    uow: UnitOfWork, world: World, session_factory: sessionmaker[Session]
) -> None:
    RUNS.clear()
    with uow:
        job = request_job(uow, actor=world.users["ent_admin"], kind="test.count_alliances")
        uow.commit()
    assert execute_job(job_id=job.id, session_factory=session_factory) is None  # the second delivery
    assert RUNS == [job.id]
    with uow:
        again = request_job(
            uow, actor=world.users["ent_admin"], kind="test.count_alliances", idempotency_key="k1"
        )
        same = request_job(
            uow, actor=world.users["ent_admin"], kind="test.count_alliances", idempotency_key="k1"
        )
        uow.commit()
    assert again.id == same.id and RUNS == [job.id, again.id]


def test_failure_is_stored_with_its_code_and_the_owner_is_told(
    uow: UnitOfWork, world: World, db_session: Session
) -> None:
    owner = world.users["ent_admin"]
    with uow:
        job = request_job(uow, actor=owner, kind="test.count_alliances", params={"fail": True})
        uow.commit()
    failed = get_job(uow=uow, actor=owner, job_id=job.id)
    assert (failed.state, failed.error_code) == (JobState.FAILED, "conflict")
    notes = db_session.scalars(select(Notification).where(Notification.user_id == owner.user_id)).all()
    assert [(n.event_type, n.payload["state"]) for n in notes] == [("job.finished", "failed")]


def test_the_owner_and_its_organisation_read_a_job_others_get_404(uow: UnitOfWork, world: World) -> None:
    with uow:
        job = request_job(uow, actor=world.users["ent_admin"], kind="test.count_alliances")
        uow.commit()
    assert get_job(uow=uow, actor=world.users["ent_member"], job_id=job.id).id == job.id  # same organisation
    for outsider in ("suzhou_admin", "alliance_admin", "banker"):
        with pytest.raises(DomainError) as refused:
            get_job(uow=uow, actor=world.users[outsider], job_id=job.id)
        assert refused.value.code == ErrorCode.NOT_FOUND
        assert job.id not in [j.id for j in list_jobs(uow=uow, actor=world.users[outsider])]
    assert job.id in [j.id for j in list_jobs(uow=uow, actor=world.users["ent_member"])]


def test_sweeper_requeues_a_job_whose_worker_died(uow: UnitOfWork, world: World, db_session: Session) -> None:
    RUNS.clear()
    with uow:
        job = request_job(uow, actor=world.users["ent_admin"], kind="test.count_alliances")
        uow.session.flush()
        row = uow.session.get(Job, job.id)
        assert row is not None
        row.state = JobState.RUNNING.value  # as if a worker took it and died an hour ago
        row.attempts = 1
        row.heartbeat_at = row.created_at.replace(year=row.created_at.year - 1)
        uow.session.info.pop("ipops.after_commit")  # and its message was lost
        uow.commit()
    assert sweep_jobs(uow=uow)["resent"] == 1
    assert RUNS == [job.id]
    assert get_job(uow=uow, actor=world.users["ent_admin"], job_id=job.id).state == JobState.SUCCEEDED


def _sign_in(client: TestClient, username: str) -> None:
    response = client.post(
        "/login", data={"username": username, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303


def test_job_api_and_page(client: TestClient, world: World) -> None:
    assert client.post("/api/v1/ledger/verifications").status_code == 401
    _sign_in(client, "ent_admin")
    assert client.post("/api/v1/ledger/verifications").json()["code"] == "forbidden"
    _sign_in(client, "alliance_admin")
    accepted = client.post("/api/v1/ledger/verifications")
    assert accepted.status_code == 202
    job_url = accepted.headers["location"]
    job = client.get(job_url).json()
    assert job["state"] == "succeeded" and job["result"]["ok"] is True
    assert job["progress"]["fraction"] == 1.0, job["progress"]
    page = client.get(accepted.json()["links"]["page"], headers={"accept": "text/html"})
    assert "账本核对" in page.text and "成功" in page.text and "发现的问题" in page.text
    assert 'hx-trigger="every' not in page.text  # finished: the status block stops polling
    assert client.get("/api/v1/jobs?limit=201").json()["bound"] == "page_size"
    _sign_in(client, "ent_admin")
    assert client.get(job_url).status_code == 404
