"""Valuation charts (histogram of simulated values, tornado of input swings) drawn by `ipops.charts`.

Each returns an HTML fragment: the static SVG (what the PDF prints) and the Vega-Lite specification that
the browser makes interactive. Labels are escaped by the chart module.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from ipops.charts import chart_html, empty_chart_html, range_bars
from ipops.charts import histogram as histogram_spec
from ipops.valuation.engine.result import Histogram, TornadoBar


def histogram_svg(
    histogram: Histogram,
    *,
    markers: Sequence[tuple[str, Decimal]] = (),
    width: int = 560,
    height: int = 220,
    title: str = "",
    empty: str = "no data",
) -> str:
    """Bar chart of the histogram with optional vertical markers (e.g. P10/P50/P90)."""
    counts, edges = histogram.counts, [float(e) for e in histogram.edges]
    if not counts or len(edges) != len(counts) + 1:
        return empty_chart_html(kind="histogram", title=title, message=empty, width=width)
    bins = [(edges[i], edges[i + 1], int(count)) for i, count in enumerate(counts)]
    spec = histogram_spec(
        bins,
        markers=[(label, float(value)) for label, value in markers],
        title=title,
        width=width,
        height=height,
    )
    return chart_html(spec, kind="histogram")


def tornado_svg(
    bars: Sequence[TornadoBar],
    *,
    base_value: Decimal,
    labels: dict[str, str] | None = None,
    width: int = 560,
    bar_height: int = 22,
    title: str = "",
    empty: str = "no uncertain inputs",
) -> str:
    """Horizontal bars from value at P10 to value at P90 of each input, widest swing on top, base line."""
    if not bars:
        return empty_chart_html(kind="tornado", title=title, message=empty, width=width)
    names = labels or {}
    rows = [(names.get(bar.name, bar.name), float(bar.value_low), float(bar.value_high)) for bar in bars]
    spec = range_bars(rows, base=float(base_value), title=title, width=width, bar_height=bar_height)
    return chart_html(spec, kind="tornado")
