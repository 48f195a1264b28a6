"""Deal exports: the summary as an HTML document or PDF, the cash flows as CSV or XLSX, and the charts."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ipops.core import exports as spreadsheet
from ipops.finance import charts, pooling
from ipops.finance.deals import execute
from ipops.finance.schemas import DealDetail, DealRunRead

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "web" / "templates"


def _pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value * 100:.2f}%"


def scenario_label(cdr: Decimal, cpr: Decimal) -> str:
    """A scenario's short name, e.g. "CDR 5.0% · CPR 10.0%"."""
    return f"CDR {cdr * 100:.1f}% · CPR {cpr * 100:.1f}%"


def deal_charts(
    run: DealRunRead, inputs: dict[str, Any], *, t: Callable[[str], str], scenario: int = 0
) -> dict[str, Markup]:
    """The balance chart of one scenario and the loss chart across every scenario."""
    result, grid = execute(inputs)
    scenario = min(max(scenario, 0), len(grid.points()) - 1)
    picked = run.scenarios[scenario]
    balances = charts.balance_chart(
        pooling.balance_paths(result, scenario=scenario),
        dates=result.dates,
        title=f"{t('Tranche balances')} ({scenario_label(picked.cdr, picked.cpr)})",
        empty=t("No data for this chart"),
    )
    names = [name for name in result.tranches]
    losses = charts.loss_chart(
        [(scenario_label(s.cdr, s.cpr), {n: o.loss for n, o in s.tranches.items()}) for s in run.scenarios],
        tranches=names,
        title=t("Tranche losses by scenario"),
        empty=t("No data for this chart"),
    )
    return {
        "balances": Markup(balances),  # noqa: S704 - built from escaped parts
        "losses": Markup(losses),  # noqa: S704
    }


def summary_context(
    deal: DealDetail, run: DealRunRead | None, inputs: dict[str, Any] | None, *, t: Callable[[str], str]
) -> dict[str, Any]:
    """What the summary templates need."""
    return {
        "deal": deal,
        "run": run,
        "charts": deal_charts(run, inputs, t=t) if run is not None and inputs is not None else {},
        "pct": _pct,
        "scenario_label": scenario_label,
    }


def render_summary_document(
    deal: DealDetail, run: DealRunRead | None, inputs: dict[str, Any] | None, *, locale: str
) -> str:
    """The deal summary as a standalone HTML document (also what the PDF prints)."""
    from ipops.web.i18n import translations
    from ipops.web.templating import templates

    t = translations(locale).gettext
    template = templates.env.get_template("finance/deal_document.html")
    return template.render(_=t, locale=locale, **summary_context(deal, run, inputs, t=t))


def render_summary_pdf(
    deal: DealDetail, run: DealRunRead | None, inputs: dict[str, Any] | None, *, locale: str
) -> bytes:
    """The deal summary as a PDF (WeasyPrint with the Noto CJK fonts)."""
    from weasyprint import HTML

    html = render_summary_document(deal, run, inputs, locale=locale)
    return bytes(HTML(string=html, base_url=str(TEMPLATES_DIR)).write_pdf())


def cashflow_tables(inputs: dict[str, Any]) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """The run's pool and tranche statements for every scenario."""
    result, grid = execute(inputs)
    return pooling.statement_tables(result, grid)


def cashflow_csv(inputs: dict[str, Any], *, table: str = "tranches") -> str:
    """One statement table as CSV (UTF-8 with a header row; tranche names cannot run as formulas)."""
    header, rows = cashflow_tables(inputs)[table]
    return spreadsheet.csv_text(header, rows)


def cashflow_xlsx(inputs: dict[str, Any], run: DealRunRead) -> bytes:
    """A workbook: the scenario summary, then the pool and tranche statements (amounts as numbers)."""
    summary = [
        [
            s.index,
            s.cdr,
            s.cpr,
            s.recovery_rate,
            name,
            o.loss,
            o.principal_lost.amount,
            o.wal,
            o.irr,
        ]
        for s in run.scenarios
        for name, o in s.tranches.items()
    ]
    summary_header = [
        "scenario",
        "cdr",
        "cpr",
        "recovery_rate",
        "tranche",
        "loss",
        "principal_lost",
        "wal",
        "irr",
    ]
    sheets = [spreadsheet.Sheet("summary", summary_header, summary)]
    sheets += [
        spreadsheet.Sheet(name, header, rows) for name, (header, rows) in cashflow_tables(inputs).items()
    ]
    return spreadsheet.xlsx_bytes(sheets)
