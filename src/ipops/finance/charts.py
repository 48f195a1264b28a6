"""Deal charts (tranche balances over time, tranche losses by scenario) drawn by `ipops.charts`.

Each returns an HTML fragment: the static SVG (what the PDF prints) and the Vega-Lite specification that
the browser makes interactive. Amounts become floats for drawing only; the figures themselves stay Decimal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

from ipops.charts import chart_html, empty_chart_html, grouped_bars, lines


def _start(dates: Sequence[dt.date]) -> dt.date:
    """The date before the first period (the balance at issue), one period length earlier."""
    if len(dates) >= 2:
        return dates[0] - (dates[1] - dates[0])
    return dates[0] - dt.timedelta(days=30)


def balance_chart(
    paths: Mapping[str, Sequence[Decimal]],
    *,
    dates: Sequence[dt.date],
    title: str,
    width: int = 680,
    height: int = 280,
    empty: str = "no data",
) -> str:
    """One line per tranche: its balance at the start and after each period."""
    if not dates or not any(paths.values()):
        return empty_chart_html(kind="balances", title=title, message=empty, width=width)
    axis = [_start(dates), *dates]
    series = {name: list(zip(axis, (float(v) for v in path), strict=False)) for name, path in paths.items()}
    return chart_html(lines(series, title=title, width=width, height=height), kind="balances")


def loss_chart(
    losses: Sequence[tuple[str, Mapping[str, Decimal]]],
    *,
    tranches: Sequence[str],
    title: str,
    width: int = 680,
    empty: str = "no data",
) -> str:
    """Grouped bars: for each scenario (a label such as "CDR 5% · CPR 10%"), each tranche's loss in %."""
    if not losses or not tranches:
        return empty_chart_html(kind="losses", title=title, message=empty, width=width)
    groups = [
        (label, {name: float(loss) for name, loss in by_tranche.items()}) for label, by_tranche in losses
    ]
    return chart_html(grouped_bars(groups, members=tranches, title=title, width=width), kind="losses")
