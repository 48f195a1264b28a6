"""The one write path of the ledger: open accounts, create transfers, post or void pending ones.

Every function works inside the caller's session (the use case's unit of work) and never commits: the
transfer commits or rolls back with the business change it pays for. Each write locks the accounts it
touches with `SELECT … FOR UPDATE` in primary-key order, checks the flags against the locked balances,
then writes the transfer, its lines, its entry (last: SQLite's trigger checks the lines when the entry
arrives) and the balance updates as `SET x = x + :d`. Times come from the database clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ipops.core.errors import DomainError, ErrorCode
from ipops.core.ledger.models import (
    AccountKind,
    Bucket,
    JournalEntry,
    JournalLine,
    LedgerAccount,
    LedgerTransfer,
    Side,
    TransferKind,
)
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
from ipops.core.money import MINOR_UNITS, Money

# ------------------------------------------------------------------------------------------------------------
# Money <-> minor units


def to_minor(money: Money) -> int:
    """The amount in the currency's minor unit; refuses digits the currency does not have."""
    scaled = money.amount.scaleb(MINOR_UNITS.get(money.currency, 2))
    if scaled != scaled.to_integral_value():
        raise DomainError(ErrorCode.LEDGER_INVALID_TRANSFER, f"{money} has more digits than {money.currency}")
    return int(scaled)


def from_minor(amount: int, currency: str) -> Money:
    """A minor-unit integer as Money."""
    return Money(Decimal(amount).scaleb(-MINOR_UNITS.get(currency, 2)), currency)


# ------------------------------------------------------------------------------------------------------------
# Accounts


def _account_read(row: LedgerAccount) -> AccountRead:
    c = row.currency
    return AccountRead(
        id=row.id,
        code=row.code,
        name=row.name,
        currency=c,
        kind=AccountKind(row.kind),
        debits_must_not_exceed_credits=row.debits_must_not_exceed_credits,
        credits_must_not_exceed_debits=row.credits_must_not_exceed_debits,
        alliance_id=row.alliance_id,
        org_id=row.org_id,
        balance=Balance(
            debits_pending=from_minor(row.debits_pending, c),
            debits_posted=from_minor(row.debits_posted, c),
            credits_pending=from_minor(row.credits_pending, c),
            credits_posted=from_minor(row.credits_posted, c),
        ),
    )


def open_account(session: Session, spec: AccountOpen) -> AccountRead:
    """Open an account, or return the existing one with the same code and the same terms."""
    existing = session.scalars(select(LedgerAccount).where(LedgerAccount.code == spec.code)).one_or_none()
    if existing is None:
        try:
            with session.begin_nested():
                row = LedgerAccount(
                    code=spec.code,
                    name=spec.name,
                    currency=spec.currency,
                    kind=spec.kind.value,
                    debits_must_not_exceed_credits=spec.debits_must_not_exceed_credits,
                    credits_must_not_exceed_debits=spec.credits_must_not_exceed_debits,
                    alliance_id=spec.alliance_id,
                    org_id=spec.org_id,
                    debits_pending=0,
                    debits_posted=0,
                    credits_pending=0,
                    credits_posted=0,
                )
                session.add(row)
            return _account_read(row)
        except IntegrityError:  # opened concurrently by another request: compare with that one
            existing = session.scalars(select(LedgerAccount).where(LedgerAccount.code == spec.code)).one()
    terms = (
        existing.currency,
        existing.kind,
        existing.debits_must_not_exceed_credits,
        existing.credits_must_not_exceed_debits,
        existing.alliance_id,
        existing.org_id,
    )
    wanted = (
        spec.currency,
        spec.kind.value,
        spec.debits_must_not_exceed_credits,
        spec.credits_must_not_exceed_debits,
        spec.alliance_id,
        spec.org_id,
    )
    if terms != wanted:
        raise DomainError(ErrorCode.DUPLICATE, f"ledger account {spec.code} exists with other terms")
    return _account_read(existing)


def get_account(session: Session, *, account_id: int | None = None, code: str | None = None) -> AccountRead:
    """One account by id or code."""
    stmt = select(LedgerAccount)
    stmt = stmt.where(LedgerAccount.id == account_id) if account_id is not None else stmt
    stmt = stmt.where(LedgerAccount.code == code) if code is not None else stmt
    if account_id is None and code is None:
        raise ValueError("give account_id or code")
    row = session.scalars(stmt).one_or_none()
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"ledger account {account_id or code}")
    return _account_read(row)


