"""Each role lands on its own work: a bank's waiting loans, an appraiser's queue, an enterprise's terms."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from tests.finance.support import appraise, draft_loan, make_asset, publish_policy, step
from tests.world import PASSWORD, World

from ipops.core.uow import UnitOfWork
from ipops.finance import pledge
from ipops.valuation import service as valuation
from ipops.valuation.schemas import ValuationRequestCreate

HTML = {"accept": "text/html"}


def _dashboard(client: TestClient, username: str) -> str:
    response = client.post(
        "/login", data={"username": username, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303
    page = client.get("/", headers=HTML)
    assert page.status_code == 200
    return page.text


def _request_valuation(uow: UnitOfWork, world: World, asset_id: int) -> None:
    valuation.create_request(
        uow=uow,
        actor=world.users["ent_admin"],
        data=ValuationRequestCreate.model_validate(
            {
                "asset_id": asset_id,
                "scenario": "finance",
                "method": "relief_from_royalty",
                "inputs": {
                    "revenue": {"dist": "lognormal", "p10": 8_000_000, "p90": 14_000_000},
                    "discount_rate": {"dist": "triangular", "low": 0.1, "mode": 0.13, "high": 0.18},
                    "growth": {"dist": "pert", "low": -0.02, "mode": 0.04, "high": 0.08},
                },
                "settings": {"paths": 2_000, "seed": 7},
                "technology_cycle_years": 8,
                "valuation_date": "2025-01-01",
                "appraiser_org_id": world.orgs["hangzhou_appraiser"],
            }
        ),
    )


def _section(page: str, testid: str) -> str:
    start = page.index(f'data-testid="{testid}"')
    return page[start : page.index("</section>", start)]


def test_enterprise_sees_its_deadlines_loans_and_valuations(
    client: TestClient, world: World, uow: UnitOfWork
) -> None:
    soon = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=40)
    make_asset(uow, world, title="一种即将到期的散热结构", expiry=soon)
    make_asset(
        uow, world, title="一种远期到期的电池", expiry=dt.datetime.now(dt.UTC).date() + dt.timedelta(days=900)
    )
    asset_id = make_asset(uow, world, title="一种质押用隔膜")
    publish_policy(uow, world)
    draft_loan(uow, world, [asset_id])
    _request_valuation(uow, world, asset_id)
    page = _dashboard(client, "ent_admin")
    expiries = _section(page, "expiries")
    assert "一种即将到期的散热结构" in expiries and soon.isoformat() in expiries
    assert "一种远期到期的电池" not in expiries  # beyond a year
    assert "上海示例银行股份有限公司" in _section(page, "my-loans")
    assert "一种质押用隔膜" in _section(page, "valuation-queue")
    assert 'data-chart="registry-by-type"' in page and 'data-chart="registry-by-status"' in page
    assert 'data-testid="waiting-loans"' not in page and 'data-testid="member-activity"' not in page


def test_bank_sees_submitted_loans_waiting_for_it(client: TestClient, world: World, uow: UnitOfWork) -> None:
    asset_id = make_asset(uow, world)
    publish_policy(uow, world)
    loan_id = draft_loan(uow, world, [asset_id])
    appraise(uow, world, asset_id)
    empty = _dashboard(client, "banker")
    assert "暂无待办事项" in _section(empty, "waiting-loans")  # a draft is not the bank's yet
    pledge.submit_loan(uow=uow, actor=world.users["ent_admin"], loan_id=loan_id, step=step())
    page = client.get("/", headers=HTML).text
    waiting = _section(page, "waiting-loans")
    assert f'href="/finance/loans/{loan_id}"' in waiting and "苏州示例科技有限公司" in waiting
    assert "350,000.00 CNY" in waiting
    assert "您的质押物暂无预警" in _section(page, "pledge-alerts")
    assert 'data-chart="loans-by-status"' in page
    assert 'data-testid="expiries"' not in page


def test_appraiser_sees_its_queue(client: TestClient, world: World, uow: UnitOfWork) -> None:
    asset_id = make_asset(uow, world, title="一种待评估的专利")
    _request_valuation(uow, world, asset_id)
    queue = _section(_dashboard(client, "appraiser"), "valuation-queue")
    assert "一种待评估的专利" in queue


def test_alliance_admin_sees_member_activity(client: TestClient, world: World, uow: UnitOfWork) -> None:
    make_asset(uow, world)
    page = _dashboard(client, "alliance_admin")
    activity = _section(page, "member-activity")
    assert "苏州示例科技有限公司" in activity  # the enterprise recorded an asset
    assert 'data-chart="member-activity"' in page


def test_visitor_sees_public_figures_only(client: TestClient, world: World) -> None:
    page = client.get("/", headers=HTML).text
    assert 'data-chart="registry-by-type"' in page
    for private in ("waiting-loans", "valuation-queue", "expiries", "my-loans", "member-activity"):
        assert f'data-testid="{private}"' not in page
