"""HTML routes for reports: the report page, its PDF, the white paper, the figure audit and the datasets."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from ipops.alliance import service as alliance_service
from ipops.core.authz import Action, Principal
from ipops.core.errors import DomainError, ErrorCode
from ipops.reports import render, service
from ipops.reports.api import build
from ipops.reports.audit import audit, load_audit_file
from ipops.reports.paths import SEED_AUDIT_FILE
from ipops.reports.schemas import DatasetKind, DatasetMeta, DatasetRead
from ipops.web.deps import LocaleDep, PrincipalDep, SignedInDep, UowDep
from ipops.web.forms import error_lines
from ipops.web.guards import require_may
from ipops.web.i18n import gettext_for
from ipops.web.templating import render as render_page

router = APIRouter(prefix="/reports", include_in_schema=False)
DEFAULT_YEAR = 2020
YearQuery = Annotated[int, Query(ge=1985, le=2100)]


@router.get("", response_class=HTMLResponse)
def report_index(
    request: Request, uow: UowDep, locale: LocaleDep, year: YearQuery = DEFAULT_YEAR
) -> Response:
    """The alliances' reports and white papers."""
    with uow:
        alliances = [
            {
                "code": a.code,
                "name_zh": a.name_zh,
                "name_en": a.name_en,
                "provinces": [r for r in a.regions if r.level == "province"],
            }
            for a in alliance_service.alliances(uow.session)
        ]
    return render_page(
        request, "reports/index.html", {"alliances": alliances, "year": year, "zh": locale == "zh_CN"}
    )


@router.get("/innovation", response_class=HTMLResponse)
def innovation_page(
    request: Request,
    uow: UowDep,
    actor: PrincipalDep,
    locale: LocaleDep,
    alliance: str = "yrd",
    year: YearQuery = DEFAULT_YEAR,
) -> Response:
    """The innovation-strength report with SVG charts; every number names its source and date."""
    report = build(uow, actor, alliance, year, Decimal("0.05"))
    context = render.report_context(report, locale=locale, t=gettext_for(locale).gettext)
    return render_page(request, "reports/innovation.html", {**context, "bilingual_doc": False})


@router.get("/innovation.pdf")
def innovation_pdf(
    uow: UowDep, actor: PrincipalDep, alliance: str = "yrd", year: YearQuery = DEFAULT_YEAR
) -> Response:
    """The same report as a bilingual PDF."""
    report = build(uow, actor, alliance, year, Decimal("0.05"))
    return Response(
        render.render_pdf(report),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{alliance}-{year}.pdf"'},
    )


@router.get("/whitepaper.pdf")
def whitepaper_pdf(
    uow: UowDep, actor: PrincipalDep, province: str, alliance: str = "yrd", year: YearQuery = DEFAULT_YEAR
) -> Response:
    """A province's white paper on IP development and protection as a bilingual PDF."""
    report = build(uow, actor, alliance, year, Decimal("0.05"))
    try:
        pdf = render.render_whitepaper_pdf(report, province_code=province)
    except KeyError as exc:
        raise DomainError(ErrorCode.NOT_FOUND, f"{province} is not a member province") from exc
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{province}-{year}.pdf"'},
    )


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, locale: LocaleDep) -> Response:
    """The audit of the seed statements with each claim's verdict and arithmetic."""
    result = audit(load_audit_file(SEED_AUDIT_FILE))
    return render_page(request, "reports/audit.html", {"result": result, "zh": locale == "zh_CN"})


def _datasets_page(
    request: Request,
    uow: UowDep,
    actor: Principal,
    *,
    errors: list[str] | None = None,
    form: dict[str, str] | None = None,
    imported: list[DatasetRead] | None = None,
    status_code: int = 200,
) -> Response:
    if actor.alliance_id is None:
        raise DomainError(ErrorCode.NOT_FOUND)
    context = {
        "datasets": service.list_datasets(uow=uow, actor=actor, alliance_id=actor.alliance_id),
        "kinds": list(DatasetKind),
        "errors": errors or [],
        "form": form or {},
        "imported": imported or [],
    }
    return render_page(request, "reports/datasets.html", context, status_code=status_code)


@router.get("/datasets", response_class=HTMLResponse)
def datasets_page(request: Request, uow: UowDep, actor: SignedInDep) -> Response:
    """The official and population tables of the alliance, with an upload form (CSV or XLSX)."""
    return _datasets_page(request, uow, actor)


@router.post("/datasets", response_class=HTMLResponse)
async def datasets_upload(
    request: Request,
    uow: UowDep,
    actor: SignedInDep,
    file: Annotated[UploadFile, File()],
    name: Annotated[str, Form()],
    as_of: Annotated[str, Form()],
    kind: Annotated[str, Form()] = DatasetKind.OFFICIAL.value,
    publisher: Annotated[str, Form()] = "",
    reference: Annotated[str, Form()] = "",
    scope_region_code: Annotated[str, Form()] = "",
    visibility: Annotated[str, Form()] = "public",
) -> Response:
    """Import an uploaded table; a bad file is refused with the reason and nothing is stored."""
    require_may(actor, "statistics_dataset", Action.CREATE)
    form = {
        "name": name,
        "as_of": as_of,
        "kind": kind,
        "publisher": publisher,
        "reference": reference,
        "scope_region_code": scope_region_code,
        "visibility": visibility,
    }
    if actor.alliance_id is None:
        raise DomainError(ErrorCode.NOT_FOUND)
    try:
        meta = DatasetMeta.model_validate(
            {
                **form,
                "reference": reference or (file.filename or ""),
                "scope_region_code": scope_region_code or None,
            }
        )
        imported = service.import_file(
            uow=uow,
            actor=actor,
            alliance_id=actor.alliance_id,
            meta=meta,
            content=await file.read(),
            filename=file.filename or "upload.csv",
        )
    except (ValidationError, DomainError) as exc:
        return _datasets_page(
            request, uow, actor, errors=error_lines(request, exc), form=form, status_code=422
        )
    return _datasets_page(request, uow, actor, imported=imported)
