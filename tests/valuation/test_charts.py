"""Valuation charts through the one chart module: a Vega-Lite spec with the data, and its static SVG."""

from __future__ import annotations

import json
import re

from lxml import etree

from ipops.valuation.engine import Triangular, relief_from_royalty
from ipops.valuation.engine.charts import histogram_svg, tornado_svg


def _spec(fragment: str) -> dict:
    found = re.search(r'<script type="application/json" class="vega-spec">(.*?)</script>', fragment, re.S)
    assert found is not None
    return json.loads(found.group(1).replace("<\\/", "</"))


def _svg(fragment: str) -> etree._Element:
    found = re.search(r"<svg.*</svg>", fragment, re.S)
    assert found is not None
    return etree.fromstring(found.group(0).encode())


def test_histogram_and_tornado_carry_their_data_and_draw() -> None:
    result = relief_from_royalty(
        revenue=Triangular(1e6, 2e6, 4e6),
        royalty_rate=Triangular(0.02, 0.04, 0.06),
        discount_rate=0.12,
        life_years=8,
        paths=20_000,
    )
    hist = histogram_svg(
        result.histogram, markers=[("P10", result.p10), ("P90", result.p90)], title="A</script>B"
    )
    spec = _spec(hist)
    bars, rules = spec["layer"][0]["data"]["values"], spec["layer"][1]["data"]["values"]
    assert [b["count"] for b in bars] == list(result.histogram.counts)
    assert [m["label"] for m in rules] == ["P10", "P90"]
    assert spec["title"] == "A</script>B" and "A</script>B" not in hist  # escaped in the page
    assert _svg(hist).tag.endswith("svg") and 'data-chart="histogram"' in hist
    tor = tornado_svg(result.tornado, base_value=result.base_value, labels={"revenue": "营业收入"})
    names = [row["name"] for row in _spec(tor)["layer"][0]["data"]["values"]]
    assert "营业收入" in names and "营业收入" in etree.tostring(_svg(tor), encoding="unicode")
    assert "no uncertain inputs" in tornado_svg((), base_value=result.base_value)
    assert "无不确定输入" in tornado_svg((), base_value=result.base_value, empty="无不确定输入")
