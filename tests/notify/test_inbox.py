"""Events through the outbox into each user's inbox: written with the change, delivered after commit, once."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.world import PASSWORD, World

from ipops.core.events import Audience, OutboxEvent, deliver_pending_events, emit, event_type, render_event
from ipops.core.uow import UnitOfWork
from ipops.notify import service
from ipops.notify.models import Notification

event_type(
    "test.loan_submitted",
    zh="收到质押贷款申请 {loan_no}",
    en="Loan application {loan_no} received",
    link="/finance/loans/{loan_id}",
)


def _announce(uow: UnitOfWork, world: World, *, commit: bool = True) -> None:
    with uow:
        emit(
            uow.session,
            event_type="test.loan_submitted",
            payload={"loan_no": "ZY-2026-001", "loan_id": 7},
            audience=Audience(org_ids=(world.orgs["shanghai_bank"],)),
            alliance_id=world.alliance_id,
        )
        if commit:
            uow.commit()


def _count(session: Session) -> int:
    mine = Notification.event_type == "test.loan_submitted"  # other tests may leave committed ones
    return int(session.scalar(select(func.count(Notification.id)).where(mine)) or 0)


def test_event_reaches_the_organisations_users_after_commit_once(
    uow: UnitOfWork, world: World, db_session: Session
) -> None:
    _announce(uow, world, commit=False)
    assert _count(db_session) == 0  # rolled back with its use case: nobody hears of it
    _announce(uow, world)
    banker = world.users["banker"]
    page = service.inbox(uow=uow, actor=banker, locale="zh_CN")
    assert [(n.title, n.link, n.read) for n in page.items] == [
        ("收到质押贷款申请 ZY-2026-001", "/finance/loans/7", False)
    ]
    assert (
        service.inbox(uow=uow, actor=banker, locale="en").items[0].title
        == "Loan application ZY-2026-001 received"
    )
    assert service.unread_count(uow=uow, actor=world.users["ent_admin"]) == 0  # not in the audience
    before = _count(db_session)
    db_session.execute(OutboxEvent.__table__.update().values(delivered_at=None))  # as if delivery repeats
    assert deliver_pending_events(uow=uow) >= 1
    assert _count(db_session) == before  # the consumer is idempotent


def test_mark_read_and_only_ones_own(uow: UnitOfWork, world: World) -> None:
    _announce(uow, world)
    banker = world.users["banker"]
    item = service.inbox(uow=uow, actor=banker, locale="zh_CN").items[0]
    with pytest.raises(Exception, match="not"):
        service.mark_read(uow=uow, actor=world.users["ent_admin"], notification_id=item.id, locale="zh_CN")
    assert service.mark_read(uow=uow, actor=banker, notification_id=item.id, locale="zh_CN").read
    assert service.unread_count(uow=uow, actor=banker) == 0
    _announce(uow, world)
    assert service.mark_all_read(uow=uow, actor=banker) == 1


def test_templates_tolerate_a_missing_field() -> None:
    assert render_event("test.loan_submitted", {}, "zh_CN").title == "收到质押贷款申请 …"


def _sign_in(client: TestClient, username: str) -> None:
    response = client.post(
        "/login", data={"username": username, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303


def test_badge_page_and_api(client: TestClient, world: World, uow: UnitOfWork) -> None:
    assert client.get("/api/v1/notifications").status_code == 401
    _announce(uow, world)
    _sign_in(client, "banker")
    html = {"accept": "text/html"}
    assert 'id="inbox-badge"' in client.get("/", headers=html).text  # the top bar asks for the badge
    badge = client.get("/inbox/badge", headers=html).text
    assert 'data-unread="1"' in badge and 'hx-trigger="every' in badge
    assert client.get("/api/v1/notifications/unread-count").json() == {"unread": 1}
    inbox = client.get("/inbox", headers=html).text
    assert "收到质押贷款申请 ZY-2026-001" in inbox and "未读消息：1 条" in inbox
    item = client.get("/api/v1/notifications").json()["items"][0]
    opened = client.get(f"/inbox/{item['id']}/open", follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == "/finance/loans/7"
    assert client.get("/api/v1/notifications/unread-count").json() == {"unread": 0}
    assert client.get("/api/v1/notifications?limit=500").status_code == 422
    _sign_in(client, "ent_admin")
    assert client.post(f"/api/v1/notifications/{item['id']}/read").status_code == 404
