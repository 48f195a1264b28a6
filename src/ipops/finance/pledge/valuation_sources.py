"""Where collateral values come from: outside appraisals and the platform's signed valuation reports.

The LTV code reads values through the ``ValuationSource`` protocol only. Two sources exist: outside
appraisal reports entered by appraisers (``ExternalAppraisals``) and the platform's signed valuation
reports (``SignedValuations``, an adapter over ``ipops.valuation.service.latest_signed_range``).
``VALUATION_SOURCES`` below is the one line that decides which are used, first match wins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

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
