"""Valuation use cases: request, run (stores a draft report), sign off, re-run, read.

The policy's `valuation_request` and `valuation_report` rules decide: the requester, the asset's owners
and the engaged appraisal firm read a valuation (a public asset does not make its valuation public); banks
read it through a grant on the asset. A statutory report is signed by two appraisers of the engaged firm,
each once, and sealed by the firm (资产评估法 art. 26); signing takes the report's row lock.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipops.alliance.kinds import OrgKind
from ipops.alliance.service import display_name_of, organisations_by_id
from ipops.assets.service import AssetBrief, brief, issue_asset_grants, may_take
from ipops.core.audit import record_audit
from ipops.core.authz import Action, Principal, clause, require
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
from ipops.valuation.models import (
    SIGNATURES_REQUIRED,
    ReportStatus,
    ValuationReport,
    ValuationRequest,
    ValuationSignature,
)
from ipops.valuation.priors import bundled_priors
from ipops.valuation.schemas import (
    RerunRead,
    SealRead,
    ValuationReportRead,
    ValuationRequestCreate,
    ValuationRequestRead,
)
from ipops.valuation.scope import report_columns, report_facts, request_facts

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


def _load_request(
    session: Session, actor: Principal, request_id: int, action: str = Action.READ
) -> tuple[ValuationRequest, AssetBrief]:
    request = session.get(ValuationRequest, request_id)
    if request is None:
        raise DomainError(ErrorCode.NOT_FOUND)
    require(session, actor, action, request_facts(session, request))
    return request, brief(session, request.asset_id)


def _load_report(
    session: Session, actor: Principal, report_id: int, action: str = Action.READ, *, lock: bool = False
) -> tuple[ValuationReport, ValuationRequest, AssetBrief]:
    report = session.get(ValuationReport, report_id, with_for_update=lock)
    if report is None:
        raise DomainError(ErrorCode.NOT_FOUND)
    request = session.get(ValuationRequest, report.request_id)
    assert request is not None  # noqa: S101 - a foreign key
    require(session, actor, action, report_facts(session, report, request))
    return report, request, brief(session, request.asset_id)


def _audit(
    session: Session,
    *,
    actor: Principal,
    action: str,
    entity_type: str,
    entity_id: int,
    asset: AssetBrief,
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
    """Record a valuation request from an owner of the asset (or a bank reviewing it) engaging a firm."""
    _validate_payload(data)
    with uow:
        session = uow.session
        may_take(session, actor, Action.REQUEST_VALUATION, data.asset_id)
        asset = brief(session, data.asset_id)
        if data.appraiser_org_id is not None:
            firm = organisations_by_id(session, {data.appraiser_org_id}).get(data.appraiser_org_id)
            if firm is None or firm.alliance_id != asset.alliance_id or firm.kind != OrgKind.APPRAISER:
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
        if request.appraiser_org_id is not None:  # the engaged firm may see and appraise the asset
            issue_asset_grants(
                session,
                actor=actor,
                asset_ids=[asset.id],
                org_id=request.appraiser_org_id,
                actions=("read", "appraise"),
                reason=f"valuation request #{request.id}",
                source=f"valuation_request:{request.id}",
                expires_at=db_now(session) + dt.timedelta(days=365),
            )
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
    """One request, if the actor may read it."""
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


def _asset_snapshot(asset: AssetBrief) -> dict[str, Any]:
    """What was valued, as the registry held it at run time (kept even if the asset changes later)."""
    return {
        "title": asset.title,
        "ip_type": asset.ip_type,
        "jurisdiction": asset.jurisdiction,
        "application_number": asset.application_number,
        "publication_number": asset.publication_number,
        "legal_status": asset.legal_status,
        "owners": list(asset.owner_names),
        "lake_doc_id": asset.lake_doc_id,
    }


def _prepare(
    session: Session, request: ValuationRequest, asset: AssetBrief
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
    """Value the request's asset and store a draft report (the requester or the engaged firm)."""
    with uow:
        session = uow.session
        request, asset = _load_request(session, actor, request_id, Action.RUN)
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
    method: str,
    inputs: dict[str, Any],
    context: dict[str, Any],
    *,
    asset: AssetBrief,
    settings: dict[str, Any],
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
    asset: AssetBrief,
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
    seal = (
        SealRead(org_id=report.sealed_by_org_id, name=report.seal_name or "", sealed_at=report.signed_at)
        if report.sealed_by_org_id is not None and report.signed_at is not None
        else None
    )
    computed = {*money, "seal"}
    return ValuationReportRead.model_validate(
        {
            **{c: getattr(report, c) for c in ValuationReportRead.model_fields if c not in computed},
            **money,
            "seal": seal,
        }
    )


