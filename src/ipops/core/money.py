"""Money: a Decimal amount with an ISO 4217 currency, quantised in one place."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ipops.core.errors import DomainError, ErrorCode

DEFAULT_CURRENCY = "CNY"
# Minor units per ISO 4217 for the currencies the alliance deals in; others default to 2.
MINOR_UNITS: dict[str, int] = {"CNY": 2, "USD": 2, "EUR": 2, "HKD": 2, "GBP": 2, "JPY": 0, "KRW": 0}


def quantize(amount: Decimal, currency: str = DEFAULT_CURRENCY) -> Decimal:
    """Round to the currency's minor unit with banker's rounding (ROUND_HALF_EVEN)."""
    exponent = Decimal(1).scaleb(-MINOR_UNITS.get(currency, 2))
    return amount.quantize(exponent, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount of one currency; arithmetic refuses to mix currencies."""

    amount: Decimal
    currency: str = DEFAULT_CURRENCY

    def __post_init__(self) -> None:
        if isinstance(self.amount, float):
            raise TypeError("Money never takes a float; pass a Decimal or a string")
        if len(self.currency) != 3 or not self.currency.isupper():
            raise DomainError(ErrorCode.VALIDATION_ERROR, f"not an ISO 4217 currency: {self.currency!r}")
        object.__setattr__(self, "amount", quantize(Decimal(self.amount), self.currency))

    @classmethod
    def of(cls, amount: str | int | Decimal, currency: str = DEFAULT_CURRENCY) -> Money:
        """Build from a string, int or Decimal (never a float)."""
        try:
            return cls(Decimal(amount), currency)
        except InvalidOperation as exc:
            raise DomainError(ErrorCode.VALIDATION_ERROR, f"not an amount: {amount!r}") from exc

    @classmethod
    def zero(cls, currency: str = DEFAULT_CURRENCY) -> Money:
        """Zero in a currency."""
        return cls(Decimal(0), currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise DomainError(ErrorCode.CURRENCY_MISMATCH, f"{self.currency} vs {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, float):
            raise TypeError("multiply Money by a Decimal, not a float")
        return Money(self.amount * factor, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def allocate(self, weights: list[Decimal]) -> list[Money]:
        """Split in proportion to weights; rounding remainders go to the largest fractional parts first."""
        total_weight = sum(weights, Decimal(0))
        if total_weight <= 0:
            raise DomainError(ErrorCode.VALIDATION_ERROR, "allocation weights must add up to more than zero")
        unit = Decimal(1).scaleb(-MINOR_UNITS.get(self.currency, 2))
        raw = [self.amount * w / total_weight for w in weights]
        parts = [(r / unit).to_integral_value(rounding="ROUND_FLOOR") * unit for r in raw]
        remainder = int((self.amount - sum(parts, Decimal(0))) / unit)
        order = sorted(range(len(weights)), key=lambda i: (raw[i] - parts[i], weights[i]), reverse=True)
        for i in order[:remainder]:
            parts[i] += unit
        return [Money(p, self.currency) for p in parts]

    def __str__(self) -> str:
        return f"{self.amount:,} {self.currency}"


class MoneyModel(BaseModel):
    """Money on the wire: the amount as a decimal string, never a float."""

    model_config = ConfigDict(frozen=True)

    amount: Annotated[Decimal, Field(max_digits=20, decimal_places=2)]
    currency: Annotated[str, Field(min_length=3, max_length=3, pattern="^[A-Z]{3}$")] = DEFAULT_CURRENCY

    @field_validator("amount", mode="before")
    @classmethod
    def _no_float(cls, value: Any) -> Any:
        if isinstance(value, float):
            return Decimal(str(value))  # JSON numbers arrive as float; keep their written digits exactly
        return value

    def to_money(self) -> Money:
        """The domain value."""
        return Money(self.amount, self.currency)

    @classmethod
    def from_money(cls, money: Money) -> MoneyModel:
        """The wire value."""
        return cls(amount=money.amount, currency=money.currency)
