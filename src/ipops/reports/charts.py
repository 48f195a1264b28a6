"""Charts as inline SVG built on the server in pure Python, so they look alike in the browser and the PDF."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from ipops.reports.figures import format_number

FONT = "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', sans-serif"
PALETTE = ("#1f5fa8", "#e0812d", "#3a9d5d", "#c23b3b", "#7d5ba6", "#8c6d31", "#d36fb0", "#5f6b7a")
RAMP = ("#e8eef7", "#c4d5ec", "#8fb0da", "#5585c2", "#1f5fa8")  # light → dark for the tile map


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: a label, a value and the small print under it (source and date)."""

    label: str
    value: Decimal
    note: str = ""


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


def _empty(width: int, kind: str, title: str, message: str) -> str:
    return _svg(width, 48, kind, title, [f'<text x="0" y="36" fill="#777">{escape(message)}</text>'])


def bar_chart(
    bars: Sequence[Bar], *, title: str, places: int = 0, width: int = 640, empty: str = "no data"
) -> str:
    """Horizontal bars, largest first as given, each with its value and note."""
    if not bars:
        return _empty(width, "bar", title, empty)
    label_w, value_w, row_h, top = 130, 150, 22, 26
    plot_w = width - label_w - value_w
    peak = max((b.value for b in bars), default=Decimal(0)) or Decimal(1)
    body: list[str] = []
    for i, bar in enumerate(bars):
        y = top + i * row_h
        length = float(bar.value / peak) * plot_w if bar.value > 0 else 0.0
        body.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{escape(bar.label)}</text>')
        body.append(
            f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{length:.1f}" height="{row_h - 7}" '
            f'fill="{PALETTE[0]}"><title>{escape(bar.label)}: {format_number(bar.value, places)}'
            f"{(' · ' + escape(bar.note)) if bar.note else ''}</title></rect>"
        )
        body.append(
            f'<text x="{label_w + length + 4:.1f}" y="{y + 14}">{format_number(bar.value, places)}'
            f'<tspan fill="#888" font-size="9"> {escape(bar.note)}</tspan></text>'
        )
    return _svg(width, top + len(bars) * row_h + 6, "bar", title, body)


def line_chart(
    series: Mapping[str, Mapping[int, Decimal]],
    *,
    years: Sequence[int],
    title: str,
    width: int = 640,
    height: int = 260,
    empty: str = "no data",
) -> str:
    """One line per series over the years, with a legend; missing years break the line."""
    values = [v for s in series.values() for v in s.values()]
    if not values or not years:
        return _empty(width, "line", title, empty)
    left, right, top, bottom = 70, 150, 28, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(values) or Decimal(1)
    step = plot_w / max(len(years) - 1, 1)

    def xy(index: int, value: Decimal) -> tuple[float, float]:
        return left + index * step, top + plot_h - float(value / peak) * plot_h

    body = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#999"/>',
        f'<text x="{left - 6}" y="{top + 4}" text-anchor="end">{format_number(peak)}</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end">0</text>',
    ]
    for i, year in enumerate(years):
        x, _ = xy(i, Decimal(0))
        body.append(f'<text x="{x:.1f}" y="{height - 10}" text-anchor="middle">{year}</text>')
    for n, (name, points) in enumerate(series.items()):
        colour = PALETTE[n % len(PALETTE)]
        segments: list[list[tuple[float, float]]] = [[]]
        for i, year in enumerate(years):
            if year in points:
                segments[-1].append(xy(i, points[year]))
            elif segments[-1]:
                segments.append([])
        for segment in segments:
            if len(segment) > 1:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y in segment)
                body.append(
                    f'<polyline class="series" points="{path}" fill="none" stroke="{colour}" '
                    'stroke-width="2"/>'
                )
            for x, y in segment:
                body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
        ly = top + n * 16
        body.append(f'<rect x="{width - right + 12}" y="{ly}" width="10" height="10" fill="{colour}"/>')
        body.append(f'<text x="{width - right + 26}" y="{ly + 9}">{escape(name)}</text>')
    return _svg(width, height, "line", title, body)


