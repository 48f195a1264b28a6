"""Deal charts as inline SVG built on the server (no JavaScript, no CDN): tranche balances and losses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

FONT = "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', sans-serif"
PALETTE = ("#1f5fa8", "#e0812d", "#3a9d5d", "#c23b3b", "#7d5ba6", "#8c6d31", "#d36fb0", "#5f6b7a")


def _svg(width: int, height: int, kind: str, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart={quoteattr(kind)} role="img" '
        f'aria-label={quoteattr(title)} width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="{FONT}" font-size="11">'
        f"<title>{escape(title)}</title>"
        f'<text x="0" y="14" font-size="13" font-weight="bold">{escape(title)}</text>'
        + "".join(body)
        + "</svg>"
    )


def _compact(value: Decimal) -> str:
    """Axis labels: 12.5M, 800K, 950."""
    magnitude = abs(value)
    if magnitude >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if magnitude >= 1_000:
        return f"{value / 1_000:.0f}K"
    return f"{value:.0f}"


def _legend(names: Sequence[str], *, x: int, top: int) -> list[str]:
    body: list[str] = []
    for n, name in enumerate(names):
        y = top + n * 16
        body.append(f'<rect x="{x}" y="{y}" width="10" height="10" fill="{PALETTE[n % len(PALETTE)]}"/>')
        body.append(f'<text x="{x + 14}" y="{y + 9}">{escape(name)}</text>')
    return body


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
    values = [v for path in paths.values() for v in path]
    if not values or not dates:
        return _svg(width, 48, "balances", title, [f'<text x="0" y="36" fill="#777">{escape(empty)}</text>'])
    left, right, top, bottom = 64, 130, 28, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(values) or Decimal(1)
    points = len(dates) + 1
    step = plot_w / max(points - 1, 1)

    def xy(i: int, v: Decimal) -> tuple[float, float]:
        return left + i * step, top + plot_h - float(v / peak) * plot_h

    body = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#999"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#999"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end">{_compact(peak)}</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end">0</text>',
    ]
    every = max(points // 6, 1)
    for i in range(0, points, every):
        label = "0" if i == 0 else dates[i - 1].strftime("%Y-%m")
        x, _ = xy(i, Decimal(0))
        body.append(f'<text x="{x:.1f}" y="{height - 10}" text-anchor="middle" font-size="9">{label}</text>')
    for n, (name, path) in enumerate(paths.items()):
        colour = PALETTE[n % len(PALETTE)]
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, v) for i, v in enumerate(path)))
        body.append(
            f'<polyline class="series" data-series={quoteattr(name)} points="{line}" fill="none" '
            f'stroke="{colour}" stroke-width="2"><title>{escape(name)}</title></polyline>'
        )
    body += _legend(list(paths), x=width - right + 12, top=top)
    return _svg(width, height, "balances", title, body)


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
        return _svg(width, 48, "losses", title, [f'<text x="0" y="36" fill="#777">{escape(empty)}</text>'])
    label_w, right, row_gap, bar_h, top = 150, 130, 8, 9, 28
    plot_w = width - label_w - right - 40
    body: list[str] = []
    y = top
    for label, by_tranche in losses:
        label_y = y + bar_h * len(tranches) / 2 + 4
        body.append(f'<text x="{label_w - 6}" y="{label_y:.1f}" text-anchor="end">{escape(label)}</text>')
        for n, name in enumerate(tranches):
            loss = by_tranche.get(name, Decimal(0))
            length = max(float(loss), 0.0) * plot_w
            body.append(
                f'<rect class="bar" data-tranche={quoteattr(name)} x="{label_w}" y="{y}" '
                f'width="{length:.1f}" height="{bar_h - 1}" fill="{PALETTE[n % len(PALETTE)]}">'
                f"<title>{escape(label)} · {escape(name)}: {loss * 100:.2f}%</title></rect>"
            )
            if loss > 0:
                body.append(
                    f'<text x="{label_w + length + 3:.1f}" y="{y + bar_h - 1}" font-size="8">'
                    f"{loss * 100:.1f}%</text>"
                )
            y += bar_h
        y += row_gap
    axis_y = y
    body.append(f'<line x1="{label_w}" y1="{axis_y}" x2="{label_w + plot_w}" y2="{axis_y}" stroke="#999"/>')
    for tick in (0, 25, 50, 75, 100):
        x = label_w + plot_w * tick / 100
        body.append(f'<text x="{x:.1f}" y="{axis_y + 12}" text-anchor="middle" font-size="9">{tick}%</text>')
    body += _legend(list(tranches), x=width - right + 12, top=top)
    return _svg(width, max(axis_y + 20, top + 16 * len(tranches) + 8), "losses", title, body)
