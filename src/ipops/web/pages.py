"""The shell: the dashboard each role lands on."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from ipops.alliance.schemas import AllianceRead
from ipops.alliance.service import get_alliance
from ipops.assets.service import registry_summary
from ipops.core.audit import AuditView
from ipops.web.audit import audit_for
from ipops.web.deps import PrincipalDep, UowDep
from ipops.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, uow: UowDep, actor: PrincipalDep) -> Response:
    """The role's landing page: registry counts it may see and, for administrators, recent activity."""
    summary = registry_summary(uow=uow, actor=actor)
    alliance = (
        AllianceRead.model_validate(get_alliance(uow=uow, alliance_id=actor.alliance_id))
        if actor.alliance_id is not None
        else None
    )
    recent: list[AuditView] = []
    if actor.is_authenticated:
        with uow:
            recent = audit_for(uow.session, actor=actor, limit=10)
    return render(request, "dashboard.html", {"summary": summary, "recent": recent, "alliance": alliance})


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    """Browsers ask for /favicon.ico whatever the page links: serve the bundled icon."""
    icon = Path(__file__).parent / "static" / "favicon.svg"
    return FileResponse(icon, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})
