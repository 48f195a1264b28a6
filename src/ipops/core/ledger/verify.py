"""Re-check the ledger from its lines: every entry balances, every cached balance is the sum of its lines.

The triggers refuse an unbalanced write; this finds anything that got past them (a restored backup, a hand
edit, a trigger dropped by mistake). Each check is one set-based query.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import Session

from ipops.core.ledger.models import JournalEntry, JournalLine, LedgerAccount, LedgerTransfer, TransferKind


@dataclass(frozen=True, slots=True)
class LedgerProblem:
    """One thing wrong: which check, which record, and what was found."""

    check: str
    subject: str
    detail: str


@dataclass(slots=True)
class LedgerCheck:
    """The outcome of a verification run."""

    entries: int = 0
    accounts: int = 0
    transfers: int = 0
    problems: list[LedgerProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether nothing was found wrong."""
        return not self.problems


SIGNED = case((JournalLine.side == "D", JournalLine.amount), else_=-JournalLine.amount)
CHECKS = (
    "entry_balance",
    "entry_line_count",
    "line_currency",
    "transfer_entry",
    "account_balances",
    "account_limits",
    "pending_resolution",
)


def verify_ledger(session: Session, *, progress: Callable[[int, int], None] | None = None) -> LedgerCheck:
    """Run every check over the whole ledger; `progress(done, total)` is told after each check."""
    result = LedgerCheck(
        entries=session.scalar(select(func.count()).select_from(JournalEntry)) or 0,
        accounts=session.scalar(select(func.count()).select_from(LedgerAccount)) or 0,
        transfers=session.scalar(select(func.count()).select_from(LedgerTransfer)) or 0,
    )
    problems = result.problems
    steps: list[Callable[[], None]] = []

    def entry_balance() -> None:
        rows = session.execute(
            select(JournalLine.entry_id, JournalLine.currency, JournalLine.bucket, func.sum(SIGNED))
            .group_by(JournalLine.entry_id, JournalLine.currency, JournalLine.bucket)
            .having(func.sum(SIGNED) != 0)
            .order_by(JournalLine.entry_id)
        )
        for entry_id, currency, bucket, total in rows:
            problems.append(
                LedgerProblem("entry_balance", entry_id, f"{bucket} {currency} debits - credits = {total}")
            )

    def entry_line_count() -> None:
        counted = (
            select(JournalLine.entry_id.label("entry_id"), func.count().label("n"))
            .group_by(JournalLine.entry_id)
            .subquery()
        )
        rows = session.execute(
            select(JournalEntry.transfer_id, JournalEntry.line_count, func.coalesce(counted.c.n, 0))
            .outerjoin(counted, counted.c.entry_id == JournalEntry.transfer_id)
            .where(func.coalesce(counted.c.n, 0) != JournalEntry.line_count)
            .order_by(JournalEntry.transfer_id)
        )
        for entry_id, expected, found in rows:
            problems.append(
                LedgerProblem("entry_line_count", entry_id, f"{found} lines, entry says {expected}")
            )
        orphans = session.execute(
            select(JournalLine.entry_id)
            .outerjoin(JournalEntry, JournalEntry.transfer_id == JournalLine.entry_id)
            .where(JournalEntry.transfer_id.is_(None))
            .distinct()
        )
        for (entry_id,) in orphans:
            problems.append(LedgerProblem("entry_line_count", entry_id, "lines without an entry"))

    def line_currency() -> None:
        rows = session.execute(
            select(JournalLine.id, JournalLine.currency, LedgerAccount.currency)
            .join(LedgerAccount, LedgerAccount.id == JournalLine.account_id)
            .where(JournalLine.currency != LedgerAccount.currency)
        )
        for line_id, line_currency, account_currency in rows:
            problems.append(
                LedgerProblem(
                    "line_currency", f"line {line_id}", f"{line_currency} on a {account_currency} account"
                )
            )

    def transfer_entry() -> None:
        rows = session.execute(
            select(LedgerTransfer.id)
            .outerjoin(JournalEntry, JournalEntry.transfer_id == LedgerTransfer.id)
            .where(JournalEntry.transfer_id.is_(None))
        )
        for (transfer_id,) in rows:
            problems.append(LedgerProblem("transfer_entry", transfer_id, "transfer without a journal entry"))

    def account_balances() -> None:
        def total(side: str, bucket: str) -> object:
            return func.coalesce(
                func.sum(
                    case(
                        ((JournalLine.side == side) & (JournalLine.bucket == bucket), JournalLine.amount),
                        else_=literal(0),
                    )
                ),
                0,
            )

        sums = (
            select(
                JournalLine.account_id.label("account_id"),
                total("D", "pending").label("dp"),  # type: ignore[attr-defined]
                total("D", "posted").label("dd"),  # type: ignore[attr-defined]
                total("C", "pending").label("cp"),  # type: ignore[attr-defined]
                total("C", "posted").label("cd"),  # type: ignore[attr-defined]
            )
            .group_by(JournalLine.account_id)
            .subquery()
        )
        rows = session.execute(
            select(
                LedgerAccount.code,
                LedgerAccount.debits_pending,
                LedgerAccount.debits_posted,
                LedgerAccount.credits_pending,
                LedgerAccount.credits_posted,
                func.coalesce(sums.c.dp, 0),
                func.coalesce(sums.c.dd, 0),
                func.coalesce(sums.c.cp, 0),
                func.coalesce(sums.c.cd, 0),
            )
            .outerjoin(sums, sums.c.account_id == LedgerAccount.id)
            .order_by(LedgerAccount.id)
        )
        for code, *values in rows:
            cached, summed = tuple(int(v) for v in values[:4]), tuple(int(v) for v in values[4:])
            if cached != summed:
                problems.append(
                    LedgerProblem("account_balances", code, f"cached {cached} but lines sum to {summed}")
                )

    def account_limits() -> None:
        over = (LedgerAccount.debits_must_not_exceed_credits) & (
            LedgerAccount.debits_pending + LedgerAccount.debits_posted > LedgerAccount.credits_posted
        ) | (LedgerAccount.credits_must_not_exceed_debits) & (
            LedgerAccount.credits_pending + LedgerAccount.credits_posted > LedgerAccount.debits_posted
        )
        for (code,) in session.execute(select(LedgerAccount.code).where(over)):
            problems.append(LedgerProblem("account_limits", code, "a flagged account is over its limit"))

    def pending_resolution() -> None:
        pending = LedgerTransfer.__table__.alias("pending")
        rows = session.execute(
            select(LedgerTransfer.id, LedgerTransfer.amount, pending.c.amount, pending.c.kind)
            .join(pending, pending.c.id == LedgerTransfer.pending_id)
            .where(
                (pending.c.kind != TransferKind.PENDING.value)
                | (LedgerTransfer.amount > pending.c.amount)
                | ((LedgerTransfer.kind == TransferKind.VOID.value) & (LedgerTransfer.amount != 0))
            )
        )
        for transfer_id, amount, pending_amount, pending_kind in rows:
            problems.append(
                LedgerProblem(
                    "pending_resolution",
                    transfer_id,
                    f"resolves a {pending_kind} of {pending_amount} with {amount}",
                )
            )

    steps = [
        entry_balance,
        entry_line_count,
        line_currency,
        transfer_entry,
        account_balances,
        account_limits,
        pending_resolution,
    ]
    for done, step in enumerate(steps, start=1):
        step()
        if progress is not None:
            progress(done, len(steps))
    return result
