"""Deals shared by the cash-flow engine tests (a 3-tranche IP royalty deal)."""

from __future__ import annotations

from datetime import date

from ipops.finance.cashflow import (
    Account,
    CoverageTrigger,
    Deal,
    DrawCreditSupport,
    FixedCoupon,
    FixedFee,
    FloatingCoupon,
    PayFee,
    PayInterest,
    PayPrincipal,
    PayResidual,
    PercentOfBalanceFee,
    PeriodSchedule,
    Pool,
    PrincipalDue,
    ReleaseReserveExcess,
    ReserveAccount,
    RoyaltyLicence,
    Seniority,
    TopUpReserve,
    Tranche,
    Transfer,
    guarantee,
    shortfall_undertaking,
)

SENIOR_STEPS = (
    PayFee(fees=("trustee",)),
    PayFee(fees=("servicer",)),
    PayInterest(tranches=("A",)),
    PayInterest(tranches=("B",)),
)


def royalty_deal(*, periods: int = 36, with_support: bool = False) -> Deal:
    """A 3-tranche IP royalty deal (sub-licence-back) with fees, a reserve and a coverage trigger."""
    monthly = 0.06 / 12
    level = 1250.0 * monthly / (1.0 - (1.0 + monthly) ** -periods)
    royalties = tuple(level * (0.97 + 0.002 * k) for k in range(periods))
    pre = [
        ReleaseReserveExcess(),
        *SENIOR_STEPS,
        TopUpReserve(),
        PayPrincipal(tranches=("A", "B"), due=PrincipalDue.POOL_PAYDOWN, advance_rate=0.95),
        PayInterest(tranches=("C",)),
        PayPrincipal(tranches=("A", "B", "C"), due=PrincipalDue.POOL_PAYDOWN, advance_rate=1.0),
        PayResidual(tranche="C"),
    ]
    post = [
        ReleaseReserveExcess(),
        *SENIOR_STEPS,
        PayPrincipal(tranches=("A", "B", "C")),
        PayResidual(tranche="C"),
    ]
    if with_support:
        support = DrawCreditSupport(
            providers=("originator", "guarantor"), tranches=("A",), fees=("trustee", "servicer")
        )
        pre.insert(1, support)
        post.insert(1, support)
    return Deal(
        name="IP royalty 3-tranche",
        pool=Pool(assets=(RoyaltyLicence(royalties=royalties, discount_rate=0.06),)),
        tranches=[
            Tranche(name="A", balance=900.0, coupon=FixedCoupon(0.035)),
            Tranche(
                name="B",
                balance=150.0,
                coupon=FloatingCoupon(index="LPR1Y", spread=0.01),
                seniority=Seniority.MEZZANINE,
            ),
            Tranche(name="C", balance=80.0, coupon=FixedCoupon(0.0), seniority=Seniority.SUBORDINATED),
        ],
        schedule=PeriodSchedule.monthly(start=date(2024, 6, 30), periods=periods),
        fees=[FixedFee(name="trustee", amount=2.0), PercentOfBalanceFee(name="servicer", annual_rate=0.003)],
        accounts=(Account("collection"),),
        reserve=ReserveAccount(target_pct_of_senior=0.02, floor=5.0, senior_tranches=("A",)),
        triggers=[CoverageTrigger(name="coverage", tranches=("A", "B"), threshold=1.0)],
        enhancements=[shortfall_undertaking(cap=20.0), guarantee(cap=1_000.0)] if with_support else [],
        waterfalls={
            "pre": pre,
            "post": post,
            "cleanup": [
                Transfer(source="reserve", target="collection"),
                PayPrincipal(tranches=("A", "B", "C")),
                PayResidual(tranche="C"),
            ],
        },
    )
