"""Encumbrance use cases: a loan's pledge (reserved, approved, registered, released), a judicial freeze and a
licence, each checked against the blocking matrix of `encumbrance_rules` under the asset's row lock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

from sqlalchemy.orm import Session

from ipops.assets import encumbrance_rules as rules
from ipops.assets.models import IN_FORCE, Asset, AssetEncumbrance, EventKind
from ipops.assets.ownership import pledgee_consents, require_settled, use_co_owner_consents, use_consents
from ipops.assets.records import (
    add_event,
    audit_asset,
    load_for_update,
    load_many_for_update,
    locked_for,
    snapshot,
)
from ipops.assets.schemas import AssetDetail, FreezeCreate, LicenceCreate
from ipops.assets.scope import ACCEPTED, asset_facts
from ipops.core.authz import Action, Principal, require
from ipops.core.db import db_now
from ipops.core.errors import DomainError, ErrorCode
from ipops.core.uow import UnitOfWork


def _rule_view(enc: AssetEncumbrance) -> rules.Encumbrance:
    return rules.Encumbrance(
        id=enc.id,
        kind=enc.kind,
        status=enc.status,
        source=f"{enc.source_type}:{enc.source_id}",
        holder_org_id=enc.holder_org_id,
        purpose=enc.purpose,
        scope=rules.Scope(
            field=enc.field, territory=enc.territory, starts_on=enc.starts_on, ends_on=enc.ends_on
        ),
    )


def check_act(
    session: Session,
    asset: Asset,
    *,
    act: rules.Act,
    counterparties: Collection[int] = (),
    via: str | None = None,
    scope: rules.Scope | None = None,
    purpose: str | None = None,
    used_for: str,
) -> rules.Outcome:
    """Refuse the act if an encumbrance blocks it; pledgee consents it needs are used up when it proceeds."""
    consents = pledgee_consents(session, asset, act=act, counterparties=counterparties)
    outcome = rules.assess(
        rules.Proposal(
            act=act, today=db_now(session).date(), via=via, scope=scope or rules.Scope(), purpose=purpose
        ),
        [_rule_view(e) for e in asset.encumbrances],
        pledgee_consents={c.consenter_org_id for c in consents if c.consenter_org_id is not None},
    )
    if not outcome.allowed:
        raise DomainError(
            ErrorCode.ASSET_ENCUMBERED,
            f"asset {asset.id}: {rules.describe(outcome.blocked)}",
            blocked=[{"encumbrance_id": e.id, "kind": e.kind, "reason": r} for e, r in outcome.blocked],
            pledgee_consent_needed=list(outcome.pledgee_consents_needed),
        )
    holders = {e.holder_org_id for e in asset.encumbrances if e.kind == "pledge" and e.status != "released"}
    use_consents(session, [c for c in consents if c.consenter_org_id in holders], used_for=used_for)
    return outcome


def _live_pledges(asset: Asset, source_id: str) -> list[AssetEncumbrance]:
    return [
        e
        for e in asset.encumbrances
        if e.kind == "pledge"
        and e.source_type == "loan"
        and e.source_id == source_id
        and e.status != "released"
    ]


def reserve_pledge(
    session: Session, *, actor: Principal, asset_ids: Sequence[int], loan_id: int, bank_org_id: int
) -> None:
    """A submitted loan reserves its collateral (民法典 art. 444): locked, owned, consented, unencumbered."""
    for asset in load_many_for_update(session, asset_ids):
        require(session, actor, Action.PLEDGE, asset_facts(asset))
        require_settled(asset)
        if asset.legal_status not in IN_FORCE:
            raise DomainError(ErrorCode.INVALID_STATE, f"asset {asset.id} is {asset.legal_status}")
        use_co_owner_consents(
            session,
            asset,
            acting_org_id=actor.org_id,
            act=rules.Act.PLEDGE,
            counterparties={bank_org_id},
            used_for=f"loan:{loan_id}",
        )
        check_act(
            session, asset, act=rules.Act.PLEDGE, counterparties={bank_org_id}, used_for=f"loan:{loan_id}"
        )
        asset.encumbrances.append(
            AssetEncumbrance(
                kind="pledge",
                status="reserved",
                source_type="loan",
                source_id=str(loan_id),
                holder_org_id=bank_org_id,
            )
        )
        asset.version += 1
        audit_asset(
            session, actor=actor, action="asset.pledge_reserved", asset=asset, after={"loan_id": loan_id}
        )


def confirm_pledge(
    session: Session, *, actor: Principal, asset_ids: Sequence[int], loan_id: int, borrower_org_id: int
) -> list[Asset]:
    """The bank's approval: under lock, the reservation still stands and the borrower still owns each."""
    assets = load_many_for_update(session, asset_ids)
    for asset in assets:
        reservations = [e for e in _live_pledges(asset, str(loan_id)) if e.status == "reserved"]
        if not reservations:
            raise DomainError(ErrorCode.INVALID_STATE, f"asset {asset.id} is not reserved for loan {loan_id}")
        owners = {o.org_id for o in asset.owners if o.status == ACCEPTED}
        if borrower_org_id not in owners:
            raise DomainError(
                ErrorCode.INVALID_STATE, f"the borrower no longer owns asset {asset.id}", asset_id=asset.id
            )
        for enc in reservations:
            enc.status = "approved"
        asset.version += 1
        audit_asset(
            session, actor=actor, action="asset.pledge_approved", asset=asset, after={"loan_id": loan_id}
        )
    return assets


