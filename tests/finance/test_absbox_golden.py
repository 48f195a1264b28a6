"""Cross-check: AbsBox China benchmark deals re-run in our engine match Hastructure's statements."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ipops.finance.cashflow import Scenario, run_deal
from ipops.finance.cashflow.absbox_import import AbsBoxAssumptions, ImportedDeal, import_absbox_deal

DEALS = ("test01", "test02", "test03", "test04", "test05")
TOLERANCE = 0.005  # every figure matches to the cent


def _load(shared_data: Path, name: str) -> tuple[dict[str, Any], list[Any]]:
    folder = shared_data / "finance" / "absbox_china_golden"
    if not folder.is_dir():
        pytest.skip(f"AbsBox golden deals not found under {folder}")
    request = json.loads((folder / "request" / f"{name}.json").read_text(encoding="utf-8"))
    response = json.loads((folder / "response" / f"{name}.out.json").read_text(encoding="utf-8"))
    return request, response["Right"]


def _run(request: dict[str, Any]) -> tuple[ImportedDeal, Any]:
    assumptions = AbsBoxAssumptions()
    imported = import_absbox_deal(request, assumptions=assumptions)
    scenario = Scenario(index_paths={k: [v] for k, v in assumptions.index_rates.items()})
    return imported, run_deal(deal=imported.deal, scenarios=scenario)


@pytest.mark.parametrize("name", DEALS)
def test_pool_cash_flow_matches_every_collection_period(shared_data: Path, name: str) -> None:
    request, response = _load(shared_data, name)
    imported, _ = _run(request)
    mine = {row[0]: row for row in imported.pool_rows}
    golden = [r["contents"] for r in response[1]["PoolConsol"]["contents"][1]]
    assert len(golden) == len(imported.pool_rows)
    for row in golden:
        ours = mine[date.fromisoformat(row[0])]
        # balance, principal, interest, prepayment, default
        for ours_value, golden_value in zip(ours[1:6], row[1:6], strict=True):
            assert ours_value == pytest.approx(golden_value, abs=TOLERANCE), row[0]


@pytest.mark.parametrize("name", DEALS)
def test_bond_statements_match_every_period(shared_data: Path, name: str) -> None:
    request, response = _load(shared_data, name)
    imported, result = _run(request)
    dates = list(imported.deal.schedule.dates)
    bonds = response[0]["contents"]["bonds"]
    assert set(bonds) == set(result.tranches)
    compared = 0
    for bond_name, bond in bonds.items():
        statement = result.tranches[bond_name]
        reported = set()
        for txn in bond["bndStmt"] or []:
            day, balance, interest, principal = txn["contents"][:4]
            p = dates.index(date.fromisoformat(day))
            reported.add(p)
            assert statement.balance[0, p] == pytest.approx(balance, abs=TOLERANCE), (bond_name, day)
            assert statement.interest_paid[0, p] == pytest.approx(interest, abs=TOLERANCE), (bond_name, day)
            assert statement.principal_paid[0, p] == pytest.approx(principal, abs=TOLERANCE), (bond_name, day)
            compared += 1
        for p in set(range(len(dates))) - reported:  # no statement row: nothing was paid
            assert statement.interest_paid[0, p] == pytest.approx(0.0, abs=TOLERANCE), (bond_name, dates[p])
            assert statement.principal_paid[0, p] == pytest.approx(0.0, abs=TOLERANCE), (bond_name, dates[p])
    assert compared > 0


def test_unpaid_interest_and_arrears_interest_match(shared_data: Path) -> None:
    request, response = _load(shared_data, "test04")
    imported, result = _run(request)
    dates = list(imported.deal.schedule.dates)
    for bond_name, bond in response[0]["contents"]["bonds"].items():
        for txn in bond["bndStmt"] or []:
            day, *_, due_interest, due_arrears = txn["contents"][:8]
            p = dates.index(date.fromisoformat(day))
            shortfall = result.tranches[bond_name].interest_shortfall[0, p]
            assert shortfall == pytest.approx(due_interest + due_arrears, abs=TOLERANCE), (bond_name, day)


def test_importer_reports_what_it_left_out(shared_data: Path) -> None:
    request, _ = _load(shared_data, "test04")
    imported, _ = _run(request)
    assert any("TargetBalanceFee" in note for note in imported.ignored)
    assert any("AnnualRateFee" in note for note in imported.ignored)


def test_clean_up_waterfall_runs_on_its_own_date(shared_data: Path) -> None:
    request, response = _load(shared_data, "test03")
    imported, result = _run(request)
    assert imported.clean_up_date == date(2023, 1, 31)
    assert imported.deal.schedule.dates[-1] == imported.clean_up_date
    assert result.liquidation_proceeds.sum() == 0.0  # the pool had run off: nothing to sell
