"""JSON route to verify the ledger in the background (alliance administrators): 202 and a job to follow."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ipops.core.authz import Role
from ipops.core.errors import DomainError, ErrorCode
from ipops.core.jobs import request_job
from ipops.core.jobs.api import job_accepted
from ipops.core.jobs.schemas import JobAccepted
from ipops.core.ledger.tasks import VERIFY_JOB
from ipops.web.deps import SignedInDep, UowDep

router = APIRouter(prefix="/ledger", tags=["ledger"])


@router.post("/verifications", status_code=202, response_model=JobAccepted)
def start_verification(uow: UowDep, actor: SignedInDep) -> JSONResponse:
    """Re-check every journal entry and balance as a job; follow it at the returned links."""
    if actor.role != Role.ALLIANCE_ADMIN:
        raise DomainError(ErrorCode.FORBIDDEN, "only alliance administrators verify the ledger")
    with uow:
        job = request_job(uow, actor=actor, kind=VERIFY_JOB)
        uow.commit()
    return job_accepted(job)
