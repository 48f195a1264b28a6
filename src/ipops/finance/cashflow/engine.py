"""The engine: projects the pool, then interprets the deal's waterfall steps period by period.

Everything is float64 numpy over scenarios (arrays (S,) per period, statements (S, P)); the only Python
loops are over periods and over the steps of the waterfall.  Each period: pool collections are paid into
their accounts, tranche interest and fees accrue, triggers are tested (breaches latch), then scenarios
run the "pre" waterfall, or the "post" one once a switching trigger is breached; in the last period the
"cleanup" waterfall (if any) runs after it.  Steps use masks, so scenarios in different states share
one pass.  Amounts leave through ``DealResult.*_rows`` as Money (Decimal, 0.01, ROUND_HALF_EVEN).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from ipops.core.money import Money
from ipops.finance.cashflow.assets import PoolFlows
from ipops.finance.cashflow.assumptions import Scenario, ScenarioArrays, ScenarioSource
from ipops.finance.cashflow.calendar import DayCount
from ipops.finance.cashflow.money import BoolArray, FloatArray, to_money
from ipops.finance.cashflow.structure import Deal, FeeBasis, TriggerState
from ipops.finance.cashflow.waterfall import (
    DrawCreditSupport,
    LiquidatePool,
    PayFee,
    PayInterest,
    PayPrincipal,
    PayResidual,
    PrincipalDue,
    ReleaseReserveExcess,
    Step,
    TopUpReserve,
    Transfer,
)

_CENT = 0.005


@dataclass(frozen=True, slots=True)
class TrancheStatement:
    """Per-period tranche figures, each (S, P); ``balance`` is after the period's payments."""

    name: str
    original_balance: float
    balance: FloatArray
    rate: FloatArray
    interest_due: FloatArray
    interest_paid: FloatArray
    principal_paid: FloatArray
    interest_shortfall: FloatArray

    @property
    def cash(self) -> FloatArray:
        """Interest + principal received per period."""
        result: FloatArray = self.interest_paid + self.principal_paid
        return result

    @property
    def loss(self) -> FloatArray:
        """Principal never repaid, as a share of the original balance, per scenario (S,)."""
        if self.original_balance <= 0:
            return np.zeros(self.balance.shape[0])
        result: FloatArray = self.balance[:, -1] / self.original_balance
        return result


@dataclass(frozen=True, slots=True)
class FeeStatement:
    """Per-period fee figures (S, P): due before payment, paid, unpaid after."""

    name: str
    due: FloatArray
    paid: FloatArray
    unpaid: FloatArray


@dataclass(frozen=True, slots=True)
class DealResult:
    """Everything a run produced: pool, tranche, fee, account and credit-support statements."""

    deal: Deal
    scenarios: ScenarioArrays
    pool: PoolFlows
    tranches: dict[str, TrancheStatement]
    fees: dict[str, FeeStatement]
    accounts: dict[str, FloatArray]
    support_drawn: dict[str, FloatArray]
    residual_to_originator: FloatArray
    liquidation_proceeds: FloatArray
    breached: dict[str, BoolArray]
    collections: FloatArray = field(repr=False)

    @property
    def dates(self) -> tuple[date, ...]:
        """Payment date of each period."""
        return self.deal.schedule.dates

    def account_change(self) -> FloatArray:
        """Change of all account balances in each period (S, P)."""
        total = sum(self.accounts.values(), np.zeros_like(self.collections))
        opening = sum(a.opening_balance for a in self.deal.accounts) + (
            self.deal.reserve.opening_balance if self.deal.reserve else 0.0
        )
        previous = np.concatenate([np.full((total.shape[0], 1), opening), total[:, :-1]], axis=1)
        result: FloatArray = total - previous
        return result

    def metrics(self, *, scenario: int = 0) -> dict[str, dict[str, float]]:
        """WAL, IRR, modified duration and loss of every tranche in one scenario (see ``analytics``)."""
        from ipops.finance.cashflow.analytics import tranche_metrics

        return {name: tranche_metrics(result=self, tranche=name, scenario=scenario) for name in self.tranches}

    def pool_rows(self, *, scenario: int = 0) -> list[dict[str, object]]:
        """The pool statement of one scenario, amounts as Money."""
        currency = self.deal.currency
        columns = (
            "beginning_balance",
            "scheduled_principal",
            "prepayment",
            "default",
            "recovery",
            "interest",
        )
        rows: list[dict[str, object]] = []
        for p, day in enumerate(self.dates):
            row: dict[str, object] = {"period": p + 1, "date": day}
            for column in (*columns, "ending_balance"):
                row[column] = to_money(getattr(self.pool, column)[scenario, p], currency=currency)
            rows.append(row)
        return rows

    def tranche_rows(self, *, tranche: str, scenario: int = 0) -> list[dict[str, object]]:
        """A tranche statement of one scenario, amounts as Money."""
        statement = self.tranches[tranche]
        currency = self.deal.currency
        rows: list[dict[str, object]] = []
        for p, day in enumerate(self.dates):
            money: dict[str, Money] = {
                column: to_money(getattr(statement, column)[scenario, p], currency=currency)
                for column in (
                    "balance",
                    "interest_due",
                    "interest_paid",
                    "principal_paid",
                    "interest_shortfall",
                )
            }
            rows.append({"period": p + 1, "date": day, **money})
        return rows


