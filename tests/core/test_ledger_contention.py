"""The ledger under real contention: separate PostgreSQL connections racing for the same balance."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from ipops.core import ledger
from ipops.core.db import make_session_factory
from ipops.core.errors import DomainError, ErrorCode
from ipops.core.money import Money

pytestmark = pytest.mark.postgres
ROUNDS = 12


@pytest.fixture
def pg_engine(db_engine: Engine) -> Engine:
    if db_engine.dialect.name != "postgresql":
        pytest.skip("contention needs PostgreSQL (IPOPS_TEST_DATABASE_URL)")
    return db_engine


def race(engine: Engine, *calls: Callable[[Session], Any]) -> list[Any]:
    """Run each call in its own thread, connection and transaction, released together by a barrier."""
    factory = make_session_factory(engine)
    barrier = threading.Barrier(len(calls))
    outcomes: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[Session], Any]) -> None:
        with factory() as session:
            session.connection()  # the connection is open before the barrier drops
            barrier.wait(timeout=10)
            try:
                outcomes[index] = call(session)
                session.commit()
            except DomainError as refused:
                session.rollback()
                outcomes[index] = refused

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def funded_account(engine: Engine, amount: str) -> tuple[int, int]:
    """A committed flagged deposit account holding `amount`, and a target account."""
    tag = uuid.uuid4().hex[:10]
    with make_session_factory(engine)() as session:
        bank = ledger.open_account(
            session, ledger.AccountOpen(code=f"race:{tag}:bank", name="银行", kind="clearing")
        )
        member = ledger.open_account(
            session,
            ledger.AccountOpen(code=f"race:{tag}:member", name="会员", debits_must_not_exceed_credits=True),
        )
        target = ledger.open_account(session, ledger.AccountOpen(code=f"race:{tag}:escrow", name="托管"))
        ledger.create_transfer(
            session,
            ledger.TransferRequest(
                id=f"race-{tag}-dep",
                debit_account_id=bank.id,
                credit_account_id=member.id,
                amount=Money.of(amount),
                code="race.deposit",
                external_ref=f"BK-{tag}",
            ),
        )
        session.commit()
    return member.id, target.id


def hold(transfer_id: str, member: int, target: int, amount: str) -> Callable[[Session], Any]:
    request = ledger.TransferRequest(
        id=transfer_id,
        debit_account_id=member,
        credit_account_id=target,
        amount=Money.of(amount),
        pending=True,
        code="race.hold",
    )
    return lambda session: ledger.create_transfer(session, request)


def test_two_pending_transfers_race_for_one_balance_and_at_most_one_wins(pg_engine: Engine) -> None:
    attempts = successes = 0
    for round_no in range(ROUNDS):
        member, target = funded_account(pg_engine, "100.00")
        tag = uuid.uuid4().hex[:8]
        outcomes = race(
            pg_engine,
            hold(f"hold-{tag}-a", member, target, "70.00"),
            hold(f"hold-{tag}-b", member, target, "70.00"),
        )
        won = [o for o in outcomes if isinstance(o, ledger.TransferResult)]
        lost = [o for o in outcomes if isinstance(o, DomainError)]
        attempts += 2
        successes += len(won)
        assert len(won) == 1 and len(lost) == 1, (round_no, outcomes)
        assert lost[0].code == ErrorCode.LEDGER_INSUFFICIENT_FUNDS  # refused by the locked check
        with make_session_factory(pg_engine)() as session:
            balance = ledger.get_account(session, account_id=member).balance
            assert balance.available == Money.of("30.00")
    assert (attempts, successes) == (2 * ROUNDS, ROUNDS)
    print(f"contention: {attempts} attempts, {successes} successes over {ROUNDS} rounds")


def test_two_resolutions_of_one_pending_transfer_race_and_one_wins(pg_engine: Engine) -> None:
    for _ in range(ROUNDS // 2):
        member, target = funded_account(pg_engine, "100.00")
        tag = uuid.uuid4().hex[:8]
        race(pg_engine, hold(f"p-{tag}", member, target, "80.00"))
        post = ledger.PostRequest(id=f"p-{tag}-post", pending_id=f"p-{tag}", amount=Money.of("50.00"))
        void = ledger.VoidRequest(id=f"p-{tag}-void", pending_id=f"p-{tag}")
        outcomes = race(
            pg_engine,
            lambda s, post=post: ledger.post_pending(s, post),  # type: ignore[misc]
            lambda s, void=void: ledger.void_pending(s, void),  # type: ignore[misc]
        )
        won = [o for o in outcomes if isinstance(o, ledger.TransferResult)]
        assert len(won) == 1, outcomes
        lost = next(o for o in outcomes if isinstance(o, DomainError))
        assert lost.code == ErrorCode.LEDGER_PENDING_RESOLVED


def test_the_same_transfer_sent_twice_at_once_books_once(pg_engine: Engine) -> None:
    member, target = funded_account(pg_engine, "100.00")
    tag = uuid.uuid4().hex[:8]
    same = hold(f"dup-{tag}", member, target, "60.00")
    outcomes = race(pg_engine, same, same)
    assert sorted(o.created for o in outcomes) == [False, True], outcomes
    with make_session_factory(pg_engine)() as session:
        assert ledger.get_account(session, account_id=member).balance.available == Money.of("40.00")
        assert ledger.verify_ledger(session).ok
