"""The valuation report as HTML (page and standalone document) and as a PDF (WeasyPrint)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markupsafe import Markup

from ipops.valuation.engine.charts import histogram_svg, tornado_svg
from ipops.valuation.engine.indicators import DIMENSIONS, LEAVES
from ipops.valuation.engine.result import ValuationResult
from ipops.valuation.schemas import ValuationReportRead


def report_context(
    report: ValuationReportRead, result: ValuationResult, *, translate: Callable[[str], str]
) -> dict[str, Any]:
    """Template context: the report, its result, the indicator tree and the two inline SVG charts."""
    markers = [("P10", result.p10), ("P50", result.p50), ("P90", result.p90)]
    histogram = histogram_svg(result.histogram, markers=markers, title=translate("Distribution of values"))
    tornado = tornado_svg(result.tornado, base_value=result.base_value, title=translate("Value at P10 / P90"))
    return {
        "report": report,
        "result": result,
        "context": report.context,
        "dimensions": DIMENSIONS,
        "leaves": LEAVES,
        # Built by our own chart helpers, which escape every label.
        "histogram_svg": Markup(histogram),  # noqa: S704
        "tornado_svg": Markup(tornado),  # noqa: S704
    }


def render_document(report: ValuationReportRead, result: ValuationResult, *, locale: str) -> str:
    """The standalone HTML document the PDF is printed from."""
    from ipops.web.i18n import translations
    from ipops.web.templating import templates

    t = translations(locale).gettext
    context = report_context(report, result, translate=t)
    return templates.env.get_template("valuation/document.html").render(_=t, locale=locale, **context)


def render_pdf(report: ValuationReportRead, result: ValuationResult, *, locale: str) -> bytes:
    """The valuation report as a PDF."""
    from weasyprint import HTML

    return bytes(HTML(string=render_document(report, result, locale=locale)).write_pdf())
