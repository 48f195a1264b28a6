"""The shell: the dashboard each role lands on."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from ipops.alliance.schemas import AllianceRead
from ipops.alliance.service import get_alliance
from ipops.core.audit import AuditView
from ipops.web.audit import audit_for
from ipops.web.dashboards import dashboard_context
from ipops.web.deps import PrincipalDep, UowDep, request_locale
from ipops.web.i18n import gettext_for
from ipops.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, uow: UowDep, actor: PrincipalDep) -> Response:
    """The role's landing page: its work and figures with charts and, for administrators, recent activity."""
    alliance = (
        AllianceRead.model_validate(get_alliance(uow=uow, alliance_id=actor.alliance_id))
        if actor.alliance_id is not None
        else None
    )
    panels = dashboard_context(uow=uow, actor=actor, gettext=gettext_for(request_locale(request)).gettext)
    recent: list[AuditView] = []
    if actor.is_authenticated:
        with uow:
            recent = audit_for(uow.session, actor=actor, limit=10)
    return render(request, "dashboard.html", {**panels, "recent": recent, "alliance": alliance})


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    """Browsers ask for /favicon.ico whatever the page links: serve the bundled icon."""
    icon = Path(__file__).parent / "static" / "favicon.svg"
    return FileResponse(icon, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})
