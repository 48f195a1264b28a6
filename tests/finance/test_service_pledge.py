"""Pledge financing: LTV on the haircut P10 under bank policy, the loan state machine, registry pledges,
monitoring alerts and the risk-compensation loss split."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.finance.support import (
    FAR,
    TODAY,
    appraise,
    approved_loan,
    draft_loan,
    make_asset,
    money,
    publish_policy,
    register,
    step,
)
from tests.world import World

from ipops.assets.models import Asset, AssetEvent, EventKind, IpType, LegalStatus
from ipops.assets.schemas import EventCreate
from ipops.assets.service import record_event
from ipops.core.audit import audit_trail
from ipops.core.errors import DomainError, ErrorCode
from ipops.core.money import Money
from ipops.core.uow import UnitOfWork
from ipops.finance import pledge
from ipops.finance.models import LoanStatus
from ipops.finance.pledge.ltv import CollateralFacts, PolicyTerms, assess_collateral
from ipops.finance.pledge.valuation_sources import ValuationRange
from ipops.finance.schemas import ApproveRequest, DefaultRequest, DisposalRequest


def _terms(**overrides: object) -> PolicyTerms:
    values: dict[str, object] = {
        "max_ltv_p10": Decimal("0.5"),
        "default_haircut": Decimal("0.5"),
        "haircuts": {"invention": Decimal("0.3"), "trademark": Decimal("0.35")},
        "min_remaining_life_months": 36,
        "eligible_statuses": frozenset({"granted"}),
    }
    values.update(overrides)
    return PolicyTerms(**values)  # type: ignore[arg-type]


def _fact(
    asset_id: int, *, ip_type: str = "invention", p10: str = "1000000", p50: str = "9000000", **kw: object
) -> CollateralFacts:
    values: dict[str, object] = {
        "asset_id": asset_id,
        "title": f"asset {asset_id}",
        "ip_type": ip_type,
        "legal_status": "granted",
        "expiry_date": FAR,
        "pledged": False,
        "valuation": ValuationRange(
            p10=Money.of(p10),
            p50=Money.of(p50),
            p90=Money.of(p50),
            source="appraisal",
            reference="R",
            valued_on=TODAY,
        ),
    }
    values.update(kw)
    return CollateralFacts(**values)  # type: ignore[arg-type]


def test_ltv_takes_the_haircut_on_p10_not_p50() -> None:
    facts = [_fact(1), _fact(2, ip_type="trademark", p10="200000"), _fact(3, ip_type="design", p10="100000")]
    result = assess_collateral(
        facts=facts, policy=_terms(), requested=Money.of("420000"), term_months=24, today=TODAY
    )
    # 1,000,000 x 0.70 + 200,000 x 0.65 + 100,000 x 0.50 (default haircut); P50 never enters.
    assert [line.lendable for line in result.lines] == [
        Money.of("700000"),
        Money.of("130000"),
        Money.of("50000"),
    ]
    assert result.collateral_value == Money.of("880000")
    assert result.max_amount == Money.of("440000")
    assert result.ltv == Decimal("0.477273")
    assert result.approvable
    too_much = assess_collateral(
        facts=facts, policy=_terms(), requested=Money.of("440000.01"), term_months=24, today=TODAY
    )
    assert not too_much.approvable
    assert "exceeds the maximum" in too_much.problems[0]
    richer_p50 = assess_collateral(
        facts=[_fact(1, p50="99000000")], policy=_terms(), requested=Money.of("1"), term_months=1, today=TODAY
    )
    assert richer_p50.collateral_value == Money.of("700000")


def test_policy_refusals_carry_reasons() -> None:
    facts = [
        _fact(1, legal_status="lapsed"),
        _fact(2, expiry_date=dt.date(2027, 6, 30)),
        _fact(3, valuation=None),
        _fact(4, pledged=True),
        _fact(
            5,
            valuation=ValuationRange(
                Money.of("1", "USD"), Money.of("2", "USD"), Money.of("3", "USD"), "appraisal", "R", TODAY
            ),
        ),
    ]
    result = assess_collateral(
        facts=facts, policy=_terms(), requested=Money.of("1"), term_months=24, today=TODAY
    )
    assert result.collateral_value == Money.zero()
    problems = [line.problems for line in result.lines]
    assert "not eligible" in problems[0][0]
    assert "remaining life 17 months is under the 36 months required" in problems[1][0]
    assert "no appraisal" in problems[2][0]
    assert problems[3] == ("already pledged",)
    assert "valued in USD" in problems[4][0]
    longer_loan = assess_collateral(
        facts=[_fact(1, expiry_date=dt.date(2030, 1, 15))],
        policy=_terms(),
        requested=Money.of("1"),
        term_months=60,
        today=TODAY,
    )
    assert "under the 60 months required" in longer_loan.problems[0]


def test_state_machine_registers_and_releases_the_pledge(
    uow: UnitOfWork, world: World, db_session: Session
) -> None:
    asset_id = make_asset(uow, world)
    loan_id = draft_loan(uow, world, [asset_id])
    appraise(uow, world, asset_id)
    borrower, bank = world.users["ent_admin"], world.users["banker"]
    with pytest.raises(DomainError) as no_policy:
        pledge.submit_loan(uow=uow, actor=borrower, loan_id=loan_id, step=step())
    assert no_policy.value.code == ErrorCode.INVALID_STATE
    publish_policy(uow, world)
    assert (
        pledge.submit_loan(uow=uow, actor=borrower, loan_id=loan_id, step=step()).status
        == LoanStatus.SUBMITTED
    )
    for invalid in (pledge.disburse_loan, pledge.repay_loan):
        with pytest.raises(DomainError) as refused:
            invalid(uow=uow, actor=bank, loan_id=loan_id, step=step())
        assert refused.value.code == ErrorCode.INVALID_STATE
    approved = pledge.approve_loan(
        uow=uow, actor=bank, loan_id=loan_id, step=ApproveRequest(occurred_on=TODAY)
    )
    assert approved.status == LoanStatus.APPROVED
    assert approved.collateral_value == money("700000")
    assert approved.max_amount == money("350000")
    assert approved.ltv == Decimal("0.5")
    assert approved.assets[0].status_at_pledge == "granted"
    assert approved.assets[0].valuation_source == "appraisal"
    asset = db_session.get(Asset, asset_id)
    assert asset is not None and asset.pledged
    with pytest.raises(DomainError) as twice:
        pledge.approve_loan(uow=uow, actor=bank, loan_id=loan_id, step=ApproveRequest(occurred_on=TODAY))
    assert twice.value.code == ErrorCode.INVALID_STATE
    with pytest.raises(DomainError) as unregistered:  # no pay-out before the pledge registration
        pledge.disburse_loan(uow=uow, actor=bank, loan_id=loan_id, step=step())
    assert unregistered.value.code == ErrorCode.INVALID_STATE
    register(uow, world, loan_id)
    pledge.disburse_loan(uow=uow, actor=bank, loan_id=loan_id, step=step())
    repaid = pledge.repay_loan(uow=uow, actor=bank, loan_id=loan_id, step=step(dt.date(2028, 1, 15)))
    assert repaid.status == LoanStatus.REPAID
    assert [e.to_status for e in repaid.events] == ["draft", "submitted", "approved", "disbursed", "repaid"]
    db_session.expire_all()
    assert db_session.get(Asset, asset_id).pledged is False  # type: ignore[union-attr]
    kinds = db_session.scalars(
        select(AssetEvent.kind).where(AssetEvent.asset_id == asset_id).order_by(AssetEvent.id)
    )
    assert list(kinds)[-2:] == ["pledged", "pledge_released"]
    with pytest.raises(DomainError) as closed:
        pledge.default_loan(
            uow=uow,
            actor=bank,
            loan_id=loan_id,
            step=DefaultRequest(occurred_on=TODAY, outstanding=money("1")),
        )
    assert closed.value.code == ErrorCode.INVALID_STATE
    actions = [a.action for a in audit_trail(db_session, entity_type="loan", entity_id=loan_id)]
    assert actions == [
        "finance.loan.created",
        "finance.loan.submitted",
        "finance.loan.approved",
        "finance.loan.pledge_registered",
        "finance.loan.disbursed",
        "finance.loan.repaid",
    ]


def test_approval_refuses_what_the_policy_refuses(uow: UnitOfWork, world: World) -> None:
    publish_policy(uow, world, eligible_statuses=[LegalStatus.GRANTED], min_remaining_life_months=48)
    short = make_asset(uow, world, expiry=dt.date(2029, 1, 1))
    unvalued = make_asset(uow, world, ip_type=IpType.TRADEMARK)
    loan_id = draft_loan(uow, world, [short, unvalued], amount="100")
    appraise(uow, world, short)
    pledge.submit_loan(uow=uow, actor=world.users["ent_admin"], loan_id=loan_id, step=step())
    assessment = pledge.assess_loan(uow=uow, actor=world.users["banker"], loan_id=loan_id)
    assert not assessment.approvable
    assert [p.split(":")[0] for p in assessment.problems] == [
        f"asset {short}",
        f"asset {unvalued}",
        "requested 100.00 CNY exceeds the maximum 0.00 CNY (50.0% of haircut P10 value 0.00 CNY)",
    ]
    with pytest.raises(DomainError) as refused:
        pledge.approve_loan(
            uow=uow, actor=world.users["banker"], loan_id=loan_id, step=ApproveRequest(occurred_on=TODAY)
        )
    assert refused.value.code == ErrorCode.VALIDATION_ERROR
    assert len(refused.value.extra["problems"]) == 3
    assert (
        pledge.get_loan(uow=uow, actor=world.users["banker"], loan_id=loan_id).status == LoanStatus.SUBMITTED
    )


def test_a_signed_valuation_source_plugs_in(uow: UnitOfWork, world: World) -> None:
    class Signed:
        def latest_range(self, session: Session, *, asset_id: int) -> ValuationRange | None:
            return ValuationRange(
                Money.of("2000000"), Money.of("3000000"), Money.of("4000000"), "valuation", "VR-9", TODAY
            )

    publish_policy(uow, world)
    asset_id = make_asset(uow, world)  # no appraisal at all
    loan_id = draft_loan(uow, world, [asset_id], amount="700000")
    pledge.submit_loan(uow=uow, actor=world.users["ent_admin"], loan_id=loan_id, step=step())
    approved = pledge.approve_loan(
        uow=uow,
        actor=world.users["banker"],
        loan_id=loan_id,
        step=ApproveRequest(occurred_on=TODAY),
        valuations=Signed(),
    )
    assert approved.assets[0].valuation_source == "valuation"
    assert approved.assets[0].valuation_reference == "VR-9"
    assert approved.max_amount == money("700000")


def test_an_asset_pledged_once_cannot_back_a_second_loan(uow: UnitOfWork, world: World) -> None:
    asset_id = make_asset(uow, world)
    publish_policy(uow, world)
    first, second = draft_loan(uow, world, [asset_id]), draft_loan(uow, world, [asset_id], amount="1000")
    appraise(uow, world, asset_id)
    pledge.submit_loan(uow=uow, actor=world.users["ent_admin"], loan_id=first, step=step())
    with pytest.raises(DomainError) as refused:  # the first submission reserved the collateral
        pledge.submit_loan(uow=uow, actor=world.users["ent_admin"], loan_id=second, step=step())
    assert refused.value.code == ErrorCode.ASSET_ENCUMBERED
    pledge.approve_loan(
        uow=uow, actor=world.users["banker"], loan_id=first, step=ApproveRequest(occurred_on=TODAY)
    )
    with pytest.raises(DomainError) as drafting:
        draft_loan(uow, world, [asset_id])
    assert drafting.value.code == ErrorCode.ASSET_ENCUMBERED


def test_default_and_disposal_share_the_loss_to_the_fen(
    uow: UnitOfWork, world: World, db_session: Session
) -> None:
    loan_id, asset_id = approved_loan(uow, world)
    bank = world.users["banker"]
    pledge.disburse_loan(uow=uow, actor=bank, loan_id=loan_id, step=step())
    with pytest.raises(DomainError) as early:
        pledge.record_disposal(
            uow=uow, actor=bank, loan_id=loan_id, step=DisposalRequest(occurred_on=TODAY, proceeds=money("1"))
        )
    assert early.value.code == ErrorCode.INVALID_STATE
    pledge.default_loan(
        uow=uow,
        actor=bank,
        loan_id=loan_id,
        step=DefaultRequest(occurred_on=TODAY, outstanding=money("300000.01")),
    )
    disposed = pledge.record_disposal(
        uow=uow,
        actor=bank,
        loan_id=loan_id,
        step=DisposalRequest(occurred_on=TODAY, proceeds=money("100000")),
    )
    assert disposed.status == LoanStatus.DISPOSED
    shares = disposed.loss_shares
    assert shares is not None
    assert shares.loss == money("200000.01")
    assert (shares.bank, shares.government, shares.guarantor) == (
        money("100000.01"),
        money("80000.00"),
        money("20000.00"),
    )
    db_session.expire_all()
    assert db_session.get(Asset, asset_id).pledged is False  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("loss", "shares"),
    [
        ("0.01", ("0.5", "0.4", "0.1")),
        ("100.00", ("0.333334", "0.333333", "0.333333")),
        ("99999.99", ("0.7", "0.2", "0.1")),
    ],
)
def test_loss_allocation_never_loses_a_fen(loss: str, shares: tuple[str, str, str]) -> None:
    total, parts = pledge.allocate_loss(
        outstanding=Money.of(loss),
        proceeds=Money.zero(),
        shares=tuple(Decimal(s) for s in shares),  # type: ignore[arg-type]
    )
    assert sum((p.amount for p in parts), Decimal(0)) == total.amount == Decimal(loss)


def test_shares_must_add_up_to_one_hundred_percent(uow: UnitOfWork, world: World) -> None:
    asset_id = make_asset(uow, world)
    with pytest.raises(DomainError) as refused:
        draft_loan(
            uow,
            world,
            [asset_id],
            bank_share=Decimal("0.5"),
            government_share=Decimal("0.4"),
            guarantor_share=Decimal("0.2"),
        )
    assert refused.value.code == ErrorCode.VALIDATION_ERROR
    loan_id = draft_loan(
        uow,
        world,
        [asset_id],
        bank_share=Decimal("0.6"),
        government_share=Decimal("0.3"),
        guarantor_share=Decimal("0.1"),
    )
    assert pledge.get_loan(uow=uow, actor=world.users["ent_admin"], loan_id=loan_id).bank_share == Decimal(
        "0.6"
    )


def test_monitor_raises_one_alert_per_status_change(uow: UnitOfWork, world: World) -> None:
    loan_id, asset_id = approved_loan(uow, world)
    assert pledge.scan_pledge_alerts(uow=uow).new_alerts == []
    record_event(
        uow=uow,
        actor=world.users["suzhou_admin"],
        asset_id=asset_id,
        data=EventCreate(kind=EventKind.LAPSED, occurred_on=TODAY, note="未缴年费"),
    )
    first = pledge.scan_pledge_alerts(uow=uow)
    assert [(a.previous_status, a.current_status) for a in first.new_alerts] == [("granted", "lapsed")]
    assert pledge.scan_pledge_alerts(uow=uow).new_alerts == []
    record_event(
        uow=uow,
        actor=world.users["suzhou_admin"],
        asset_id=asset_id,
        data=EventCreate(kind=EventKind.RESTORED, occurred_on=TODAY),
    )
    restored = pledge.scan_pledge_alerts(uow=uow)
    assert [(a.previous_status, a.current_status) for a in restored.new_alerts] == [("lapsed", "granted")]
    detail = pledge.get_loan(uow=uow, actor=world.users["banker"], loan_id=loan_id)
    assert len(detail.alerts) == 2
    assert len(pledge.list_alerts(uow=uow, actor=world.users["ent_admin"])) == 2
    assert pledge.list_alerts(uow=uow, actor=world.users["hz_admin"]) == []