class _Run:
    """Mutable state of one run (arrays over scenarios) and the step interpreter."""

    def __init__(self, *, deal: Deal, arrays: ScenarioArrays, pool: PoolFlows) -> None:
        self.deal = deal
        self.pool = pool
        self.round = deal.rounding
        s, p = pool.interest.shape
        self.shape = (s, p)
        zeros = np.zeros(s)
        self.balance = {t.name: np.full(s, t.balance) for t in deal.tranches}
        self.due_int = {t.name: np.full(s, t.unpaid_interest) for t in deal.tranches}
        self.due_ioi = {t.name: np.full(s, t.unpaid_arrears_interest) for t in deal.tranches}
        self.fee_due = {f.name: zeros.copy() for f in deal.fees}
        self.account = {a.name: np.full(s, a.opening_balance) for a in deal.accounts}
        if deal.reserve is not None:
            self.account[deal.reserve.name] = np.full(s, deal.reserve.opening_balance)
        self.support_left = {e.name: np.full(s, e.cap) for e in deal.enhancements}
        self.liquidated = np.zeros(s, dtype=bool)
        self.breached = {t.name: np.zeros(s, dtype=bool) for t in deal.triggers}
        self.rates = {t.name: t.coupon.rates(periods=p, scenarios=arrays) for t in deal.tranches}
        fractions: dict[DayCount | None, FloatArray] = {None: np.full(p, 1.0 / deal.periods_per_year)}
        for t in deal.tranches:
            if t.day_count is not None and t.day_count not in fractions:
                fractions[t.day_count] = deal.schedule.accrual_fractions(day_count=t.day_count)
        self.fractions = fractions
        self.schedule_fractions = deal.schedule.accrual_fractions()
        stat = {name: np.zeros(self.shape) for name in ("interest_paid", "principal_paid", "interest_due")}
        self.tranche_stats = {t.name: {k: v.copy() for k, v in stat.items()} for t in deal.tranches}
        self.tranche_balance = {t.name: np.zeros(self.shape) for t in deal.tranches}
        self.tranche_shortfall = {t.name: np.zeros(self.shape) for t in deal.tranches}
        self.fee_stats = {
            f.name: {k: np.zeros(self.shape) for k in ("due", "paid", "unpaid")} for f in deal.fees
        }
        self.account_balance = {name: np.zeros(self.shape) for name in self.account}
        self.support_drawn = {e.name: np.zeros(self.shape) for e in deal.enhancements}
        self.residual = np.zeros(self.shape)
        self.liquidation = np.zeros(self.shape)
        self.breach_history = {name: np.zeros(self.shape, dtype=bool) for name in self.breached}
        self.period = 0

    # -- helpers -------------------------------------------------------------------------------------------
    def _allocate(self, available: FloatArray, dues: list[FloatArray]) -> list[FloatArray]:
        """Split ``available`` (<= total due) pro rata by due; exact dues when there is enough."""
        if len(dues) == 1:
            return [np.minimum(available, dues[0])]
        total = sum(dues, np.zeros_like(available))
        enough = available >= total - 1e-9
        safe_total = np.where(total > 0, total, 1.0)
        shares = [np.where(enough, due, self.round(available * due / safe_total)) for due in dues]
        # cents lost to rounding go to the first claimant, so the allocation spends exactly ``available``
        leftover = np.where(enough, 0.0, available - sum(shares, np.zeros_like(available)))
        shares[0] = shares[0] + np.maximum(leftover, 0.0)
        return shares

    def _mask(self, step: Step, mask: BoolArray) -> BoolArray:
        if step.unless_trigger is None:
            return mask
        result: BoolArray = mask & ~self.breached[step.unless_trigger]
        return result

    def _principal_due(self, name: str) -> FloatArray:
        tranche = self.deal.tranche(name)
        balance = self.balance[name]
        if tranche.target_balances is None:
            return balance
        targets = tranche.target_balances
        target = targets[self.period] if self.period < len(targets) else 0.0
        result: FloatArray = np.maximum(balance - target, 0.0)
        return result

    def _reserve_target(self) -> FloatArray:
        reserve = self.deal.reserve
        if reserve is None:
            raise ValueError("the deal has no reserve account")
        senior = sum((self.balance[t] for t in reserve.senior_tranches), np.zeros(self.shape[0]))
        result: FloatArray = np.minimum(
            np.maximum(reserve.target_pct_of_senior * senior, reserve.floor), senior
        )
        return result

    # -- steps --------------------------------------------------------------------------------------------
    def execute(self, step: Step, mask: BoolArray) -> None:
        """Interpret one step for the scenarios in ``mask``."""
        active = self._mask(step, mask)
        if not active.any():
            return
        p = self.period
        if isinstance(step, PayFee):
            available = np.where(active, self.account[step.source], 0.0)
            dues = [self.fee_due[f] for f in step.fees]
            paid = self._allocate(np.minimum(available, sum(dues, np.zeros_like(available))), dues)
            for fee, amount in zip(step.fees, paid, strict=True):
                self.fee_due[fee] = self.fee_due[fee] - amount
                self.fee_stats[fee]["paid"][:, p] += amount
                self.account[step.source] = self.account[step.source] - amount
        elif isinstance(step, PayInterest):
            available = np.where(active, self.account[step.source], 0.0)
            dues = [self.due_int[t] + self.due_ioi[t] for t in step.tranches]
            paid = self._allocate(np.minimum(available, sum(dues, np.zeros_like(available))), dues)
            for tranche, amount in zip(step.tranches, paid, strict=True):
                on_arrears = np.minimum(amount, self.due_ioi[tranche])
                self.due_ioi[tranche] = self.due_ioi[tranche] - on_arrears
                self.due_int[tranche] = self.due_int[tranche] - (amount - on_arrears)
                self.tranche_stats[tranche]["interest_paid"][:, p] += amount
                self.account[step.source] = self.account[step.source] - amount
        elif isinstance(step, PayPrincipal):
            self._pay_principal(step, active)
        elif isinstance(step, Transfer):
            amount = np.where(active, self.account[step.source], 0.0)
            if step.amount is not None:
                amount = np.minimum(amount, step.amount)
            self.account[step.source] = self.account[step.source] - amount
            self.account[step.target] = self.account[step.target] + amount
        elif isinstance(step, TopUpReserve):
            need = np.maximum(self._reserve_target() - self.account[step.reserve], 0.0)
            amount = np.where(active, np.minimum(need, self.account[step.source]), 0.0)
            self.account[step.source] = self.account[step.source] - amount
            self.account[step.reserve] = self.account[step.reserve] + amount
        elif isinstance(step, ReleaseReserveExcess):
            excess = np.maximum(self.account[step.reserve] - self._reserve_target(), 0.0)
            amount = np.where(active, excess, 0.0)
            self.account[step.reserve] = self.account[step.reserve] - amount
            self.account[step.target] = self.account[step.target] + amount
        elif isinstance(step, PayResidual):
            amount = np.where(active, self.account[step.source], 0.0)
            self.account[step.source] = self.account[step.source] - amount
            if step.tranche is None:
                self.residual[:, p] += amount
            else:
                self.tranche_stats[step.tranche]["interest_paid"][:, p] += amount
        elif isinstance(step, DrawCreditSupport):
            self._draw_support(step, active)
        elif isinstance(step, LiquidatePool):
            fresh = active & ~self.liquidated
            proceeds = np.where(fresh, self.pool.ending_balance[:, p] * step.price_factor, 0.0)
            self.liquidated = self.liquidated | fresh
            self.account[step.target] = self.account[step.target] + proceeds
            self.liquidation[:, p] += proceeds
        else:  # pragma: no cover - the Step union is closed
            raise TypeError(f"unknown waterfall step {step!r}")

    def _pay_principal(self, step: PayPrincipal, active: BoolArray) -> None:
        p = self.period
        available = np.where(active, self.account[step.source], 0.0)
        dues = [self._principal_due(t) for t in step.tranches]
        if step.due is PrincipalDue.POOL_PAYDOWN:
            listed = sum((self.balance[t] for t in step.tranches), np.zeros_like(available))
            cap = np.maximum(listed - step.advance_rate * self.pool.ending_balance[:, p], 0.0)
            available = np.minimum(available, cap)
        if step.pro_rata:
            paid = self._allocate(np.minimum(available, sum(dues, np.zeros_like(available))), dues)
        else:
            paid = []
            left = available
            for due in dues:
                amount = np.minimum(left, due)
                paid.append(amount)
                left = left - amount
        for tranche, amount in zip(step.tranches, paid, strict=True):
            self.balance[tranche] = self.balance[tranche] - amount
            self.tranche_stats[tranche]["principal_paid"][:, p] += amount
            self.account[step.source] = self.account[step.source] - amount

    def _draw_support(self, step: DrawCreditSupport, active: BoolArray) -> None:
        p = self.period
        final = p == self.shape[1] - 1
        required = sum((self.fee_due[f] for f in step.fees), np.zeros(self.shape[0]))
        for name in step.tranches:
            required = required + self.due_int[name] + self.due_ioi[name]
            if step.principal:
                required = required + (self.balance[name] if final else self._principal_due_scheduled(name))
        shortfall = np.where(active, np.maximum(required - self.account[step.source], 0.0), 0.0)
        for provider in step.providers:
            draw = np.minimum(shortfall, self.support_left[provider])
            self.support_left[provider] = self.support_left[provider] - draw
            shortfall = shortfall - draw
            self.account[step.source] = self.account[step.source] + draw
            self.support_drawn[provider][:, p] += draw

    def _principal_due_scheduled(self, name: str) -> FloatArray:
        if self.deal.tranche(name).target_balances is None:
            return np.zeros(self.shape[0])
        return self._principal_due(name)

    # -- period -------------------------------------------------------------------------------------------
    def accrue(self) -> None:
        """Accrue tranche interest (and interest on arrears) and fees for the current period."""
        p = self.period
        for tranche in self.deal.tranches:
            name = tranche.name
            fraction = self.fractions[tranche.day_count][p]
            rate = self.rates[name][:, p]
            new_interest = self.round(self.balance[name] * rate * fraction)
            if tranche.interest_on_arrears:
                self.due_ioi[name] = self.due_ioi[name] + self.round(self.due_int[name] * rate * fraction)
            self.due_int[name] = self.due_int[name] + new_interest
            self.tranche_stats[name]["interest_due"][:, p] = self.due_int[name] + self.due_ioi[name]
        tranche_total = sum(self.balance.values(), np.zeros(self.shape[0]))
        basis = FeeBasis(
            pool_beginning_balance=self.pool.beginning_balance[:, p],
            tranche_balance=tranche_total,
            year_fraction=float(self.schedule_fractions[p]),
            rounding=self.round,
        )
        for fee in self.deal.fees:
            self.fee_due[fee.name] = self.fee_due[fee.name] + fee.accrue(period=p, state=basis)
            self.fee_stats[fee.name]["due"][:, p] = self.fee_due[fee.name]

    def collect(self) -> FloatArray:
        """Pay the period's pool collections into their accounts; returns the total."""
        p = self.period
        sources = {
            "interest": self.pool.interest[:, p],
            "principal": self.pool.scheduled_principal[:, p],
            "prepayment": self.pool.prepayment[:, p],
            "recovery": self.pool.recovery[:, p],
        }
        total = np.zeros(self.shape[0])
        for source, amount in sources.items():
            cash = np.where(self.liquidated, 0.0, amount)
            self.account[self.deal.collections[source]] = self.account[self.deal.collections[source]] + cash
            total = total + cash
        return total

    def test_triggers(self) -> BoolArray:
        """Update latched breaches; returns the mask of scenarios on the "post" waterfall."""
        p = self.period
        original = self.pool.original_balance or 1.0
        state = TriggerState(
            period=p,
            cumulative_default_rate=self.pool.default[:, : p + 1].sum(axis=1) / original,
            pool_balance=self.pool.ending_balance[:, p] + self.pool.principal_collections[:, p],
            tranche_balances=self.balance,
        )
        post = np.zeros(self.shape[0], dtype=bool)
        for trigger in self.deal.triggers:
            self.breached[trigger.name] = self.breached[trigger.name] | trigger.breached(state=state)
            self.breach_history[trigger.name][:, p] = self.breached[trigger.name]
            if trigger.switches_waterfall:
                post = post | self.breached[trigger.name]
        return post

    def record(self) -> None:
        """Store end-of-period balances."""
        p = self.period
        for name in self.balance:
            self.tranche_balance[name][:, p] = self.balance[name]
            self.tranche_shortfall[name][:, p] = self.due_int[name] + self.due_ioi[name]
        for name, fee in self.fee_due.items():
            self.fee_stats[name]["unpaid"][:, p] = fee
        for name, balance in self.account.items():
            self.account_balance[name][:, p] = balance


