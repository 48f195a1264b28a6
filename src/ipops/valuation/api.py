"""JSON routes for valuations: request, run, sign off, re-run, read; the latest signed range of an asset."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from ipops.core.errors import DomainError, ErrorCode
from ipops.valuation import service
from ipops.valuation.engine.indicators import LEAVES, Scenario, dimension_weights, scenario_weights
from ipops.valuation.priors import bundled_priors
from ipops.valuation.schemas import (
    RerunRead,
    RunRequest,
    ValuationRangeRead,
    ValuationReportRead,
    ValuationRequestCreate,
    ValuationRequestRead,
)
from ipops.web.deps import PrincipalDep, SignedInDep, UowDep

router = APIRouter(prefix="/valuations", tags=["valuation"])


@router.post("/requests", response_model=ValuationRequestRead, status_code=status.HTTP_201_CREATED)
def create_request(body: ValuationRequestCreate, uow: UowDep, actor: SignedInDep) -> ValuationRequestRead:
    """Request a valuation of an asset (owner organisation or financier)."""
    return service.create_request(uow=uow, actor=actor, data=body)


@router.get("/requests/{request_id}", response_model=ValuationRequestRead)
def get_request(request_id: int, uow: UowDep, actor: SignedInDep) -> ValuationRequestRead:
    """One request."""
    return service.get_request(uow=uow, actor=actor, request_id=request_id)


@router.post(
    "/requests/{request_id}/run", response_model=ValuationReportRead, status_code=status.HTTP_201_CREATED
)
def run_request(
    request_id: int, uow: UowDep, actor: SignedInDep, body: RunRequest | None = None
) -> ValuationReportRead:
    """Run the valuation and store a draft report."""
    seed = body.seed if body else None
    return service.run_request(uow=uow, actor=actor, request_id=request_id, seed=seed)


@router.get("/reports/{report_id}", response_model=ValuationReportRead)
def get_report(report_id: int, uow: UowDep, actor: SignedInDep) -> ValuationReportRead:
    """One report with its full result JSON."""
    return service.get_report(uow=uow, actor=actor, report_id=report_id)


@router.post("/reports/{report_id}/sign", response_model=ValuationReportRead)
def sign_report(report_id: int, uow: UowDep, actor: SignedInDep) -> ValuationReportRead:
    """Sign as one of the engaged firm's two appraisers; the second signature seals the report."""
    return service.sign_report(uow=uow, actor=actor, report_id=report_id)


@router.post("/reports/{report_id}/rerun", response_model=RerunRead)
def rerun_report(report_id: int, uow: UowDep, actor: SignedInDep) -> RerunRead:
    """Re-run a report from its stored inputs and seed and say whether the figures are reproduced."""
    return service.rerun_report(uow=uow, actor=actor, report_id=report_id)


@router.get("/assets/{asset_id}/reports", response_model=list[ValuationReportRead])
def list_reports(asset_id: int, uow: UowDep, actor: SignedInDep) -> list[ValuationReportRead]:
    """An asset's valuation reports, newest first."""
    return service.list_reports(uow=uow, actor=actor, asset_id=asset_id)


@router.get("/assets/{asset_id}/range", response_model=ValuationRangeRead)
def latest_range(asset_id: int, uow: UowDep, actor: SignedInDep) -> ValuationRangeRead:
    """The latest signed P10/P50/P90 among the asset's valuations the caller may read."""
    signed = [r for r in service.list_reports(uow=uow, actor=actor, asset_id=asset_id) if r.signed_at]
    if not signed:
        raise DomainError(ErrorCode.NOT_FOUND, "no signed valuation")
    found = max(signed, key=lambda r: (r.signed_at, r.id))
    assert found.signed_at is not None  # noqa: S101 - filtered above
    return ValuationRangeRead(
        report_id=found.id,
        p10=found.p10,
        p50=found.p50,
        p90=found.p90,
        signed_at=found.signed_at,
        method_version=found.method_version,
    )


@router.get("/priors")
def royalty_priors(actor: PrincipalDep) -> list[dict[str, Any]]:
    """The bundled royalty-rate priors with their published sources."""
    return [
        {
            "industry": p.industry,
            "basis": p.basis,
            "low": p.low,
            "mode": p.mode,
            "high": p.high,
            "source": p.source,
            "note": p.note,
        }
        for p in bundled_priors()
    ]


@router.get("/indicators/{scenario}")
def indicator_weights(scenario: Scenario, actor: PrincipalDep) -> dict[str, Any]:
    """The GB/T 42748-2023 indicator tree with this scenario's weights."""
    weights = scenario_weights(scenario)
    return {
        "scenario": scenario.value,
        "dimensions": dimension_weights(scenario),
        "leaves": [
            {"key": lf.key, "zh": lf.zh, "en": lf.en, "dimension": lf.dimension, "weight": weights[lf.key]}
            for lf in LEAVES
        ],
    }
