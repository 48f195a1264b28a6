"""Pool assets: IP licence royalties, sale-leaseback rents, supply-chain receivables, loans, given flows.

Every asset reduces to a *scheduled* stream - the balance path and interest it would pay with no default
or prepayment - and one vectorised kernel (``project_schedule``) applies the scenarios to it with the
SIFMA order documented in ``assumptions``: default on the beginning performing balance, scheduled
principal and interest on the survivors, prepayment of the post-schedule balance at par, recoveries
after the lag, cash delayed by the payment delay.  Results are (scenarios x periods) arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

import numpy as np
import numpy_financial as npf

from ipops.finance.cashflow.assumptions import ScenarioArrays, single_period_rate
from ipops.finance.cashflow.money import FloatArray

_FIELDS = (
    "beginning_balance",
    "scheduled_principal",
    "prepayment",
    "default",
    "dilution",
    "recovery",
    "loss",
    "interest",
    "ending_balance",
)


@dataclass(frozen=True, slots=True)
class PoolFlows:
    """Pool statement arrays, each (scenarios x periods); cash columns are already delayed."""

    beginning_balance: FloatArray
    scheduled_principal: FloatArray
    prepayment: FloatArray
    default: FloatArray
    dilution: FloatArray
    recovery: FloatArray
    loss: FloatArray
    interest: FloatArray
    ending_balance: FloatArray
    original_balance: float

    def __add__(self, other: PoolFlows) -> PoolFlows:
        """Sum two pools period by period."""
        summed = {name: getattr(self, name) + getattr(other, name) for name in _FIELDS}
        return PoolFlows(**summed, original_balance=self.original_balance + other.original_balance)

    @property
    def principal_collections(self) -> FloatArray:
        """Scheduled principal + prepayments + recoveries."""
        result: FloatArray = self.scheduled_principal + self.prepayment + self.recovery
        return result

    @property
    def total_collections(self) -> FloatArray:
        """All cash from the pool in each period."""
        result: FloatArray = self.principal_collections + self.interest
        return result


class PoolAsset(Protocol):
    """An asset that projects its cash flows for a set of scenarios."""

    def project(self, *, periods: int, scenarios: ScenarioArrays, periods_per_year: int) -> PoolFlows:
        """Project the asset over ``periods`` periods for every scenario."""
        ...


def _delay(cash: FloatArray, periods: int) -> FloatArray:
    """Shift period rows (P, S) ``periods`` later."""
    if periods <= 0:
        return cash
    shifted = np.zeros_like(cash)
    shifted[periods:] = cash[:-periods]
    return shifted


def _single_period_rows(annual: FloatArray, periods: int, year_fraction: float) -> FloatArray:
    """Single-period rates as (P, S) rows, or one (S,) row for all periods when a path is flat in time."""
    window = annual[:, :periods]
    if window.shape[1] == 0 or window.strides[1] == 0 or bool((window == window[:, :1]).all()):
        # the same annual rate every period: convert it once (the power is the costly part)
        return single_period_rate(
            annual_rate=window[:, 0] if window.shape[1] else window, year_fraction=year_fraction
        )
    return single_period_rate(annual_rate=np.ascontiguousarray(window.T), year_fraction=year_fraction)


def project_schedule(
    *,
    scheduled_balance: FloatArray,
    scheduled_interest: FloatArray,
    periods: int,
    scenarios: ScenarioArrays,
    periods_per_year: int,
    dilution_rate: float = 0.0,
) -> PoolFlows:
    """Apply defaults, prepayments, recoveries and delay to a scheduled stream (vectorised over scenarios).

    ``scheduled_balance`` has P+1 points (opening balance first), ``scheduled_interest`` P values; a
    performing factor per scenario scales the schedule (exact for level, even and bullet amortisation).
    ``dilution_rate`` is the share of each scheduled principal amount that is diluted (never collected).
    Rows are computed period by period as contiguous (P, S) arrays; the flows are their (S, P) views.
    """
    balance = np.zeros(periods + 1)
    length = min(periods + 1, scheduled_balance.size)
    balance[:length] = scheduled_balance[:length]
    interest_schedule = np.zeros(periods)
    interest_schedule[: min(periods, scheduled_interest.size)] = scheduled_interest[:periods]
    scheduled_amortisation = balance[:-1] - balance[1:]
    mdr = _single_period_rows(scenarios.cdr, periods, 1.0 / periods_per_year)
    smm = _single_period_rows(scenarios.cpr, periods, 1.0 / periods_per_year)
    survive, stay = 1.0 - mdr, 1.0 - smm  # (S,) when flat in time, else (P, S)
    flat_mdr, flat_smm = survive.ndim == 1, stay.ndim == 1
    performing = np.ones(scenarios.count)
    # one block for every column (one large allocation maps far faster than several); the balance after
    # period p is the balance at the start of period p + 1, so both come from one (P + 1, S) path
    stored = [name for name in _FIELDS if name not in ("beginning_balance", "ending_balance")]
    block = np.zeros((len(stored) * periods + periods + 1, scenarios.count))
    out = {name: block[i * periods : (i + 1) * periods] for i, name in enumerate(stored)}
    path = block[len(stored) * periods :]
    default, principal, dilution = out["default"], out["scheduled_principal"], out["dilution"]
    interest, prepayment = out["interest"], out["prepayment"]
    recovered, loss, recovery_rate = out["recovery"], out["loss"], scenarios.recovery_rate
    survivors, remaining, amortisation = (np.empty(scenarios.count) for _ in range(3))
    path[0] = balance[0]
    for p in range(periods):
        # the same products, in the same order, as the column-wise formulation
        np.multiply(performing, survive if flat_mdr else survive[p], out=survivors)
        np.multiply(survivors, balance[p], out=remaining)
        np.subtract(path[p], remaining, out=default[p])
        if dilution_rate:
            np.multiply(survivors, scheduled_amortisation[p], out=amortisation)
            np.multiply(amortisation, dilution_rate, out=dilution[p])
            np.multiply(amortisation, 1.0 - dilution_rate, out=principal[p])
        else:
            np.multiply(survivors, scheduled_amortisation[p], out=principal[p])
        np.multiply(survivors, interest_schedule[p], out=interest[p])
        np.multiply(survivors, balance[p + 1], out=remaining)
        np.multiply(remaining, smm if flat_smm else smm[p], out=prepayment[p])
        performing = survivors * (stay if flat_smm else stay[p])
        np.multiply(performing, balance[p + 1], out=path[p + 1])
        # recoveries (before their lag) and losses while the period's defaults are still in cache
        np.multiply(default[p], recovery_rate, out=recovered[p])
        np.subtract(default[p], recovered[p], out=loss[p])
        if dilution_rate:
            loss[p] += dilution[p]
    out["beginning_balance"], out["ending_balance"] = path[:-1], path[1:]
    lag = scenarios.recovery_lag
    if lag > 0:
        out["recovery"] = _delay(recovered, lag)
    for cash in ("scheduled_principal", "prepayment", "recovery", "interest"):
        out[cash] = _delay(out[cash], scenarios.payment_delay)
    columns = {name: values.T for name, values in out.items()}
    return PoolFlows(**columns, original_balance=float(balance[0]))


class Amortisation(StrEnum):
    """How a loan or lease repays principal."""

    LEVEL = "level"  # annuity: equal total payments
    EVEN = "even"  # equal principal instalments
    BULLET = "bullet"  # all principal at maturity


def _loan_schedule(
    *, balance: float, periodic_rate: float, term: int, amortisation: Amortisation, balloon: float = 0.0
) -> tuple[FloatArray, FloatArray]:
    path = np.zeros(term + 1)
    path[0] = balance
    interest = np.zeros(term)
    if amortisation is Amortisation.LEVEL:
        payment = float(-npf.pmt(periodic_rate, term, balance, -balloon)) if term else 0.0
    for k in range(term):
        interest[k] = path[k] * periodic_rate
        remaining = term - k
        if amortisation is Amortisation.LEVEL:
            principal = payment - interest[k]
        elif amortisation is Amortisation.EVEN:
            principal = (path[k] - balloon) / remaining
        else:
            principal = 0.0
        if remaining == 1:
            principal = path[k]
        path[k + 1] = path[k] - principal
    return path, interest


@dataclass(frozen=True, slots=True)
class AmortisingLoan:
    """A (pool of) loan(s): current balance, annual rate, remaining term in periods, amortisation."""

    balance: float
    annual_rate: float
    remaining_term: int
    amortisation: Amortisation = Amortisation.LEVEL

    def project(self, *, periods: int, scenarios: ScenarioArrays, periods_per_year: int) -> PoolFlows:
        """Project the loan's flows for every scenario."""
        path, interest = _loan_schedule(
            balance=self.balance,
            periodic_rate=self.annual_rate / periods_per_year,
            term=self.remaining_term,
            amortisation=self.amortisation,
        )
        return project_schedule(
            scheduled_balance=path,
            scheduled_interest=interest,
            periods=periods,
            scenarios=scenarios,
            periods_per_year=periods_per_year,
        )


