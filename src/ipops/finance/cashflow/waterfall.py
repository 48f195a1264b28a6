"""Waterfall steps as data: a waterfall is an ordered list of these, interpreted by the engine.

Every step names the account it draws on (``source``) and may be skipped while a named trigger is
breached (``unless_trigger``).  Lists of tranches or fees in one step are paid pro rata by amount due
(pari passu); order across steps is the priority of payments.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PrincipalDue(StrEnum):
    """How much principal a PayPrincipal step owes."""

    FULL_BALANCE = "full_balance"  # all outstanding (turbo / sequential pass-through)
    POOL_PAYDOWN = "pool_paydown"  # notes down to advance_rate x pool balance (keeps over-collateralisation)


@dataclass(frozen=True, slots=True)
class PayFee:
    """Pay the named fees' due amounts (pro rata) from ``source``."""

    fees: tuple[str, ...]
    source: str = "collection"
    unless_trigger: str | None = None


@dataclass(frozen=True, slots=True)
class PayInterest:
    """Pay interest due (arrears-interest first) on the named tranches, pro rata by due."""

    tranches: tuple[str, ...]
    source: str = "collection"
    unless_trigger: str | None = None


@dataclass(frozen=True, slots=True)
class PayPrincipal:
    """Pay principal due on the tranches, sequentially in list order (or pro rata by due)."""

    tranches: tuple[str, ...]
    source: str = "collection"
    due: PrincipalDue = PrincipalDue.FULL_BALANCE
    advance_rate: float = 1.0
    pro_rata: bool = False
    unless_trigger: str | None = None


@dataclass(frozen=True, slots=True)
class Transfer:
    """Move the whole balance (or at most ``amount``) of ``source`` to ``target``."""

    source: str
    target: str
    amount: float | None = None
    unless_trigger: str | None = None


@dataclass(frozen=True, slots=True)
class TopUpReserve:
    """Move cash from ``source`` to the reserve until it reaches its target."""

    reserve: str = "reserve"
    source: str = "collection"
    unless_trigger: str | None = None


@dataclass(frozen=True, slots=True)
class ReleaseReserveExcess:
    """Move the reserve's balance above its target to ``target``."""

    reserve: str = "reserve"
    target: str = "collection"
    unless_trigger: str | None = None


@dataclass(frozen=True, slots=True)
class PayResidual:
    """Pay everything left in ``source`` to a residual tranche's holders (None: back to the originator)."""

    tranche: str | None = None
    source: str = "collection"
    unless_trigger: str | None = None


@dataclass(frozen=True, slots=True)
class DrawCreditSupport:
    """Draw providers in order to cover the shortfall of ``source`` against the named dues.

    The dues are the named fees, interest on ``tranches`` and, with ``principal``, their principal due
    (scheduled targets, or the whole balance in the final period).  Draws go into ``source``.
    """

    providers: tuple[str, ...]
    tranches: tuple[str, ...]
    fees: tuple[str, ...] = ()
    principal: bool = False
    source: str = "collection"
    unless_trigger: str | None = None


@dataclass(frozen=True, slots=True)
class LiquidatePool:
    """Sell the remaining pool at ``price_factor`` x balance into ``target`` (clean-up call)."""

    price_factor: float = 1.0
    target: str = "collection"
    unless_trigger: str | None = None


Step = (
    PayFee
    | PayInterest
    | PayPrincipal
    | Transfer
    | TopUpReserve
    | ReleaseReserveExcess
    | PayResidual
    | DrawCreditSupport
    | LiquidatePool
)
