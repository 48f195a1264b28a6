"""Hypothesis stateful test of the ledger against a reference model written here from the rules alone.

Under any sequence of deposits, withdrawals, transfers, pending transfers, posts, voids and replays:
Σ debits = Σ credits (pending and posted), no flagged account goes negative, every balance equals the
model's, a replay of an earlier request changes nothing, and `verify` finds nothing. Runs on the test
database (SQLite, or PostgreSQL when IPOPS_TEST_DATABASE_URL is set).
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from ipops.core import ledger
from ipops.core.errors import DomainError
from ipops.core.ledger.models import LedgerAccount
from ipops.core.money import Money

EXAMPLES = 30
STEPS = 30
STATS: Counter[str] = Counter()
FLAGS = ("none", "debits_within_credits", "credits_within_debits")


@dataclass
class ModelAccount:
    """The reference model of one account: four balances in fen and its flag."""

    flag: str
    dp: int = 0
    dd: int = 0
    cp: int = 0
    cd: int = 0

    def may_debit(self, amount: int) -> bool:
        return self.flag != "debits_within_credits" or self.dp + self.dd + amount <= self.cd

    def may_credit(self, amount: int) -> bool:
        return self.flag != "credits_within_debits" or self.cp + self.cd + amount <= self.dd


@dataclass
class ModelPending:
    transfer_id: str
    debit: int
    credit: int
    amount: int
    resolved: bool = False


@dataclass
class Replay:
    """An accepted request, and the function that sends it."""

    send: Any
    request: Any
    changed: Any = None  # the same id with another field, which must be refused


@dataclass
class Reference:
    accounts: dict[int, ModelAccount] = field(default_factory=dict)
    pendings: list[ModelPending] = field(default_factory=list)
    accepted: list[Replay] = field(default_factory=list)


def fen(amount: int) -> Money:
    return Money(Decimal(amount).scaleb(-2), "CNY")


class LedgerMachine(RuleBasedStateMachine):
    """One example: a session in a transaction that is rolled back at the end."""

    accounts = Bundle("accounts")

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.connection = engine.connect()
        self.outer = self.connection.begin()
        self.session = Session(bind=self.connection, join_transaction_mode="create_savepoint")
        self.model = Reference()
        self.ids = itertools.count(1)
        self.bank = self._open("clearing", "none")

    def _open(self, kind: str, flag: str) -> int:
        n = next(self.ids)
        account = ledger.open_account(
            self.session,
            ledger.AccountOpen(
                code=f"prop:{id(self)}:{n}",
                name=f"账户 {n}",
                kind=kind,
                debits_must_not_exceed_credits=flag == "debits_within_credits",
                credits_must_not_exceed_debits=flag == "credits_within_debits",
            ),
        )
        self.model.accounts[account.id] = ModelAccount(flag=flag)
        return account.id

    def _send(self, send: Any, request: Any) -> DomainError | ledger.TransferResult:
        """One use case: a savepoint that a refusal rolls back, as the unit of work would."""
        try:
            with self.session.begin_nested():
                return send(self.session, request)  # type: ignore[no-any-return]
        except DomainError as refused:
            return refused

    def _move(self, debit: int, credit: int, amount: int, *, pending: bool, ref: str | None) -> bool:
        request = ledger.TransferRequest(
            id=f"t{next(self.ids)}",
            debit_account_id=debit,
            credit_account_id=credit,
            amount=fen(amount),
            pending=pending,
            code="prop.move",
            external_ref=ref,
        )
        d, c = self.model.accounts[debit], self.model.accounts[credit]
        expected = d.may_debit(amount) and c.may_credit(amount)
        outcome = self._send(ledger.create_transfer, request)
        assert isinstance(outcome, ledger.TransferResult) == expected, (outcome, d, c, amount)
        STATS["pending" if pending else "posted"] += 1
        STATS["accepted" if expected else "refused (flag)"] += 1
        if expected:
            if pending:
                d.dp += amount
                c.cp += amount
                self.model.pendings.append(ModelPending(request.id, debit, credit, amount))
            else:
                d.dd += amount
                c.cd += amount
            changed = request.model_copy(update={"amount": fen(amount + 1)})
            self.model.accepted.append(Replay(ledger.create_transfer, request, changed))
        return expected

    @rule(target=accounts, flag=st.sampled_from(FLAGS))
    def open_account(self, flag: str) -> int:
        return self._open("internal", flag)

    @rule(account=accounts, amount=st.integers(1, 50_000))
    def deposit(self, account: int, amount: int) -> None:
        self._move(self.bank, account, amount, pending=False, ref=f"BK{next(self.ids)}")

    @rule(account=accounts, amount=st.integers(1, 50_000))
    def withdraw(self, account: int, amount: int) -> None:
        self._move(account, self.bank, amount, pending=False, ref=f"BK{next(self.ids)}")

    @rule(debit=accounts, credit=accounts, amount=st.integers(1, 50_000))
    def transfer(self, debit: int, credit: int, amount: int) -> None:
        if debit != credit:
            self._move(debit, credit, amount, pending=False, ref=None)

    @rule(debit=accounts, credit=accounts, amount=st.integers(1, 50_000))
    def hold(self, debit: int, credit: int, amount: int) -> None:
        if debit != credit:
            self._move(debit, credit, amount, pending=True, ref=None)

    @rule(account=accounts, amount=st.integers(1, 50_000))
    def hold_from_the_bank(self, account: int, amount: int) -> None:
        self._move(self.bank, account, amount, pending=True, ref=f"BK{next(self.ids)}")

    def _resolve(self, pending: ModelPending, *, void: bool, share: int) -> None:
        posted = pending.amount * share // 100
        transfer_id = f"r{next(self.ids)}"
        if void:
            send: Any = ledger.void_pending
            request: Any = ledger.VoidRequest(id=transfer_id, pending_id=pending.transfer_id)
        else:
            send = ledger.post_pending
            request = ledger.PostRequest(id=transfer_id, pending_id=pending.transfer_id, amount=fen(posted))
        expected = not pending.resolved and (void or posted > 0)
        outcome = self._send(send, request)
        assert isinstance(outcome, ledger.TransferResult) == expected, (outcome, pending, posted)
        STATS[("void" if void else "post") + (" accepted" if expected else " refused")] += 1
        if expected:
            pending.resolved = True
            d, c = self.model.accounts[pending.debit], self.model.accounts[pending.credit]
            d.dp -= pending.amount
            c.cp -= pending.amount
            if not void:
                d.dd += posted
                c.cd += posted
            self.model.accepted.append(Replay(send, request))

    def _open_pendings(self) -> list[ModelPending]:
        return [p for p in self.model.pendings if not p.resolved]

    @precondition(lambda self: bool(self._open_pendings()))
    @rule(data=st.data(), share=st.integers(0, 100))
    def post(self, data: st.DataObject, share: int) -> None:
        self._resolve(data.draw(st.sampled_from(self._open_pendings())), void=False, share=share)

    @precondition(lambda self: bool(self._open_pendings()))
    @rule(data=st.data())
    def void(self, data: st.DataObject) -> None:
        self._resolve(data.draw(st.sampled_from(self._open_pendings())), void=True, share=0)

    @precondition(lambda self: any(p.resolved for p in self.model.pendings))
    @rule(data=st.data(), share=st.integers(1, 100), void=st.booleans())
    def resolve_again(self, data: st.DataObject, share: int, void: bool) -> None:
        done = [p for p in self.model.pendings if p.resolved]
        self._resolve(data.draw(st.sampled_from(done)), void=void, share=share)

    @precondition(lambda self: bool(self.model.accepted))
    @rule(data=st.data())
    def replay(self, data: st.DataObject) -> None:
        earlier = data.draw(st.sampled_from(self.model.accepted))
        before = self._balances()
        outcome = self._send(earlier.send, earlier.request)
        assert isinstance(outcome, ledger.TransferResult) and outcome.created is False
        if earlier.changed is not None:
            refused = self._send(earlier.send, earlier.changed)
            assert isinstance(refused, DomainError) and refused.code == "ledger_transfer_exists"
        assert self._balances() == before
        STATS["replays"] += 1

    def _balances(self) -> dict[int, tuple[int, int, int, int]]:
        rows = self.session.execute(
            select(
                LedgerAccount.id,
                LedgerAccount.debits_pending,
                LedgerAccount.debits_posted,
                LedgerAccount.credits_pending,
                LedgerAccount.credits_posted,
            ).where(LedgerAccount.id.in_(list(self.model.accounts)))
        )
        return {row[0]: (row[1], row[2], row[3], row[4]) for row in rows}

    @invariant()
    def balances_match_the_model(self) -> None:
        stored = self._balances()
        for account_id, m in self.model.accounts.items():
            assert stored[account_id] == (m.dp, m.dd, m.cp, m.cd), account_id

    @invariant()
    def debits_equal_credits_and_no_flagged_account_is_negative(self) -> None:
        totals = self.session.execute(
            select(
                func.sum(LedgerAccount.debits_pending),
                func.sum(LedgerAccount.credits_pending),
                func.sum(LedgerAccount.debits_posted),
                func.sum(LedgerAccount.credits_posted),
            )
        ).one()
        assert totals[0] == totals[1] and totals[2] == totals[3]
        for dp, dd, cp, cd in self._balances().values():
            assert min(dp, dd, cp, cd) >= 0
        for account_id, m in self.model.accounts.items():
            dp, dd, cp, cd = self._balances()[account_id]
            if m.flag == "debits_within_credits":
                assert dp + dd <= cd
            if m.flag == "credits_within_debits":
                assert cp + cd <= dd

    def teardown(self) -> None:
        try:
            check = ledger.verify_ledger(self.session)
            assert check.ok, check.problems
        finally:
            self.session.close()
            self.outer.rollback()
            self.connection.close()


def test_ledger_state_machine(db_engine: Engine) -> None:
    run_state_machine_as_test(
        lambda: LedgerMachine(db_engine),
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            derandomize=True,
        ),
    )
    print(f"ledger state machine: {EXAMPLES} examples x up to {STEPS} steps: {dict(sorted(STATS.items()))}")
    # the run exercised both sides of every rule it checks
    assert STATS["refused (flag)"] and STATS["accepted"] and STATS["replays"]
    assert STATS["post accepted"] and STATS["void accepted"] and STATS["post refused"] + STATS["void refused"]
