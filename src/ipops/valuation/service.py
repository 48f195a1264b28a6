"""Valuation use cases: request, run (stores a draft report), sign off (appraisers only), re-run, read.

Access follows the asset's policy (`ipops.core.authz`, via `ipops.assets.service.scope_of`): whoever may read
the asset may read its valuations; in addition, appraisers of the organisation a request engages may read,
run and sign that request's reports. Requests come from an owner organisation or a financier.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ipops.alliance.models import Organisation
from ipops.assets.models import Asset
from ipops.assets.service import scope_of
from ipops.core.audit import record_audit
from ipops.core.authz import ORG_ROLES, Action, Principal, Role, can, require
from ipops.core.db import db_now
from ipops.core.errors import DomainError, ErrorCode
from ipops.core.money import Money, MoneyModel
from ipops.core.uow import UnitOfWork
from ipops.valuation.engine.cost import CostBasis, physical_from_life, value_cost
from ipops.valuation.engine.distributions import EngineError
from ipops.valuation.engine.income import (
    INCOME_METHODS,
    SimulationSettings,
    inputs_from_json,
    value_income,
)
from ipops.valuation.engine.indicators import (
    IndicatorScore,
    legal_scores_from_oecd,
    royalty_prior_for_score,
    score_tree,
    technical_scores_from_oecd,
)
from ipops.valuation.engine.life import remaining_economic_life
from ipops.valuation.engine.market import value_market
from ipops.valuation.engine.methods import rerun_echo
from ipops.valuation.engine.priors import prior_for
from ipops.valuation.engine.result import ValuationResult
from ipops.valuation.models import ReportStatus, ValuationReport, ValuationRequest
from ipops.valuation.priors import bundled_priors
from ipops.valuation.schemas import (
    RerunRead,
    ValuationReportRead,
    ValuationRequestCreate,
    ValuationRequestRead,
)

log = logging.getLogger(__name__)
NEUTRAL_SCORE = 50.0


@dataclass(frozen=True, slots=True)
class ValuationRange:
    """The P10/P50/P90 of a signed report (finance uses P10 for pledge loan-to-value)."""

    report_id: int
    p10: Money
    p50: Money
    p90: Money
    signed_at: dt.datetime
    method_version: str


def latest_signed_range(session: Session, *, asset_id: int) -> ValuationRange | None:
    """The newest signed valuation range of an asset, or None; no access check (the caller's business)."""
    report = session.scalars(
        select(ValuationReport)
        .where(ValuationReport.asset_id == asset_id, ValuationReport.status == ReportStatus.SIGNED.value)
        .order_by(ValuationReport.signed_at.desc(), ValuationReport.id.desc())
        .limit(1)
    ).one_or_none()
    if report is None or report.signed_at is None:
        return None
    return ValuationRange(
        report_id=report.id,
        p10=Money(report.p10, report.currency),
        p50=Money(report.p50, report.currency),
        p90=Money(report.p90, report.currency),
        signed_at=report.signed_at,
        method_version=report.method_version,
    )


def _load_asset(session: Session, asset_id: int) -> Asset:
    asset = session.scalars(
        select(Asset).where(Asset.id == asset_id).options(selectinload(Asset.owners))
    ).one_or_none()
    if asset is None:
        raise DomainError(ErrorCode.NOT_FOUND)
    return asset


def _engaged(actor: Principal, request: ValuationRequest) -> bool:
    """An appraiser of the organisation the request engages."""
    return (
        actor.role == Role.APPRAISER
        and actor.org_id is not None
        and actor.org_id == request.appraiser_org_id
        and actor.alliance_id == request.alliance_id
    )


def _require_access(actor: Principal, asset: Asset, request: ValuationRequest) -> None:
    """Read access to a request's valuations: the asset's read policy, or the engaged appraiser."""
    if not _engaged(actor, request):
        require(actor, Action.READ, scope_of(asset))


def _load_request(session: Session, actor: Principal, request_id: int) -> tuple[ValuationRequest, Asset]:
    request = session.get(ValuationRequest, request_id)
    if request is None:
        raise DomainError(ErrorCode.NOT_FOUND)
    asset = _load_asset(session, request.asset_id)
    _require_access(actor, asset, request)
    return request, asset


def _load_report(
    session: Session, actor: Principal, report_id: int
) -> tuple[ValuationReport, ValuationRequest, Asset]:
    report = session.get(ValuationReport, report_id)
    if report is None:
        raise DomainError(ErrorCode.NOT_FOUND)
    request, asset = _load_request(session, actor, report.request_id)
    return report, request, asset


def _audit(
    session: Session,
    *,
    actor: Principal,
    action: str,
    entity_type: str,
    entity_id: int,
    asset: Asset,
    after: dict[str, Any],
    org_id: int | None,
) -> None:
    record_audit(
        session,
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        after={"asset_id": asset.id, **after},
        region_code=asset.region_code,
        org_id=org_id,
    )


# structured (not number-or-distribution) inputs of the market and cost methods, checked when the method runs
STRUCTURED_INPUTS = ("comparables", "subject", "policy", "cost_items", "basis")


def _validate_payload(data: ValuationRequestCreate) -> None:
    try:
        structured = STRUCTURED_INPUTS if data.method not in INCOME_METHODS else ()
        inputs_from_json({k: v for k, v in data.inputs.items() if k not in structured})
        SimulationSettings.from_dict(data.settings)
        score_tree(scores=data.indicator_scores or {"stability": NEUTRAL_SCORE}, scenario=data.scenario)
    except (EngineError, TypeError, ValueError) as exc:
        raise DomainError(ErrorCode.VALIDATION_ERROR, str(exc)) from exc


def create_request(
    *, uow: UnitOfWork, actor: Principal, data: ValuationRequestCreate
) -> ValuationRequestRead:
    """Record a valuation request from an owner organisation of the asset or from a financier."""
    _validate_payload(data)
    with uow:
        session = uow.session
        asset = _load_asset(session, data.asset_id)
        scope = scope_of(asset)
        require(actor, Action.READ, scope)
        owner = actor.role in ORG_ROLES and actor.org_id in scope.owner_org_ids
        if not (owner or actor.role == Role.FINANCIER):
            raise DomainError(ErrorCode.FORBIDDEN, "only an owner organisation or a financier may request")
        if data.appraiser_org_id is not None:
            firm = session.get(Organisation, data.appraiser_org_id)
            if firm is None or firm.alliance_id != asset.alliance_id or firm.kind != "appraiser":
                raise DomainError(
                    ErrorCode.VALIDATION_ERROR, "appraiser_org_id is not an appraiser of the alliance"
                )
        payload = data.model_dump(mode="json", exclude={"asset_id", "scenario", "method", "appraiser_org_id"})
        request = ValuationRequest(
            alliance_id=asset.alliance_id,
            asset_id=asset.id,
            scenario=data.scenario.value,
            method=data.method,
            inputs=payload,
            requested_by_user_id=actor.user_id,
            requested_by_org_id=actor.org_id,
            appraiser_org_id=data.appraiser_org_id,
        )
        session.add(request)
        session.flush()
        _audit(
            session,
            actor=actor,
            action="valuation.requested",
            entity_type="valuation_request",
            entity_id=request.id,
            asset=asset,
            after={"scenario": request.scenario, "method": request.method},
            org_id=actor.org_id,
        )
        uow.commit()
        return ValuationRequestRead.model_validate(request)


def get_request(*, uow: UnitOfWork, actor: Principal, request_id: int) -> ValuationRequestRead:
    """One request, if the actor may read its asset (or is the engaged appraiser)."""
    with uow:
        request, _ = _load_request(uow.session, actor, request_id)
        return ValuationRequestRead.model_validate(request)


def _lake_scores(doc_id: str) -> tuple[dict[str, float], str]:
    """Technical and legal leaf scores from the lake's OECD indicators, or ({}, reason) when unavailable."""
    try:
        from ipops.core.config import get_settings
        from ipops.lake.indicators import document_indicators
        from ipops.lake.store import LakeStore

        found = document_indicators(LakeStore(get_settings().lake_dir), doc_id=doc_id)
    except Exception as exc:  # noqa: BLE001 - the lake is optional; a valuation never fails for it
        log.info("lake indicators unavailable for %s: %s", doc_id, exc)
        return {}, "lake unavailable"
    if found is None:
        return {}, "document not in lake"
    values = {k: v for k, v in asdict(found).items() if k.endswith("_norm")}
    return {**legal_scores_from_oecd(values), **technical_scores_from_oecd(values)}, "lake"


def _asset_snapshot(asset: Asset) -> dict[str, Any]:
    """What was valued, as the registry held it at run time (kept even if the asset changes later)."""
    return {
        "title": asset.title,
        "ip_type": asset.ip_type,
        "jurisdiction": asset.jurisdiction,
        "application_number": asset.application_number,
        "publication_number": asset.publication_number,
        "legal_status": asset.legal_status,
        "owners": [owner.name for owner in asset.owners],
        "lake_doc_id": asset.lake_doc_id,
    }


def _prepare(
    session: Session, request: ValuationRequest, asset: Asset
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Engine inputs (life, royalty prior filled in where missing) and the context that explains them."""
    payload = request.inputs
    inputs: dict[str, Any] = dict(payload.get("inputs", {}))
    on = payload.get("valuation_date")
    valuation_date = dt.date.fromisoformat(on) if on else db_now(session).date()
    context: dict[str, Any] = {
        "scenario": request.scenario,
        "asset": _asset_snapshot(asset),
        "valuation_date": valuation_date.isoformat(),
    }
    if "life_years" not in inputs:
        life = remaining_economic_life(
            ip_type=asset.ip_type,
            valuation_date=valuation_date,
            filing_date=asset.application_date,
            expiry_date=asset.expiry_date,
            status=asset.legal_status,
            technology_cycle_years=payload.get("technology_cycle_years"),
        )
        inputs["life_years"] = life.economic_years
        context["life"] = {
            "valuation_date": valuation_date.isoformat(),
            "legal_years": life.legal_years,
            "technical_years": life.technical_years,
            "economic_years": life.economic_years,
            "binding": life.binding,
        }
    scores: dict[str, float] = {}
    if asset.lake_doc_id:
        scores, source = _lake_scores(asset.lake_doc_id)
        context["lake"] = {"doc_id": asset.lake_doc_id, "source": source, "scores": scores}
    scores.update({k: float(v) for k, v in payload.get("indicator_scores", {}).items()})
    tree: IndicatorScore | None = score_tree(scores=scores, scenario=request.scenario) if scores else None
    if tree is not None:
        context["indicators"] = {
            "total": tree.total,
            "dimensions": tree.dimensions,
            "leaves": tree.leaves,
            "unscored": list(tree.unscored),
        }
    if request.method == "relief_from_royalty" and "royalty_rate" not in inputs:
        prior = prior_for(
            list(bundled_priors()), industry=str(payload.get("industry", "all")), basis="revenue"
        )
        score = tree.total if tree is not None else NEUTRAL_SCORE
        narrowed = royalty_prior_for_score(score, low=prior.low, mode=prior.mode, high=prior.high)
        inputs["royalty_rate"] = narrowed.to_dict()
        context["royalty_prior"] = {
            "industry": prior.industry,
            "low": prior.low,
            "mode": prior.mode,
            "high": prior.high,
            "source": prior.source,
            "score": score,
        }
    return inputs, context


def run_request(
    *, uow: UnitOfWork, actor: Principal, request_id: int, seed: int | None = None
) -> ValuationReportRead:
    """Value the request's asset and store a draft report (requester organisation or appraisers)."""
    with uow:
        session = uow.session
        request, asset = _load_request(session, actor, request_id)
        requester = actor.org_id is not None and actor.org_id == request.requested_by_org_id
        if not (requester or actor.role == Role.APPRAISER):
            raise DomainError(ErrorCode.FORBIDDEN, "only the requester or an appraiser may run a valuation")
        if (
            request.appraiser_org_id is not None
            and actor.role == Role.APPRAISER
            and not _engaged(actor, request)
        ):
            raise DomainError(ErrorCode.FORBIDDEN, "another appraiser is engaged for this request")
        settings = dict(request.inputs.get("settings", {}))
        if seed is not None:
            settings["seed"] = seed
        try:
            inputs, context = _prepare(session, request, asset)
            result = _value(request.method, inputs, context, asset=asset, settings=settings)
        except EngineError as exc:
            raise DomainError(ErrorCode.VALIDATION_ERROR, str(exc)) from exc
        report = ValuationReport(
            request_id=request.id,
            asset_id=asset.id,
            method=result.method,
            method_version=result.method_version,
            inputs=result.inputs,
            seed=result.seed,
            paths=result.paths,
            currency=result.currency,
            p10=result.p10,
            p50=result.p50,
            p90=result.p90,
            result=result.to_dict(),
            context=context,
            status=ReportStatus.DRAFT.value,
            created_by_user_id=actor.user_id,
        )
        session.add(report)
        session.flush()
        _audit(
            session,
            actor=actor,
            action="valuation.run",
            entity_type="valuation_report",
            entity_id=report.id,
            asset=asset,
            after={"seed": result.seed, "p10": result.p10, "p50": result.p50, "p90": result.p90},
            org_id=request.requested_by_org_id,
        )
        uow.commit()
        session.refresh(report)
        return _report_read(report)


def _value(
    method: str, inputs: dict[str, Any], context: dict[str, Any], *, asset: Asset, settings: dict[str, Any]
) -> ValuationResult:
    """Run the requested method on the prepared inputs (income, market comparables or cost)."""
    simulation = SimulationSettings.from_dict(settings)
    if method in INCOME_METHODS:
        return value_income(method, inputs_from_json(inputs), settings=simulation)
    try:
        return _value_structured(method, inputs, context, asset=asset, simulation=simulation)
    except EngineError:
        raise
    except (TypeError, ValueError) as exc:  # a malformed structured input (basis, cost items, life)
        raise EngineError(f"invalid {method} inputs: {exc}") from exc


def _value_structured(
    method: str,
    inputs: dict[str, Any],
    context: dict[str, Any],
    *,
    asset: Asset,
    simulation: SimulationSettings,
) -> ValuationResult:
    """Market comparables or the cost method; the subject's type, region and life come from the asset."""
    life_years = float(inputs.pop("life_years"))
    valuation_date = str(context["valuation_date"])
    if method == "market_comparables":
        subject = {"region": asset.region_code or "", **dict(inputs.pop("subject", {}))}
        subject.update(ip_type=asset.ip_type, remaining_life=life_years)
        return value_market(
            comparables=list(inputs.pop("comparables", [])),
            subject=subject,
            policy={"valuation_date": valuation_date, **dict(inputs.pop("policy", {}))},
            currency=simulation.currency,
            histogram_bins=simulation.histogram_bins,
        )
    if method == "cost":
        cost_items = {str(k): float(v) for k, v in dict(inputs.pop("cost_items", {})).items()}
        basis = CostBasis(str(inputs.pop("basis", CostBasis.REPLACEMENT.value)))
        if "physical" not in inputs and asset.application_date is not None:
            used = (dt.date.fromisoformat(valuation_date) - asset.application_date).days / 365.2425
            if used > 0 or life_years > 0:
                inputs["physical"] = physical_from_life(used_years=max(used, 0.0), remaining_years=life_years)
                context["physical_from_life"] = {"used_years": round(used, 2), "remaining_years": life_years}
        return value_cost(
            cost_items=cost_items, inputs=inputs_from_json(inputs), basis=basis, settings=simulation
        )
    raise EngineError(f"unknown valuation method {method!r}")


def _report_read(report: ValuationReport) -> ValuationReportRead:
    money = {
        k: MoneyModel(amount=getattr(report, k), currency=report.currency) for k in ("p10", "p50", "p90")
    }
    return ValuationReportRead.model_validate(
        {
            **{c: getattr(report, c) for c in ValuationReportRead.model_fields if c not in money},
            **money,
        }
    )


def sign_report(*, uow: UnitOfWork, actor: Principal, report_id: int) -> ValuationReportRead:
    """Sign a draft report off; only the appraiser role may (the engaged firm's, if one is named)."""
    with uow:
        session = uow.session
        report, request, asset = _load_report(session, actor, report_id)
        if actor.role != Role.APPRAISER:
            raise DomainError(ErrorCode.FORBIDDEN, "only an appraiser may sign a valuation report")
        if request.appraiser_org_id is not None and not _engaged(actor, request):
            raise DomainError(ErrorCode.FORBIDDEN, "another appraiser is engaged for this request")
        if report.status != ReportStatus.DRAFT.value:
            raise DomainError(ErrorCode.INVALID_STATE, "the report is already signed")
        report.status = ReportStatus.SIGNED.value
        report.signed_by_user_id = actor.user_id
        report.signed_at = db_now(session)
        _audit(
            session,
            actor=actor,
            action="valuation.signed",
            entity_type="valuation_report",
            entity_id=report.id,
            asset=asset,
            after={"status": report.status, "p10": report.p10, "p50": report.p50, "p90": report.p90},
            org_id=request.requested_by_org_id,
        )
        uow.commit()
        return _report_read(report)


def get_report(*, uow: UnitOfWork, actor: Principal, report_id: int) -> ValuationReportRead:
    """One report, if the actor may read it."""
    with uow:
        report, _, _ = _load_report(uow.session, actor, report_id)
        return _report_read(report)


def report_result(
    *, uow: UnitOfWork, actor: Principal, report_id: int
) -> tuple[ValuationReportRead, ValuationResult]:
    """A report and its engine result object (for pages and the PDF)."""
    read = get_report(uow=uow, actor=actor, report_id=report_id)
    return read, ValuationResult.from_dict(read.result)


def rerun_report(*, uow: UnitOfWork, actor: Principal, report_id: int) -> RerunRead:
    """Re-run a stored report from its inputs echo and seed; `reproduced`: every figure matches."""
    read = get_report(uow=uow, actor=actor, report_id=report_id)
    try:
        again = rerun_echo(read.inputs)
    except EngineError as exc:
        raise DomainError(ErrorCode.VALIDATION_ERROR, str(exc)) from exc
    return RerunRead(
        report_id=read.id,
        reproduced=again.to_dict() == read.result,
        p10=MoneyModel.from_money(again.money("p10")),
        p50=MoneyModel.from_money(again.money("p50")),
        p90=MoneyModel.from_money(again.money("p90")),
    )


def list_reports(*, uow: UnitOfWork, actor: Principal, asset_id: int) -> list[ValuationReportRead]:
    """Reports of an asset the actor may read, newest first."""
    with uow:
        session = uow.session
        asset = _load_asset(session, asset_id)
        readable = can(actor, Action.READ, scope_of(asset))
        rows = session.execute(
            select(ValuationReport, ValuationRequest)
            .join(ValuationRequest, ValuationRequest.id == ValuationReport.request_id)
            .where(ValuationReport.asset_id == asset_id)
            .order_by(ValuationReport.id.desc())
        ).all()
        visible = [_report_read(rep) for rep, req in rows if readable or _engaged(actor, req)]
        if not readable and not visible:
            raise DomainError(ErrorCode.NOT_FOUND)
        return visible
