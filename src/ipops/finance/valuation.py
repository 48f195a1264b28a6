"""Where collateral values come from, and the loan-to-value arithmetic on the P10 under a bank's policy.

The LTV code reads values through the ``ValuationSource`` protocol only. Two sources exist: outside
appraisal reports entered by appraisers (``ExternalAppraisals``) and the platform's signed valuation
reports (``SignedValuations``, an adapter over ``ipops.valuation.service.latest_signed_range``).
``VALUATION_SOURCES`` below is the one line that decides which are used, first match wins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipops.core.errors import DomainError, ErrorCode
from ipops.core.money import Money
from ipops.finance.models import Appraisal


@dataclass(frozen=True, slots=True)
class ValuationRange:
    """A value range for one asset: P10 (prudent), P50 (central), P90 (optimistic)."""

    p10: Money
    p50: Money
    p90: Money
    source: str  # "appraisal" or "valuation"
    reference: str  # appraisal report number or valuation report id
    valued_on: dt.date


class ValuationSource(Protocol):
    """Anything that can tell the latest value range of an asset (or None if it has none)."""

    def latest_range(self, session: Session, *, asset_id: int) -> ValuationRange | None:
        """The newest range for the asset."""
        ...


class ExternalAppraisals:
    """Outside appraisal reports recorded in finance by appraisers (newest appraisal date wins)."""

    def latest_range(self, session: Session, *, asset_id: int) -> ValuationRange | None:
        """The newest appraisal of the asset."""
        row = session.scalars(
            select(Appraisal)
            .where(Appraisal.asset_id == asset_id)
            .order_by(Appraisal.appraised_on.desc(), Appraisal.id.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        return ValuationRange(
            p10=Money(row.p10, row.currency),
            p50=Money(row.p50, row.currency),
            p90=Money(row.p90, row.currency),
            source="appraisal",
            reference=row.report_number,
            valued_on=row.appraised_on,
        )


class SignedValuations:
    """The valuation module's signed reports, through ``latest_signed_range(session, *, asset_id)``."""

    def latest_range(self, session: Session, *, asset_id: int) -> ValuationRange | None:
        """The newest signed valuation of the asset, or None when it has none."""
        from ipops.valuation.service import latest_signed_range

        found = latest_signed_range(session, asset_id=asset_id)
        if found is None:
            return None
        signed_at = found.signed_at
        return ValuationRange(
            p10=found.p10,
            p50=found.p50,
            p90=found.p90,
            source="valuation",
            reference=str(found.report_id),
            valued_on=signed_at.date() if isinstance(signed_at, dt.datetime) else signed_at,
        )


# Signed reports of the valuation module win; an outside appraisal entered in finance is the fallback.
VALUATION_SOURCES: tuple[ValuationSource, ...] = (SignedValuations(), ExternalAppraisals())


@dataclass(frozen=True, slots=True)
class FirstAvailable:
    """Ask each source in turn and take the first range found."""

    sources: Sequence[ValuationSource] = field(default_factory=lambda: VALUATION_SOURCES)

    def latest_range(self, session: Session, *, asset_id: int) -> ValuationRange | None:
        """The first source's range for the asset."""
        for source in self.sources:
            found = source.latest_range(session, asset_id=asset_id)
            if found is not None:
                return found
        return None


def default_valuations() -> ValuationSource:
    """The configured chain of valuation sources."""
    return FirstAvailable(VALUATION_SOURCES)


# ------------------------------------------------------------------------------------------------------------
# LTV arithmetic (pure)


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
