"""The engine: projects the pool, compiles the deal's waterfall steps once, then runs them period by period.

Everything is float64 numpy over scenarios (arrays (S,) per period, statements (S, P)).  Before the first
period each step is compiled into a closure over the run's state arrays, with what the deal fixes resolved
once: the arrays it reads and writes, whether scenarios need masking at all (only with a "post" waterfall
or a trigger on the step), which statement rows it alone writes (it then computes straight into them),
whether a tranche can carry arrears interest or can ever owe interest.  Each period: pool collections are
paid into their accounts, tranche interest and fees accrue, triggers are tested (breaches latch), then
scenarios run the "pre" waterfall, or the "post" one once a switching trigger is breached; in the last
period the "cleanup" waterfall (if any) runs after it.  Statements are period-major rows of one block,
handed out as (S, P) views.  Amounts leave through ``DealResult.*_rows`` as Money (Decimal, 0.01,
ROUND_HALF_EVEN).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from ipops.core.money import Money
from ipops.finance.cashflow.assets import PoolFlows
from ipops.finance.cashflow.assumptions import Scenario, ScenarioArrays, ScenarioSource
from ipops.finance.cashflow.calendar import DayCount
from ipops.finance.cashflow.money import BoolArray, FloatArray, NoRounding, to_money
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
    collected: FloatArray | None = field(default=None, repr=False)

    @property
    def collections(self) -> FloatArray:
        """Pool cash paid into the accounts in each period (S, P); summed on demand unless liquidated."""
        if self.collected is not None:
            return self.collected
        pool = self.pool
        result: FloatArray = pool.interest + pool.scheduled_principal + pool.prepayment
        result += pool.recovery
        return result

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


def _period_major(values: FloatArray) -> FloatArray:
    """A (S, P) array as (P, S) C-contiguous rows (free when it already is a transposed view)."""
    transposed = values.T
    if transposed.flags.c_contiguous:
        return transposed
    result: FloatArray = np.ascontiguousarray(transposed)
    return result


Op = Callable[[BoolArray | None], None]


class _Run:
    """State of one run, and the waterfall steps compiled into closures over its arrays.

    Compiling resolves once per deal what the interpreter used to look up in every period: which arrays a
    step reads and writes, whether scenarios need masking at all (no "post" waterfall, no trigger on the
    step), whether a tranche can carry arrears interest, whether rounding is a no-op.  The state arrays
    (S,) are updated in place, so closures hold them directly.  Statements are (P, S) rows, written
    contiguously each period and handed out as (S, P) views.
    """

    def __init__(self, *, deal: Deal, arrays: ScenarioArrays, pool: PoolFlows) -> None:
        self.deal = deal
        self.pool = pool
        self.round = deal.rounding
        self.rounds = not isinstance(deal.rounding, NoRounding)
        s, p = pool.interest.shape
        self.shape = (s, p)
        self.period = 0
        rows = (p, s)
        self.balance = {t.name: np.full(s, float(t.balance)) for t in deal.tranches}
        self.due_int = {t.name: np.full(s, float(t.unpaid_interest)) for t in deal.tranches}
        self.due_ioi = {t.name: np.full(s, float(t.unpaid_arrears_interest)) for t in deal.tranches}
        # arrears interest only exists if it accrues or was carried in; otherwise it stays exactly 0
        self.has_ioi = {
            t.name: bool(t.interest_on_arrears or t.unpaid_arrears_interest) for t in deal.tranches
        }
        self.fee_due = {f.name: np.zeros(s) for f in deal.fees}
        self.account = {a.name: np.full(s, float(a.opening_balance)) for a in deal.accounts}
        if deal.reserve is not None:
            self.account[deal.reserve.name] = np.full(s, float(deal.reserve.opening_balance))
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
        # pool columns as period rows
        self.pool_rows = {
            name: _period_major(getattr(pool, name))
            for name in (
                "beginning_balance",
                "scheduled_principal",
                "prepayment",
                "default",
                "recovery",
                "interest",
                "ending_balance",
            )
        }
        # statements, period-major, carved out of one block: one large allocation is mapped far faster
        # than dozens of separate ones (huge pages), and the statements are most of the memory a run writes
        tranche_rows = 5 * len(deal.tranches)
        fee_rows = 3 * len(deal.fees)
        block = _RowBlock(
            rows=rows, count=tranche_rows + fee_rows + len(self.account) + len(deal.enhancements) + 1
        )
        self.interest_paid = {t.name: block.take() for t in deal.tranches}
        self.principal_paid = {t.name: block.take() for t in deal.tranches}
        self.interest_due = {t.name: block.take() for t in deal.tranches}
        self.tranche_balance = {t.name: block.take() for t in deal.tranches}
        self.tranche_shortfall = {t.name: block.take() for t in deal.tranches}
        self.fee_stats = {f.name: {k: block.take() for k in ("due", "paid", "unpaid")} for f in deal.fees}
        self.account_balance = {name: block.take() for name in self.account}
        self.support_drawn = {e.name: block.take() for e in deal.enhancements}
        self.residual = block.take()
        self.liquidation = np.zeros(rows)  # untouched (never mapped) unless the pool is sold
        self.collections = np.zeros(rows)
        self.breach_history = {name: np.zeros(rows, dtype=bool) for name in self.breached}
        self.can_liquidate = any(
            isinstance(step, LiquidatePool) for steps in deal.waterfalls.values() for step in steps
        )
        self.rate_rows = {name: self._rate_rows(rates) for name, rates in self.rates.items()}
        self._target: FloatArray | None = None
        self.sole_writer = _sole_writers(deal)
        self.swept = _swept_accounts(deal)
        self.distributed = self.cleaned = False  # set by the period loop
        self.residual_writers = sum(
            isinstance(st, PayResidual) and st.tranche is None
            for steps in deal.waterfalls.values()
            for st in steps
        )
        # the period whose balance-statement row a tranche's balance currently lives in (-1: its own array)
        self.balance_row_of = {t.name: -1 for t in deal.tranches}
        self.due_row_of = {t.name: -1 for t in deal.tranches}  # the same for unpaid interest (shortfall rows)
        # interest that can never fall due (zero coupon, nothing carried in, never paid): rows stay zero
        paid_interest = {
            t
            for steps in deal.waterfalls.values()
            for st in steps
            if isinstance(st, PayInterest)
            for t in st.tranches
        }
        self.static_zero_due = {
            t.name: not paid_interest & {t.name}
            and not (t.unpaid_interest or t.unpaid_arrears_interest)
            and isinstance(self.rate_rows[t.name], list)
            and not any(self.rate_rows[t.name])
            for t in deal.tranches
        }

    @staticmethod
    def _rate_rows(rates: FloatArray) -> FloatArray | list[float]:
        """Per-period rates: plain floats when every scenario has the same path, else (P, S) rows."""
        if rates.shape[0] == 1 or rates.strides[0] == 0 or bool((rates == rates[:1]).all()):
            return [float(r) for r in rates[0]]
        return _period_major(rates)

    # -- helpers -------------------------------------------------------------------------------------------
    def _allocate(self, available: FloatArray, dues: list[FloatArray]) -> list[FloatArray]:
        """Split ``available`` (<= total due) pro rata by due; exact dues when there is enough."""
        if len(dues) == 1:
            return [np.minimum(available, dues[0])]
        total = _total(dues)
        enough = available >= total - 1e-9
        safe_total = np.where(total > 0, total, 1.0)
        shares = [np.where(enough, due, self.round(available * due / safe_total)) for due in dues]
        # cents lost to rounding go to the first claimant, so the allocation spends exactly ``available``
        leftover = np.where(enough, 0.0, available - sum(shares, np.zeros_like(available)))
        shares[0] = shares[0] + np.maximum(leftover, 0.0)
        return shares

    def _active(self, step: Step, mask: BoolArray | None) -> BoolArray | None:
        """The scenarios a step runs for (None: all of them)."""
        if step.unless_trigger is None:
            return mask
        clear = ~self.breached[step.unless_trigger]
        return clear if mask is None else mask & clear

    def _principal_due(self, name: str) -> FloatArray:
        tranche = self.deal.tranche(name)
        balance = self.balance[name]
        if tranche.target_balances is None:
            return balance
        targets = tranche.target_balances
        target = targets[self.period] if self.period < len(targets) else 0.0
        result: FloatArray = np.maximum(balance - target, 0.0)
        return result

    def _balances_changed(self) -> None:
        """Forget figures derived from tranche balances (principal is about to be paid)."""
        self._target = None

    def _reserve_target(self) -> FloatArray:
        # the target depends only on senior balances: reused until principal is paid
        if self._target is not None:
            return self._target
        reserve = self.deal.reserve
        if reserve is None:
            raise ValueError("the deal has no reserve account")
        seniors = [self.balance[t] for t in reserve.senior_tranches]
        if len(seniors) == 1:
            senior = seniors[0]  # read only
        else:
            senior = _total(seniors) if seniors else np.zeros(self.shape[0])
        result: FloatArray = reserve.target_pct_of_senior * senior
        np.maximum(result, reserve.floor, out=result)
        np.minimum(result, senior, out=result)
        self._target = result
        return result

    # -- compiling -----------------------------------------------------------------------------------------
    def compile(self, steps: Sequence[Step]) -> list[Op]:
        """Each step as a closure over the run's arrays; ``op(mask)`` runs it (mask None: every scenario)."""
        return [self._compile(step) for step in steps]

    def _compile(self, step: Step) -> Op:  # noqa: C901 - one branch per step kind, as the Step union
        if isinstance(step, PayFee):
            return self._pay_fee(step)
        if isinstance(step, PayInterest):
            return self._pay_interest(step)
        if isinstance(step, PayPrincipal):
            return self._pay_principal_op(step)
        if isinstance(step, Transfer):
            return self._transfer(step)
        if isinstance(step, TopUpReserve):
            return self._top_up(step)
        if isinstance(step, ReleaseReserveExcess):
            return self._release(step)
        if isinstance(step, PayResidual):
            return self._pay_residual(step)
        if isinstance(step, DrawCreditSupport):
            return self._guarded(step, lambda active: self._draw_support(step, active))
        if isinstance(step, LiquidatePool):
            return self._guarded(step, lambda active: self._liquidate(step, active))
        raise TypeError(f"unknown waterfall step {step!r}")  # pragma: no cover - the Step union is closed

    def _guarded(self, step: Step, body: Callable[[BoolArray | None], None]) -> Op:
        """Run ``body`` for the step's active scenarios, skipping it when there are none."""

        if step.unless_trigger is None:

            def unconditional(mask: BoolArray | None) -> None:
                if mask is None or mask.any():
                    body(mask)

            return unconditional

        def op(mask: BoolArray | None) -> None:
            active = self._active(step, mask)
            if active is not None and not active.any():
                return
            body(active)

        return op

    def _pay_fee(self, step: PayFee) -> Op:
        source = self.account[step.source]
        dues = [self.fee_due[f] for f in step.fees]
        paid_rows = [self.fee_stats[f]["paid"] for f in step.fees]

        def body(active: BoolArray | None) -> None:
            available = source if active is None else np.where(active, source, 0.0)
            if len(dues) == 1:
                amounts = [np.minimum(available, dues[0])]
            else:
                amounts = self._allocate(np.minimum(available, _total(dues)), dues)
            p = self.period
            for due, row, amount in zip(dues, paid_rows, amounts, strict=True):
                due -= amount
                row[p] += amount
                np.subtract(source, amount, out=source)

        return self._guarded(step, body)

    def _pay_interest(self, step: PayInterest) -> Op:
        source = self.account[step.source]
        names = step.tranches
        due_ioi = [self.due_ioi[t] if self.has_ioi[t] else None for t in names]
        paid_rows = [self.interest_paid[t] for t in names]
        direct = len(names) == 1 and self.sole_writer[("interest_paid", names[0])]
        lean = direct and due_ioi[0] is None

        def body(active: BoolArray | None) -> None:
            if lean and active is None:  # one tranche, no arrears: pay its due from the whole account
                p = self.period
                amount = np.minimum(source, self.due_int[names[0]], out=paid_rows[0][p])
                self._reduce_due(names[0], amount)
                np.subtract(source, amount, out=source)
                return
            available = source if active is None else np.where(active, source, 0.0)
            due_int = [self.due_int[t] for t in names]  # may live in a statement row: looked up each time
            dues = [d if a is None else d + a for d, a in zip(due_int, due_ioi, strict=True)]
            p = self.period
            if len(dues) == 1:
                # the only step paying this tranche's interest writes the statement row itself
                amounts = [np.minimum(available, dues[0], out=paid_rows[0][p] if direct else None)]
            else:
                amounts = self._allocate(np.minimum(available, _total(dues)), dues)
            for name, interest, arrears, row, amount in zip(
                names, due_int, due_ioi, paid_rows, amounts, strict=True
            ):
                if arrears is None:
                    self._reduce_due(name, amount)
                else:
                    on_arrears = np.minimum(amount, arrears)
                    arrears -= on_arrears
                    interest -= amount - on_arrears
                if not direct:
                    row[p] += amount
                np.subtract(source, amount, out=source)

        return self._guarded(step, body)

    def _reduce_due(self, name: str, amount: FloatArray) -> None:
        """Pay interest due (no arrears); what is left is written straight into the shortfall row."""
        p = self.period
        if self.due_row_of[name] == p:
            np.subtract(self.due_int[name], amount, out=self.due_int[name])
            return
        row = self.tranche_shortfall[name][p]
        np.subtract(self.due_int[name], amount, out=row)
        self.due_int[name] = row
        self.due_row_of[name] = p

    def _pay_principal_op(self, step: PayPrincipal) -> Op:
        """Sequential principal from the whole account is compiled; anything else takes the general path."""
        names = step.tranches
        direct = not step.pro_rata and step.due is PrincipalDue.FULL_BALANCE and len(set(names)) == len(names)
        source = self.account[step.source]
        plan = [
            (
                name,
                self.deal.tranche(name).target_balances,
                self.principal_paid[name],
                self.sole_writer[("principal_paid", name)],
            )
            for name in names
        ]

        def body(active: BoolArray | None) -> None:
            if not direct or active is not None:
                self._pay_principal(step, active)
                return
            # pay each tranche in turn straight from the account (what is left is the account itself)
            p = self.period
            self._balances_changed()
            for name, targets, paid, sole in plan:
                balance = self.balance[name]
                if targets is None:
                    due = balance
                else:
                    due = np.maximum(balance - (targets[p] if p < len(targets) else 0.0), 0.0)
                row = paid[p]
                if sole:
                    amount = np.minimum(source, due, out=row)  # the statement row is the amount
                else:
                    amount = np.minimum(source, due)
                    np.add(row, amount, out=row)
                self._reduce_balance(name, amount)
                np.subtract(source, amount, out=source)

        return self._guarded(step, body)

    def _pay_principal(self, step: PayPrincipal, active: BoolArray | None) -> None:
        p = self.period
        source = self.account[step.source]
        available = source if active is None else np.where(active, source, 0.0)
        dues = [self._principal_due(t) for t in step.tranches]
        if step.due is PrincipalDue.POOL_PAYDOWN:
            listed = _total([self.balance[t] for t in step.tranches])
            cap = np.maximum(listed - step.advance_rate * self.pool_rows["ending_balance"][p], 0.0)
            available = np.minimum(available, cap)
        self._balances_changed()
        if step.pro_rata:
            paid = self._allocate(np.minimum(available, _total(dues)), dues)
        else:
            paid = []
            left = available
            for due in dues:
                amount = np.minimum(left, due)
                paid.append(amount)
                left = left - amount
        for tranche, amount in zip(step.tranches, paid, strict=True):
            self._reduce_balance(tranche, amount)
            self.principal_paid[tranche][p] += amount
            np.subtract(source, amount, out=source)

    def _reduce_balance(self, name: str, amount: FloatArray) -> None:
        """Pay down a tranche; the new balance is written straight into this period's statement row."""
        p = self.period
        if self.balance_row_of[name] == p:
            np.subtract(self.balance[name], amount, out=self.balance[name])
            return
        row = self.tranche_balance[name][p]
        np.subtract(self.balance[name], amount, out=row)
        self.balance[name] = row
        self.balance_row_of[name] = p

    def _transfer(self, step: Transfer) -> Op:
        source, target = self.account[step.source], self.account[step.target]

        def body(active: BoolArray | None) -> None:
            amount = source.copy() if active is None else np.where(active, source, 0.0)
            if step.amount is not None:
                amount = np.minimum(amount, step.amount)
            np.subtract(source, amount, out=source)
            np.add(target, amount, out=target)

        return self._guarded(step, body)

    def _top_up(self, step: TopUpReserve) -> Op:
        source, reserve = self.account[step.source], self.account[step.reserve]

        def body(active: BoolArray | None) -> None:
            amount = self._reserve_target() - reserve  # what the reserve needs, then what can be paid
            np.maximum(amount, 0.0, out=amount)
            np.minimum(amount, source, out=amount)
            if active is not None:
                amount = np.where(active, amount, 0.0)
            np.subtract(source, amount, out=source)
            np.add(reserve, amount, out=reserve)

        return self._guarded(step, body)

    def _release(self, step: ReleaseReserveExcess) -> Op:
        reserve, target = self.account[step.reserve], self.account[step.target]

        def body(active: BoolArray | None) -> None:
            amount = reserve - self._reserve_target()
            np.maximum(amount, 0.0, out=amount)
            if active is not None:
                amount = np.where(active, amount, 0.0)
            np.subtract(reserve, amount, out=reserve)
            np.add(target, amount, out=target)

        return self._guarded(step, body)

    def _pay_residual(self, step: PayResidual) -> Op:
        source = self.account[step.source]
        row = self.residual if step.tranche is None else self.interest_paid[step.tranche]
        sole = step.tranche is None and self.residual_writers == 1
        sole = sole or (step.tranche is not None and self.sole_writer[("interest_paid", step.tranche)])

        def body(active: BoolArray | None) -> None:
            if active is None:  # everything goes: pay the account out, then empty it
                if sole:
                    np.copyto(row[self.period], source)
                else:
                    np.add(row[self.period], source, out=row[self.period])
                source.fill(0.0)
                return
            amount = np.where(active, source, 0.0)
            np.subtract(source, amount, out=source)
            row[self.period] += amount

        return self._guarded(step, body)

    def _liquidate(self, step: LiquidatePool, active: BoolArray | None) -> None:
        p = self.period
        fresh = ~self.liquidated if active is None else active & ~self.liquidated
        proceeds = np.where(fresh, self.pool_rows["ending_balance"][p] * step.price_factor, 0.0)
        self.liquidated |= fresh
        self.account[step.target] += proceeds
        self.liquidation[p] += proceeds

    def _draw_support(self, step: DrawCreditSupport, active: BoolArray | None) -> None:
        p = self.period
        final = p == self.shape[1] - 1
        required = sum((self.fee_due[f] for f in step.fees), np.zeros(self.shape[0]))
        for name in step.tranches:
            required = required + self.due_int[name] + self.due_ioi[name]
            if step.principal:
                required = required + (self.balance[name] if final else self._principal_due_scheduled(name))
        shortfall = np.maximum(required - self.account[step.source], 0.0)
        if active is not None:
            shortfall = np.where(active, shortfall, 0.0)
        for provider in step.providers:
            draw = np.minimum(shortfall, self.support_left[provider])
            self.support_left[provider] -= draw
            shortfall = shortfall - draw
            self.account[step.source] += draw
            self.support_drawn[provider][p] += draw

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
            if self.static_zero_due[name]:
                continue
            fraction = self.fractions[tranche.day_count][p]
            rate = self.rate_rows[name][p]
            balance, interest, arrears = self.balance[name], self.due_int[name], self.due_ioi[name]
            accrues = not (isinstance(rate, float) and rate == 0.0)  # a zero coupon accrues exactly nothing
            if not self.has_ioi[name]:
                # the interest due is written into its statement row, where the payment steps find it
                row = self.interest_due[name][p]
                if accrues:
                    new_interest = balance * rate
                    new_interest *= fraction
                    if self.rounds:
                        new_interest = self.round(new_interest)
                    np.add(interest, new_interest, out=row)
                else:
                    np.copyto(row, interest)
                self.due_int[name] = row
                self.due_row_of[name] = -1  # not yet paid this period: the shortfall row is still empty
                continue
            if accrues:
                new_interest = balance * rate * fraction
                if self.rounds:
                    new_interest = self.round(new_interest)
                if tranche.interest_on_arrears:
                    arrears += self.round(interest * rate * fraction)
                interest += new_interest
            np.add(interest, arrears, out=self.interest_due[name][p])
        if not self.deal.fees:
            return
        basis = FeeBasis(
            pool_beginning_balance=self.pool_rows["beginning_balance"][p],
            tranche_balance=sum(self.balance.values(), np.zeros(self.shape[0])),
            year_fraction=float(self.schedule_fractions[p]),
            rounding=self.round,
        )
        for fee in self.deal.fees:
            due = self.fee_due[fee.name]
            due += fee.accrue(period=p, state=basis)
            self.fee_stats[fee.name]["due"][p] = due

    def collect(self) -> None:
        """Pay the period's pool collections into their accounts (and record the total)."""
        p = self.period
        rows = self.pool_rows
        sources = (
            ("interest", rows["interest"][p]),
            ("principal", rows["scheduled_principal"][p]),
            ("prepayment", rows["prepayment"][p]),
            ("recovery", rows["recovery"][p]),
        )
        if not self.can_liquidate:
            for source, amount in sources:
                self.account[self.deal.collections[source]] += amount
            return
        total = np.zeros(self.shape[0])
        for source, amount in sources:
            cash = np.where(self.liquidated, 0.0, amount)
            self.account[self.deal.collections[source]] += cash
            total = total + cash
        self.collections[p] = total

    def test_triggers(self) -> BoolArray:
        """Update latched breaches; returns the mask of scenarios on the "post" waterfall."""
        p = self.period
        rows = self.pool_rows
        original = self.pool.original_balance or 1.0
        principal = rows["scheduled_principal"][p] + rows["prepayment"][p] + rows["recovery"][p]
        state = TriggerState(
            period=p,
            cumulative_default_rate=self.cumulative_default[p] / original,
            pool_balance=rows["ending_balance"][p] + principal,
            tranche_balances=self.balance,
        )
        post = np.zeros(self.shape[0], dtype=bool)
        for trigger in self.deal.triggers:
            breached = self.breached[trigger.name]
            breached |= trigger.breached(state=state)
            self.breach_history[trigger.name][p] = breached
            if trigger.switches_waterfall:
                post = post | breached
        return post

    @property
    def cumulative_default(self) -> FloatArray:
        """Cumulative pool defaults per period (P, S), computed on first use."""
        cached: FloatArray | None = getattr(self, "_cumulative_default", None)
        if cached is None:
            cached = np.cumsum(self.pool_rows["default"], axis=0)
            self._cumulative_default = cached
        return cached

    def record(self) -> None:
        """Store end-of-period balances."""
        p = self.period
        for name, balance in self.balance.items():
            if self.balance_row_of[name] != p:  # principal was not paid in place this period
                self.tranche_balance[name][p] = balance
            if self.static_zero_due[name]:
                continue
            if self.has_ioi[name]:
                np.add(self.due_int[name], self.due_ioi[name], out=self.tranche_shortfall[name][p])
            elif self.due_row_of[name] != p:  # no interest was paid this period
                self.tranche_shortfall[name][p] = self.due_int[name]
        for name, fee in self.fee_due.items():
            self.fee_stats[name]["unpaid"][p] = fee
        swept = self.swept if self.distributed and not self.cleaned else ()
        for name, balance in self.account.items():
            if name not in swept:  # a swept account ends the period at exactly 0: its row stays zero
                self.account_balance[name][p] = balance


