"""Valuation requests and reports as the policy sees them: the requester, the valued asset's owners, the
engaged appraisal firm, and grants on the asset (a bank reviewing a pledge reads its valuations)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session

from ipops.assets.service import asset_owned_by, asset_parties
from ipops.core.authz import Columns, Facts
from ipops.valuation.models import ValuationReport, ValuationRequest


def _parties(session: Session, request: ValuationRequest) -> tuple[str | None, dict[str, frozenset[int]]]:
    _, region_code, owners = asset_parties(session, request.asset_id)
    return region_code, {
        "requester": frozenset({request.requested_by_org_id} if request.requested_by_org_id else ()),
        "owner": owners,
        "engaged": frozenset({request.appraiser_org_id} if request.appraiser_org_id else ()),
    }


def request_facts(session: Session, request: ValuationRequest) -> Facts:
    """A request's facts."""
    region_code, parties = _parties(session, request)
    return Facts(
        entity="valuation_request",
        record_id=request.id,
        alliance_id=request.alliance_id,
        region_code=region_code,
        parties=parties,
        grant_targets=(("asset", request.asset_id),),
    )


def report_facts(session: Session, report: ValuationReport, request: ValuationRequest) -> Facts:
    """A report's facts: its request's parties and its own state."""
    region_code, parties = _parties(session, request)
    return Facts(
        entity="valuation_report",
        record_id=report.id,
        alliance_id=request.alliance_id,
        region_code=region_code,
        status=report.status,
        parties=parties,
        grant_targets=(("asset", request.asset_id),),
    )


def report_columns() -> Columns:
    """Reports as SQL: their request's facts come through correlated subqueries (no join needed)."""
    of_report = ValuationRequest.id == ValuationReport.request_id

    def on_request(condition: ColumnElement[bool]) -> ColumnElement[bool]:
        return exists().where(of_report, condition)

    return Columns(
        entity="valuation_report",
        record_id=ValuationReport.id,
        alliance_id=select(ValuationRequest.alliance_id).where(of_report).scalar_subquery(),
        status=ValuationReport.status,
        parties={
            "requester": lambda org_id: on_request(ValuationRequest.requested_by_org_id == org_id),
            "owner": lambda org_id: asset_owned_by(ValuationReport.asset_id, org_id),
            "engaged": lambda org_id: on_request(ValuationRequest.appraiser_org_id == org_id),
        },
        grant_targets={"asset": ValuationReport.asset_id},
    )


def request_columns() -> Columns:
    """Requests as SQL."""
    return Columns(
        entity="valuation_request",
        record_id=ValuationRequest.id,
        alliance_id=ValuationRequest.alliance_id,
        parties={
            "requester": lambda org_id: ValuationRequest.requested_by_org_id == org_id,
            "owner": lambda org_id: asset_owned_by(ValuationRequest.asset_id, org_id),
            "engaged": lambda org_id: ValuationRequest.appraiser_org_id == org_id,
        },
        grant_targets={"asset": ValuationRequest.asset_id},
    )
