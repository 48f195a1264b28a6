"""The sample finance story of `ipops load-sample`: a valuation signed by two appraisers and sealed, a bank
policy, a pledge loan approved and its registration (质押登记) recorded, and a licence contract."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from ipops.alliance.service import principal_by_username
from ipops.assets.service import asset_id_named
from ipops.core.authz import Principal
from ipops.core.money import MoneyModel
from ipops.core.uow import UnitOfWork
from ipops.finance import pledge
from ipops.finance import securitisation as deals
from ipops.finance.schemas import (
    ApproveRequest,
    ContractCreate,
    LendingPolicyIn,
    LoanCreate,
    RegistrationRequest,
    StepRequest,
)
from ipops.valuation import service as valuation
from ipops.valuation.schemas import ValuationRequestCreate

PLEDGED_TITLE = "一种三维存储器的字线制备方法"  # the sample semiconductor firm's invention
LICENSED_TITLE = "一种芯片测试夹具"


def _principal(uow: UnitOfWork, username: str, alliance_id: int) -> Principal:
    with uow:
        return principal_by_username(uow.session, username=username, alliance_id=alliance_id)


def _asset_id(uow: UnitOfWork, *, title: str, org_id: int) -> int:
    with uow:
        return asset_id_named(uow.session, title=title, org_id=org_id)


def load_sample_finance(*, actor: Principal, uow: UnitOfWork, alliance_id: int) -> None:
    """Value an invention (signed), publish the bank's policy, approve a pledge loan and record a licence."""
    del actor  # every step is taken by the sample user whose role it is, so the audit trail reads naturally
    semi = _principal(uow, "semi", alliance_id)
    banker = _principal(uow, "banker", alliance_id)
    appraiser = _principal(uow, "appraiser", alliance_id)
    second_appraiser = _principal(uow, "appraiser2", alliance_id)
    if semi.org_id is None or banker.org_id is None or appraiser.org_id is None:
        raise RuntimeError("the sample users semi, banker and appraiser need their organisations")
    pledged_id = _asset_id(uow, title=PLEDGED_TITLE, org_id=semi.org_id)
    request = valuation.create_request(
        uow=uow,
        actor=semi,
        data=ValuationRequestCreate(
            asset_id=pledged_id,
            scenario="finance",
            method="relief_from_royalty",
            inputs={
                "revenue": {"dist": "lognormal", "p10": 18_000_000, "p90": 32_000_000},
                "discount_rate": {"dist": "triangular", "low": 0.11, "mode": 0.13, "high": 0.17},
                "growth": {"dist": "pert", "low": -0.02, "mode": 0.05, "high": 0.1},
            },
            settings={"paths": 20_000, "seed": 2026},
            indicator_scores={"stability": 75, "market_share": 55},
            technology_cycle_years=10,
            appraiser_org_id=appraiser.org_id,
        ),
    )
    report = valuation.run_request(uow=uow, actor=semi, request_id=request.id)
    for signer in (appraiser, second_appraiser):  # 资产评估法 art. 26: two appraisers, then the seal
        valuation.sign_report(uow=uow, actor=signer, report_id=report.id)
    pledge.set_lending_policy(uow=uow, actor=banker, bank_org_id=banker.org_id, data=LendingPolicyIn())
    # a quarter of the signed P10, rounded down to 10,000: well inside the policy's haircut and LTV
    amount = (report.p10.amount / 4).quantize(Decimal("1E4"), rounding=ROUND_DOWN)
    today = deals.today(uow=uow)
    loan = pledge.create_loan(
        uow=uow,
        actor=semi,
        data=LoanCreate(
            bank_org_id=banker.org_id,
            amount=MoneyModel(amount=amount, currency="CNY"),
            term_months=24,
            annual_rate=Decimal("0.0365"),
            asset_ids=[pledged_id],
            purpose="研发投入 · R&D",
        ),
    )
    pledge.submit_loan(uow=uow, actor=semi, loan_id=loan.id, step=StepRequest(occurred_on=today))
    pledge.approve_loan(uow=uow, actor=banker, loan_id=loan.id, step=ApproveRequest(occurred_on=today))
    pledge.register_pledge(
        uow=uow,
        actor=banker,
        loan_id=loan.id,
        step=RegistrationRequest(registration_number=f"示例质押登记 {today.year}-0001", registered_on=today),
    )
    deals.create_contract(
        uow=uow,
        actor=semi,
        data=ContractCreate.model_validate(
            {
                "kind": "licence",
                "reference": "LIC-2026-001",
                "obligor": "无锡示例电子有限公司",
                "obligor_region_code": "320200",
                "asset_id": _asset_id(uow, title=LICENSED_TITLE, org_id=semi.org_id),
                "first_due": today.replace(day=1).isoformat(),
                "royalties": ["120000", "120000", "150000", "150000"],
            }
        ),
    )
