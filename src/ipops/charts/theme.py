"""The look every chart shares: CJK-capable fonts first, the palette, quiet axes."""

from __future__ import annotations

from typing import Any

# Noto Sans CJK is what CI and the PDF renderer have (fonts-noto-cjk); browsers fall back in order.
FONT = "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
PALETTE = ["#1f5fa8", "#e0812d", "#3a9d5d", "#c23b3b", "#7d5ba6", "#8c6d31", "#d36fb0", "#5f6b7a"]
ACCENT = "#c0392b"
NEUTRAL = "#333333"


def config() -> dict[str, Any]:
    """The Vega-Lite `config` block."""
    return {
        "font": FONT,
        "background": "white",
        "view": {"stroke": None},
        "title": {"fontSize": 13, "fontWeight": "bold", "anchor": "start", "offset": 8},
        "axis": {"labelFontSize": 10, "titleFontSize": 11, "gridColor": "#e6e6e6", "domainColor": "#999999"},
        "legend": {"labelFontSize": 10, "titleFontSize": 11, "orient": "right"},
        "range": {"category": PALETTE},
    }
