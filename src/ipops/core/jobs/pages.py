"""HTML routes for jobs: the job page, whose status block polls with HTMX until the job is finished."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ipops.core.errors import error_title
from ipops.core.jobs import service
from ipops.core.jobs.registry import JOB_KINDS, kind_label
from ipops.core.jobs.schemas import JobRead
from ipops.web.deps import LocaleDep, SignedInDep, UowDep
from ipops.web.templating import render

router = APIRouter(prefix="/jobs", include_in_schema=False)
POLL_SECONDS = 1


def _view(job: JobRead, locale: str) -> dict[str, Any]:
    kind = JOB_KINDS.get(job.kind)
    lines: list[tuple[str, str]] = []
    url = None
    if job.result is not None and kind is not None:
        lines = kind.result_lines(job.result, locale) if kind.result_lines else []
        url = kind.result_url(job.result) if kind.result_url else None
    error = None
    if job.error_code:
        from ipops.core.errors import ErrorCode

        try:
            error = error_title(ErrorCode(job.error_code), locale)
        except ValueError:
            error = job.error_code
    return {
        "job": job,
        "label": kind_label(job.kind, locale),
        "percent": round(100 * job.progress.fraction) if job.progress.fraction is not None else None,
        "result_lines": lines,
        "result_url": url,
        "error_title": error,
        "poll_seconds": POLL_SECONDS,
    }


@router.get("", response_class=HTMLResponse)
def jobs_page(request: Request, uow: UowDep, actor: SignedInDep, locale: LocaleDep) -> Response:
    """The caller's recent jobs."""
    jobs = service.list_jobs(uow=uow, actor=actor, limit=50)
    return render(request, "jobs/list.html", {"jobs": [_view(job, locale) for job in jobs]})


@router.get("/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: int, uow: UowDep, actor: SignedInDep, locale: LocaleDep) -> Response:
    """One job: progress while it runs, then its result."""
    job = service.get_job(uow=uow, actor=actor, job_id=job_id)
    return render(request, "jobs/job.html", _view(job, locale))


@router.get("/{job_id}/status", response_class=HTMLResponse)
def job_status(request: Request, job_id: int, uow: UowDep, actor: SignedInDep, locale: LocaleDep) -> Response:
    """The status block alone (HTMX polls it; once the job is finished it stops asking)."""
    job = service.get_job(uow=uow, actor=actor, job_id=job_id)
    return render(request, "jobs/_status.html", _view(job, locale))
