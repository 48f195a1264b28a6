"""Monitoring pledged collateral: one alert per change of a pledged asset's legal status."""

from __future__ import annotations

from sqlalchemy import select

from ipops.assets.service import briefs
from ipops.core.audit import record_audit
from ipops.core.authz import SYSTEM, Action, Principal, clause
from ipops.core.db import db_now
from ipops.core.uow import UnitOfWork
from ipops.finance.models import PLEDGED_STATUSES, Loan, LoanAsset, PledgeAlert
from ipops.finance.pledge.schemas import MonitorReport, PledgeAlertRead
from ipops.finance.scope import loan_columns


def scan_pledge_alerts(
    *, uow: UnitOfWork, actor: Principal = SYSTEM, alliance_id: int | None = None
) -> MonitorReport:
    """Compare every pledged asset's legal status with the last one seen; raise one alert per change."""
    with uow:
        session = uow.session
        stmt = (
            select(LoanAsset)
            .join(Loan, Loan.id == LoanAsset.loan_id)
            .where(Loan.status.in_([s.value for s in PLEDGED_STATUSES]))
            .order_by(LoanAsset.id)
            .with_for_update(of=LoanAsset)
        )
        if alliance_id is not None:
            stmt = stmt.where(Loan.alliance_id == alliance_id)
        watched = list(session.scalars(stmt))
        statuses = {i: b.legal_status for i, b in briefs(session, [w.asset_id for w in watched]).items()}
        now = db_now(session)
        raised: list[PledgeAlert] = []
        for item in watched:
            current = statuses[item.asset_id]
            previous = item.last_seen_status or item.status_at_pledge or current
            if current == previous:
                continue
            alert = PledgeAlert(
                loan_id=item.loan_id,
                asset_id=item.asset_id,
                status_at_pledge=item.status_at_pledge or previous,
                previous_status=previous,
                current_status=current,
                detected_at=now,
            )
            session.add(alert)
            item.last_seen_status = current
            raised.append(alert)
        uow.flush()
        loans = {
            loan.id: loan
            for loan in session.scalars(select(Loan).where(Loan.id.in_({a.loan_id for a in raised})))
        }
        for alert in raised:
            loan = loans[alert.loan_id]
            record_audit(
                session,
                actor=actor,
                action="finance.pledge_alert.raised",
                entity_type="loan",
                entity_id=loan.id,
                before={"asset_id": alert.asset_id, "legal_status": alert.previous_status},
                after={"asset_id": alert.asset_id, "legal_status": alert.current_status},
                region_code=loan.region_code,
                org_id=loan.borrower_org_id,
            )
        uow.commit()
        return MonitorReport(
            loans=len({w.loan_id for w in watched}),
            assets=len(watched),
            new_alerts=[PledgeAlertRead.model_validate(a) for a in raised],
        )


def list_alerts(*, uow: UnitOfWork, actor: Principal, limit: int = 50) -> list[PledgeAlertRead]:
    """The newest alerts on loans the actor may see."""
    with uow:
        rows = uow.session.scalars(
            select(PledgeAlert)
            .join(Loan, Loan.id == PledgeAlert.loan_id)
            .where(clause(actor, Action.READ, loan_columns()))
            .order_by(PledgeAlert.id.desc())
            .limit(min(max(limit, 1), 500))
        ).all()
        return [PledgeAlertRead.model_validate(r) for r in rows]


def may_run_monitor(actor: Principal) -> bool:
    """Running the monitor by hand is the alliance administration's (it scans every pledge)."""
    from ipops.core.authz import Group

    return actor.system or (
        actor.alliance_id is not None and actor.in_groups(frozenset({Group.ALLIANCE_ADMINISTRATION}))
    )