def sign_report(*, uow: UnitOfWork, actor: Principal, report_id: int) -> ValuationReportRead:
    """An appraiser of the engaged firm signs, once; the second signature seals it with the firm's seal.

    The report row is locked first, so concurrent signers queue: none is counted twice or overwritten.
    """
    with uow:
        session = uow.session
        report, request, asset = _load_report(session, actor, report_id, Action.SIGN, lock=True)
        if any(s.user_id == actor.user_id for s in report.signatures):
            raise DomainError(
                ErrorCode.INVALID_STATE,
                "you have already signed this report",
                msgid="You have already signed this report.",
            )
        assert actor.user_id is not None  # noqa: S101 - an engaged appraiser is an account
        assert actor.org_id is not None  # noqa: S101 - of the engaged firm
        now = db_now(session)
        signer = display_name_of(session, user_id=actor.user_id)
        report.signatures.append(
            ValuationSignature(user_id=actor.user_id, org_id=actor.org_id, signer_name=signer, signed_at=now)
        )
        session.flush()
        _audit(
            session,
            actor=actor,
            action="valuation.signature_added",
            entity_type="valuation_report",
            entity_id=report.id,
            asset=asset,
            after={"signatures": len(report.signatures)},
            org_id=request.requested_by_org_id,
        )
        if len(report.signatures) >= SIGNATURES_REQUIRED:
            firm = organisations_by_id(session, {actor.org_id})[actor.org_id]
            report.status = ReportStatus.SIGNED.value
            report.signed_by_user_id, report.signed_at = actor.user_id, now
            report.sealed_by_org_id, report.seal_name = firm.id, firm.name
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
        else:
            report.status = ReportStatus.SIGNING.value
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
    """The reports of an asset that the actor may read, newest first (404 if it may not read the asset)."""
    with uow:
        may_take(uow.session, actor, Action.READ, asset_id)
        rows = uow.session.scalars(
            select(ValuationReport)
            .where(ValuationReport.asset_id == asset_id, clause(actor, Action.READ, report_columns()))
            .order_by(ValuationReport.id.desc())
        ).all()
        return [_report_read(r) for r in rows]


def report_actions(*, uow: UnitOfWork, actor: Principal, report_id: int) -> frozenset[str]:
    """What the actor may do to a report now (the page shows the sign-off form only to those who may)."""
    from ipops.core.authz import allowed_actions

    with uow:
        session = uow.session
        report, request, _ = _load_report(session, actor, report_id)
        allowed = allowed_actions(session, actor, report_facts(session, report, request))
        if any(s.user_id == actor.user_id for s in report.signatures):
            allowed = allowed - {Action.SIGN}
        return allowed


def request_queue(*, uow: UnitOfWork, actor: Principal, limit: int = 20) -> list[dict[str, Any]]:
    """Valuation requests the actor may read, newest first, with where each stands (requested ... signed)."""
    from ipops.valuation.scope import request_columns

    with uow:
        session = uow.session
        requests = session.scalars(
            select(ValuationRequest)
            .where(clause(actor, Action.READ, request_columns()))
            .order_by(ValuationRequest.id.desc())
            .limit(min(max(limit, 1), 100))
        ).all()
        latest: dict[int, ValuationReport] = {}
        if requests:
            for report in session.scalars(
                select(ValuationReport)
                .where(ValuationReport.request_id.in_([r.id for r in requests]))
                .order_by(ValuationReport.id)
            ):
                latest[report.request_id] = report  # ascending ids: the last one wins
        out: list[dict[str, Any]] = []
        for request in requests:
            last = latest.get(request.id)
            out.append(
                {
                    "id": request.id,
                    "asset": brief(session, request.asset_id),
                    "scenario": request.scenario,
                    "method": request.method,
                    "created_at": request.created_at,
                    "report_id": last.id if last else None,
                    "state": last.status if last else "requested",
                }
            )
        return out
