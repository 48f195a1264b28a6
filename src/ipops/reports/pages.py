"""HTML routes for reports: the report page, its PDF, the white paper, the figure audit and the datasets."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from ipops.alliance import service as alliance_service
from ipops.core.authz import Action, Principal
from ipops.core.config import get_settings
from ipops.core.errors import DomainError, ErrorCode
from ipops.reports import render, service
from ipops.reports.api import build
from ipops.reports.audit import audit, claim_title, load_audit_file
from ipops.reports.paths import SEED_AUDIT_FILE
from ipops.reports.render_cache import RenderKey, cached_render
from ipops.reports.schemas import DatasetKind, DatasetMeta, DatasetRead
from ipops.web.deps import LocaleDep, PrincipalDep, SignedInDep, UowDep
from ipops.web.forms import error_lines
from ipops.web.i18n import gettext_for
from ipops.web.templating import render as render_page
from ipops.web.uploads import PolicyFirstRoute, policy_before_body, read_upload

router = APIRouter(prefix="/reports", include_in_schema=False, route_class=PolicyFirstRoute)
YearText = Annotated[str | None, Query(max_length=12, description="report year; default: the year with data")]
PDF_HEADERS = {"Cache-Control": "private, no-cache"}  # a member's PDF can hold alliance-only figures


def report_year(uow: UowDep, actor: Principal, locale: str, *, alliance: str, year: str | None) -> int:
    """The year asked for, or the alliance's default year; a year that is not one gets a readable refusal."""
    if year is None or not year.strip():
        return service.default_report_year(uow=uow, actor=actor, alliance_code=alliance)
    text = year.strip()
    if not text.isdigit() or not 1985 <= int(text) <= 2100:
        message = gettext_for(locale).gettext(
            "The report year must be a whole number from 1985 to 2100, not “%(year)s”."
        )
        raise DomainError(ErrorCode.VALIDATION_ERROR, message % {"year": text[:12]}, field="year")
    return int(text)


def _year_and_version(
    uow: UowDep, actor: Principal, locale: str, *, alliance: str, year: str | None
) -> tuple[int, str]:
    """The report year and the data version a cached PDF is keyed by."""
    chosen = report_year(uow, actor, locale, alliance=alliance, year=year)
    lake_dir = get_settings().lake_dir
    return chosen, service.report_data_version(
        uow=uow, actor=actor, alliance_code=alliance, lake_dir=lake_dir
    )


def _pdf_response(request: Request, content: bytes, *, version: str, filename: str) -> Response:
    etag = f'"{version}"'
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"ETag": etag, **PDF_HEADERS})
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"', "ETag": etag, **PDF_HEADERS},
    )


@router.get("", response_class=HTMLResponse)
def report_index(
    request: Request, uow: UowDep, actor: PrincipalDep, locale: LocaleDep, year: YearText = None
) -> Response:
    """The alliances' reports and white papers."""
    chosen = report_year(uow, actor, locale, alliance="yrd", year=year) if year else None
    with uow:
        alliances: list[dict[str, Any]] = [
            {
                "code": a.code,
                "name_zh": a.name_zh,
                "name_en": a.name_en,
                "provinces": [r for r in a.regions if r.level == "province"],
            }
            for a in alliance_service.alliances(uow.session)
        ]
    for entry in alliances:
        entry["year"] = chosen or service.default_report_year(
            uow=uow, actor=actor, alliance_code=str(entry["code"])
        )
    return render_page(request, "reports/index.html", {"alliances": alliances, "zh": locale == "zh_CN"})


@router.get("/innovation", response_class=HTMLResponse)
def innovation_page(
    request: Request,
    uow: UowDep,
    actor: PrincipalDep,
    locale: LocaleDep,
    alliance: str = "yrd",
    year: YearText = None,
) -> Response:
    """The innovation-strength report with SVG charts; every number names its source and date."""
    chosen = report_year(uow, actor, locale, alliance=alliance, year=year)
    report = build(uow, actor, alliance, chosen, Decimal("0.05"))
    context = render.report_context(report, locale=locale, t=gettext_for(locale).gettext)
    return render_page(request, "reports/innovation.html", {**context, "bilingual_doc": False})


@router.get("/innovation.pdf")
def innovation_pdf(
    request: Request,
    uow: UowDep,
    actor: PrincipalDep,
    locale: LocaleDep,
    alliance: str = "yrd",
    year: YearText = None,
) -> Response:
    """The same report as a bilingual PDF, rendered once per data version and then served from the cache."""
    chosen, version = _year_and_version(uow, actor, locale, alliance=alliance, year=year)
    pdf = cached_render(
        uow=uow,
        key=RenderKey("innovation.pdf", alliance, chosen, version),
        render=lambda: render.render_pdf(build(uow, actor, alliance, chosen, Decimal("0.05"))),
    )
    return _pdf_response(request, pdf, version=version, filename=f"{alliance}-{chosen}.pdf")


@router.get("/whitepaper.pdf")
def whitepaper_pdf(
    request: Request,
    uow: UowDep,
    actor: PrincipalDep,
    locale: LocaleDep,
    province: str,
    alliance: str = "yrd",
    year: YearText = None,
) -> Response:
    """A province's white paper on IP development and protection as a bilingual PDF (cached per version)."""
    if not re.fullmatch(r"\d{2}0000", province):
        raise DomainError(ErrorCode.NOT_FOUND, province[:12])
    chosen, version = _year_and_version(uow, actor, locale, alliance=alliance, year=year)

    def render_whitepaper() -> bytes:
        report = build(uow, actor, alliance, chosen, Decimal("0.05"))
        try:
            return render.render_whitepaper_pdf(report, province_code=province)
        except KeyError as exc:
            raise DomainError(ErrorCode.NOT_FOUND, province) from exc

    pdf = cached_render(
        uow=uow,
        key=RenderKey("whitepaper.pdf", alliance, chosen, version, province),
        render=render_whitepaper,
    )
    return _pdf_response(request, pdf, version=version, filename=f"{province}-{chosen}.pdf")


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, locale: LocaleDep) -> Response:
    """The audit of the seed statements with each claim's verdict and arithmetic."""
    result = audit(load_audit_file(SEED_AUDIT_FILE))
    return render_page(
        request,
        "reports/audit.html",
        {"result": result, "zh": locale == "zh_CN", "claim_title": claim_title},
    )


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
@policy_before_body("statistics_dataset", Action.CREATE)
def datasets_upload(
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
    """Import an uploaded table; a bad file is refused with its reason, nothing stored (sync: off loop)."""
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
            content=read_upload(file),
            filename=file.filename or "upload.csv",
        )
    except (ValidationError, DomainError) as exc:
        return _datasets_page(
            request, uow, actor, errors=error_lines(request, exc), form=form, status_code=422
        )
    return _datasets_page(request, uow, actor, imported=imported)
