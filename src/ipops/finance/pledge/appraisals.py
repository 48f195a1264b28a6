"""Outside appraisal reports: recorded by an appraiser engaged for the asset, read by its parties."""

from __future__ import annotations

from sqlalchemy import func, select

from ipops.assets.service import brief, may_take
from ipops.core.audit import record_audit
from ipops.core.authz import Action, Principal, clause
from ipops.core.errors import DomainError, ErrorCode
from ipops.core.money import MoneyModel
from ipops.core.uow import UnitOfWork
from ipops.finance.models import Appraisal
from ipops.finance.pledge.schemas import AppraisalCreate, AppraisalRead
from ipops.finance.scope import appraisal_columns


def appraisal_read(row: Appraisal) -> AppraisalRead:
    """The wire form of an appraisal."""
    return AppraisalRead(
        id=row.id,
        asset_id=row.asset_id,
        appraiser_org_id=row.appraiser_org_id,
        report_number=row.report_number,
        p10=MoneyModel(amount=row.p10, currency=row.currency),
        p50=MoneyModel(amount=row.p50, currency=row.currency),
        p90=MoneyModel(amount=row.p90, currency=row.currency),
        appraised_on=row.appraised_on,
        created_at=row.created_at,
    )


def record_appraisal(*, uow: UnitOfWork, actor: Principal, data: AppraisalCreate) -> AppraisalRead:
    """An appraiser of a firm engaged for the asset (by an owner's grant) records its report's range."""
    with uow:
        session = uow.session
        may_take(session, actor, Action.APPRAISE, data.asset_id)
        asset = brief(session, data.asset_id)
        if actor.org_id is None:
            raise DomainError(ErrorCode.FORBIDDEN)
        duplicate = session.scalar(
            select(func.count(Appraisal.id)).where(
                Appraisal.appraiser_org_id == actor.org_id,
                Appraisal.report_number == data.report_number,
                Appraisal.asset_id == asset.id,
            )
        )
        if duplicate:
            raise DomainError(ErrorCode.DUPLICATE, f"report {data.report_number} is already recorded")
        row = Appraisal(
            alliance_id=asset.alliance_id,
            asset_id=asset.id,
            appraiser_org_id=actor.org_id,
            report_number=data.report_number,
            currency=data.p10.currency,
            p10=data.p10.amount,
            p50=data.p50.amount,
            p90=data.p90.amount,
            appraised_on=data.appraised_on,
            recorded_by=actor.user_id,
        )
        session.add(row)
        uow.flush()
        record_audit(
            session,
            actor=actor,
            action="finance.appraisal.recorded",
            entity_type="appraisal",
            entity_id=row.id,
            after=data.model_dump(mode="json"),
            region_code=asset.region_code,
            org_id=actor.org_id,
        )
        uow.commit()
        return appraisal_read(row)


def list_appraisals(*, uow: UnitOfWork, actor: Principal, asset_id: int) -> list[AppraisalRead]:
    """The appraisals of an asset the actor may read: its firm's, its owners', banks reviewing it."""
    with uow:
        rows = uow.session.scalars(
            select(Appraisal)
            .where(Appraisal.asset_id == asset_id, clause(actor, Action.READ, appraisal_columns()))
            .order_by(Appraisal.appraised_on.desc(), Appraisal.id.desc())
        ).all()
        return [appraisal_read(r) for r in rows]
