"""Deal structure as data: tranches and coupons, fees, accounts, reserve, triggers, credit support.

A ``Deal`` is built from its parts: the pool (assets), tranches, fees, accounts (a reserve account with a
target), waterfalls (ordered lists of steps from ``waterfall``, keyed "pre", "post" and optionally
"cleanup"), triggers that switch scenarios from "pre" to "post", and credit enhancements (an originator
shortfall undertaking 差额支付承诺 and a third-party guarantee 担保) drawn by ``DrawCreditSupport`` steps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

import numpy as np

from ipops.finance.cashflow.assets import Pool, PoolFlows
from ipops.finance.cashflow.assumptions import ScenarioArrays
from ipops.finance.cashflow.calendar import DayCount, PeriodSchedule
from ipops.finance.cashflow.money import BoolArray, FloatArray, NoRounding, Rounding
from ipops.finance.cashflow.waterfall import Step


class Coupon(Protocol):
    """The annual rate a tranche pays in each period, per scenario."""

    def rates(self, *, periods: int, scenarios: ScenarioArrays) -> FloatArray:
        """Annual rates, shape (S, periods)."""
        ...


@dataclass(frozen=True, slots=True)
class FixedCoupon:
    """A fixed annual rate."""

    rate: float

    def rates(self, *, periods: int, scenarios: ScenarioArrays) -> FloatArray:
        """Annual rates, shape (S, periods) (a read-only view: every scenario has the same path)."""
        return np.broadcast_to(np.full(periods, float(self.rate)), (scenarios.count, periods))


@dataclass(frozen=True, slots=True)
class FloatingCoupon:
    """Index + spread, floored and capped; with ``reset_periods`` the rate only changes at those periods.

    Before the first reset the rate is ``initial_rate`` (if given); the index path comes from the scenario.
    """

    index: str
    spread: float
    floor: float | None = None
    cap: float | None = None
    reset_periods: tuple[int, ...] | None = None
    initial_rate: float | None = None

    def rates(self, *, periods: int, scenarios: ScenarioArrays) -> FloatArray:
        """Annual rates, shape (S, periods)."""
        fixing = np.array(scenarios.index_path(name=self.index, periods=periods)) + self.spread
        if self.floor is not None:
            fixing = np.maximum(fixing, self.floor)
        if self.cap is not None:
            fixing = np.minimum(fixing, self.cap)
        if self.reset_periods is None:
            return fixing
        result = np.empty_like(fixing)
        current = np.full(scenarios.count, self.initial_rate if self.initial_rate is not None else np.nan)
        resets = set(self.reset_periods)
        for p in range(periods):
            if p in resets or (p == 0 and self.initial_rate is None):
                current = fixing[:, p]
            result[:, p] = current
        return result


@dataclass(frozen=True, slots=True)
class StepUpCoupon:
    """A fixed rate that steps up by ``step_up`` from period ``from_period`` (e.g. after a call date)."""

    rate: float
    step_up: float
    from_period: int

    def rates(self, *, periods: int, scenarios: ScenarioArrays) -> FloatArray:
        """Annual rates, shape (S, periods)."""
        path = np.where(np.arange(periods) >= self.from_period, self.rate + self.step_up, self.rate)
        return np.broadcast_to(path, (scenarios.count, periods))


class Seniority(StrEnum):
    """Rank of a tranche (the waterfall order decides payments; this labels it)."""

    SENIOR = "senior"
    MEZZANINE = "mezzanine"
    SUBORDINATED = "subordinated"


@dataclass(frozen=True, slots=True)
class Tranche:
    """A class of notes: balance, coupon and principal rule.

    ``target_balances`` (per period) makes a scheduled / PAC tranche: principal due is balance - target.
    ``interest_on_arrears`` accrues unpaid interest at the coupon (kept as a separate due, paid first).
    ``day_count`` None accrues ``1 / periods_per_year`` per period; otherwise the schedule's dates.
    ``unpaid_interest`` and ``unpaid_arrears_interest`` are already due at the start (a deal in progress).
    """

    name: str
    balance: float
    coupon: Coupon = FixedCoupon(0.0)
    seniority: Seniority = Seniority.SENIOR
    target_balances: tuple[float, ...] | None = None
    interest_on_arrears: bool = False
    day_count: DayCount | None = None
    unpaid_interest: float = 0.0
    unpaid_arrears_interest: float = 0.0


class Fee(Protocol):
    """A fee: its name and the amount falling due in each period."""

    @property
    def name(self) -> str:
        """The fee's name, used by PayFee steps."""
        ...

    def accrue(self, *, period: int, state: FeeBasis) -> FloatArray:
        """New amount due this period, shape (S,)."""
        ...


