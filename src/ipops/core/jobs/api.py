"""JSON routes for jobs: one job (its state, progress, result or error) and the caller's recent jobs."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ipops.core.bounds import PageLimit
from ipops.core.jobs import service
from ipops.core.jobs.schemas import JobAccepted, JobLinks, JobRead
from ipops.web.deps import SignedInDep, UowDep

router = APIRouter(prefix="/jobs", tags=["jobs"])


def job_links(job_id: int) -> JobLinks:
    """Where a job is followed: its JSON and its page."""
    return JobLinks(api=f"/api/v1/jobs/{job_id}", page=f"/jobs/{job_id}")


def job_accepted(job: JobRead) -> JSONResponse:
    """The 202 answer of a route that started a job, with its Location."""
    body = JobAccepted(job=job, links=job_links(job.id))
    return JSONResponse(body.model_dump(mode="json"), status_code=202, headers={"Location": body.links.api})


@router.get("/{job_id}", response_model=JobRead)
def get_job(job_id: int, uow: UowDep, actor: SignedInDep) -> JobRead:
    """One job: state, progress, and its result or error once finished."""
    return service.get_job(uow=uow, actor=actor, job_id=job_id)


@router.get("", response_model=list[JobRead])
def list_jobs(uow: UowDep, actor: SignedInDep, limit: PageLimit) -> list[JobRead]:
    """The caller's newest jobs (and their organisation's)."""
    return service.list_jobs(uow=uow, actor=actor, limit=limit)