def _lock_accounts(session: Session, ids: Sequence[int]) -> dict[int, LedgerAccount]:
    """Lock the accounts in primary-key order (so two transfers never wait on each other in a cycle)."""
    rows = session.scalars(
        select(LedgerAccount)
        .where(LedgerAccount.id.in_(sorted(set(ids))))
        .order_by(LedgerAccount.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    found = {row.id: row for row in rows}
    missing = sorted(set(ids) - set(found))
    if missing:
        raise DomainError(ErrorCode.NOT_FOUND, f"ledger accounts {missing}")
    return found


# ------------------------------------------------------------------------------------------------------------
# Transfers


def _transfer_read(row: LedgerTransfer) -> TransferRead:
    return TransferRead(
        id=row.id,
        kind=TransferKind(row.kind),
        debit_account_id=row.debit_account_id,
        credit_account_id=row.credit_account_id,
        amount=from_minor(row.amount, row.currency),
        pending_id=row.pending_id,
        code=row.code,
        reference=row.reference,
        external_ref=row.external_ref,
        created_at=row.created_at,
    )


def _fields(row: LedgerTransfer) -> tuple[object, ...]:
    return (
        row.kind,
        row.debit_account_id,
        row.credit_account_id,
        row.amount,
        row.currency,
        row.pending_id,
        row.code,
        row.reference,
        row.external_ref,
    )


def _existing(session: Session, transfer_id: str, wanted: tuple[object, ...]) -> TransferResult | None:
    """The idempotent replay: the same id with the same fields is the stored transfer, else a refusal."""
    row = session.get(LedgerTransfer, transfer_id, populate_existing=True)
    if row is None:
        return None
    if _fields(row) != wanted:
        raise DomainError(
            ErrorCode.LEDGER_TRANSFER_EXISTS,
            f"transfer {transfer_id} exists with other fields",
            id=transfer_id,
        )
    return TransferResult(transfer=_transfer_read(row), created=False)


def _write(
    session: Session,
    *,
    fields: dict[str, object],
    lines: list[tuple[int, Bucket, Side, int]],
    moves: dict[int, dict[str, int]],
) -> TransferResult:
    """Write the transfer, its lines, then its entry, then move the cached balances; one statement batch."""
    currency = str(fields["currency"])
    try:
        session.execute(insert(LedgerTransfer).values(**fields))
        session.execute(
            insert(JournalLine),
            [
                {
                    "entry_id": fields["id"],
                    "account_id": account_id,
                    "bucket": bucket.value,
                    "side": side.value,
                    "amount": amount,
                    "currency": currency,
                }
                for account_id, bucket, side, amount in lines
            ],
        )
        session.execute(insert(JournalEntry).values(transfer_id=fields["id"], line_count=len(lines)))
        for account_id, deltas in sorted(moves.items()):
            session.execute(
                update(LedgerAccount)
                .where(LedgerAccount.id == account_id)
                .values({name: getattr(LedgerAccount, name) + delta for name, delta in deltas.items()})
            )
    except IntegrityError as exc:
        # Lost a race the locks do not cover (the same new id on other accounts, a second resolution of a
        # pending transfer, a bank reference booked twice); the use case fails and rolls back.
        message = str(exc.orig)
        if "external_ref_key" in message:
            raise DomainError(ErrorCode.LEDGER_EXTERNAL_REF_USED, str(fields["external_ref"])) from exc
        if "pending_id" in message:
            raise DomainError(ErrorCode.LEDGER_PENDING_RESOLVED, str(fields["pending_id"])) from exc
        raise DomainError(ErrorCode.LEDGER_TRANSFER_EXISTS, str(fields["id"]), id=fields["id"]) from exc
    row = session.get(LedgerTransfer, fields["id"], populate_existing=True)
    assert row is not None  # noqa: S101 - just inserted
    return TransferResult(transfer=_transfer_read(row), created=True)


def _check_limits(debit: LedgerAccount, credit: LedgerAccount, amount: int) -> None:
    if debit.debits_must_not_exceed_credits and (
        debit.debits_pending + debit.debits_posted + amount > debit.credits_posted
    ):
        available = from_minor(
            debit.credits_posted - debit.debits_posted - debit.debits_pending, debit.currency
        )
        raise DomainError(
            ErrorCode.LEDGER_INSUFFICIENT_FUNDS,
            f"account {debit.code} has {available} available",
            account=debit.code,
            available=str(available.amount),
        )
    if credit.credits_must_not_exceed_debits and (
        credit.credits_pending + credit.credits_posted + amount > credit.debits_posted
    ):
        room = from_minor(
            credit.debits_posted - credit.credits_posted - credit.credits_pending, credit.currency
        )
        raise DomainError(
            ErrorCode.LEDGER_INSUFFICIENT_FUNDS,
            f"account {credit.code} can take {room} more",
            account=credit.code,
            available=str(room.amount),
        )


def create_transfer(session: Session, request: TransferRequest) -> TransferResult:
    """A single-phase or pending transfer; the same id and fields again succeed without a second booking."""
    if request.debit_account_id == request.credit_account_id:
        raise DomainError(ErrorCode.LEDGER_INVALID_TRANSFER, "debit and credit accounts are the same")
    amount = to_minor(request.amount)
    if amount <= 0:
        raise DomainError(ErrorCode.LEDGER_INVALID_TRANSFER, "the amount must be more than zero")
    kind = TransferKind.PENDING if request.pending else TransferKind.SINGLE
    accounts = _lock_accounts(session, [request.debit_account_id, request.credit_account_id])
    debit, credit = accounts[request.debit_account_id], accounts[request.credit_account_id]
    clearing = [a for a in (debit, credit) if a.kind == AccountKind.CLEARING.value]
    wanted = (
        kind.value,
        debit.id,
        credit.id,
        amount,
        request.amount.currency,
        None,
        request.code,
        request.reference,
        request.external_ref,
    )
    replay = _existing(session, request.id, wanted)
    if replay is not None:
        return replay
    if debit.currency != request.amount.currency or credit.currency != request.amount.currency:
        raise DomainError(
            ErrorCode.CURRENCY_MISMATCH,
            f"{request.amount.currency} between {debit.currency} and {credit.currency} accounts",
        )
    if len(clearing) == 2:
        raise DomainError(ErrorCode.LEDGER_INVALID_TRANSFER, "a transfer between two clearing accounts")
    if clearing and not request.external_ref:
        raise DomainError(ErrorCode.LEDGER_EXTERNAL_REF_REQUIRED, f"through {clearing[0].code}")
    external_ref_key = f"{clearing[0].id}:{request.external_ref}" if clearing else None
    # The clearing account is locked, so this look-up cannot race another booking of the same reference.
    if external_ref_key and session.scalar(
        select(LedgerTransfer.id).where(LedgerTransfer.external_ref_key == external_ref_key)
    ):
        raise DomainError(ErrorCode.LEDGER_EXTERNAL_REF_USED, f"{request.external_ref} is already booked")
    _check_limits(debit, credit, amount)
    bucket = Bucket.PENDING if request.pending else Bucket.POSTED
    debits, credits = f"debits_{bucket.value}", f"credits_{bucket.value}"
    return _write(
        session,
        fields={
            "id": request.id,
            "kind": kind.value,
            "debit_account_id": debit.id,
            "credit_account_id": credit.id,
            "amount": amount,
            "currency": request.amount.currency,
            "pending_id": None,
            "code": request.code,
            "reference": request.reference,
            "external_ref": request.external_ref,
            "external_ref_key": external_ref_key,
        },
        lines=[(debit.id, bucket, Side.DEBIT, amount), (credit.id, bucket, Side.CREDIT, amount)],
        moves={debit.id: {debits: amount}, credit.id: {credits: amount}},
    )


def _pending(session: Session, pending_id: str) -> LedgerTransfer:
    row = session.get(LedgerTransfer, pending_id)
    if row is None or row.kind != TransferKind.PENDING.value:
        raise DomainError(ErrorCode.NOT_FOUND, f"pending transfer {pending_id}")
    return row


def _resolve(
    session: Session,
    *,
    transfer_id: str,
    pending_id: str,
    kind: TransferKind,
    amount: Money | None,
    code: str | None,
    reference: str | None,
) -> TransferResult:
    pending = _pending(session, pending_id)  # immutable: safe to read before the locks
    accounts = _lock_accounts(session, [pending.debit_account_id, pending.credit_account_id])
    debit, credit = accounts[pending.debit_account_id], accounts[pending.credit_account_id]
    if amount is not None and amount.currency != pending.currency:
        raise DomainError(ErrorCode.CURRENCY_MISMATCH, f"{amount.currency} vs {pending.currency}")
    posted = 0 if kind == TransferKind.VOID else (pending.amount if amount is None else to_minor(amount))
    wanted = (
        kind.value,
        debit.id,
        credit.id,
        posted,
        pending.currency,
        pending.id,
        code or pending.code,
        reference,
        None,
    )
    replay = _existing(session, transfer_id, wanted)
    if replay is not None:
        return replay
    resolved_by = session.scalar(select(LedgerTransfer.id).where(LedgerTransfer.pending_id == pending.id))
    if resolved_by is not None:
        raise DomainError(
            ErrorCode.LEDGER_PENDING_RESOLVED,
            f"{pending.id} resolved by {resolved_by}",
            resolved_by=resolved_by,
        )
    if kind == TransferKind.POST and not 0 < posted <= pending.amount:
        raise DomainError(
            ErrorCode.LEDGER_POST_EXCEEDS_PENDING,
            f"post {from_minor(posted, pending.currency)} of {from_minor(pending.amount, pending.currency)}",
        )
    lines = [
        (debit.id, Bucket.PENDING, Side.DEBIT, -pending.amount),
        (credit.id, Bucket.PENDING, Side.CREDIT, -pending.amount),
    ]
    moves: dict[int, dict[str, int]] = {
        debit.id: {"debits_pending": -pending.amount},
        credit.id: {"credits_pending": -pending.amount},
    }
    if posted:
        lines += [
            (debit.id, Bucket.POSTED, Side.DEBIT, posted),
            (credit.id, Bucket.POSTED, Side.CREDIT, posted),
        ]
        moves[debit.id]["debits_posted"] = posted
        moves[credit.id]["credits_posted"] = posted
    return _write(
        session,
        fields={
            "id": transfer_id,
            "kind": kind.value,
            "debit_account_id": debit.id,
            "credit_account_id": credit.id,
            "amount": posted,
            "currency": pending.currency,
            "pending_id": pending.id,
            "code": code or pending.code,
            "reference": reference,
            "external_ref": None,
            "external_ref_key": None,
        },
        lines=lines,
        moves=moves,
    )


def post_pending(session: Session, request: PostRequest) -> TransferResult:
    """Post all or part of a pending transfer; whatever is not posted is released."""
    return _resolve(
        session,
        transfer_id=request.id,
        pending_id=request.pending_id,
        kind=TransferKind.POST,
        amount=request.amount,
        code=request.code,
        reference=request.reference,
    )


def void_pending(session: Session, request: VoidRequest) -> TransferResult:
    """Release a pending transfer entirely."""
    return _resolve(
        session,
        transfer_id=request.id,
        pending_id=request.pending_id,
        kind=TransferKind.VOID,
        amount=None,
        code=request.code,
        reference=request.reference,
    )


# ------------------------------------------------------------------------------------------------------------
# Reads


def get_transfer(session: Session, *, transfer_id: str) -> TransferRead:
    """One transfer by id."""
    row = session.get(LedgerTransfer, transfer_id)
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"transfer {transfer_id}")
    return _transfer_read(row)


def pending_state(session: Session, *, pending_id: str) -> PendingState:
    """Whether a pending transfer is open, posted (and how much) or voided."""
    pending = _pending(session, pending_id)
    resolution = session.scalars(
        select(LedgerTransfer).where(LedgerTransfer.pending_id == pending_id)
    ).first()
    if resolution is None:
        state, posted = "pending", 0
    else:
        state = "posted" if resolution.kind == TransferKind.POST.value else "voided"
        posted = resolution.amount
    return PendingState(
        pending_id=pending_id,
        state=state,
        resolved_by=resolution.id if resolution else None,
        posted=from_minor(posted, pending.currency),
    )


def account_transfers(session: Session, *, account_id: int, limit: int = 100) -> list[TransferRead]:
    """The newest transfers on an account (either side)."""
    rows = session.scalars(
        select(LedgerTransfer)
        .where(
            (LedgerTransfer.debit_account_id == account_id) | (LedgerTransfer.credit_account_id == account_id)
        )
        .order_by(LedgerTransfer.created_at.desc(), LedgerTransfer.id.desc())
        .limit(min(max(limit, 1), 500))
    )
    return [_transfer_read(row) for row in rows]


def clearing_statement(session: Session, *, account_id: int, limit: int = 500) -> list[TransferRead]:
    """Transfers through a clearing account with their bank references, for reconciliation."""
    account = get_account(session, account_id=account_id)
    if account.kind != AccountKind.CLEARING:
        raise DomainError(ErrorCode.LEDGER_INVALID_TRANSFER, f"{account.code} is not a clearing account")
    return account_transfers(session, account_id=account_id, limit=limit)
