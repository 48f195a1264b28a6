"""HTML routes for finance: loans (apply, assess, approve ... dispose), bank policy, appraisals, contracts and
securitisation deals with server-side SVG charts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from ipops.assets.ip_types import LegalStatus
from ipops.core.authz import Action, Principal
from ipops.core.errors import DomainError, ErrorCode, error_title
from ipops.core.money import MoneyModel
from ipops.finance import exports, pledge
from ipops.finance import securitisation as deals
from ipops.finance.api import read_csv_upload
from ipops.finance.schemas import (
    AppraisalCreate,
    ApproveRequest,
    DealCreate,
    DealDetail,
    DefaultRequest,
    DisposalRequest,
    ImportReport,
    LendingPolicyIn,
    LoanCreate,
    PoolRequest,
    RegistrationRequest,
    RunRequest,
    StepRequest,
    StructureRequest,
    TrancheIn,
)
from ipops.web.deps import LocaleDep, SignedInDep, UowDep, request_locale
from ipops.web.forms import error_lines, split_list
from ipops.web.guards import require_may
from ipops.web.i18n import gettext_for
from ipops.web.templating import render
from ipops.web.uploads import PolicyFirstRoute, PostedForm, policy_before_body

router = APIRouter(prefix="/finance", include_in_schema=False, route_class=PolicyFirstRoute)
# refusals of a loan step that send the browser back to the loan's page (the page then shows why)
REDIRECTED_REFUSALS = frozenset(
    {
        ErrorCode.VALIDATION_ERROR,
        ErrorCode.INVALID_STATE,
        ErrorCode.ASSET_ENCUMBERED,
        ErrorCode.CONSENT_REQUIRED,
    }
)
FormStr = Annotated[str, Form()]
FORM_ERRORS = (ValidationError, DomainError, ValueError)


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value.strip())


def _decimal(value: str, *, default: Decimal | None = None) -> Decimal:
    parsed = deals.parse_decimal(value)
    if parsed is None:
        if default is None:
            raise ValueError("a number is required")
        return default
    return parsed


def _percent(value: str, *, default: Decimal | None = None) -> Decimal:
    """A form percentage (e.g. 3.85) as a fraction (0.0385)."""
    return _decimal(value, default=None if default is None else default * 100) / 100


@router.get("", response_class=HTMLResponse)
def finance_home(request: Request, uow: UowDep, actor: SignedInDep) -> Response:
    """Loans, deals and alerts the user may see, with the actions their role offers."""
    context = {
        "loans": pledge.list_loans(uow=uow, actor=actor, size=50),
        "deals": deals.list_deals(uow=uow, actor=actor, size=50),
        "alerts": pledge.list_alerts(uow=uow, actor=actor, limit=20),
        "banks": pledge.banks(uow=uow, actor=actor),
    }
    return render(request, "finance/index.html", context)


def _loan_form(
    request: Request, uow: UowDep, actor: Principal, form: dict[str, Any], errors: list[str]
) -> Response:
    context = {
        "banks": pledge.banks(uow=uow, actor=actor),
        "assets": pledge.owned_assets(uow=uow, actor=actor),
        "form": form,
        "errors": errors,
    }
    return render(request, "finance/loan_form.html", context, status_code=422 if errors else 200)


@router.get("/loans/new", response_class=HTMLResponse)
def loan_new(request: Request, uow: UowDep, actor: SignedInDep) -> Response:
    """The pledge-loan application form (for the accounts of a borrowing organisation)."""
    require_may(actor, "loan", Action.CREATE)
    return _loan_form(
        request,
        uow,
        actor,
        {"term_months": "24", "bank_share": "50", "government_share": "40", "guarantor_share": "10"},
        [],
    )


@router.post("/loans/new", response_class=HTMLResponse)
@policy_before_body("loan", Action.CREATE)
def loan_create(request: Request, uow: UowDep, actor: SignedInDep, raw: PostedForm) -> Response:
    """Draft the application from the form."""
    form = {k: str(v) for k, v in raw.items() if k != "asset_ids"}
    asset_ids = [int(str(v)) for v in raw.getlist("asset_ids") if str(v).isdigit()]
    try:
        data = LoanCreate(
            bank_org_id=int(form.get("bank_org_id", "0") or 0),
            amount=MoneyModel(amount=_decimal(form.get("amount", ""))),
            term_months=int(form.get("term_months", "0") or 0),
            annual_rate=_percent(form.get("annual_rate", "")),
            asset_ids=asset_ids,
            purpose=form.get("purpose") or None,
            bank_share=_percent(form.get("bank_share", ""), default=Decimal("0.5")),
            government_share=_percent(form.get("government_share", ""), default=Decimal("0.4")),
            guarantor_share=_percent(form.get("guarantor_share", ""), default=Decimal("0.1")),
        )
        created = pledge.create_loan(uow=uow, actor=actor, data=data)
        return RedirectResponse(f"/finance/loans/{created.id}", status_code=303)
    except FORM_ERRORS as exc:
        return _loan_form(request, uow, actor, form, error_lines(request, exc))


def _loan_page(request: Request, uow: UowDep, actor: Principal, loan_id: int, errors: list[str]) -> Response:
    loan = pledge.get_loan(uow=uow, actor=actor, loan_id=loan_id)
    assessment, assessment_error = None, ""
    try:
        assessment = pledge.assess_loan(uow=uow, actor=actor, loan_id=loan_id)
    except DomainError as exc:
        assessment_error = exc.detail
    context = {
        "loan": loan,
        "assessment": assessment,
        "assessment_error": assessment_error,
        "errors": errors,
        "today": deals.today(uow=uow).isoformat(),
    }
    return render(request, "finance/loan_detail.html", context, status_code=422 if errors else 200)


@router.get("/loans/{loan_id}", response_class=HTMLResponse)
def loan_detail(
    loan_id: int, request: Request, uow: UowDep, actor: SignedInDep, refused: str | None = None
) -> Response:
    """A loan with its LTV assessment, collateral, history, alerts and next steps."""
    errors = []
    if refused in {c.value for c in REDIRECTED_REFUSALS}:
        errors = [error_title(ErrorCode(refused), request_locale(request))]
    page = _loan_page(request, uow, actor, loan_id, errors)
    page.status_code = 200
    return page


@router.post("/loans/{loan_id}/{action}", response_class=HTMLResponse)
def loan_action(
    loan_id: int,
    action: str,
    request: Request,
    uow: UowDep,
    actor: SignedInDep,
    occurred_on: FormStr = "",
    note: FormStr = "",
    amount: FormStr = "",
    registration_number: FormStr = "",
) -> Response:
    """Move the loan one step (submit, withdraw, reject, approve, register, disburse, repay, default...)."""
    simple = {
        "submit": pledge.submit_loan,
        "withdraw": pledge.withdraw_loan,
        "reject": pledge.reject_loan,
        "disburse": pledge.disburse_loan,
        "repay": pledge.repay_loan,
    }
    try:
        day, text = _date(occurred_on), note or None
        if action in simple:
            simple[action](
                uow=uow, actor=actor, loan_id=loan_id, step=StepRequest(occurred_on=day, note=text)
            )
        elif action == "register":
            pledge.register_pledge(
                uow=uow,
                actor=actor,
                loan_id=loan_id,
                step=RegistrationRequest(
                    registration_number=registration_number, registered_on=day, note=text
                ),
            )
        elif action == "approve":
            pledge.approve_loan(
                uow=uow, actor=actor, loan_id=loan_id, step=ApproveRequest(occurred_on=day, note=text)
            )
        elif action == "default":
            money = MoneyModel(amount=_decimal(amount))
            pledge.default_loan(
                uow=uow,
                actor=actor,
                loan_id=loan_id,
                step=DefaultRequest(occurred_on=day, note=text, outstanding=money),
            )
        elif action == "disposal":
            money = MoneyModel(amount=_decimal(amount))
            pledge.record_disposal(
                uow=uow,
                actor=actor,
                loan_id=loan_id,
                step=DisposalRequest(occurred_on=day, note=text, proceeds=money),
            )
        else:
            raise ValueError(f"unknown action {action}")
        return RedirectResponse(f"/finance/loans/{loan_id}", status_code=303)
    except FORM_ERRORS as exc:
        if isinstance(exc, DomainError) and exc.code in REDIRECTED_REFUSALS:
            # back on the loan's own address (never left on a POST one), with the refusal shown there
            return RedirectResponse(f"/finance/loans/{loan_id}?refused={exc.code.value}", status_code=303)
        return _loan_page(request, uow, actor, loan_id, error_lines(request, exc))


@router.get("/policy", response_class=HTMLResponse)
def policy_page(request: Request, uow: UowDep, actor: SignedInDep) -> Response:
    """The bank's lending policy form (its financiers)."""
    require_may(actor, "lending_policy", Action.SET)
    policy: dict[str, Any] = LendingPolicyIn().model_dump()
    if actor.org_id is not None:
        try:
            policy = pledge.get_lending_policy(uow=uow, actor=actor, bank_org_id=actor.org_id).model_dump()
        except DomainError:
            pass
    return render(
        request, "finance/policy.html", {"policy": policy, "statuses": list(LegalStatus), "errors": []}
    )


