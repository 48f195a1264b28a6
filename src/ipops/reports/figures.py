"""A figure is a number with its source and as-of date; derived figures keep their inputs and arithmetic."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum


class SourceKind(StrEnum):
    """Where a number comes from."""

    LAKE = "lake"  # counted from the data lake's documents
    OFFICIAL = "official"  # an imported official statistics table
    POPULATION = "population"  # a population table
    DERIVED = "derived"  # computed from other figures (ratios, growth, per-capita)


@dataclass(frozen=True, slots=True)
class Source:
    """A named source with the date its numbers are as of."""

    kind: SourceKind
    name: str
    as_of: dt.date
    reference: str = ""  # URL, file name or dataset id

    @property
    def label(self) -> str:
        """A short citation, e.g. "official: Jiangsu IP office 2020 (as of 2021-04-26)"."""
        return f"{self.kind.value}: {self.name} (as of {self.as_of.isoformat()})"


@dataclass(frozen=True, slots=True)
class Figure:
    """One number for one indicator, region and year, with where it came from and when."""

    indicator: str
    region_code: str
    year: int
    value: Decimal
    source: Source
    derivation: str = ""  # the arithmetic for derived figures, e.g. "726,854 / 23,538 × 10,000"
    inputs: tuple[Figure, ...] = field(default=(), compare=False)

    @property
    def as_of(self) -> dt.date:
        """The date this number is as of."""
        return self.source.as_of


def derived(
    *,
    indicator: str,
    region_code: str,
    year: int,
    value: Decimal,
    derivation: str,
    inputs: tuple[Figure, ...],
) -> Figure:
    """A computed figure; it is as of the oldest of its inputs and names every input's source."""
    as_of = min(f.as_of for f in inputs)
    names = sorted({f.source.name for f in inputs})
    source = Source(SourceKind.DERIVED, " + ".join(names), as_of)
    return Figure(indicator, region_code, year, value, source, derivation, inputs)


def quantize_places(value: Decimal, places: int) -> Decimal:
    """Round half-even to a number of decimal places (the one rounding rule for reported figures)."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)


def format_number(value: Decimal | int | None, places: int = 0) -> str:
    """A figure as printed: thousands separators and a fixed number of decimals; "—" when missing."""
    if value is None:
        return "—"
    return f"{quantize_places(Decimal(value), places):,.{places}f}"
