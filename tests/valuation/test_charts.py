"""Inline SVG chart helpers."""

from __future__ import annotations

from lxml import etree

from ipops.valuation.engine import Triangular, relief_from_royalty
from ipops.valuation.engine.charts import histogram_svg, tornado_svg


def test_svgs_are_well_formed() -> None:
    result = relief_from_royalty(
        revenue=Triangular(1e6, 2e6, 4e6),
        royalty_rate=Triangular(0.02, 0.04, 0.06),
        discount_rate=0.12,
        life_years=8,
        paths=20_000,
    )
    hist = histogram_svg(result.histogram, markers=[("P10", result.p10), ("P90", result.p90)], title="A<B")
    root = etree.fromstring(hist.encode())
    assert root.tag.endswith("svg") and "A&lt;B" in hist
    assert len([e for e in root.iter() if str(e.tag).endswith("rect")]) == len(result.histogram.counts)
    tor = tornado_svg(result.tornado, base_value=result.base_value, labels={"revenue": "Revenue"})
    assert "Revenue" in tor and etree.fromstring(tor.encode()) is not None
    assert "no uncertain inputs" in tornado_svg((), base_value=result.base_value)