@dataclass(frozen=True, slots=True)
class FeeBasis:
    """What a fee may be computed on in a period."""

    pool_beginning_balance: FloatArray
    tranche_balance: FloatArray
    year_fraction: float
    rounding: Rounding


@dataclass(frozen=True, slots=True)
class FixedFee:
    """A fixed amount due once, in period ``due_period`` (e.g. set-up costs); unpaid amounts stay due."""

    name: str
    amount: float
    due_period: int = 0

    def accrue(self, *, period: int, state: FeeBasis) -> FloatArray:
        """The amount in the due period, else zero."""
        return np.full_like(state.pool_beginning_balance, self.amount if period == self.due_period else 0.0)


@dataclass(frozen=True, slots=True)
class RecurringFee:
    """A fixed amount every period (``counts`` multiplies it per period, e.g. month starts in the period)."""

    name: str
    amount: float
    counts: tuple[int, ...] | None = None

    def accrue(self, *, period: int, state: FeeBasis) -> FloatArray:
        """amount x count for the period."""
        count = 1 if self.counts is None else (self.counts[period] if period < len(self.counts) else 0)
        return np.full_like(state.pool_beginning_balance, self.amount * count)


@dataclass(frozen=True, slots=True)
class OutstandingFee:
    """A fee of a deal in progress: ``outstanding`` is already due at the start, then ``fee`` accrues."""

    fee: Fee
    outstanding: float

    @property
    def name(self) -> str:
        """The wrapped fee's name."""
        return self.fee.name

    def accrue(self, *, period: int, state: FeeBasis) -> FloatArray:
        """The wrapped fee's accrual, plus the outstanding amount in the first period."""
        amount = self.fee.accrue(period=period, state=state)
        if period == 0 and self.outstanding:
            amount = amount + self.outstanding
        return amount


class FeeBase(StrEnum):
    """The balance an annual-rate fee is charged on."""

    POOL = "pool"
    TRANCHES = "tranches"


@dataclass(frozen=True, slots=True)
class PercentOfBalanceFee:
    """An annual rate on the beginning pool (or tranche) balance, accrued by the period's year fraction."""

    name: str
    annual_rate: float
    base: FeeBase = FeeBase.POOL

    def accrue(self, *, period: int, state: FeeBasis) -> FloatArray:
        """rate x balance x year fraction, rounded by the deal's policy."""
        balance = state.pool_beginning_balance if self.base is FeeBase.POOL else state.tranche_balance
        return state.rounding(balance * self.annual_rate * state.year_fraction)


@dataclass(frozen=True, slots=True)
class Account:
    """A cash account of the SPV."""

    name: str
    opening_balance: float = 0.0


@dataclass(frozen=True, slots=True)
class ReserveAccount:
    """A reserve: target = max(pct x senior balance, floor), never above the senior balance."""

    name: str = "reserve"
    target_pct_of_senior: float = 0.0
    floor: float = 0.0
    senior_tranches: tuple[str, ...] = ()
    opening_balance: float = 0.0


@dataclass(frozen=True, slots=True)
class TriggerState:
    """What triggers test in a period (arrays (S,)): pool balance includes the period's principal cash."""

    period: int
    cumulative_default_rate: FloatArray
    pool_balance: FloatArray
    tranche_balances: Mapping[str, FloatArray]