class _RowBlock:
    """Hands out (P, S) statement arrays as consecutive slices of one zeroed (count, P, S) block."""

    def __init__(self, *, rows: tuple[int, int], count: int) -> None:
        self.block = np.zeros((count, *rows))
        self.next = 0

    def take(self) -> FloatArray:
        """The next (P, S) array."""
        result: FloatArray = self.block[self.next]
        self.next += 1
        return result


def _accounts_of(step: Step) -> tuple[str, ...]:
    """The accounts a step reads or writes."""
    if isinstance(step, Transfer):
        return (step.source, step.target)
    if isinstance(step, (TopUpReserve,)):
        return (step.reserve, step.source)
    if isinstance(step, ReleaseReserveExcess):
        return (step.reserve, step.target)
    if isinstance(step, LiquidatePool):
        return (step.target,)
    return (step.source,)


def _swept_accounts(deal: Deal) -> frozenset[str]:
    """Accounts whose last use in the only waterfall is an unconditional sweep (PayResidual) to zero."""
    if set(deal.waterfalls) - {"pre", "cleanup"}:
        return frozenset()
    last: dict[str, Step] = {}
    for step in deal.waterfalls.get("pre", ()):
        for account in _accounts_of(step):
            last[account] = step
    return frozenset(
        account
        for account, step in last.items()
        if isinstance(step, PayResidual) and step.source == account and step.unless_trigger is None
    )


