"""Money keeps exact decimals, refuses floats and mixed currencies, and allocates without losing a fen."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipops.core.errors import DomainError, ErrorCode
from ipops.core.money import Money, MoneyModel, quantize


def test_banker_rounding_to_fen() -> None:
    assert Money.of("10.005").amount == Decimal("10.00")
    assert Money.of("10.015").amount == Decimal("10.02")
    assert Money.of("1000", "JPY").amount == Decimal("1000")
    assert quantize(Decimal("2.675"), "CNY") == Decimal("2.68")


def test_refuses_float_and_mixed_currencies() -> None:
    with pytest.raises(TypeError):
        Money(0.1)  # type: ignore[arg-type]
    with pytest.raises(DomainError) as info:
        _ = Money.of("1") + Money.of("1", "USD")
    assert info.value.code == ErrorCode.CURRENCY_MISMATCH
    with pytest.raises(DomainError):
        Money.of("abc")


def test_arithmetic_and_comparison() -> None:
    total = Money.of("0.10") + Money.of("0.20")
    assert total == Money.of("0.30")
    assert Money.of("5") - Money.of("7.5") == Money.of("-2.5")
    assert Money.of("3.33") * 3 == Money.of("9.99")
    assert Money.of("1") < Money.of("2")
    assert str(Money.of("1234567.5")) == "1,234,567.50 CNY"


def test_wire_model_keeps_written_digits() -> None:
    model = MoneyModel.model_validate({"amount": 0.1, "currency": "CNY"})
    assert model.amount == Decimal("0.1")
    assert model.to_money() == Money.of("0.10")
    assert MoneyModel.from_money(Money.of("12.34")).model_dump(mode="json") == {
        "amount": "12.34",
        "currency": "CNY",
    }


@given(
    cents=st.integers(min_value=0, max_value=10**12),
    weights=st.lists(st.integers(min_value=1, max_value=1000), min_size=1, max_size=8),
)
def test_allocation_conserves_every_fen(cents: int, weights: list[int]) -> None:
    money = Money(Decimal(cents).scaleb(-2))
    parts = money.allocate([Decimal(w) for w in weights])
    assert sum((p.amount for p in parts), Decimal(0)) == money.amount
    assert all(p.amount >= 0 for p in parts)
    exact = [money.amount * w / sum(weights) for w in weights]
    assert all(abs(p.amount - e) < Decimal("0.01") for p, e in zip(parts, exact, strict=True))
