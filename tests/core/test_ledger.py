"""The ledger: idempotent immutable transfers, two phases, flags, bank references, the database's refusals."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from ipops.core import ledger
from ipops.core.config import get_settings
from ipops.core.errors import DomainError, ErrorCode
from ipops.core.migrate import upgrade_database
from ipops.core.money import Money

INSERT_ACCOUNT = (
    "INSERT INTO ledger_accounts (code, name, currency, kind, debits_must_not_exceed_credits, "
    "credits_must_not_exceed_debits, debits_pending, debits_posted, credits_pending, credits_posted)"
)
INSERT_TRANSFER = (
    "INSERT INTO ledger_transfers (id, kind, debit_account_id, credit_account_id, amount, currency, code)"
)
INSERT_LINE = "INSERT INTO ledger_lines (entry_id, account_id, bucket, side, amount, currency)"


def cny(amount: str) -> Money:
    return Money.of(amount, "CNY")


@pytest.fixture
def books(db_session: Session) -> dict[str, ledger.AccountRead]:
    """A bank clearing account, a member's deposit account (may not go negative) and an escrow account."""
    open_ = ledger.open_account
    return {
        "bank": open_(
            db_session, ledger.AccountOpen(code="bank:icbc", name="工商银行备付金", kind="clearing")
        ),
        "member": open_(
            db_session,
            ledger.AccountOpen(code="member:7", name="会员保证金", debits_must_not_exceed_credits=True),
        ),
        "escrow": open_(db_session, ledger.AccountOpen(code="escrow:deal:1", name="交易托管")),
    }


def deposit(session: Session, books: dict[str, ledger.AccountRead], amount: str, ref: str) -> None:
    ledger.create_transfer(
        session,
        ledger.TransferRequest(
            id=f"dep-{ref}",
            debit_account_id=books["bank"].id,
            credit_account_id=books["member"].id,
            amount=cny(amount),
            code="market.deposit",
            external_ref=ref,
        ),
    )


def balances(session: Session, account: ledger.AccountRead) -> tuple[str, str, str, str]:
    b = ledger.get_account(session, account_id=account.id).balance
    return tuple(  # type: ignore[return-value]
        str(m.amount) for m in (b.debits_pending, b.debits_posted, b.credits_pending, b.credits_posted)
    )


def escrow_request(
    books: dict[str, ledger.AccountRead], amount: str, **fields: object
) -> ledger.TransferRequest:
    values: dict[str, object] = {
        "id": "hold-1",
        "debit_account_id": books["member"].id,
        "credit_account_id": books["escrow"].id,
        "amount": cny(amount),
        "pending": True,
        "code": "market.escrow",
    }
    values.update(fields)
    return ledger.TransferRequest.model_validate(values)


def test_same_id_same_fields_is_success_and_books_once(db_session: Session, books: dict) -> None:
    deposit(db_session, books, "100.00", "BK-1")
    request = escrow_request(books, "30.00")
    first = ledger.create_transfer(db_session, request)
    again = ledger.create_transfer(db_session, request)
    assert (first.created, again.created) == (True, False)
    assert again.transfer == first.transfer
    assert balances(db_session, books["member"]) == ("30.00", "0.00", "0.00", "100.00")
    assert balances(db_session, books["escrow"]) == ("0.00", "0.00", "30.00", "0.00")


def test_same_id_other_fields_is_refused_with_a_code(db_session: Session, books: dict) -> None:
    deposit(db_session, books, "100.00", "BK-1")
    ledger.create_transfer(db_session, escrow_request(books, "30.00"))
    for changed in ({"code": "market.fee"}, {"pending": False}, {"reference": "deal:2"}):
        with pytest.raises(DomainError) as refused:
            ledger.create_transfer(db_session, escrow_request(books, "30.00", **changed))
        assert refused.value.code == ErrorCode.LEDGER_TRANSFER_EXISTS
    with pytest.raises(DomainError, match="other fields"):
        ledger.create_transfer(db_session, escrow_request(books, "31.00"))
    assert balances(db_session, books["member"]) == ("30.00", "0.00", "0.00", "100.00")


