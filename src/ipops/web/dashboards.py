"""Each role's landing page: its own work and figures, with charts from the one chart module."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from ipops.alliance.service import organisations_by_id
from ipops.assets.service import registry_summary, upcoming_expiries
from ipops.charts.render import chart_html, empty_chart_html
from ipops.charts.specs import count_bars
from ipops.core.audit import activity_by_org
from ipops.core.authz import Principal, Role
from ipops.core.db import db_now
from ipops.core.uow import UnitOfWork
from ipops.finance import pledge
from ipops.finance.models import LoanStatus
from ipops.valuation.service import request_queue

Gettext = Callable[[str], str]
ORG_ROLES = frozenset({Role.ORG_ADMIN, Role.ORG_MEMBER})
OFFICE_ROLES = frozenset({Role.REGION_ADMIN, Role.CENTRE_STAFF})
ACTIVITY_DAYS = 30


def _bars(rows: list[tuple[str, float]], *, kind: str, title: str, empty: str) -> str:
    if not rows or not any(value for _, value in rows):
        return empty_chart_html(kind=kind, title=title, message=empty)
    return chart_html(count_bars(rows, title=title), kind=kind)


def dashboard_context(*, uow: UnitOfWork, actor: Principal, gettext: Gettext) -> dict[str, Any]:
    """The panels of the actor's dashboard: registry figures for all, then the work of its role."""
    _ = gettext
    summary = registry_summary(uow=uow, actor=actor)
    no_data = _("No records yet")
    context: dict[str, Any] = {
        "summary": summary,
        "charts": [
            _bars(
                [(_(t), float(n)) for t, n in sorted(summary["by_type"].items())],
                kind="registry-by-type",
                title=_("By IP type"),
                empty=no_data,
            ),
            _bars(
                [(_(s), float(n)) for s, n in sorted(summary["by_status"].items())],
                kind="registry-by-status",
                title=_("By legal status"),
                empty=no_data,
            ),
        ],
    }
    role = actor.role
    if role in ORG_ROLES or role in OFFICE_ROLES:
        context["expiries"] = upcoming_expiries(uow=uow, actor=actor)
    if role in ORG_ROLES or role == Role.APPRAISER:
        context["valuation_queue"] = request_queue(uow=uow, actor=actor, limit=10)
    if role in ORG_ROLES:
        context["loans"] = pledge.list_loans(uow=uow, actor=actor, size=5).items
    if role == Role.FINANCIER:
        context["waiting_loans"] = pledge.list_loans(
            uow=uow, actor=actor, status=LoanStatus.SUBMITTED, size=10
        ).items
        context["alerts"] = pledge.list_alerts(uow=uow, actor=actor, limit=5)
        by_status = [
            (_(status.value), float(pledge.list_loans(uow=uow, actor=actor, status=status, size=1).total))
            for status in LoanStatus
        ]
        context["charts"].append(
            _bars(
                [row for row in by_status if row[1]],
                kind="loans-by-status",
                title=_("Loans by status"),
                empty=no_data,
            )
        )
    if role == Role.ALLIANCE_ADMIN:
        context["activity"] = _member_activity(uow=uow, actor=actor, gettext=gettext)
        context["charts"].append(
            _bars(
                [(row["name"], float(row["count"])) for row in context["activity"]],
                kind="member-activity",
                title=_("Member activity, last 30 days"),
                empty=no_data,
            )
        )
    return context


def _member_activity(*, uow: UnitOfWork, actor: Principal, gettext: Gettext) -> list[dict[str, Any]]:
    """Audited writes per member organisation over the last 30 days (database clock), most active first."""
    with uow:
        session = uow.session
        since = db_now(session) - dt.timedelta(days=ACTIVITY_DAYS)
        counts = activity_by_org(session, actor=actor, since=since)
        names = organisations_by_id(session, {org_id for org_id in counts if org_id is not None})
    rows = [
        {"name": names[org_id].name if org_id in names else gettext("Alliance and region staff"), "count": n}
        for org_id, n in counts.items()
        if org_id is None or org_id in names
    ]
    return sorted(rows, key=lambda row: (-row["count"], row["name"]))
