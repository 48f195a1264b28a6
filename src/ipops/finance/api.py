"""JSON routes for pledge financing and securitisation deals (plus the deal exports)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, UploadFile, status
from fastapi.responses import HTMLResponse, Response

from ipops.core.authz import Action
from ipops.core.bounds import PageSize
from ipops.core.errors import DomainError, ErrorCode
from ipops.finance import exports, pledge
from ipops.finance import securitisation as deals
from ipops.finance.models import LoanStatus
from ipops.finance.schemas import (
    AppraisalCreate,
    AppraisalRead,
    ApproveRequest,
    AssessmentRead,
    ContractCreate,
    ContractRead,
    DealCreate,
    DealDetail,
    DealPage,
    DealRunRead,
    DefaultRequest,
    DisposalRequest,
    ImportReport,
    LendingPolicyIn,
    LendingPolicyRead,
    LoanCreate,
    LoanDetail,
    LoanPage,
    MonitorReport,
    PledgeAlertRead,
    PoolReport,
    PoolRequest,
    RegistrationRequest,
    RunRequest,
    StepRequest,
    StructureRequest,
)
from ipops.web.deps import LocaleDep, SignedInDep, UowDep
from ipops.web.uploads import PolicyFirstRoute, policy_before_body, read_upload

router = APIRouter(prefix="/finance", tags=["finance"], route_class=PolicyFirstRoute)
MAX_CSV_BYTES = 5 * 1024 * 1024


@router.get("/banks")
def list_banks(uow: UowDep, actor: SignedInDep) -> list[dict[str, Any]]:
    """The alliance's banks and whether each has published a lending policy."""
    return pledge.banks(uow=uow, actor=actor)


@router.get("/banks/{bank_org_id}/policy", response_model=LendingPolicyRead)
def get_policy(bank_org_id: int, uow: UowDep, actor: SignedInDep) -> LendingPolicyRead:
    """A bank's lending policy."""
    return pledge.get_lending_policy(uow=uow, actor=actor, bank_org_id=bank_org_id)


@router.put("/banks/{bank_org_id}/policy", response_model=LendingPolicyRead)
def put_policy(bank_org_id: int, body: LendingPolicyIn, uow: UowDep, actor: SignedInDep) -> LendingPolicyRead:
    """Publish or change the bank's lending policy (its financiers only)."""
    return pledge.set_lending_policy(uow=uow, actor=actor, bank_org_id=bank_org_id, data=body)


@router.post("/appraisals", response_model=AppraisalRead, status_code=status.HTTP_201_CREATED)
def post_appraisal(body: AppraisalCreate, uow: UowDep, actor: SignedInDep) -> AppraisalRead:
    """An appraiser records an outside appraisal report's P10/P50/P90."""
    return pledge.record_appraisal(uow=uow, actor=actor, data=body)


@router.get("/appraisals", response_model=list[AppraisalRead])
def get_appraisals(asset_id: int, uow: UowDep, actor: SignedInDep) -> list[AppraisalRead]:
    """Appraisals of one asset."""
    return pledge.list_appraisals(uow=uow, actor=actor, asset_id=asset_id)


