"""Background jobs on huey: ask inside a use case, run after its commit, follow on a page or the API.

from ipops.core import jobs

@jobs.job_kind("valuation.run", zh="估值模拟", en="Valuation run")
def run_valuation(ctx: jobs.JobContext) -> dict[str, Any]:
    ctx.progress(0, 10)
    ...
    return {"report_id": ...}

with uow:
    ...                                     # the use case's own writes
    job = jobs.request_job(uow, actor=actor, kind="valuation.run", params={"report_id": 7})
    uow.commit()                            # the job is enqueued here, after the commit
"""

from __future__ import annotations

from ipops.core.jobs.context import JobContext
from ipops.core.jobs.models import JobState
from ipops.core.jobs.registry import JOB_KINDS, JobKind, job_kind, kind_label
from ipops.core.jobs.schemas import JobAccepted, JobLinks, JobProgress, JobRead
from ipops.core.jobs.service import get_job, list_jobs, request_job, wait_for_job

__all__ = [
    "JOB_KINDS",
    "JobAccepted",
    "JobContext",
    "JobKind",
    "JobLinks",
    "JobProgress",
    "JobRead",
    "JobState",
    "get_job",
    "job_kind",
    "kind_label",
    "list_jobs",
    "request_job",
    "wait_for_job",
]