def register_pledge(
    session: Session,
    *,
    actor: Principal,
    asset_ids: Sequence[int],
    loan_id: int,
    registration_number: str,
    registered_on: dt.date,
) -> None:
    """The office's pledge registration (质押登记) is recorded: from now on the pledge is effective."""
    for asset in load_many_for_update(session, asset_ids):
        approved = [e for e in _live_pledges(asset, str(loan_id)) if e.status == "approved"]
        if not approved:
            raise DomainError(
                ErrorCode.INVALID_STATE, f"asset {asset.id} has no approved pledge of loan {loan_id}"
            )
        before = snapshot(asset)
        for enc in approved:
            enc.status, enc.registration_number, enc.registered_on = (
                "registered",
                registration_number,
                registered_on,
            )
            enc.starts_on = registered_on
        asset.version += 1
        add_event(
            session,
            asset,
            actor=actor,
            kind=EventKind.PLEDGED,
            occurred_on=registered_on,
            note=f"pledge loan #{loan_id} · {registration_number}",
            data={"loan_id": loan_id, "registration_number": registration_number},
        )
        audit_asset(
            session, actor=actor, action="asset.pledged", asset=asset, before=before, after=snapshot(asset)
        )


def release_pledge(
    session: Session,
    *,
    actor: Principal,
    asset_ids: Sequence[int],
    loan_id: int,
    occurred_on: dt.date,
    why: str,
) -> None:
    """Release the loan's pledge (repaid, disposed, withdrawn, rejected); a registered one leaves an event."""
    for asset in load_many_for_update(session, asset_ids):
        live = _live_pledges(asset, str(loan_id))
        if not live:
            continue
        before = snapshot(asset)
        registered = any(e.status == "registered" for e in live)
        for enc in live:
            enc.status, enc.released_at, enc.release_reason = "released", db_now(session), why
            enc.ends_on = occurred_on
        asset.version += 1
        if registered:
            add_event(
                session,
                asset,
                actor=actor,
                kind=EventKind.PLEDGE_RELEASED,
                occurred_on=occurred_on,
                note=f"pledge loan #{loan_id} {why}",
                data={"loan_id": loan_id},
            )
        audit_asset(
            session,
            actor=actor,
            action="asset.pledge_released",
            asset=asset,
            before=before,
            after=snapshot(asset),
        )