@dataclass(frozen=True, slots=True)
class FinanceLeaseRents:
    """Rents from an IP sale-leaseback: the lessee pays annuity rents and a residual (留购价) at term."""

    financed_amount: float
    annual_rate: float
    lease_term: int
    residual_value: float = 0.0
    lessee: str = "lessee"

    def project(self, *, periods: int, scenarios: ScenarioArrays, periods_per_year: int) -> PoolFlows:
        """Annuity rents amortise the financed amount to the residual, paid with the last rent."""
        path, interest = _loan_schedule(
            balance=self.financed_amount,
            periodic_rate=self.annual_rate / periods_per_year,
            term=self.lease_term,
            amortisation=Amortisation.LEVEL,
            balloon=self.residual_value,
        )
        return project_schedule(
            scheduled_balance=path,
            scheduled_interest=interest,
            periods=periods,
            scenarios=scenarios,
            periods_per_year=periods_per_year,
        )

    def rent(self, *, periods_per_year: int = 12) -> float:
        """The level rent per period."""
        rate = self.annual_rate / periods_per_year
        return float(-npf.pmt(rate, self.lease_term, self.financed_amount, -self.residual_value))


class LicenceStructure(StrEnum):
    """Who owes the royalties in a licence deal."""

    DIRECT = "direct"  # third-party licensees pay the SPV's licensor
    SUB_LICENCE_BACK = "sub_licence_back"  # originator licenses to an SPV-side licensor and sub-licenses back