def _sole_writers(deal: Deal) -> dict[tuple[str, str], bool]:
    """Statement rows (interest or principal paid of a tranche) that exactly one step ever adds to."""
    counts: dict[tuple[str, str], int] = {}
    for steps in deal.waterfalls.values():
        for step in steps:
            rows: list[tuple[str, str]] = []
            if isinstance(step, PayInterest):
                rows = [("interest_paid", t) for t in step.tranches]
            elif isinstance(step, PayResidual) and step.tranche is not None:
                rows = [("interest_paid", step.tranche)]
            elif isinstance(step, PayPrincipal):
                rows = [("principal_paid", t) for t in step.tranches]
            for row in rows:
                counts[row] = counts.get(row, 0) + 1
    return {row: count == 1 for row, count in counts.items()}


def _total(arrays: Sequence[FloatArray]) -> FloatArray:
    """Element-wise sum in list order (a copy, even of one array)."""
    total = arrays[0].copy()
    for more in arrays[1:]:
        total += more
    return total


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
    pre = run.compile(deal.waterfalls.get("pre", ()))
    post_steps = deal.waterfalls.get("post")
    post = None if post_steps is None else run.compile(post_steps)
    cleanup = run.compile(deal.waterfalls.get("cleanup", ()))
    distributes = deal.schedule.distribution_flags()
    for p in range(periods):
        run.period = p
        run.distributed, run.cleaned = distributes[p], bool(cleanup) and p == periods - 1
        run.collect()
        run.accrue()
        if distributes[p]:
            if post is None:
                for op in pre:
                    op(None)
            else:
                switched = run.test_triggers()
                staying = ~switched
                for op in pre:
                    op(staying)
                for op in post:
                    op(switched)
            if p == periods - 1:
                for op in cleanup:
                    op(None)
        run.record()
    tranches = {
        t.name: TrancheStatement(
            name=t.name,
            original_balance=t.balance,
            balance=run.tranche_balance[t.name].T,
            rate=run.rates[t.name],
            interest_due=run.interest_due[t.name].T,
            interest_paid=run.interest_paid[t.name].T,
            principal_paid=run.principal_paid[t.name].T,
            interest_shortfall=run.tranche_shortfall[t.name].T,
        )
        for t in deal.tranches
    }
    fees = {
        name: FeeStatement(name=name, due=stats["due"].T, paid=stats["paid"].T, unpaid=stats["unpaid"].T)
        for name, stats in run.fee_stats.items()
    }
    return DealResult(
        deal=deal,
        scenarios=arrays,
        pool=pool,
        tranches=tranches,
        fees=fees,
        accounts={name: balance.T for name, balance in run.account_balance.items()},
        support_drawn={name: drawn.T for name, drawn in run.support_drawn.items()},
        residual_to_originator=run.residual.T,
        liquidation_proceeds=run.liquidation.T,
        breached={name: history.T for name, history in run.breach_history.items()},
        collected=run.collections.T if run.can_liquidate else None,
    )
