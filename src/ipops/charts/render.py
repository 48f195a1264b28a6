"""Chart output: static SVG through vl-convert (PDFs, first paint), and the page fragment that carries the
specification for vega-embed to make interactive in the browser (static/charts.js)."""

from __future__ import annotations

import json
from functools import cache
from html import escape
from typing import Any

from ipops.charts.theme import FONT

VEGA_LITE_VERSION = "6.4"  # the vl-convert bundle matching the vega-lite.min.js under web/static/vega


@cache
def _converter() -> Any:
    import vl_convert

    return vl_convert


def to_svg(spec: dict[str, Any]) -> str:
    """The chart as standalone SVG; text stays text (WeasyPrint draws it with the installed CJK fonts)."""
    svg: str = _converter().vegalite_to_svg(spec, vl_version=VEGA_LITE_VERSION)
    return svg


def _spec_json(spec: dict[str, Any]) -> str:
    # Inside <script type="application/json">: "</" must not end the element early.
    return json.dumps(spec, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def chart_html(spec: dict[str, Any], *, kind: str, static: bool = True) -> str:
    """A chart for a page or a document: the static SVG, and the spec that the browser makes interactive."""
    title = str(spec.get("title") or kind)
    svg = to_svg(spec) if static else ""
    return (
        f'<div class="chart vega-chart" data-chart="{escape(kind)}" role="img" aria-label="{escape(title)}">'
        f'<script type="application/json" class="vega-spec">{_spec_json(spec)}</script>'
        f'<div class="chart-static">{svg}</div></div>'
    )


def empty_chart_html(*, kind: str, title: str, message: str, width: int = 560) -> str:
    """A chart with nothing to draw: its title and a short message, as plain SVG."""
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="48" viewBox="0 0 {width} 48" '
        f'font-family="{escape(FONT)}" font-size="11">'
        f'<text x="0" y="14" font-size="13" font-weight="bold">{escape(title)}</text>'
        f'<text x="0" y="36" fill="#777">{escape(message)}</text></svg>'
    )
    return f'<div class="chart" data-chart="{escape(kind)}"><div class="chart-static">{svg}</div></div>'