def test_flagged_account_cannot_be_overdrawn_even_by_pending(db_session: Session, books: dict) -> None:
    deposit(db_session, books, "100.00", "BK-1")
    ledger.create_transfer(db_session, escrow_request(books, "70.00"))
    with pytest.raises(DomainError) as refused:
        ledger.create_transfer(db_session, escrow_request(books, "30.01", id="hold-2"))
    assert refused.value.code == ErrorCode.LEDGER_INSUFFICIENT_FUNDS
    assert refused.value.extra["available"] == "30.00"
    ledger.create_transfer(db_session, escrow_request(books, "30.00", id="hold-3"))
    assert ledger.get_account(db_session, account_id=books["member"].id).balance.available == cny("0")


def test_partial_post_releases_the_rest_and_a_second_resolution_is_refused(
    db_session: Session, books: dict
) -> None:
    deposit(db_session, books, "100.00", "BK-1")
    ledger.create_transfer(db_session, escrow_request(books, "60.00"))
    post = ledger.PostRequest(id="hold-1-post", pending_id="hold-1", amount=cny("45.50"))
    assert ledger.post_pending(db_session, post).created
    assert ledger.post_pending(db_session, post).created is False  # a replay of the post
    assert balances(db_session, books["member"]) == ("0.00", "45.50", "0.00", "100.00")
    assert balances(db_session, books["escrow"]) == ("0.00", "0.00", "0.00", "45.50")
    state = ledger.pending_state(db_session, pending_id="hold-1")
    assert (state.state, state.resolved_by, state.posted) == ("posted", "hold-1-post", cny("45.50"))
    with pytest.raises(DomainError) as refused:
        ledger.void_pending(db_session, ledger.VoidRequest(id="hold-1-void", pending_id="hold-1"))
    assert refused.value.code == ErrorCode.LEDGER_PENDING_RESOLVED


def test_void_releases_everything_and_posting_more_than_pending_is_refused(
    db_session: Session, books: dict
) -> None:
    deposit(db_session, books, "100.00", "BK-1")
    ledger.create_transfer(db_session, escrow_request(books, "60.00"))
    with pytest.raises(DomainError) as refused:
        ledger.post_pending(db_session, ledger.PostRequest(id="p", pending_id="hold-1", amount=cny("60.01")))
    assert refused.value.code == ErrorCode.LEDGER_POST_EXCEEDS_PENDING
    ledger.void_pending(db_session, ledger.VoidRequest(id="hold-1-void", pending_id="hold-1"))
    assert balances(db_session, books["member"]) == ("0.00", "0.00", "0.00", "100.00")
    assert ledger.pending_state(db_session, pending_id="hold-1").state == "voided"
    with pytest.raises(DomainError) as missing:
        ledger.void_pending(
            db_session, ledger.VoidRequest(id="v", pending_id="dep-BK-1")
        )  # not a pending one
    assert missing.value.code == ErrorCode.NOT_FOUND


def test_money_enters_and_leaves_only_with_a_bank_reference(db_session: Session, books: dict) -> None:
    no_ref = ledger.TransferRequest(
        id="dep-x", debit_account_id=books["bank"].id, credit_account_id=books["member"].id,
        amount=cny("10"), code="market.deposit",
    )  # fmt: skip
    with pytest.raises(DomainError) as refused:
        ledger.create_transfer(db_session, no_ref)
    assert refused.value.code == ErrorCode.LEDGER_EXTERNAL_REF_REQUIRED
    deposit(db_session, books, "10", "BK-9")
    with pytest.raises(DomainError) as twice:
        ledger.create_transfer(db_session, no_ref.model_copy(update={"id": "dep-y", "external_ref": "BK-9"}))
    assert twice.value.code == ErrorCode.LEDGER_EXTERNAL_REF_USED
    statement = ledger.clearing_statement(db_session, account_id=books["bank"].id)
    assert [(t.external_ref, t.amount) for t in statement] == [("BK-9", cny("10"))]