def stacked_bars(
    rows: Mapping[str, Mapping[str, Decimal]],
    *,
    segments: Sequence[str],
    title: str,
    width: int = 640,
    empty: str = "no data",
) -> str:
    """One 100 % bar per row split into segments (a composition), with a legend."""
    rows = {k: v for k, v in rows.items() if sum(v.values(), Decimal(0)) > 0}
    if not rows:
        return _empty(width, "stacked", title, empty)
    label_w, row_h, top = 130, 24, 26
    plot_w = width - label_w - 10
    body: list[str] = []
    for i, (label, parts) in enumerate(rows.items()):
        y = top + i * row_h
        total = sum(parts.values(), Decimal(0))
        x = float(label_w)
        body.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{escape(label)}</text>')
        for n, segment in enumerate(segments):
            share = parts.get(segment, Decimal(0)) / total
            w = float(share) * plot_w
            if w <= 0:
                continue
            body.append(
                f'<rect class="segment" x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" '
                f'fill="{PALETTE[n % len(PALETTE)]}"><title>{escape(label)} · {escape(segment)}: '
                f"{format_number(share * 100, 1)}%</title></rect>"
            )
            if w > 34:
                body.append(
                    f'<text x="{x + w / 2:.1f}" y="{y + 15}" text-anchor="middle" fill="#fff" font-size="9">'
                    f"{format_number(share * 100, 0)}%</text>"
                )
            x += w
    legend_y = top + len(rows) * row_h + 8
    x = float(label_w)
    for n, segment in enumerate(segments):
        body.append(
            f'<rect x="{x:.1f}" y="{legend_y}" width="10" height="10" fill="{PALETTE[n % len(PALETTE)]}"/>'
        )
        body.append(f'<text x="{x + 14:.1f}" y="{legend_y + 9}">{escape(segment)}</text>')
        x += 14 + 7 * len(segment) + 24
    return _svg(width, legend_y + 20, "stacked", title, body)


@dataclass(frozen=True, slots=True)
class Tile:
    """One city in the tile map."""

    code: str
    label: str
    value: Decimal | None


def tile_map(
    groups: Sequence[tuple[str, Sequence[Tile]]],
    *,
    title: str,
    places: int = 0,
    width: int = 640,
    empty: str = "no data",
) -> str:
    """A grid of the alliance's cities, one row per province, shaded by value in five quantile steps."""
    if not groups or not any(tiles for _, tiles in groups):
        return _empty(width, "tiles", title, empty)
    label_w, tile_w, tile_h, gap, top = 70, 62, 34, 4, 26
    per_row = max((width - label_w) // (tile_w + gap), 1)
    known = sorted(t.value for _, tiles in groups for t in tiles if t.value is not None)

    def shade(value: Decimal | None) -> str:
        if value is None or not known:
            return "#f3f3f3"
        below = sum(1 for v in known if v < value)
        return RAMP[min(below * len(RAMP) // len(known), len(RAMP) - 1)]

    body: list[str] = []
    y = top
    for label, tiles in groups:
        body.append(f'<text x="0" y="{y + 20}" font-weight="bold">{escape(label)}</text>')
        for i, tile in enumerate(tiles):
            row, col = divmod(i, per_row)
            x, ty = label_w + col * (tile_w + gap), y + row * (tile_h + gap)
            fill = shade(tile.value)
            ink = "#fff" if fill in RAMP[3:] else "#222"
            body.append(
                f'<g class="tile" data-region="{escape(tile.code)}"><rect x="{x}" y="{ty}" width="{tile_w}" '
                f'height="{tile_h}" rx="3" fill="{fill}" stroke="#fff"/>'
                f'<text x="{x + tile_w / 2}" y="{ty + 14}" text-anchor="middle" font-size="10" fill="{ink}">'
                f"{escape(tile.label[:5])}</text>"
                f'<text x="{x + tile_w / 2}" y="{ty + 27}" text-anchor="middle" font-size="9" fill="{ink}">'
                f"{format_number(tile.value, places)}</text></g>"
            )
        rows = max((len(tiles) + per_row - 1) // per_row, 1)
        y += rows * (tile_h + gap) + 8
    return _svg(width, y, "tiles", title, body)
