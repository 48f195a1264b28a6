"""Double-entry ledger for money the platform holds: accounts, immutable idempotent transfers, two phases.

from ipops.core import ledger
account = ledger.open_account(session, ledger.AccountOpen(code="market:deposit:org:7", name="…",
                              debits_must_not_exceed_credits=True))
ledger.create_transfer(session, ledger.TransferRequest(id="dep-1", debit_account_id=bank.id,
                       credit_account_id=account.id, amount=Money.of("100.00"), code="market.deposit",
                       external_ref="BANK-2026-0001"))
"""

from __future__ import annotations

from ipops.core.ledger.models import AccountKind, TransferKind
from ipops.core.ledger.schemas import (
    AccountOpen,
    AccountRead,
    Balance,
    PendingState,
    PostRequest,
    TransferRead,
    TransferRequest,
    TransferResult,
    VoidRequest,
)
from ipops.core.ledger.service import (
    account_transfers,
    clearing_statement,
    create_transfer,
    from_minor,
    get_account,
    get_transfer,
    open_account,
    pending_state,
    post_pending,
    to_minor,
    void_pending,
)
from ipops.core.ledger.verify import LedgerCheck, LedgerProblem, verify_ledger

__all__ = [
    "AccountKind",
    "AccountOpen",
    "AccountRead",
    "Balance",
    "LedgerCheck",
    "LedgerProblem",
    "PendingState",
    "PostRequest",
    "TransferKind",
    "TransferRead",
    "TransferRequest",
    "TransferResult",
    "VoidRequest",
    "account_transfers",
    "clearing_statement",
    "create_transfer",
    "from_minor",
    "get_account",
    "get_transfer",
    "open_account",
    "pending_state",
    "post_pending",
    "to_minor",
    "verify_ledger",
    "void_pending",
]