@router.post("/policy", response_class=HTMLResponse)
@policy_before_body("lending_policy", Action.SET)
def policy_save(request: Request, uow: UowDep, actor: SignedInDep, raw: PostedForm) -> Response:
    """Save the bank's lending policy."""
    form = {k: str(v) for k, v in raw.items()}
    try:
        haircuts = {}
        for key, value in form.items():
            if key.startswith("haircut_") and value.strip():
                haircuts[key.removeprefix("haircut_")] = _percent(value)
        data = LendingPolicyIn(
            max_ltv_p10=_percent(form.get("max_ltv_p10", "")),
            default_haircut=_percent(form.get("default_haircut", "")),
            haircuts=haircuts,
            min_remaining_life_months=int(form.get("min_remaining_life_months", "0") or 0),
            eligible_statuses=[LegalStatus(str(s)) for s in raw.getlist("eligible_statuses")],
        )
        pledge.set_lending_policy(uow=uow, actor=actor, bank_org_id=actor.org_id or 0, data=data)
        return RedirectResponse("/finance/policy", status_code=303)
    except FORM_ERRORS as exc:
        errors = error_lines(request, exc)
    policy = LendingPolicyIn().model_dump()
    return render(
        request,
        "finance/policy.html",
        {"policy": policy, "statuses": list(LegalStatus), "errors": errors},
        status_code=422,
    )