@router.get("/loans", response_model=LoanPage)
def list_loans(
    uow: UowDep,
    actor: SignedInDep,
    size: PageSize,
    status_filter: Annotated[LoanStatus | None, Query(alias="status")] = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> LoanPage:
    """Loans the caller may see."""
    return pledge.list_loans(uow=uow, actor=actor, status=status_filter, page=page, size=size)


@router.post("/loans", response_model=LoanDetail, status_code=status.HTTP_201_CREATED)
def create_loan(body: LoanCreate, uow: UowDep, actor: SignedInDep) -> LoanDetail:
    """Draft a pledge-loan application for the caller's organisation."""
    return pledge.create_loan(uow=uow, actor=actor, data=body)


@router.get("/loans/{loan_id}", response_model=LoanDetail)
def get_loan(loan_id: int, uow: UowDep, actor: SignedInDep) -> LoanDetail:
    """One loan with collateral, history and alerts."""
    return pledge.get_loan(uow=uow, actor=actor, loan_id=loan_id)


@router.get("/loans/{loan_id}/assessment", response_model=AssessmentRead)
def get_assessment(loan_id: int, uow: UowDep, actor: SignedInDep) -> AssessmentRead:
    """Loan-to-value on the haircut P10 under the bank's policy, with every reason it would be refused."""
    return pledge.assess_loan(uow=uow, actor=actor, loan_id=loan_id)


@router.post("/loans/{loan_id}/submit", response_model=LoanDetail)
def submit_loan(loan_id: int, body: StepRequest, uow: UowDep, actor: SignedInDep) -> LoanDetail:
    """Send the application to the bank."""
    return pledge.submit_loan(uow=uow, actor=actor, loan_id=loan_id, step=body)


@router.post("/loans/{loan_id}/withdraw", response_model=LoanDetail)
def withdraw_loan(loan_id: int, body: StepRequest, uow: UowDep, actor: SignedInDep) -> LoanDetail:
    """The borrower withdraws the application."""
    return pledge.withdraw_loan(uow=uow, actor=actor, loan_id=loan_id, step=body)


@router.post("/loans/{loan_id}/reject", response_model=LoanDetail)
def reject_loan(loan_id: int, body: StepRequest, uow: UowDep, actor: SignedInDep) -> LoanDetail:
    """The bank declines the application."""
    return pledge.reject_loan(uow=uow, actor=actor, loan_id=loan_id, step=body)


@router.post("/loans/{loan_id}/approve", response_model=LoanDetail)
def approve_loan(loan_id: int, body: ApproveRequest, uow: UowDep, actor: SignedInDep) -> LoanDetail:
    """The bank approves; ownership and the collateral's reservation are re-checked under lock."""
    return pledge.approve_loan(uow=uow, actor=actor, loan_id=loan_id, step=body)


@router.post("/loans/{loan_id}/register", response_model=LoanDetail)
def register_pledge(loan_id: int, body: RegistrationRequest, uow: UowDep, actor: SignedInDep) -> LoanDetail:
    """The bank records the office's pledge registration (质押登记); the pledge is effective from then."""
    return pledge.register_pledge(uow=uow, actor=actor, loan_id=loan_id, step=body)


@router.post("/loans/{loan_id}/disburse", response_model=LoanDetail)
def disburse_loan(loan_id: int, body: StepRequest, uow: UowDep, actor: SignedInDep) -> LoanDetail:
    """The bank pays out the loan."""
    return pledge.disburse_loan(uow=uow, actor=actor, loan_id=loan_id, step=body)


@router.post("/loans/{loan_id}/repay", response_model=LoanDetail)
def repay_loan(loan_id: int, body: StepRequest, uow: UowDep, actor: SignedInDep) -> LoanDetail:
    """The bank records repayment; the pledge is released."""
    return pledge.repay_loan(uow=uow, actor=actor, loan_id=loan_id, step=body)


@router.post("/loans/{loan_id}/default", response_model=LoanDetail)
def default_loan(loan_id: int, body: DefaultRequest, uow: UowDep, actor: SignedInDep) -> LoanDetail:
    """The bank declares a default with the principal outstanding."""
    return pledge.default_loan(uow=uow, actor=actor, loan_id=loan_id, step=body)


@router.post("/loans/{loan_id}/disposal", response_model=LoanDetail)
def dispose_loan(loan_id: int, body: DisposalRequest, uow: UowDep, actor: SignedInDep) -> LoanDetail:
    """The bank records the disposal proceeds; the loss is shared and the pledge released."""
    return pledge.record_disposal(uow=uow, actor=actor, loan_id=loan_id, step=body)


@router.get("/alerts", response_model=list[PledgeAlertRead])
def list_alerts(uow: UowDep, actor: SignedInDep) -> list[PledgeAlertRead]:
    """Legal-status alerts on the loans the caller may see."""
    return pledge.list_alerts(uow=uow, actor=actor)


@router.post("/monitor", response_model=MonitorReport)
def monitor(uow: UowDep, actor: SignedInDep) -> MonitorReport:
    """Scan the alliance's pledged assets for legal-status changes now (alliance administrators)."""
    if not pledge.may_run_monitor(actor) or actor.alliance_id is None:
        raise DomainError(
            ErrorCode.FORBIDDEN, msgid="Only the alliance's administrators run the pledge monitor by hand."
        )
    return pledge.scan_pledge_alerts(uow=uow, actor=actor, alliance_id=actor.alliance_id)


@router.get("/contracts", response_model=list[ContractRead])
def list_contracts(uow: UowDep, actor: SignedInDep, org_id: int | None = None) -> list[ContractRead]:
    """Contracts of the caller's organisation (or of an originator whose deal the caller arranges)."""
    return deals.list_contracts(uow=uow, actor=actor, org_id=org_id)


@router.post("/contracts", response_model=ContractRead, status_code=status.HTTP_201_CREATED)
def create_contract(body: ContractCreate, uow: UowDep, actor: SignedInDep) -> ContractRead:
    """Record a licence, lease or receivable contract."""
    return deals.create_contract(uow=uow, actor=actor, data=body)


def read_csv_upload(file: UploadFile) -> str:
    """An uploaded CSV as text (UTF-8, with or without a byte-order mark); sync, so call it off the loop."""
    raw = read_upload(file, max_bytes=MAX_CSV_BYTES)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DomainError(ErrorCode.VALIDATION_ERROR, "the CSV file must be UTF-8") from exc


@router.post("/contracts/import", response_model=ImportReport)
@policy_before_body("contract", Action.CREATE)
def import_contracts(file: Annotated[UploadFile, File()], uow: UowDep, actor: SignedInDep) -> ImportReport:
    """Import contracts from a CSV upload; bad rows are reported by line number (sync: off the loop)."""
    text = read_csv_upload(file)
    return deals.import_contracts(uow=uow, actor=actor, text=text)


@router.get("/deals", response_model=DealPage)
def list_deals(
    uow: UowDep,
    actor: SignedInDep,
    size: PageSize,
    page: Annotated[int, Query(ge=1)] = 1,
) -> DealPage:
    """Deals the caller may see."""
    return deals.list_deals(uow=uow, actor=actor, page=page, size=size)


@router.post("/deals", response_model=DealDetail, status_code=status.HTTP_201_CREATED)
def create_deal(body: DealCreate, uow: UowDep, actor: SignedInDep) -> DealDetail:
    """Open a securitisation deal."""
    return deals.create_deal(uow=uow, actor=actor, data=body)


@router.get("/deals/{deal_id}", response_model=DealDetail)
def get_deal(deal_id: int, uow: UowDep, actor: SignedInDep) -> DealDetail:
    """One deal with its pool, tranches and runs."""
    return deals.get_deal(uow=uow, actor=actor, deal_id=deal_id)


@router.post("/deals/{deal_id}/pool", response_model=PoolReport)
def add_to_pool(deal_id: int, body: PoolRequest, uow: UowDep, actor: SignedInDep) -> PoolReport:
    """Add contracts under the deal's eligibility criteria and concentration limits."""
    return deals.add_to_pool(uow=uow, actor=actor, deal_id=deal_id, data=body)


@router.delete("/deals/{deal_id}/pool/{contract_id}", response_model=DealDetail)
def remove_from_pool(deal_id: int, contract_id: int, uow: UowDep, actor: SignedInDep) -> DealDetail:
    """Take a contract out of the pool."""
    return deals.remove_from_pool(uow=uow, actor=actor, deal_id=deal_id, contract_id=contract_id)


@router.put("/deals/{deal_id}/structure", response_model=DealDetail)
def put_structure(deal_id: int, body: StructureRequest, uow: UowDep, actor: SignedInDep) -> DealDetail:
    """Set the tranches (senior first)."""
    return deals.set_structure(uow=uow, actor=actor, deal_id=deal_id, data=body)


@router.post("/deals/{deal_id}/runs", response_model=DealRunRead, status_code=status.HTTP_201_CREATED)
def run_deal(deal_id: int, body: RunRequest, uow: UowDep, actor: SignedInDep) -> DealRunRead:
    """Run a CDR x CPR scenario grid through the waterfall and store the outcome."""
    return deals.run_scenarios(uow=uow, actor=actor, deal_id=deal_id, request=body)


@router.get("/deals/{deal_id}/runs/{run_id}", response_model=DealRunRead)
def get_run(deal_id: int, run_id: int, uow: UowDep, actor: SignedInDep) -> DealRunRead:
    """A stored run."""
    return deals.get_run(uow=uow, actor=actor, deal_id=deal_id, run_id=run_id)[0]


@router.get("/deals/{deal_id}/runs/{run_id}/cashflows.csv")
def cashflows_csv(
    deal_id: int,
    run_id: int,
    uow: UowDep,
    actor: SignedInDep,
    table: Literal["tranches", "pool"] = "tranches",
) -> Response:
    """A run's tranche (or pool) statements for every scenario as CSV."""
    _, inputs = deals.get_run(uow=uow, actor=actor, deal_id=deal_id, run_id=run_id)
    return Response(
        exports.cashflow_csv(inputs, table=table),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="deal-{deal_id}-run-{run_id}-{table}.csv"'},
    )


@router.get("/deals/{deal_id}/runs/{run_id}/cashflows.xlsx")
def cashflows_xlsx(deal_id: int, run_id: int, uow: UowDep, actor: SignedInDep) -> Response:
    """A run's summary and statements as an XLSX workbook."""
    run, inputs = deals.get_run(uow=uow, actor=actor, deal_id=deal_id, run_id=run_id)
    return Response(
        exports.cashflow_xlsx(inputs, run),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="deal-{deal_id}-run-{run_id}.xlsx"'},
    )


def _summary_parts(
    uow: UowDep, actor: SignedInDep, deal_id: int, run_id: int | None
) -> tuple[DealDetail, DealRunRead | None, dict[str, Any] | None]:
    deal = deals.get_deal(uow=uow, actor=actor, deal_id=deal_id)
    run_id = run_id or (deal.run_ids[0] if deal.run_ids else None)
    if run_id is None:
        return deal, None, None
    run, inputs = deals.get_run(uow=uow, actor=actor, deal_id=deal_id, run_id=run_id)
    return deal, run, inputs


@router.get("/deals/{deal_id}/summary.html", response_class=HTMLResponse)
def summary_html(
    deal_id: int, uow: UowDep, actor: SignedInDep, locale: LocaleDep, run_id: int | None = None
) -> Response:
    """The deal summary (with the newest or the given run) as a standalone HTML document."""
    deal, run, inputs = _summary_parts(uow, actor, deal_id, run_id)
    return HTMLResponse(exports.render_summary_document(deal, run, inputs, locale=locale))


@router.get("/deals/{deal_id}/summary.pdf")
def summary_pdf(
    deal_id: int, uow: UowDep, actor: SignedInDep, locale: LocaleDep, run_id: int | None = None
) -> Response:
    """The deal summary as a PDF."""
    deal, run, inputs = _summary_parts(uow, actor, deal_id, run_id)
    return Response(
        exports.render_summary_pdf(deal, run, inputs, locale=locale),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="deal-{deal_id}.pdf"'},
    )
