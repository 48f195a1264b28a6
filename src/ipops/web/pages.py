"""The shell: the dashboard each role lands on."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from ipops.alliance.models import Alliance
from ipops.assets.service import registry_summary
from ipops.core.audit import AuditEntry
from ipops.core.authz import Role, region_prefix
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
        if actor.role in (Role.ALLIANCE_ADMIN, Role.REGION_ADMIN, Role.ORG_ADMIN) and actor.alliance_id:
            stmt = select(AuditEntry).where(AuditEntry.alliance_id == actor.alliance_id)
            if actor.role == Role.REGION_ADMIN and actor.region_code:
                stmt = stmt.where(AuditEntry.region_code.startswith(region_prefix(actor.region_code)))
            if actor.role == Role.ORG_ADMIN:
                stmt = stmt.where(AuditEntry.org_id == actor.org_id)
            recent = list(session.scalars(stmt.order_by(AuditEntry.id.desc()).limit(10)))
    return render(request, "dashboard.html", {"summary": summary, "recent": recent, "alliance": alliance})