@dataclass(frozen=True, slots=True)
class RoyaltyLicence:
    """Royalty receivables under an IP licence; balance = royalties' present value at ``discount_rate``.

    In the sub-licence-back structure the originator licenses its IP to the SPV-side licensor, which
    sub-licenses it back; the royalty schedule is owed by the sub-licensee (usually the originator), so
    a sub-licensee default stops all remaining royalties (a default of the remaining balance).
    """

    royalties: tuple[float, ...]
    discount_rate: float
    structure: LicenceStructure = LicenceStructure.SUB_LICENCE_BACK
    licensor: str = "originator"
    spv_licensor: str = "spv licensor"
    sub_licensee: str = "originator"

    def scheduled(self, *, periods_per_year: int) -> tuple[FloatArray, FloatArray]:
        """Balance path (present value of remaining royalties) and its interest part per period."""
        rate = self.discount_rate / periods_per_year
        payments = np.asarray(self.royalties, dtype=np.float64)
        path = np.zeros(payments.size + 1)
        for k in range(payments.size - 1, -1, -1):
            path[k] = (path[k + 1] + payments[k]) / (1.0 + rate)
        return path, path[:-1] * rate

    def project(self, *, periods: int, scenarios: ScenarioArrays, periods_per_year: int) -> PoolFlows:
        """Project royalties for every scenario (each royalty = interest + principal of the PV balance)."""
        path, interest = self.scheduled(periods_per_year=periods_per_year)
        return project_schedule(
            scheduled_balance=path,
            scheduled_interest=interest,
            periods=periods,
            scenarios=scenarios,
            periods_per_year=periods_per_year,
        )


