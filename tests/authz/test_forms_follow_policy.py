"""Pages show a form only to those the policy lets submit it (issue 13 item 6), and never leave the browser
on a POST address when a step is refused."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from tests.finance.support import appraise, draft_loan, make_asset, publish_policy, register, step
from tests.world import PASSWORD, World

from ipops.core.uow import UnitOfWork
from ipops.finance import pledge
from ipops.finance.schemas import ApproveRequest

HTML = {"accept": "text/html"}


def _sign_in(client: TestClient, username: str) -> None:
    response = client.post(
        "/login", data={"username": username, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303


def _forms(html: str) -> set[str]:
    return set(re.findall(r'<form[^>]*id="([^"]+)"', html.split("<main>", 1)[-1]))


def test_loan_steps_follow_the_policy_at_every_stage(
    client: TestClient, world: World, uow: UnitOfWork
) -> None:
    asset_id = make_asset(uow, world)
    publish_policy(uow, world)
    loan_id = draft_loan(uow, world, [asset_id])
    appraise(uow, world, asset_id)
    path = f"/finance/loans/{loan_id}"
    stages = {
        "draft": {"ent_admin": {"action-submit", "action-withdraw"}, "ent_member": {"action-withdraw"}},
        "submitted": {"ent_admin": {"action-withdraw"}, "banker": {"action-approve", "action-reject"}},
        "approved": {"ent_admin": set(), "banker": {"action-register"}},
        "registered": {"ent_admin": set(), "banker": {"action-disburse"}},
    }
    for stage, expected in stages.items():
        if stage == "submitted":
            pledge.submit_loan(uow=uow, actor=world.users["ent_admin"], loan_id=loan_id, step=step())
        elif stage == "approved":
            pledge.approve_loan(
                uow=uow,
                actor=world.users["banker"],
                loan_id=loan_id,
                step=ApproveRequest(occurred_on=step().occurred_on),
            )
        elif stage == "registered":
            register(uow, world, loan_id)
        for who, forms in expected.items():
            _sign_in(client, who)
            page = client.get(path, headers=HTML)
            assert page.status_code == 200, (stage, who)
            assert {f for f in _forms(page.text) if f.startswith("action-")} == forms, (stage, who)
    _sign_in(client, "suzhou_admin")  # the region's office reads the loan, takes no step
    assert {f for f in _forms(client.get(path, headers=HTML).text) if f.startswith("action-")} == set()


def test_a_refused_step_returns_to_the_loan_page(client: TestClient, world: World, uow: UnitOfWork) -> None:
    asset_id = make_asset(uow, world)
    publish_policy(uow, world)
    loan_id = draft_loan(uow, world, [asset_id], amount="900000")  # above 50 % of the haircut P10
    appraise(uow, world, asset_id)
    _sign_in(client, "ent_admin")
    refused = client.post(
        f"/finance/loans/{loan_id}/submit", data={"occurred_on": "2026-01-15"}, follow_redirects=False
    )
    assert refused.status_code == 303
    assert refused.headers["location"] == f"/finance/loans/{loan_id}?refused=validation_error"
    page = client.get(refused.headers["location"], headers=HTML)
    assert page.status_code == 200 and "输入数据无效" in page.text and "草稿" in page.text


def test_the_over_limit_application_is_refused_at_submission(uow: UnitOfWork, world: World) -> None:
    from ipops.core.errors import DomainError, ErrorCode

    asset_id = make_asset(uow, world)
    publish_policy(uow, world)
    loan_id = draft_loan(uow, world, [asset_id], amount="900000")
    appraise(uow, world, asset_id)
    with pytest.raises(DomainError) as refused:
        pledge.submit_loan(uow=uow, actor=world.users["ent_admin"], loan_id=loan_id, step=step())
    assert refused.value.code == ErrorCode.VALIDATION_ERROR
    assert "exceeds" in refused.value.detail
    assert pledge.get_loan(uow=uow, actor=world.users["ent_admin"], loan_id=loan_id).status == "draft"


def test_the_new_account_form_offers_the_least_powerful_role_first(client: TestClient, world: World) -> None:
    for admin, first in (
        ("alliance_admin", "public"),
        ("suzhou_admin", "org_member"),
        ("ent_admin", "org_member"),
    ):
        _sign_in(client, admin)
        page = client.get("/alliance/users", headers=HTML).text
        options = re.findall(r'<select name="role">(.*?)</select>', page, flags=re.S)[0]
        assert re.findall(r'<option value="([a-z_]+)"', options)[0] == first, admin
        assert "alliance_admin" not in options or admin == "alliance_admin"


def test_the_accounts_page_shows_only_the_allowed_buttons(client: TestClient, world: World) -> None:
    _sign_in(client, "suzhou_admin")
    page = client.get("/alliance/users", headers=HTML).text
    rows = dict(re.findall(r'<tr data-username="([^"]+)">(.*?)</tr>', page, flags=re.S))
    # the office stops an enterprise's account, but only the enterprise resets or reopens it
    assert "/active" in rows["ent_member"] and "/password" not in rows["ent_member"]
    assert "/active" in rows["suzhou_staff"] and "/password" in rows["suzhou_staff"]


def test_menus_link_only_to_forms_the_role_may_submit(client: TestClient, world: World) -> None:
    expected = {
        "ent_admin": {"/finance/loans/new", "/finance/contracts", "/finance/deals/new"},
        "ent_member": {"/finance/loans/new", "/finance/contracts"},
        "banker": {"/finance/policy"},
        "appraiser": {"/finance/appraisals/new"},
        "suzhou_admin": set(),
        "visitor": set(),
    }
    links = {
        "/finance/loans/new",
        "/finance/contracts",
        "/finance/deals/new",
        "/finance/policy",
        "/finance/appraisals/new",
    }
    for who, shown in expected.items():
        _sign_in(client, who)
        page = client.get("/finance", headers=HTML).text
        assert {link for link in links if f'href="{link}"' in page} == shown, who
        for link in links - shown:
            assert client.get(link, headers=HTML).status_code == 403, (who, link)