def test_currency_and_digits_are_checked(db_session: Session, books: dict) -> None:
    usd = ledger.open_account(db_session, ledger.AccountOpen(code="usd:1", name="美元账户", currency="USD"))
    with pytest.raises(DomainError) as mismatch:
        ledger.create_transfer(
            db_session,
            escrow_request(books, "1", credit_account_id=usd.id, pending=False),
        )
    assert mismatch.value.code == ErrorCode.CURRENCY_MISMATCH
    assert ledger.to_minor(Money.of("12.34")) == 1234
    assert ledger.from_minor(1234, "JPY") == Money.of("1234", "JPY")
    with pytest.raises(DomainError):
        ledger.open_account(db_session, ledger.AccountOpen(code="usd:1", name="x", currency="CNY"))
    assert (
        ledger.open_account(db_session, ledger.AccountOpen(code="usd:1", name="y", currency="USD")).id
        == usd.id
    )


def _raw_insert_unbalanced(connection: Connection, *, account_id: int, tag: str) -> None:
    connection.execute(
        text(f"{INSERT_TRANSFER} VALUES (:id, 'single', :a, :b, 500, 'CNY', 'hand.edit')"),
        {"id": tag, "a": account_id, "b": account_id + 1},
    )
    connection.execute(
        text(
            "INSERT INTO ledger_lines (entry_id, account_id, bucket, side, amount, currency) "
            "VALUES (:id, :a, 'posted', 'D', 500, 'CNY')"
        ),
        {"id": tag, "a": account_id},
    )
    connection.execute(
        text("INSERT INTO ledger_entries (transfer_id, line_count) VALUES (:id, 1)"), {"id": tag}
    )


def test_verify_catches_a_hand_inserted_imbalance(
    db_connection: Connection, db_session: Session, books: dict
) -> None:
    deposit(db_session, books, "100.00", "BK-1")
    db_session.flush()
    assert ledger.verify_ledger(db_session).ok
    if db_connection.dialect.name == "postgresql":
        db_connection.execute(text("SET LOCAL session_replication_role = replica"))  # triggers off, this tx
    else:
        db_connection.execute(text("DROP TRIGGER ledger_entries_balanced"))  # undone by the test's rollback
    _raw_insert_unbalanced(db_connection, account_id=books["member"].id, tag="forged-1")
    check = ledger.verify_ledger(db_session)
    found = {(p.check, p.subject) for p in check.problems}
    assert ("entry_balance", "forged-1") in found
    assert ("account_balances", "member:7") in found


@pytest.fixture
def committed(db_engine: Engine) -> Iterator[Connection]:
    """A connection of its own whose commits are real (the refusals below must happen at commit)."""
    with db_engine.connect() as connection:
        yield connection


def _two_accounts(connection: Connection) -> int:
    tag = uuid.uuid4().hex[:8]
    ids = []
    for name in ("a", "b"):
        ids.append(
            connection.execute(
                text(
                    f"{INSERT_ACCOUNT} VALUES (:code, :code, 'CNY', 'internal', false, false, 0, 0, 0, 0) "
                    "RETURNING id"
                ),
                {"code": f"raw:{tag}:{name}"},
            ).scalar_one()
        )
    assert ids[1] == ids[0] + 1
    return int(ids[0])


def _in_one_transaction(connection: Connection, *statements: tuple[str, dict[str, object]]) -> None:
    with connection.begin():
        for sql, params in statements:
            connection.execute(text(sql), params)


def _line(entry: str, account: int, side: str, amount: int) -> tuple[str, dict[str, object]]:
    sql = f"{INSERT_LINE} VALUES (:e, :a, 'posted', :side, :amount, 'CNY')"
    return sql, {"e": entry, "a": account, "side": side, "amount": amount}


