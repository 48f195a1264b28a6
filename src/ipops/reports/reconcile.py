"""Reconciliation of the two sources: lake counts against official statistics, flagged beyond a tolerance."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ipops.reports.figures import Figure

DEFAULT_TOLERANCE = Decimal("0.05")  # 5 %: the lake rarely holds every document an office counted


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """The lake's and the official figure for one indicator, region and year, and whether they disagree."""

    indicator: str
    region_code: str
    year: int
    lake: Figure
    official: Figure
    difference: Decimal  # lake − official
    relative: Decimal | None  # (lake − official) / official; None when the official figure is 0
    tolerance: Decimal
    flagged: bool


def reconcile(*, lake: Figure, official: Figure, tolerance: Decimal = DEFAULT_TOLERANCE) -> Reconciliation:
    """Compare two figures of the same key; flag a relative difference beyond the tolerance."""
    if (lake.indicator, lake.region_code, lake.year) != (
        official.indicator,
        official.region_code,
        official.year,
    ):
        raise ValueError("reconcile figures of the same indicator, region and year")
    difference = lake.value - official.value
    relative = difference / official.value if official.value else None
    flagged = abs(relative) > tolerance if relative is not None else difference != 0
    return Reconciliation(
        lake.indicator, lake.region_code, lake.year, lake, official, difference, relative, tolerance, flagged
    )
