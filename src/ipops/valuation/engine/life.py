"""Remaining economic life: the shortest of legal term left, technology cycle left and any contract limit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ipops.valuation.engine.distributions import EngineError

# Statutory terms from the filing date under the PRC Patent Law (design 15 years for filings from 2021-06-01,
# 10 years before); a trademark registration runs 10 years from registration and may be renewed indefinitely.
LEGAL_TERM_YEARS: dict[str, int] = {"invention": 20, "utility_model": 10, "design": 15}
DESIGN_TERM_CHANGE = dt.date(2021, 6, 1)
TRADEMARK_TERM_YEARS = 10
DEAD_STATUSES = frozenset({"lapsed", "expired", "invalidated", "withdrawn", "rejected"})
_DAYS_PER_YEAR = 365.2425


@dataclass(frozen=True, slots=True)
class EconomicLife:
    """Legal and technical years left, the economic life (their minimum) and which one binds."""

    legal_years: float | None
    technical_years: float | None
    economic_years: float
    binding: str


def _years_between(start: dt.date, end: dt.date) -> float:
    return (end - start).days / _DAYS_PER_YEAR


def legal_term_years(*, ip_type: str, filing_date: dt.date) -> int | None:
    """Statutory term from filing (None when not term-limited from filing, e.g. a trademark)."""
    if ip_type == "design" and filing_date < DESIGN_TERM_CHANGE:
        return 10
    return LEGAL_TERM_YEARS.get(ip_type)


def remaining_economic_life(
    *,
    ip_type: str,
    valuation_date: dt.date,
    filing_date: dt.date | None = None,
    expiry_date: dt.date | None = None,
    status: str = "granted",
    technology_cycle_years: float | None = None,
    renewal_expected: bool = True,
    contract_years: float | None = None,
) -> EconomicLife:
    """Economic life in years: min(legal term left, technology cycle left, contract term); lapsed -> 0.

    Patents: statutory term from filing (CN invention 20y, utility model 10y, design 15y; 10y for designs
    filed before 2021-06-01) unless an explicit expiry date is known. Trademarks: renewable, so the legal
    life is unlimited when renewal is expected, otherwise the registration's expiry. A lapsed, expired,
    invalidated, withdrawn or rejected right has life 0. At least one limit is required.
    """
    if status in DEAD_STATUSES:
        return EconomicLife(0.0, technology_cycle_years, 0.0, "status")
    legal: float | None = None
    if expiry_date is not None and not (ip_type == "trademark" and renewal_expected):
        legal = max(0.0, _years_between(valuation_date, expiry_date))
    elif ip_type in LEGAL_TERM_YEARS:
        if filing_date is None:
            raise EngineError(f"a {ip_type} needs a filing date or an expiry date")
        term = legal_term_years(ip_type=ip_type, filing_date=filing_date)
        assert term is not None  # noqa: S101 - LEGAL_TERM_YEARS has it
        legal = max(0.0, term - _years_between(filing_date, valuation_date))
    candidates: list[tuple[float, str]] = []
    if legal is not None:
        candidates.append((legal, "legal"))
    if technology_cycle_years is not None:
        if technology_cycle_years < 0:
            raise EngineError("technology_cycle_years must be >= 0")
        candidates.append((float(technology_cycle_years), "technology"))
    if contract_years is not None:
        candidates.append((max(0.0, float(contract_years)), "contract"))
    if not candidates:
        raise EngineError("no limit on economic life: give a technology cycle or a contract term")
    years, binding = min(candidates, key=lambda c: c[0])
    return EconomicLife(legal, technology_cycle_years, round(years, 4), binding)
