"""Ledger requests and read models: amounts are `Money` (Decimal plus currency) on the way in and out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ipops.core.ledger.models import AccountKind, TransferKind
from ipops.core.money import Money

TransferId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9:_.\-]+$")]
ReasonCode = Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=r"^[a-z0-9_.\-]+$")]


class AccountOpen(BaseModel):
    """An account to open; opening is idempotent by `code`."""

    model_config = ConfigDict(frozen=True)

    code: Annotated[str, StringConstraints(min_length=1, max_length=120, pattern=r"^[A-Za-z0-9:_.\-]+$")]
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "CNY"
    kind: AccountKind = AccountKind.INTERNAL
    debits_must_not_exceed_credits: bool = False
    credits_must_not_exceed_debits: bool = False
    alliance_id: int | None = None
    org_id: int | None = None


class TransferRequest(BaseModel):
    """A single-phase or pending transfer: `amount` moves from the debit account to the credit account."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    id: TransferId
    debit_account_id: int
    credit_account_id: int
    amount: Money
    pending: bool = False
    code: ReasonCode
    reference: Annotated[str, StringConstraints(max_length=120)] | None = None
    external_ref: Annotated[str, StringConstraints(min_length=1, max_length=80)] | None = None


class PostRequest(BaseModel):
    """Post all (amount None) or part of a pending transfer; the rest is released."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    id: TransferId
    pending_id: TransferId
    amount: Money | None = None
    code: ReasonCode | None = None  # defaults to the pending transfer's code
    reference: Annotated[str, StringConstraints(max_length=120)] | None = None


class VoidRequest(BaseModel):
    """Release a pending transfer entirely."""

    model_config = ConfigDict(frozen=True)

    id: TransferId
    pending_id: TransferId
    code: ReasonCode | None = None
    reference: Annotated[str, StringConstraints(max_length=120)] | None = None


@dataclass(frozen=True, slots=True)
class Balance:
    """An account's four balances, and what a flagged account may still spend or receive."""

    debits_pending: Money
    debits_posted: Money
    credits_pending: Money
    credits_posted: Money

    @property
    def posted(self) -> Money:
        """Credits less debits, posted only (what a deposit account owes its holder)."""
        return self.credits_posted - self.debits_posted

    @property
    def available(self) -> Money:
        """Credits posted less every debit, pending included (what may still be reserved or spent)."""
        return self.credits_posted - self.debits_posted - self.debits_pending


@dataclass(frozen=True, slots=True)
class AccountRead:
    """An account and its balances."""

    id: int
    code: str
    name: str
    currency: str
    kind: AccountKind
    debits_must_not_exceed_credits: bool
    credits_must_not_exceed_debits: bool
    alliance_id: int | None
    org_id: int | None
    balance: Balance


@dataclass(frozen=True, slots=True)
class TransferRead:
    """A stored transfer."""

    id: str
    kind: TransferKind
    debit_account_id: int
    credit_account_id: int
    amount: Money
    pending_id: str | None
    code: str
    reference: str | None
    external_ref: str | None
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class TransferResult:
    """The outcome of a request: `created` is False when an identical transfer already existed."""

    transfer: TransferRead
    created: bool


class PendingState(BaseModel):
    """Whether a pending transfer is still open, and how much of it was posted."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    pending_id: str
    state: Annotated[str, Field(pattern="^(pending|posted|voided)$")]
    resolved_by: str | None
    posted: Money
