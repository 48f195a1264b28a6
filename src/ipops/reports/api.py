"""JSON and file routes for reports: the innovation report, its exports, imported statistics and the audit."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile, status
from fastapi.responses import PlainTextResponse, Response

from ipops.core.authz import Action
from ipops.core.config import get_settings
from ipops.core.errors import DomainError, ErrorCode
from ipops.reports import render, service
from ipops.reports.audit import audit, audit_as_dict, load_audit_file
from ipops.reports.builder import InnovationReport
from ipops.reports.paths import SEED_AUDIT_FILE
from ipops.reports.schemas import DatasetKind, DatasetMeta, DatasetRead, FigureRead, ReportRead
from ipops.web.deps import LocaleDep, PrincipalDep, SignedInDep, UowDep
from ipops.web.uploads import PolicyFirstRoute, policy_before_body, read_upload

router = APIRouter(prefix="/reports", tags=["reports"], route_class=PolicyFirstRoute)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YearQuery = Annotated[int, Query(ge=1985, le=2100)]
Tolerance = Annotated[Decimal, Query(gt=0, le=1)]


def build(uow: Any, actor: Any, alliance: str, year: int, tolerance: Decimal) -> InnovationReport:
    """The report for the request, over the configured lake."""
    return service.innovation_report(
        uow=uow,
        actor=actor,
        alliance_code=alliance,
        year=year,
        lake_dir=get_settings().lake_dir,
        tolerance=tolerance,
    )


def report_read(report: InnovationReport, locale: str) -> ReportRead:
    """The report as JSON."""
    figures = []
    for (indicator, code, year), cell in sorted(report.cells.items()):
        if cell.figure is None:
            continue
        rec = cell.reconciliation
        figures.append(
            FigureRead(
                indicator=indicator,
                region_code=code,
                year=year,
                value=cell.figure.value,
                source_kind=cell.figure.source.kind.value,
                source=cell.figure.source.name,
                as_of=cell.figure.as_of,
                derivation=cell.figure.derivation,
                lake_value=cell.lake.value if cell.lake else None,
                official_value=cell.official.value if cell.official else None,
                relative_difference=rec.relative if rec else None,
                flagged=bool(rec and rec.flagged),
            )
        )
    return ReportRead(
        alliance_code=report.alliance_code,
        year=report.year,
        generated_at=report.generated_at,
        tolerance=report.tolerance,
        regions=[
            {"code": r.code, "name": r.name(locale), "level": r.level, "parent": r.parent_code}
            for r in report.regions
        ],
        figures=figures,
        sources=[
            {"kind": s.kind.value, "name": s.name, "reference": s.reference, "as_of": s.as_of.isoformat()}
            for s in report.sources
        ],
        flagged=len(report.flagged),
        omissions=[zh if locale.startswith("zh") else en for zh, en in report.omissions],
    )


@router.get("/innovation", response_model=ReportRead)
def innovation(
    uow: UowDep,
    actor: PrincipalDep,
    locale: LocaleDep,
    alliance: str,
    year: YearQuery,
    tolerance: Tolerance = Decimal("0.05"),
) -> ReportRead:
    """Every figure of the alliance's innovation report with its source, as-of date and reconciliation."""
    return report_read(build(uow, actor, alliance, year, tolerance), locale)


@router.get("/innovation.csv", response_class=PlainTextResponse)
def innovation_csv(
    uow: UowDep,
    actor: PrincipalDep,
    locale: LocaleDep,
    alliance: str,
    year: YearQuery,
    table: str = "figures",
    tolerance: Tolerance = Decimal("0.05"),
) -> Response:
    """One table of the report as CSV (figures, summary, cities, rankings, composition, …)."""
    tables = {
        t.name: t for t in render.report_tables(build(uow, actor, alliance, year, tolerance), locale=locale)
    }
    if table not in tables:
        raise DomainError(ErrorCode.VALIDATION_ERROR, f"table must be one of {sorted(tables)}", field="table")
    return Response(
        render.table_csv(tables[table]),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{alliance}-{year}-{table}.csv"'},
    )


@router.get("/innovation.xlsx")
def innovation_xlsx(
    uow: UowDep,
    actor: PrincipalDep,
    locale: LocaleDep,
    alliance: str,
    year: YearQuery,
    tolerance: Tolerance = Decimal("0.05"),
) -> Response:
    """Every table of the report as one XLSX workbook."""
    tables = render.report_tables(build(uow, actor, alliance, year, tolerance), locale=locale)
    return Response(
        render.tables_xlsx(tables),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{alliance}-{year}.xlsx"'},
    )


@router.get("/datasets", response_model=list[DatasetRead])
def datasets(uow: UowDep, actor: PrincipalDep, alliance: str) -> list[DatasetRead]:
    """The official and population tables imported for an alliance."""
    alliance_id = service.alliance_id_for(uow=uow, code=alliance)
    return service.list_datasets(uow=uow, actor=actor, alliance_id=alliance_id)


@router.post("/datasets", response_model=list[DatasetRead], status_code=status.HTTP_201_CREATED)
@policy_before_body("statistics_dataset", Action.CREATE)
def import_dataset(
    uow: UowDep,
    actor: SignedInDep,
    file: Annotated[UploadFile, File()],
    name: Annotated[str, Form()],
    as_of: Annotated[str, Form()],
    kind: Annotated[DatasetKind, Form()] = DatasetKind.OFFICIAL,
    publisher: Annotated[str, Form()] = "",
    reference: Annotated[str, Form()] = "",
    scope_region_code: Annotated[str | None, Form()] = None,
    visibility: Annotated[str, Form()] = "public",
) -> list[DatasetRead]:
    """Import an official statistics table (CSV/XLSX) or a population CSV into the caller's alliance.

    Sync on purpose: the file is read and parsed in the thread pool, never on the event loop.
    """
    if actor.alliance_id is None:
        raise DomainError(ErrorCode.FORBIDDEN)
    meta = DatasetMeta.model_validate(
        {
            "name": name,
            "as_of": as_of,
            "kind": kind,
            "publisher": publisher,
            "reference": reference or (file.filename or ""),
            "scope_region_code": scope_region_code or None,
            "visibility": visibility,
        }
    )
    content = read_upload(file)
    return service.import_file(
        uow=uow,
        actor=actor,
        alliance_id=actor.alliance_id,
        meta=meta,
        content=content,
        filename=file.filename or "upload.csv",
    )


@router.delete("/datasets/{dataset_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_dataset(dataset_id: int, uow: UowDep, actor: SignedInDep) -> Response:
    """Remove an imported table."""
    service.delete_dataset(uow=uow, actor=actor, dataset_id=dataset_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/audit/seed")
def seed_audit() -> dict[str, Any]:
    """The audit of the seed data's statistics statements, with the arithmetic."""
    return audit_as_dict(audit(load_audit_file(SEED_AUDIT_FILE)))
