"""The shell: the dashboard each role lands on."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ipops.alliance.models import Alliance
from ipops.assets.service import registry_summary
from ipops.core.audit import AuditEntry, list_audit
from ipops.web.deps import PrincipalDep, UowDep
from ipops.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, uow: UowDep, actor: PrincipalDep) -> Response:
    """The role's landing page: registry counts it may see and, for administrators, recent activity."""
    summary = registry_summary(uow=uow, actor=actor)
    recent: list[AuditEntry] = []
    alliance = None
    with uow:
        session = uow.session
        if actor.alliance_id is not None:
            alliance = session.get(Alliance, actor.alliance_id)
        recent = list_audit(session, actor=actor, limit=10)
    return render(request, "dashboard.html", {"summary": summary, "recent": recent, "alliance": alliance})
