"""Loan-to-value on the P10 under a bank's policy: haircuts, remaining life, eligibility (pure arithmetic)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from ipops.core.errors import DomainError, ErrorCode
from ipops.core.money import Money
from ipops.finance.pledge.valuation_sources import ValuationRange


@dataclass(frozen=True, slots=True)
class PolicyTerms:
    """The numbers of a bank's lending policy that the arithmetic needs."""

    max_ltv_p10: Decimal
    default_haircut: Decimal
    haircuts: dict[str, Decimal]
    min_remaining_life_months: int
    eligible_statuses: frozenset[str]

    def haircut_for(self, ip_type: str) -> Decimal:
        """The haircut on P10 for an IP type (the default when the policy names none)."""
        return self.haircuts.get(ip_type, self.default_haircut)


@dataclass(frozen=True, slots=True)
class CollateralFacts:
    """What the policy looks at for one asset."""

    asset_id: int
    title: str
    ip_type: str
    legal_status: str
    expiry_date: dt.date | None
    pledged: bool
    valuation: ValuationRange | None


@dataclass(frozen=True, slots=True)
class CollateralLine:
    """One asset's contribution: P10 less the haircut, and any reasons it does not qualify."""

    asset_id: int
    title: str
    ip_type: str
    legal_status: str
    p10: Money | None
    p50: Money | None
    haircut: Decimal
    lendable: Money
    valuation_source: str | None
    valuation_reference: str | None
    problems: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Assessment:
    """The loan-to-value assessment of an application under a policy."""

    lines: tuple[CollateralLine, ...]
    collateral_value: Money  # sum of haircut P10 values
    max_amount: Money  # max LTV x collateral value
    requested: Money
    ltv: Decimal | None  # requested / collateral value
    problems: tuple[str, ...]

    @property
    def approvable(self) -> bool:
        """Whether every asset qualifies and the amount fits under the maximum."""
        return not self.problems


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from start to end (negative when end is earlier)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return months


def assess_collateral(
    *,
    facts: Sequence[CollateralFacts],
    policy: PolicyTerms,
    requested: Money,
    term_months: int,
    today: dt.date,
) -> Assessment:
    """LTV on the haircut P10; each asset must qualify, be valued in the loan currency, outlive the loan."""
    currency = requested.currency
    lines: list[CollateralLine] = []
    problems: list[str] = []
    total = Money.zero(currency)
    needed_life = max(policy.min_remaining_life_months, term_months)
    for fact in facts:
        reasons: list[str] = []
        haircut = policy.haircut_for(fact.ip_type)
        if fact.legal_status not in policy.eligible_statuses:
            reasons.append(f"legal status {fact.legal_status} is not eligible under the bank's policy")
        if fact.pledged:
            reasons.append("already pledged")
        if fact.expiry_date is None:
            reasons.append("no expiry date recorded, so the remaining life is unknown")
        elif (life := months_between(today, fact.expiry_date)) < needed_life:
            reasons.append(f"remaining life {life} months is under the {needed_life} months required")
        valuation = fact.valuation
        lendable = Money.zero(currency)
        if valuation is None:
            reasons.append("no appraisal or signed valuation")
        elif valuation.p10.currency != currency:
            reasons.append(f"valued in {valuation.p10.currency}, the loan is in {currency}")
        else:
            lendable = valuation.p10 * (Decimal(1) - haircut)
        if not reasons:
            total = total + lendable
        lines.append(
            CollateralLine(
                asset_id=fact.asset_id,
                title=fact.title,
                ip_type=fact.ip_type,
                legal_status=fact.legal_status,
                p10=valuation.p10 if valuation else None,
                p50=valuation.p50 if valuation else None,
                haircut=haircut,
                lendable=lendable if not reasons else Money.zero(currency),
                valuation_source=valuation.source if valuation else None,
                valuation_reference=valuation.reference if valuation else None,
                problems=tuple(reasons),
            )
        )
        problems.extend(f"asset {fact.asset_id}: {reason}" for reason in reasons)
    max_amount = total * policy.max_ltv_p10
    ltv = (requested.amount / total.amount).quantize(Decimal("0.000001")) if total.amount > 0 else None
    if not facts:
        problems.append("no collateral named")
    elif requested.amount > max_amount.amount:
        problems.append(
            f"requested {requested} exceeds the maximum {max_amount} "
            f"({policy.max_ltv_p10 * 100:.1f}% of haircut P10 value {total})"
        )
    return Assessment(
        lines=tuple(lines),
        collateral_value=total,
        max_amount=max_amount,
        requested=requested,
        ltv=ltv,
        problems=tuple(problems),
    )


def check_shares(*shares: Decimal) -> None:
    """Risk-compensation shares must each lie in [0, 1] and add up to exactly 100 %."""
    if any(s < 0 or s > 1 for s in shares) or sum(shares, Decimal(0)) != Decimal(1):
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            "risk-compensation shares (bank, government, guarantor) must add up to 100%",
        )