def record_freeze(*, uow: UnitOfWork, actor: Principal, asset_id: int, data: FreezeCreate) -> AssetDetail:
    """The region's office records a court's freeze: every act on the asset is blocked until it is lifted."""
    from ipops.assets.service import detail_of

    with uow:
        session = uow.session
        asset = locked_for(session, actor, asset_id, Action.ENCUMBER)
        asset.encumbrances.append(
            AssetEncumbrance(
                kind="judicial_freeze",
                status="active",
                source_type="court_order",
                source_id=data.order_number,
                holder_name=data.court,
                starts_on=data.starts_on,
                ends_on=data.ends_on,
            )
        )
        asset.version += 1
        audit_asset(session, actor=actor, action="asset.frozen", asset=asset, after=data.model_dump())
        uow.commit()
        return detail_of(session, asset.id)


def lift_freeze(*, uow: UnitOfWork, actor: Principal, asset_id: int, encumbrance_id: int) -> AssetDetail:
    """The office records that the court lifted the freeze."""
    from ipops.assets.service import detail_of

    with uow:
        session = uow.session
        asset = locked_for(session, actor, asset_id, Action.ENCUMBER)
        enc = next(
            (e for e in asset.encumbrances if e.id == encumbrance_id and e.kind == "judicial_freeze"), None
        )
        if enc is None or enc.status == "released":
            raise DomainError(ErrorCode.NOT_FOUND)
        enc.status, enc.released_at, enc.release_reason = "released", db_now(session), "lifted"
        asset.version += 1
        audit_asset(
            session, actor=actor, action="asset.freeze_lifted", asset=asset, after={"encumbrance_id": enc.id}
        )
        uow.commit()
        return detail_of(session, asset.id)


def add_licence(
    session: Session, *, actor: Principal, asset_id: int, data: LicenceCreate
) -> AssetEncumbrance | None:
    """Record a licence in the caller's transaction: consents and encumbrances are checked under lock."""
    asset = load_for_update(session, asset_id)
    act = rules.Act.LICENCE_EXCLUSIVE if data.exclusive else rules.Act.LICENCE_NON_EXCLUSIVE
    require(session, actor, act, asset_facts(asset))
    require_settled(asset)
    counterparties = {data.licensee_org_id} if data.licensee_org_id is not None else set()
    used_for = f"licence:{data.reference}"
    use_co_owner_consents(
        session, asset, acting_org_id=actor.org_id, act=act, counterparties=counterparties, used_for=used_for
    )
    scope = rules.Scope(
        field=data.field, territory=data.territory, starts_on=data.starts_on, ends_on=data.ends_on
    )
    check_act(session, asset, act=act, counterparties=counterparties, scope=scope, used_for=used_for)
    encumbrance = None
    if data.exclusive:
        encumbrance = AssetEncumbrance(
            kind="exclusive_licence",
            status="active",
            source_type="licence",
            source_id=data.reference,
            holder_org_id=data.licensee_org_id,
            holder_name=data.licensee_name,
            field=data.field,
            territory=data.territory,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
        )
        asset.encumbrances.append(encumbrance)
    licensee = data.licensee_name or str(data.licensee_org_id)
    add_event(
        session,
        asset,
        actor=actor,
        kind=EventKind.LICENSED,
        occurred_on=data.starts_on,
        note=f"{data.reference} · {licensee}",
        data={"reference": data.reference, "licensee": licensee, "exclusive": data.exclusive},
    )
    asset.version += 1
    audit_asset(session, actor=actor, action="asset.licensed", asset=asset, after=data.model_dump())
    return encumbrance


def grant_licence(*, uow: UnitOfWork, actor: Principal, asset_id: int, data: LicenceCreate) -> AssetDetail:
    """An owner's administrator records a licence it granted."""
    from ipops.assets.service import detail_of

    with uow:
        session = uow.session
        add_licence(session, actor=actor, asset_id=asset_id, data=data)
        uow.commit()
        return detail_of(session, asset_id)