@router.get("/appraisals/new", response_class=HTMLResponse)
def appraisal_new(
    request: Request, actor: SignedInDep, asset_id: Annotated[int | None, Query()] = None
) -> Response:
    """The appraiser's form for an outside appraisal report."""
    require_may(actor, "asset", Action.APPRAISE)
    return render(
        request, "finance/appraisal_form.html", {"form": {"asset_id": asset_id or ""}, "errors": []}
    )


@router.post("/appraisals/new", response_class=HTMLResponse)
def appraisal_create(
    request: Request,
    uow: UowDep,
    actor: SignedInDep,
    asset_id: FormStr,
    report_number: FormStr,
    p10: FormStr,
    p50: FormStr,
    p90: FormStr,
    appraised_on: FormStr,
) -> Response:
    """Record the appraisal, then go back to the form."""
    require_may(actor, "asset", Action.APPRAISE)
    form = {
        "asset_id": asset_id,
        "report_number": report_number,
        "p10": p10,
        "p50": p50,
        "p90": p90,
        "appraised_on": appraised_on,
    }
    try:
        data = AppraisalCreate(
            asset_id=int(asset_id),
            report_number=report_number,
            p10=MoneyModel(amount=_decimal(p10)),
            p50=MoneyModel(amount=_decimal(p50)),
            p90=MoneyModel(amount=_decimal(p90)),
            appraised_on=_date(appraised_on),
        )
        pledge.record_appraisal(uow=uow, actor=actor, data=data)
        return render(
            request, "finance/appraisal_form.html", {"form": {}, "errors": [], "saved": report_number}
        )
    except FORM_ERRORS as exc:
        errors = error_lines(request, exc)
    return render(request, "finance/appraisal_form.html", {"form": form, "errors": errors}, status_code=422)


def _contracts_page(
    request: Request, uow: UowDep, actor: Principal, report: ImportReport | None, errors: list[str]
) -> Response:
    require_may(actor, "contract", Action.CREATE)
    contracts = deals.list_contracts(uow=uow, actor=actor)
    context = {"contracts": contracts, "report": report, "errors": errors, "columns": deals.CSV_COLUMNS}
    return render(request, "finance/contracts.html", context, status_code=422 if errors else 200)