@dataclass(frozen=True, slots=True)
class Receivable:
    """One supply-chain receivable: face amount owed by the core enterprise, due in period ``due_period``."""

    face: float
    due_period: int


@dataclass(frozen=True, slots=True)
class SupplyChainReceivables:
    """Bullet receivables owed by a core enterprise (核心企业), purchased at face, with dilution."""

    receivables: tuple[Receivable, ...]
    core_enterprise: str = "core enterprise"
    dilution_rate: float = 0.0

    def project(self, *, periods: int, scenarios: ScenarioArrays, periods_per_year: int) -> PoolFlows:
        """Each receivable pays its face (less dilution) at its due period; defaults hit outstanding face."""
        horizon = max(max((r.due_period for r in self.receivables), default=0), periods) + 1
        due = np.zeros(horizon)
        for receivable in self.receivables:
            due[receivable.due_period] += receivable.face
        path = np.concatenate([[due.sum()], due.sum() - np.cumsum(due[1:])])
        return project_schedule(
            scheduled_balance=path,
            scheduled_interest=np.zeros(horizon),
            periods=periods,
            scenarios=scenarios,
            periods_per_year=periods_per_year,
            dilution_rate=self.dilution_rate,
        )


@dataclass(frozen=True, slots=True)
class ProjectedCashflow:
    """A given projected cash-flow table (no assumptions applied); columns per period."""

    principal: tuple[float, ...]
    interest: tuple[float, ...]
    opening_balance: float
    prepayment: tuple[float, ...] = ()
    default: tuple[float, ...] = ()
    recovery: tuple[float, ...] = ()
    loss: tuple[float, ...] = ()
    balance: tuple[float, ...] = ()

    def project(self, *, periods: int, scenarios: ScenarioArrays, periods_per_year: int) -> PoolFlows:
        """Broadcast the table to every scenario."""

        def column(values: tuple[float, ...]) -> FloatArray:
            row = np.zeros(periods)
            row[: min(periods, len(values))] = values[:periods]
            return np.broadcast_to(row, (scenarios.count, periods)).copy()

        principal, prepayment, default = column(self.principal), column(self.prepayment), column(self.default)
        run_off = principal + prepayment + default
        ending = self.opening_balance - np.cumsum(run_off, axis=1)
        if self.balance:
            ending = column(self.balance)
        beginning = np.concatenate(
            [np.full((scenarios.count, 1), self.opening_balance), ending[:, :-1]], axis=1
        )
        return PoolFlows(
            beginning_balance=beginning,
            scheduled_principal=principal,
            prepayment=prepayment,
            default=default,
            dilution=np.zeros_like(principal),
            recovery=column(self.recovery),
            loss=column(self.loss),
            interest=column(self.interest),
            ending_balance=ending,
            original_balance=self.opening_balance,
        )


@dataclass(frozen=True, slots=True)
class Pool:
    """The collateral: the sum of its assets' flows."""

    assets: tuple[PoolAsset, ...] = field(default_factory=tuple)

    def project(self, *, periods: int, scenarios: ScenarioArrays, periods_per_year: int) -> PoolFlows:
        """Project and sum every asset."""
        if not self.assets:
            raise ValueError("a pool needs at least one asset")
        flows = [
            a.project(periods=periods, scenarios=scenarios, periods_per_year=periods_per_year)
            for a in self.assets
        ]
        total = flows[0]
        for more in flows[1:]:
            total = total + more
        return total
