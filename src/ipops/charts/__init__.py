"""One chart module: Vega-Lite specifications built with Altair, static SVG from vl-convert for PDFs and
first paint, and the same specification made interactive in the browser by the bundled vega-embed.

    spec = specs.histogram(bins, markers=[("P50", 1.2e6)], title="估值分布")
    html = render.chart_html(spec, kind="histogram")   # <div class="chart" data-chart=…> spec + SVG </div>
    svg = render.to_svg(spec)                           # for a PDF, or anywhere a picture is enough
"""

from __future__ import annotations

from ipops.charts.render import chart_html, empty_chart_html, to_svg
from ipops.charts.specs import grouped_bars, histogram, lines, range_bars

__all__ = ["chart_html", "empty_chart_html", "grouped_bars", "histogram", "lines", "range_bars", "to_svg"]