def _broadcast(pool: PoolFlows, scenarios: int) -> PoolFlows:
    if pool.interest.shape[0] == scenarios:
        return pool
    columns = {
        name: np.broadcast_to(getattr(pool, name), (scenarios, pool.interest.shape[1])).copy()
        for name in (
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
    }
    return PoolFlows(**columns, original_balance=pool.original_balance)


def run_deal(*, deal: Deal, scenarios: ScenarioSource | None = None) -> DealResult:
    """Run a deal for a set of scenarios (default: one scenario with no defaults or prepayments)."""
    periods = deal.schedule.count
    arrays = (scenarios or Scenario()).resolve(periods=periods)
    if deal.pool_override is not None:
        pool = _broadcast(deal.pool_override, arrays.count)
    else:
        pool = deal.pool.project(periods=periods, scenarios=arrays, periods_per_year=deal.periods_per_year)
    run = _Run(deal=deal, arrays=arrays, pool=pool)
    pre: Sequence[Step] = deal.waterfalls.get("pre", ())
    post_steps: Sequence[Step] | None = deal.waterfalls.get("post")
    cleanup: Sequence[Step] = deal.waterfalls.get("cleanup", ())
    everyone = np.ones(arrays.count, dtype=bool)
    collections = np.zeros(run.shape)
    distributes = deal.schedule.distribution_flags()
    for p in range(periods):
        run.period = p
        collections[:, p] = run.collect()
        run.accrue()
        if not distributes[p]:
            run.record()
            continue
        post = run.test_triggers() if post_steps is not None else np.zeros(arrays.count, dtype=bool)
        for step in pre:
            run.execute(step, everyone & ~post)
        if post_steps is not None:
            for step in post_steps:
                run.execute(step, post)
        if p == periods - 1:
            for step in cleanup:
                run.execute(step, everyone)
        run.record()
    tranches = {
        t.name: TrancheStatement(
            name=t.name,
            original_balance=t.balance,
            balance=run.tranche_balance[t.name],
            rate=run.rates[t.name],
            interest_due=run.tranche_stats[t.name]["interest_due"],
            interest_paid=run.tranche_stats[t.name]["interest_paid"],
            principal_paid=run.tranche_stats[t.name]["principal_paid"],
            interest_shortfall=run.tranche_shortfall[t.name],
        )
        for t in deal.tranches
    }
    fees = {name: FeeStatement(name=name, **stats) for name, stats in run.fee_stats.items()}
    return DealResult(
        deal=deal,
        scenarios=arrays,
        pool=pool,
        tranches=tranches,
        fees=fees,
        accounts=run.account_balance,
        support_drawn=run.support_drawn,
        residual_to_originator=run.residual,
        liquidation_proceeds=run.liquidation,
        breached=run.breach_history,
        collections=collections,
    )
