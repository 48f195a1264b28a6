"""Ledger tables: accounts with cached balances, immutable transfers, and their journal entries and lines.

Amounts are integers in the currency's minor unit (fen for CNY), so sums are exact on every database. The
database refuses an unbalanced entry itself: see migrations/versions/0010_ledger.py for the triggers.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from ipops.core.db import Base


class AccountKind(StrEnum):
    """A clearing account mirrors money outside the platform (a bank account); internal ones hold it."""

    CLEARING = "clearing"
    INTERNAL = "internal"


class TransferKind(StrEnum):
    """Single-phase, or the three steps of a two-phase transfer."""

    SINGLE = "single"  # posted at once
    PENDING = "pending"  # reserves the amount on both accounts
    POST = "post"  # posts all or part of a pending transfer and releases the rest
    VOID = "void"  # releases a pending transfer


class Bucket(StrEnum):
    """Which balance a journal line moves."""

    PENDING = "pending"
    POSTED = "posted"


class Side(StrEnum):
    """Debit or credit."""

    DEBIT = "D"
    CREDIT = "C"


class LedgerAccount(Base):
    """An account in one currency; its four balances are a cache of its lines that `verify` re-checks."""

    __tablename__ = "ledger_accounts"
    __table_args__ = (
        CheckConstraint("kind IN ('clearing', 'internal')", name="kind"),
        CheckConstraint(
            "debits_pending >= 0 AND debits_posted >= 0 AND credits_pending >= 0 AND credits_posted >= 0",
            name="balances_not_negative",
        ),
        CheckConstraint(
            "NOT (debits_must_not_exceed_credits AND credits_must_not_exceed_debits)", name="one_limit"
        ),
        # The database itself keeps a flagged account from going negative, whatever the code does.
        CheckConstraint(
            "NOT debits_must_not_exceed_credits OR debits_pending + debits_posted <= credits_posted",
            name="debits_within_credits",
        ),
        CheckConstraint(
            "NOT credits_must_not_exceed_debits OR credits_pending + credits_posted <= debits_posted",
            name="credits_within_debits",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    kind: Mapped[str] = mapped_column(String(10))
    debits_must_not_exceed_credits: Mapped[bool] = mapped_column(default=False)
    credits_must_not_exceed_debits: Mapped[bool] = mapped_column(default=False)
    alliance_id: Mapped[int | None] = mapped_column(
        ForeignKey("alliances.id", ondelete="RESTRICT"), index=True
    )
    org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    debits_pending: Mapped[int] = mapped_column(BigInteger, default=0)
    debits_posted: Mapped[int] = mapped_column(BigInteger, default=0)
    credits_pending: Mapped[int] = mapped_column(BigInteger, default=0)
    credits_posted: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class LedgerTransfer(Base):
    """An immutable transfer, identified by the caller's id (the idempotency key)."""

    __tablename__ = "ledger_transfers"
    __table_args__ = (
        CheckConstraint("kind IN ('single', 'pending', 'post', 'void')", name="kind"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("debit_account_id <> credit_account_id", name="two_accounts"),
        CheckConstraint("(kind IN ('post', 'void')) = (pending_id IS NOT NULL)", name="pending_link"),
        Index("ix_ledger_transfers_debit", "debit_account_id"),
        Index("ix_ledger_transfers_credit", "credit_account_id"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    debit_account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id", ondelete="RESTRICT"))
    credit_account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id", ondelete="RESTRICT"))
    amount: Mapped[int] = mapped_column(BigInteger)  # minor units; for a void, 0
    currency: Mapped[str] = mapped_column(String(3))
    # At most one post or void per pending transfer: the unique index settles a race between two.
    pending_id: Mapped[str | None] = mapped_column(
        ForeignKey("ledger_transfers.id", ondelete="RESTRICT"), unique=True
    )
    code: Mapped[str] = mapped_column(String(60))  # why the money moved, e.g. market.deposit
    reference: Mapped[str | None] = mapped_column(String(120))  # the domain record, e.g. deal:12
    external_ref: Mapped[str | None] = mapped_column(String(80))  # a bank transfer number
    # "<clearing account id>:<external_ref>" for money entering or leaving: one booking per bank transfer.
    external_ref_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class JournalEntry(Base):
    """The journal entry of one transfer; written after its lines, which must balance to the line count."""

    __tablename__ = "ledger_entries"

    transfer_id: Mapped[str] = mapped_column(
        ForeignKey("ledger_transfers.id", ondelete="RESTRICT"), primary_key=True
    )
    line_count: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class JournalLine(Base):
    """One debit or credit of an entry on one account's pending or posted balance (negative releases)."""

    __tablename__ = "ledger_lines"
    __table_args__ = (
        CheckConstraint("side IN ('D', 'C')", name="side"),
        CheckConstraint("bucket IN ('pending', 'posted')", name="bucket"),
        CheckConstraint("amount <> 0", name="amount_not_zero"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Deferred: the lines are written before their entry, whose insert trigger checks them (SQLite has no
    # deferred triggers), and a line left without an entry fails the foreign key at commit.
    entry_id: Mapped[str] = mapped_column(
        ForeignKey("ledger_entries.transfer_id", ondelete="RESTRICT", deferrable=True, initially="DEFERRED"),
        index=True,
    )
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id", ondelete="RESTRICT"), index=True)
    bucket: Mapped[str] = mapped_column(String(7))
    side: Mapped[str] = mapped_column(String(1))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
