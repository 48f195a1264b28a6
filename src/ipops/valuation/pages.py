"""HTML routes for valuations: an asset's valuations, a report page, its PDF and the sign-off form."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ipops.core.authz import Action
from ipops.valuation import service
from ipops.valuation.render import render_pdf, report_context
from ipops.web.deps import LocaleDep, SignedInDep, UowDep
from ipops.web.i18n import gettext_for
from ipops.web.templating import render

router = APIRouter(prefix="/valuations", include_in_schema=False)


@router.get("/assets/{asset_id}", response_class=HTMLResponse)
def asset_valuations(request: Request, asset_id: int, uow: UowDep, actor: SignedInDep) -> Response:
    """An asset's valuation reports and its latest signed range."""
    reports = service.list_reports(uow=uow, actor=actor, asset_id=asset_id)
    latest = next((r for r in reports if r.status == "signed"), None)  # only among what the reader may read
    return render(
        request, "valuation/asset.html", {"asset_id": asset_id, "reports": reports, "latest": latest}
    )


@router.get("/reports/{report_id}.pdf")
def report_pdf(report_id: int, uow: UowDep, actor: SignedInDep, locale: LocaleDep) -> Response:
    """The report as a PDF."""
    report, result = service.report_result(uow=uow, actor=actor, report_id=report_id)
    return Response(
        render_pdf(report, result, locale=locale),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="valuation-{report_id}.pdf"'},
    )


@router.get("/reports/{report_id}", response_class=HTMLResponse)
def report_page(
    request: Request, report_id: int, uow: UowDep, actor: SignedInDep, locale: LocaleDep
) -> Response:
    """The report with range, assumptions and charts."""
    report, result = service.report_result(uow=uow, actor=actor, report_id=report_id)
    context = report_context(report, result, translate=gettext_for(locale).gettext)
    context["can_sign"] = Action.SIGN in service.report_actions(uow=uow, actor=actor, report_id=report_id)
    return render(request, "valuation/report.html", context)


@router.post("/reports/{report_id}/sign")
def report_sign(report_id: int, uow: UowDep, actor: SignedInDep) -> Response:
    """Sign off from the report page."""
    service.sign_report(uow=uow, actor=actor, report_id=report_id)
    return RedirectResponse(f"/valuations/reports/{report_id}", status_code=303)
