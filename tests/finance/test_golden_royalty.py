"""Golden output: the full statements of a 3-tranche IP royalty deal, stored as 2-dp strings.

Regenerate with ``IPOPS_REGENERATE_GOLDEN=1 pytest tests/finance/test_golden_royalty.py`` after an
intended change, and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.finance.deals import royalty_deal

from ipops.finance.cashflow import ConstantRate, Scenario, run_deal, to_money

GOLDEN = Path(__file__).parent / "golden" / "royalty_3_tranche.json"
SCENARIO = Scenario(
    default=ConstantRate(0.04),
    prepayment=ConstantRate(0.05),
    recovery_rate=0.4,
    recovery_lag=3,
    index_paths={"LPR1Y": [0.031] * 12 + [0.029]},
)


def _snapshot() -> dict[str, object]:
    result = run_deal(deal=royalty_deal(with_support=True), scenarios=SCENARIO)

    def money(values: object) -> list[str]:
        return [str(to_money(v).amount) for v in values]  # type: ignore[attr-defined]

    pool = {
        column: money(getattr(result.pool, column)[0])
        for column in (
            "beginning_balance",
            "scheduled_principal",
            "prepayment",
            "default",
            "recovery",
            "interest",
            "ending_balance",
        )
    }
    tranches = {
        name: {
            column: money(getattr(statement, column)[0])
            for column in ("balance", "interest_due", "interest_paid", "principal_paid", "interest_shortfall")
        }
        for name, statement in result.tranches.items()
    }
    fees = {name: {"due": money(fee.due[0]), "paid": money(fee.paid[0])} for name, fee in result.fees.items()}
    accounts = {name: money(balance[0]) for name, balance in result.accounts.items()}
    support = {name: money(drawn[0]) for name, drawn in result.support_drawn.items()}
    metrics = {
        name: {key: round(value, 6) for key, value in values.items()}
        for name, values in result.metrics().items()
    }
    return {
        "dates": [d.isoformat() for d in result.dates],
        "pool": pool,
        "tranches": tranches,
        "fees": fees,
        "accounts": accounts,
        "credit_support": support,
        "breached": {name: [bool(b) for b in flags[0]] for name, flags in result.breached.items()},
        "metrics": metrics,
    }


def test_royalty_deal_matches_stored_golden_output() -> None:
    snapshot = json.loads(json.dumps(_snapshot()))
    if os.environ.get("IPOPS_REGENERATE_GOLDEN") == "1" or not GOLDEN.exists():
        GOLDEN.write_text(json.dumps(snapshot, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    stored = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert stored == snapshot
