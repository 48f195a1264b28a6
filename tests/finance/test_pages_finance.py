"""Finance pages render in Chinese and English: home, loan form and detail with its steps, contracts import,
bank policy, appraisal form, and a deal with inline SVG charts."""

from __future__ import annotations

from decimal import Decimal

from fastapi.testclient import TestClient
from tests.finance.support import (
    CSV_HEADER,
    approved_loan,
    diversified_pool,
    make_asset,
    open_deal,
    structure,
)
from tests.world import PASSWORD, World

from ipops.core.uow import UnitOfWork
from ipops.finance import deals
from ipops.finance.schemas import PoolRequest, RunRequest

HTML = {"accept": "text/html"}


def _sign_in(client: TestClient, username: str) -> None:
    response = client.post(
        "/login", data={"username": username, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303


def test_loan_pages(client: TestClient, world: World, uow: UnitOfWork) -> None:
    loan_id, _ = approved_loan(uow, world)
    spare = make_asset(uow, world, title="一种散热结构")
    _sign_in(client, "ent_admin")
    home = client.get("/finance", headers=HTML)
    assert (
        home.status_code == 200 and "知识产权金融" in home.text and f"/finance/loans/{loan_id}" in home.text
    )
    form = client.get("/finance/loans/new", headers=HTML)
    assert "一种散热结构" in form.text and "上海示例银行股份有限公司" in form.text
    created = client.post(
        "/finance/loans/new",
        data={
            "bank_org_id": str(world.orgs["shanghai_bank"]),
            "amount": "200000",
            "term_months": "12",
            "annual_rate": "3.85",
            "asset_ids": str(spare),
            "bank_share": "50",
            "government_share": "40",
            "guarantor_share": "10",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text
    draft = client.get(created.headers["location"], headers=HTML).text
    assert "草稿" in draft and 'id="action-submit"' in draft
    bad = client.post(
        "/finance/loans/new",
        data={
            "bank_org_id": str(world.orgs["shanghai_bank"]),
            "amount": "1",
            "term_months": "12",
            "annual_rate": "3",
            "guarantor_share": "30",
        },
    )
    assert bad.status_code == 422 and 'role="alert"' in bad.text
    client.cookies.clear()
    _sign_in(client, "banker")
    page = client.get(f"/finance/loans/{loan_id}", headers={**HTML, "accept-language": "en"})
    assert page.status_code == 200
    assert (
        "Approved" in page.text
        and "Y2026" in page.text  # the pledge registration recorded with the approval
        and "Lendable value" in page.text
        and 'id="action-disburse"' in page.text
    )
    step = client.post(f"/finance/loans/{loan_id}/repay", data={"occurred_on": "2026-02-01"}, headers=HTML)
    assert step.status_code == 200 and step.url.path == f"/finance/loans/{loan_id}"  # back on the loan's page
    assert "invalid_state" not in step.text and "当前状态不允许此操作" in step.text
    assert (
        client.post(
            f"/finance/loans/{loan_id}/disburse", data={"occurred_on": "2026-02-01"}, follow_redirects=False
        ).status_code
        == 303
    )
    assert "已放款" in client.get(f"/finance/loans/{loan_id}", headers=HTML).text
    assert client.get("/finance/policy", headers=HTML).status_code == 200
    saved = client.post(
        "/finance/policy",
        data={
            "max_ltv_p10": "45",
            "default_haircut": "50",
            "min_remaining_life_months": "24",
            "haircut_invention": "25",
            "eligible_statuses": "granted",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert 'value="45.00"' in client.get("/finance/policy", headers=HTML).text
    client.cookies.clear()
    _sign_in(client, "hz_admin")
    assert client.get(f"/finance/loans/{loan_id}", headers=HTML).status_code == 404


def test_contracts_and_deal_pages(client: TestClient, world: World, uow: UnitOfWork) -> None:
    actor = world.users["ent_admin"]
    deal_id = open_deal(uow, world)
    pool = deals.add_to_pool(
        uow=uow, actor=actor, deal_id=deal_id, data=PoolRequest(contract_ids=diversified_pool(uow, world))
    ).pool_balance
    structure(uow, world, deal_id, pool=pool.amount)
    deals.run_scenarios(
        uow=uow,
        actor=actor,
        deal_id=deal_id,
        request=RunRequest(cdr=[Decimal(0), Decimal("0.3")], cpr=[Decimal(0)]),
    )
    _sign_in(client, "ent_admin")
    page = client.get(f"/finance/deals/{deal_id}", headers=HTML)
    assert page.status_code == 200
    assert page.text.count("<svg") == 2 and 'data-chart="balances"' in page.text and "Senior A" in page.text
    assert "https://" not in page.text.split("<main>")[1]  # no CDN: the charts are inline SVG
    assert 'id="run-form"' in page.text and 'id="structure-form"' in page.text
    rerun = client.post(
        f"/finance/deals/{deal_id}/runs", data={"cdr": "0, 5", "cpr": "10"}, follow_redirects=False
    )
    assert rerun.status_code == 303 and "run_id=" in rerun.headers["location"]
    assert "CDR 5.0% · CPR 10.0%" in client.get(rerun.headers["location"], headers=HTML).text
    csv_text = (
        CSV_HEADER
        + "\nreceivable,REC-9,上海示例零售有限公司,310000,,CNY,1000,,,,2026-06-30,\nreceivable,,x,,,,,,,,,\n"
    )
    imported = client.post(
        "/finance/contracts/import", files={"file": ("c.csv", csv_text.encode(), "text/csv")}, headers=HTML
    )
    assert imported.status_code == 200 and 'id="import-report"' in imported.text and "REC-9" in imported.text
    assert "<td>3</td>" in imported.text  # the bad row's line number
    assert client.get("/finance/deals/new", headers=HTML).status_code == 200
    made = client.post(
        "/finance/deals/new",
        data={"name": "新项目", "start_date": "2026-03-31", "term_months": "24", "discount_rate": "6"},
        follow_redirects=False,
    )
    assert made.status_code == 303
    client.cookies.clear()
    _sign_in(client, "ent_member")
    member = client.get(f"/finance/deals/{deal_id}", headers=HTML)
    assert member.status_code == 200 and 'id="run-form"' not in member.text
    client.cookies.clear()
    _sign_in(client, "appraiser")
    assert "P10" in client.get("/finance/appraisals/new", headers=HTML).text
    assert client.get(f"/finance/deals/{deal_id}", headers=HTML).status_code == 404
