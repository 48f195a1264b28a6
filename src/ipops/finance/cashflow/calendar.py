"""Dates of a deal: payment periods, month arithmetic and day-count year fractions."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import numpy as np

from ipops.finance.cashflow.money import FloatArray


class DayCount(StrEnum):
    """Year-fraction conventions for accruing interest and fees."""

    ACT_365F = "ACT/365F"
    ACT_360 = "ACT/360"
    THIRTY_360 = "30/360"


def add_months(*, start: date, months: int, day: int | None = None) -> date:
    """The date ``months`` after ``start`` on ``day`` (default start's day), clipped to month end."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day or start.day, last))


def month_end(*, year: int, month: int) -> date:
    """The last day of a month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def year_fraction(*, start: date, end: date, day_count: DayCount) -> float:
    """Year fraction between two dates under a day count."""
    if day_count is DayCount.THIRTY_360:
        d1 = min(start.day, 30)
        d2 = 30 if end.day == 31 and d1 == 30 else end.day
        return ((end.year - start.year) * 360 + (end.month - start.month) * 30 + (d2 - d1)) / 360.0
    days = (end - start).days
    return days / (360.0 if day_count is DayCount.ACT_360 else 365.0)


@dataclass(frozen=True, slots=True)
class PeriodSchedule:
    """Payment dates of a deal; period p accrues from the previous date (or start) to dates[p].

    Periods listed in ``accrual_only`` end on dates where interest accrues but no waterfall runs.
    """

    start: date
    dates: tuple[date, ...]
    day_count: DayCount = DayCount.ACT_365F
    accrual_only: frozenset[int] = frozenset()

    @classmethod
    def monthly(
        cls, *, start: date, periods: int, day_count: DayCount = DayCount.THIRTY_360
    ) -> PeriodSchedule:
        """Monthly payment dates one month apart from ``start``."""
        return cls(
            start=start,
            dates=tuple(add_months(start=start, months=k + 1) for k in range(periods)),
            day_count=day_count,
        )

    def distribution_flags(self) -> list[bool]:
        """Whether each period ends on a distribution date (False: accrual only, e.g. a rate reset)."""
        return [p not in self.accrual_only for p in range(self.count)]

    @property
    def count(self) -> int:
        """Number of periods."""
        return len(self.dates)

    def accrual_fractions(self, *, day_count: DayCount | None = None) -> FloatArray:
        """Year fraction of each period under a day count (default the schedule's)."""
        convention = day_count or self.day_count
        starts = (self.start, *self.dates[:-1])
        return np.array(
            [
                year_fraction(start=s, end=e, day_count=convention)
                for s, e in zip(starts, self.dates, strict=True)
            ],
            dtype=np.float64,
        )

    def times(self) -> FloatArray:
        """ACT/365F years from ``start`` to each payment date (for yields and WAL)."""
        return np.array([(d - self.start).days / 365.0 for d in self.dates], dtype=np.float64)