@router.get("/contracts", response_class=HTMLResponse)
def contracts_page(request: Request, uow: UowDep, actor: SignedInDep) -> Response:
    """The organisation's contracts and the CSV import form."""
    return _contracts_page(request, uow, actor, None, [])


@router.post("/contracts/import", response_class=HTMLResponse)
@policy_before_body("contract", Action.CREATE)
def contracts_import(
    request: Request, uow: UowDep, actor: SignedInDep, file: Annotated[UploadFile, File()]
) -> Response:
    """Import a CSV and show which rows went in and which did not (sync: parsed off the event loop)."""
    try:
        report = deals.import_contracts(uow=uow, actor=actor, text=read_csv_upload(file))
        return _contracts_page(request, uow, actor, report, [])
    except FORM_ERRORS as exc:
        return _contracts_page(request, uow, actor, None, error_lines(request, exc))


def _deal_form(
    request: Request, uow: UowDep, actor: Principal, form: dict[str, Any], errors: list[str]
) -> Response:
    context = {
        "banks": pledge.banks(uow=uow, actor=actor),
        "form": form,
        "errors": errors,
    }
    return render(request, "finance/deal_form.html", context, status_code=422 if errors else 200)


@router.get("/deals/new", response_class=HTMLResponse)
def deal_new(request: Request, uow: UowDep, actor: SignedInDep) -> Response:
    """The new-deal form (the originator's administrators)."""
    require_may(actor, "deal", Action.CREATE)
    form = {
        "term_months": "36",
        "discount_rate": "6",
        "servicer_fee_rate": "0.3",
        "trustee_fee": "0",
        "start_date": deals.today(uow=uow).isoformat(),
    }
    return _deal_form(request, uow, actor, form, [])


@router.post("/deals/new", response_class=HTMLResponse)
@policy_before_body("deal", Action.CREATE)
def deal_create(request: Request, uow: UowDep, actor: SignedInDep, raw: PostedForm) -> Response:
    """Open the deal from the form."""
    form = {k: str(v) for k, v in raw.items()}
    try:
        data = DealCreate(
            name=form.get("name", ""),
            originator_org_id=int(form["originator_org_id"]) if form.get("originator_org_id") else None,
            arranger_org_id=int(form["arranger_org_id"]) if form.get("arranger_org_id") else None,
            start_date=_date(form.get("start_date", "")),
            term_months=int(form.get("term_months", "0") or 0),
            discount_rate=_percent(form.get("discount_rate", "")),
            servicer_fee_rate=_percent(form.get("servicer_fee_rate", ""), default=Decimal(0)),
            trustee_fee=_decimal(form.get("trustee_fee", ""), default=Decimal(0)),
        )
        created = deals.create_deal(uow=uow, actor=actor, data=data)
        return RedirectResponse(f"/finance/deals/{created.id}", status_code=303)
    except FORM_ERRORS as exc:
        return _deal_form(request, uow, actor, form, error_lines(request, exc))


def _deal_page(
    request: Request,
    uow: UowDep,
    actor: Principal,
    locale: str,
    deal: DealDetail,
    *,
    run_id: int | None = None,
    errors: list[str] | None = None,
    report: Any = None,
) -> Response:
    run_id = run_id or (deal.run_ids[0] if deal.run_ids else None)
    run, inputs = (
        deals.get_run(uow=uow, actor=actor, deal_id=deal.id, run_id=run_id) if run_id else (None, None)
    )
    in_pool = {c.contract.id for c in deal.contracts}
    writable = deals.may_write(uow=uow, actor=actor, deal_id=deal.id)
    candidates = []
    if writable:
        try:
            candidates = [
                c
                for c in deals.list_contracts(uow=uow, actor=actor, org_id=deal.originator_org_id)
                if c.id not in in_pool
            ]
        except DomainError:
            candidates = []
    t = gettext_for(locale).gettext
    context = {
        **exports.summary_context(deal, run, inputs, t=t),
        "writable": writable,
        "candidates": candidates,
        "errors": errors or [],
        "report": report,
    }
    return render(request, "finance/deal_detail.html", context, status_code=422 if errors else 200)