def _transfer(entry: str, account: int, amount: int) -> tuple[str, dict[str, object]]:
    sql = f"{INSERT_TRANSFER} VALUES (:e, 'single', :a, :b, :amount, 'CNY', 'raw')"
    return sql, {"e": entry, "a": account, "b": account + 1, "amount": amount}


def _entry(entry: str, lines: int) -> tuple[str, dict[str, object]]:
    return "INSERT INTO ledger_entries (transfer_id, line_count) VALUES (:e, :n)", {"e": entry, "n": lines}


def _accounts(connection: Connection) -> int:
    with connection.begin():
        return _two_accounts(connection)


def test_database_refuses_an_unbalanced_entry(committed: Connection) -> None:
    account = _accounts(committed)
    bad = f"bad-{uuid.uuid4().hex[:8]}"
    with pytest.raises(DBAPIError, match="balance"):
        _in_one_transaction(
            committed, _transfer(bad, account, 5), _line(bad, account, "D", 5), _entry(bad, 1)
        )
    with pytest.raises(DBAPIError, match="line"):  # a line count that does not match the lines
        _in_one_transaction(
            committed,
            _transfer(bad, account, 5),
            _line(bad, account, "D", 5),
            _line(bad, account + 1, "C", 5),
            _entry(bad, 3),
        )
    # Lines whose entry never comes: the deferred foreign key (both) and the trigger (PostgreSQL) at commit.
    with pytest.raises(DBAPIError):
        _in_one_transaction(committed, _transfer(bad, account, 5), _line(bad, account, "D", 5))


def test_database_refuses_lines_added_later_and_any_edit(committed: Connection) -> None:
    account = _accounts(committed)
    tag = f"ok-{uuid.uuid4().hex[:8]}"
    _in_one_transaction(
        committed,
        _transfer(tag, account, 5),
        _line(tag, account, "D", 5),
        _line(tag, account + 1, "C", 5),
        _entry(tag, 2),
        # keep the cached balances true too, so that this committed entry leaves the ledger verifiable
        ("UPDATE ledger_accounts SET debits_posted = 5 WHERE id = :a", {"a": account}),
        ("UPDATE ledger_accounts SET credits_posted = 5 WHERE id = :a", {"a": account + 1}),
    )
    with pytest.raises(DBAPIError):
        _in_one_transaction(committed, _line(tag, account, "D", 1), _line(tag, account + 1, "C", 1))
    for statement in (
        "UPDATE ledger_lines SET amount = amount + 1 WHERE entry_id = :id",
        "DELETE FROM ledger_lines WHERE entry_id = :id",
        "UPDATE ledger_transfers SET amount = 6 WHERE id = :id",
        "DELETE FROM ledger_entries WHERE transfer_id = :id",
    ):
        with pytest.raises(DBAPIError, match="immutable"):
            _in_one_transaction(committed, (statement, {"id": tag}))


def test_database_refuses_a_flagged_account_going_negative(committed: Connection) -> None:
    negative = f"{INSERT_ACCOUNT} VALUES (:code, 'x', 'CNY', 'internal', true, false, 0, 1, 0, 0)"
    with pytest.raises(DBAPIError, match="debits_within_credits"):
        _in_one_transaction(committed, (negative, {"code": f"neg:{uuid.uuid4().hex[:8]}"}))


def test_cli_verify_reports_and_fails_on_an_imbalance(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ipops.cli import app

    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    upgrade_database(url=url)
    monkeypatch.setenv("IPOPS_DATABASE_URL", url)
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        clean = runner.invoke(app, ["ledger", "verify"])
        assert clean.exit_code == 0 and "ledger balances" in clean.output
        engine = create_engine(url)
        with engine.begin() as connection:
            account = _two_accounts(connection)
            connection.execute(text("DROP TRIGGER ledger_entries_balanced"))
            _raw_insert_unbalanced(connection, account_id=account, tag="forged-cli")
        engine.dispose()
        broken = runner.invoke(app, ["ledger", "verify"])
        assert broken.exit_code == 1
        assert "forged-cli" in broken.output and "entry_balance" in broken.output
    finally:
        get_settings.cache_clear()
