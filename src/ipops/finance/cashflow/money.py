"""Money at the boundary and the rounding policies the engine applies inside.

The engine computes in float64.  Amounts leave it as ``ipops.core.money.Money``: a ``decimal.Decimal``
quantised to the currency's minor unit (0.01 for CNY) with ROUND_HALF_EVEN, plus the currency code.
Inside, a ``Rounding`` policy decides whether intermediate amounts are left exact (``NoRounding``, the
default) or floored to whole cents after every multiplication (``FloorToCent``, the fixed-point
convention of the Hastructure engine, used to reproduce AbsBox deals to the cent).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

import numpy as np
import numpy.typing as npt

from ipops.core.money import DEFAULT_CURRENCY, Money

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# Floors must not turn 12.3399999999 (an exact 12.34 seen through float64) into 12.33.
_FLOOR_TOLERANCE_CENTS = 1e-6


class Rounding(Protocol):
    """How an intermediate money amount is rounded inside the engine."""

    def __call__(self, amounts: FloatArray) -> FloatArray:
        """Return the rounded amounts."""
        ...


class NoRounding:
    """Keep float64 amounts exact (the default)."""

    def __call__(self, amounts: FloatArray) -> FloatArray:
        """Return the amounts unchanged."""
        return amounts


class FloorToCent:
    """Floor every product to whole cents, as Haskell ``Data.Fixed`` Centi arithmetic does."""

    def __call__(self, amounts: FloatArray) -> FloatArray:
        """Return the amounts floored to 0.01 (with a float-noise tolerance of 1e-6 cent)."""
        result: FloatArray = np.floor(amounts * 100.0 + _FLOOR_TOLERANCE_CENTS) / 100.0
        return result


def to_money(value: float | np.floating[npt.NBitBase], *, currency: str = DEFAULT_CURRENCY) -> Money:
    """Convert an engine float to Money: Decimal quantised to 0.01 with ROUND_HALF_EVEN."""
    return Money(Decimal(repr(float(value))), currency)