@router.get("/deals/{deal_id}", response_class=HTMLResponse)
def deal_detail(
    deal_id: int,
    request: Request,
    uow: UowDep,
    actor: SignedInDep,
    locale: LocaleDep,
    run_id: Annotated[int | None, Query()] = None,
) -> Response:
    """The deal: terms, pool, tranches, the newest run with its charts, and forms to change them."""
    deal = deals.get_deal(uow=uow, actor=actor, deal_id=deal_id)
    return _deal_page(request, uow, actor, locale, deal, run_id=run_id)


@router.post("/deals/{deal_id}/pool", response_class=HTMLResponse)
def deal_pool(
    deal_id: int, request: Request, uow: UowDep, actor: SignedInDep, locale: LocaleDep, raw: PostedForm
) -> Response:
    """Add the ticked contracts to the pool."""
    ids = [int(str(v)) for v in raw.getlist("contract_ids") if str(v).isdigit()]
    on_breach = "flag" if str(raw.get("on_breach", "refuse")) == "flag" else "refuse"
    try:
        report = deals.add_to_pool(
            uow=uow, actor=actor, deal_id=deal_id, data=PoolRequest(contract_ids=ids, on_breach=on_breach)
        )
        deal = deals.get_deal(uow=uow, actor=actor, deal_id=deal_id)
        return _deal_page(request, uow, actor, locale, deal, report=report)
    except FORM_ERRORS as exc:
        errors = error_lines(request, exc)
        if isinstance(exc, DomainError) and "reasons" in exc.extra:
            errors = [f"{r['reference']}: {r['message']}" for r in exc.extra["reasons"]]
    deal = deals.get_deal(uow=uow, actor=actor, deal_id=deal_id)
    return _deal_page(request, uow, actor, locale, deal, errors=errors)


@router.post("/deals/{deal_id}/structure", response_class=HTMLResponse)
def deal_structure(
    deal_id: int, request: Request, uow: UowDep, actor: SignedInDep, locale: LocaleDep, raw: PostedForm
) -> Response:
    """Set the tranches from the form's rows (blank rows are skipped)."""
    names, seniorities = raw.getlist("name"), raw.getlist("seniority")
    balances, kinds, rates = raw.getlist("balance"), raw.getlist("coupon_kind"), raw.getlist("rate")
    try:
        tranches = [
            TrancheIn(
                name=str(name),
                seniority=str(seniorities[i]),
                balance=_decimal(str(balances[i])),
                coupon_kind=str(kinds[i]),
                rate=_percent(str(rates[i]), default=Decimal(0)),
            )
            for i, name in enumerate(names)
            if str(name).strip()
        ]
        deals.set_structure(uow=uow, actor=actor, deal_id=deal_id, data=StructureRequest(tranches=tranches))
        return RedirectResponse(f"/finance/deals/{deal_id}", status_code=303)
    except (*FORM_ERRORS, IndexError) as exc:
        errors = error_lines(request, exc)
    deal = deals.get_deal(uow=uow, actor=actor, deal_id=deal_id)
    return _deal_page(request, uow, actor, locale, deal, errors=errors)


@router.post("/deals/{deal_id}/runs", response_class=HTMLResponse)
def deal_run(
    deal_id: int,
    request: Request,
    uow: UowDep,
    actor: SignedInDep,
    locale: LocaleDep,
    cdr: FormStr,
    cpr: FormStr,
    recovery_rate: FormStr = "30",
    recovery_lag: FormStr = "6",
    index_rate: FormStr = "3.45",
) -> Response:
    """Run the CDR x CPR grid given in percent, comma-separated."""
    try:
        data = RunRequest(
            cdr=[_percent(v) for v in split_list(cdr)],
            cpr=[_percent(v) for v in split_list(cpr)],
            recovery_rate=_percent(recovery_rate, default=Decimal(0)),
            recovery_lag=int(recovery_lag or 0),
            index_rate=_percent(index_rate, default=Decimal(0)),
        )
        run = deals.run_scenarios(uow=uow, actor=actor, deal_id=deal_id, request=data)
        return RedirectResponse(f"/finance/deals/{deal_id}?run_id={run.id}", status_code=303)
    except FORM_ERRORS as exc:
        errors = error_lines(request, exc)
    deal = deals.get_deal(uow=uow, actor=actor, deal_id=deal_id)
    return _deal_page(request, uow, actor, locale, deal, errors=errors)