class Trigger(Protocol):
    """A condition that, once breached, stays breached (non-curable)."""

    @property
    def name(self) -> str:
        """The trigger's name."""
        ...

    @property
    def switches_waterfall(self) -> bool:
        """Whether a breach moves the scenario to the "post" waterfall."""
        ...

    def breached(self, *, state: TriggerState) -> BoolArray:
        """Whether the condition holds this period, shape (S,)."""
        ...


@dataclass(frozen=True, slots=True)
class CumulativeDefaultTrigger:
    """Breached when cumulative defaults / original pool balance exceed ``threshold``."""

    name: str
    threshold: float
    switches_waterfall: bool = True

    def breached(self, *, state: TriggerState) -> BoolArray:
        """Cumulative default rate > threshold."""
        result: BoolArray = state.cumulative_default_rate > self.threshold
        return result


@dataclass(frozen=True, slots=True)
class CoverageTrigger:
    """Breached when (pool balance + principal collected) / ``tranches`` balance < ``threshold``."""

    name: str
    tranches: tuple[str, ...]
    threshold: float
    switches_waterfall: bool = True

    def breached(self, *, state: TriggerState) -> BoolArray:
        """Coverage ratio < threshold while the covered tranches are outstanding."""
        covered = sum((state.tranche_balances[t] for t in self.tranches), np.zeros_like(state.pool_balance))
        outstanding = covered > 0.005
        ratio = np.divide(state.pool_balance, covered, out=np.full_like(covered, np.inf), where=outstanding)
        result: BoolArray = outstanding & (ratio < self.threshold)
        return result


@dataclass(frozen=True, slots=True)
class DateTrigger:
    """Breached from period ``period`` on (e.g. the revolving period ends or an expected maturity passes)."""

    name: str
    period: int
    switches_waterfall: bool = True

    def breached(self, *, state: TriggerState) -> BoolArray:
        """Period >= the trigger period."""
        return np.full(state.pool_balance.shape, state.period >= self.period)


class SupportKind(StrEnum):
    """Kinds of external credit support."""

    SHORTFALL_UNDERTAKING = "shortfall_undertaking"  # 差额支付承诺 by the originator
    GUARANTEE = "guarantee"  # 担保 by a third party


@dataclass(frozen=True, slots=True)
class CreditSupport:
    """An external provider who pays shortfalls up to a cumulative ``cap``."""

    name: str
    kind: SupportKind
    cap: float = float("inf")


def shortfall_undertaking(*, name: str = "originator", cap: float = float("inf")) -> CreditSupport:
    """The originator's shortfall undertaking (差额支付承诺)."""
    return CreditSupport(name=name, kind=SupportKind.SHORTFALL_UNDERTAKING, cap=cap)


def guarantee(*, name: str = "guarantor", cap: float = float("inf")) -> CreditSupport:
    """A third-party guarantee (担保) that pays what remains after the undertaking."""
    return CreditSupport(name=name, kind=SupportKind.GUARANTEE, cap=cap)


@dataclass(frozen=True, slots=True)
class Deal:
    """A securitisation: pool, tranches, fees, accounts, reserve, waterfalls, triggers, enhancements.

    Pool collections go to the accounts named in ``collections`` (by source: interest, principal,
    prepayment, recovery); by default all to "collection".
    """

    pool: Pool
    tranches: Sequence[Tranche]
    schedule: PeriodSchedule
    waterfalls: Mapping[str, Sequence[Step]]
    fees: Sequence[Fee] = ()
    accounts: Sequence[Account] = (Account("collection"),)
    reserve: ReserveAccount | None = None
    triggers: Sequence[Trigger] = ()
    enhancements: Sequence[CreditSupport] = ()
    collections: Mapping[str, str] = field(
        default_factory=lambda: {
            "interest": "collection",
            "principal": "collection",
            "prepayment": "collection",
            "recovery": "collection",
        }
    )
    periods_per_year: int = 12
    rounding: Rounding = field(default_factory=NoRounding)
    currency: str = "CNY"
    name: str = "deal"
    pool_override: PoolFlows | None = None

    def tranche(self, name: str) -> Tranche:
        """The tranche called ``name``."""
        for tranche in self.tranches:
            if tranche.name == name:
                return tranche
        raise KeyError(name)
