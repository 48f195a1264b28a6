"""Inline SVG charts (histogram of simulated values, tornado of input swings); plain strings, no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

from ipops.valuation.engine.result import Histogram, TornadoBar

_FONT = "font-family='sans-serif' font-size='11'"


def _fmt(value: Decimal | float) -> str:
    v = float(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= limit:
            return f"{v / limit:.2f}{suffix}"
    return f"{v:.2f}"


def histogram_svg(
    histogram: Histogram,
    *,
    markers: Sequence[tuple[str, Decimal]] = (),
    width: int = 560,
    height: int = 220,
    title: str = "",
) -> str:
    """Bar chart of the histogram with optional vertical markers (e.g. P10/P50/P90)."""
    counts = histogram.counts
    edges = [float(e) for e in histogram.edges]
    pad_l, pad_r, pad_t, pad_b = 40, 10, 24, 30
    plot_w, plot_h = width - pad_l - pad_r, height - pad_t - pad_b
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' role='img' aria-label='{escape(title or 'histogram')}'>",
        f"<text x='{pad_l}' y='14' {_FONT} font-weight='bold'>{escape(title)}</text>",
    ]
    if not counts or len(edges) != len(counts) + 1:
        parts.append(f"<text x='{pad_l}' y='{pad_t + 20}' {_FONT}>no data</text></svg>")
        return "".join(parts)
    lo, hi = edges[0], edges[-1]
    span = (hi - lo) or 1.0
    top = max(counts) or 1

    def x_of(v: float) -> float:
        return pad_l + (v - lo) / span * plot_w

    for i, c in enumerate(counts):
        x0, x1 = x_of(edges[i]), x_of(edges[i + 1])
        h = c / top * plot_h
        parts.append(
            f"<rect x='{x0:.1f}' y='{pad_t + plot_h - h:.1f}' width='{max(x1 - x0 - 1, 0.5):.1f}' "
            f"height='{h:.1f}' fill='#4a78b5'>"
            f"<title>{_fmt(edges[i])}-{_fmt(edges[i + 1])}: {c}</title></rect>"
        )
    base_y = pad_t + plot_h
    parts.append(f"<line x1='{pad_l}' y1='{base_y}' x2='{pad_l + plot_w}' y2='{base_y}' stroke='#333'/>")
    parts.append(f"<text x='{pad_l}' y='{base_y + 14}' {_FONT}>{_fmt(lo)}</text>")
    parts.append(f"<text x='{pad_l + plot_w}' y='{base_y + 14}' {_FONT} text-anchor='end'>{_fmt(hi)}</text>")
    for label, value in markers:
        x = x_of(float(value))
        parts.append(
            f"<line x1='{x:.1f}' y1='{pad_t}' x2='{x:.1f}' y2='{base_y}' stroke='#c0392b' "
            "stroke-dasharray='4 2'/>"
            f"<text x='{x:.1f}' y='{pad_t - 2}' {_FONT} text-anchor='middle' fill='#c0392b'>"
            f"{escape(label)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def tornado_svg(
    bars: Sequence[TornadoBar],
    *,
    base_value: Decimal,
    labels: dict[str, str] | None = None,
    width: int = 560,
    bar_height: int = 22,
    title: str = "",
) -> str:
    """Horizontal bars from value at P10 to value at P90 of each input, widest swing on top, base line."""
    labels = labels or {}
    pad_l, pad_r, pad_t, pad_b = 130, 60, 24, 20
    height = pad_t + pad_b + bar_height * max(len(bars), 1)
    plot_w = width - pad_l - pad_r
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' role='img' aria-label='{escape(title or 'tornado')}'>",
        f"<text x='4' y='14' {_FONT} font-weight='bold'>{escape(title)}</text>",
    ]
    if not bars:
        parts.append(f"<text x='4' y='{pad_t + 14}' {_FONT}>no uncertain inputs</text></svg>")
        return "".join(parts)
    values = [float(base_value)] + [float(v) for b in bars for v in (b.value_low, b.value_high)]
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0

    def x_of(v: float) -> float:
        return pad_l + (v - lo) / span * plot_w

    ordered = sorted(bars, key=lambda b: (-b.swing, b.name))
    for i, bar in enumerate(ordered):
        y = pad_t + i * bar_height
        a, b = float(bar.value_low), float(bar.value_high)
        x0, x1 = x_of(min(a, b)), x_of(max(a, b))
        parts.append(
            f"<text x='{pad_l - 6}' y='{y + bar_height * 0.65:.1f}' {_FONT} text-anchor='end'>"
            f"{escape(labels.get(bar.name, bar.name))}</text>"
            f"<rect x='{x0:.1f}' y='{y + 3}' width='{max(x1 - x0, 1.0):.1f}' height='{bar_height - 6}' "
            f"fill='#e59866'><title>{escape(bar.name)}: {_fmt(a)} .. {_fmt(b)}</title></rect>"
            f"<text x='{x1 + 4:.1f}' y='{y + bar_height * 0.65:.1f}' {_FONT}>{_fmt(bar.swing)}</text>"
        )
    xb = x_of(float(base_value))
    parts.append(
        f"<line x1='{xb:.1f}' y1='{pad_t - 4}' x2='{xb:.1f}' y2='{height - pad_b + 4}' stroke='#333'/>"
        f"<text x='{xb:.1f}' y='{height - 4}' {_FONT} text-anchor='middle'>{_fmt(base_value)}</text>"
    )
    parts.append("</svg>")
    return "".join(parts)
