"""Joint ownership (专利法 art. 14): accepting a named share, and the consents co-owners and pledgees give.

Transferring, pledging, exclusively licensing or listing a jointly owned asset needs every other co-owner's
consent to that act; a co-owner grants a non-exclusive licence alone. An organisation named as an owner by
someone else is pending until its administrator accepts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipops.assets.encumbrance_rules import Act
from ipops.assets.models import Asset, AssetConsent, AssetOwner
from ipops.assets.records import audit_asset, locked_for
from ipops.assets.schemas import AssetDetail, ConsentCreate, ConsentRead
from ipops.assets.scope import ACCEPTED, PENDING, asset_facts
from ipops.core.authz import Action, Principal
from ipops.core.db import db_now
from ipops.core.errors import DomainError, ErrorCode
from ipops.core.uow import UnitOfWork

# the acts that need each co-owner's consent, and those a pledgee consents to (民法典 art. 443-444)
CO_OWNER_ACTS = frozenset({Act.TRANSFER, Act.PLEDGE, Act.LICENCE_EXCLUSIVE, Act.LISTING})
PLEDGEE_ACTS = frozenset({Act.TRANSFER, Act.LICENCE_EXCLUSIVE, Act.LICENCE_NON_EXCLUSIVE})


def require_settled(asset: Asset) -> None:
    """Refuse while an organisation named as owner has not accepted (who owns it is not yet settled)."""
    pending = [o.name for o in asset.owners if o.status == PENDING]
    if pending:
        raise DomainError(
            ErrorCode.OWNERSHIP_PENDING,
            f"waiting for {', '.join(pending)} to accept its share",
            pending=pending,
        )


def _live_consents(
    session: Session, asset_id: int, *, capacity: str, act: Act, now: dt.datetime
) -> list[AssetConsent]:
    return list(
        session.scalars(
            select(AssetConsent)
            .where(
                AssetConsent.asset_id == asset_id,
                AssetConsent.capacity == capacity,
                AssetConsent.action == act.value,
                AssetConsent.used_at.is_(None),
                AssetConsent.revoked_at.is_(None),
                AssetConsent.expires_at > now,
            )
            .order_by(AssetConsent.id)
            .with_for_update()
        )
    )


def _matches(consent: AssetConsent, counterparties: Collection[int]) -> bool:
    return consent.counterparty_org_id is None or consent.counterparty_org_id in counterparties


def use_co_owner_consents(
    session: Session,
    asset: Asset,
    *,
    acting_org_id: int | None,
    act: Act,
    counterparties: Collection[int],
    used_for: str,
) -> None:
    """Refuse unless every other co-owner consented to this act (and counterparty); then use the consents."""
    if act not in CO_OWNER_ACTS:
        return
    others = [
        o for o in asset.owners if o.status == ACCEPTED and (o.org_id is None or o.org_id != acting_org_id)
    ]
    if not others:
        return
    now = db_now(session)
    consents = _live_consents(session, asset.id, capacity="co_owner", act=act, now=now)
    chosen: list[AssetConsent] = []
    missing: list[AssetOwner] = []
    for owner in others:
        found = next(
            (
                c
                for c in consents
                if c not in chosen
                and (
                    c.consenter_org_id == owner.org_id
                    if owner.org_id is not None
                    else c.owner_seq == owner.seq
                )
                and _matches(c, counterparties)
            ),
            None,
        )
        if found is None:
            missing.append(owner)
        else:
            chosen.append(found)
    if missing:
        raise DomainError(
            ErrorCode.CONSENT_REQUIRED,
            f"{act.value} needs the consent of {', '.join(o.name for o in missing)}",
            missing=[{"org_id": o.org_id, "name": o.name} for o in missing],
        )
    for consent in chosen:
        consent.used_at, consent.used_for = now, used_for


def pledgee_consents(
    session: Session, asset: Asset, *, act: Act, counterparties: Collection[int]
) -> list[AssetConsent]:
    """Live consents of pledgees to this act (locked, so the act that uses them is the only one)."""
    if act not in PLEDGEE_ACTS:
        return []
    found = _live_consents(session, asset.id, capacity="pledgee", act=act, now=db_now(session))
    return [c for c in found if _matches(c, counterparties)]


def use_consents(session: Session, consents: Sequence[AssetConsent], *, used_for: str) -> None:
    """Mark consents as used by an act."""
    now = db_now(session)
    for consent in consents:
        consent.used_at, consent.used_for = now, used_for


def _capacity(asset: Asset, actor: Principal, data: ConsentCreate) -> tuple[str, int | None, int | None]:
    """(capacity, consenting organisation, owner seq) for a consent the actor gives."""
    owners = {o.org_id for o in asset.owners if o.status == ACCEPTED and o.org_id is not None}
    pledgees = asset_facts(asset).parties["pledgee"]
    act = Act(data.action)
    if data.owner_seq is not None:
        outside = next((o for o in asset.owners if o.seq == data.owner_seq and o.org_id is None), None)
        if outside is None or actor.org_id not in owners:
            raise DomainError(ErrorCode.VALIDATION_ERROR, "owner_seq names no co-owner outside the platform")
        if not data.document_reference:
            raise DomainError(
                ErrorCode.VALIDATION_ERROR, "record the reference of the co-owner's signed consent"
            )
        return "co_owner", None, data.owner_seq
    if actor.org_id in owners and act in CO_OWNER_ACTS:
        return "co_owner", actor.org_id, None
    if actor.org_id in pledgees and act in PLEDGEE_ACTS:
        return "pledgee", actor.org_id, None
    raise DomainError(ErrorCode.VALIDATION_ERROR, f"no consent of yours is needed to {act.value}")


def give_consent(*, uow: UnitOfWork, actor: Principal, asset_id: int, data: ConsentCreate) -> ConsentRead:
    """A co-owner's administrator (or the pledgee bank) consents to one act, expiring after some days."""
    with uow:
        session = uow.session
        asset = locked_for(session, actor, asset_id, Action.CONSENT)
        capacity, org_id, seq = _capacity(asset, actor, data)
        consent = AssetConsent(
            asset_id=asset.id,
            capacity=capacity,
            consenter_org_id=org_id,
            owner_seq=seq,
            action=Act(data.action).value,
            counterparty_org_id=data.counterparty_org_id,
            counterparty_name=data.counterparty_name,
            terms=data.terms,
            document_reference=data.document_reference,
            given_by_user_id=actor.user_id,
            given_at=db_now(session),
            expires_at=db_now(session) + dt.timedelta(days=data.valid_days),
        )
        session.add(consent)
        session.flush()
        audit_asset(
            session,
            actor=actor,
            action="asset.consent_given",
            asset=asset,
            after={
                "consent_id": consent.id,
                "capacity": capacity,
                "action": consent.action,
                "counterparty_org_id": data.counterparty_org_id,
                "counterparty_name": data.counterparty_name,
                "expires_at": consent.expires_at,
            },
        )
        uow.commit()
        return ConsentRead.model_validate(consent)


def revoke_consent(*, uow: UnitOfWork, actor: Principal, asset_id: int, consent_id: int) -> ConsentRead:
    """Withdraw an unused consent the actor's organisation gave."""
    with uow:
        session = uow.session
        asset = locked_for(session, actor, asset_id, Action.CONSENT)
        consent = session.get(AssetConsent, consent_id, with_for_update=True)
        if consent is None or consent.asset_id != asset.id:
            raise DomainError(ErrorCode.NOT_FOUND)
        ours = consent.consenter_org_id == actor.org_id or consent.given_by_user_id == actor.user_id
        if not ours:
            raise DomainError(
                ErrorCode.FORBIDDEN, msgid="Only the organisation that gave a consent may withdraw it."
            )
        if consent.used_at is not None or consent.revoked_at is not None:
            raise DomainError(ErrorCode.INVALID_STATE, "the consent was already used or withdrawn")
        consent.revoked_at = db_now(session)
        audit_asset(
            session,
            actor=actor,
            action="asset.consent_revoked",
            asset=asset,
            after={"consent_id": consent.id},
        )
        uow.commit()
        return ConsentRead.model_validate(consent)


def list_consents(*, uow: UnitOfWork, actor: Principal, asset_id: int) -> list[ConsentRead]:
    """The consents recorded on an asset (its readers see them: they are part of its legal position)."""
    from ipops.assets.service import load_readable

    with uow:
        session = uow.session
        load_readable(session, actor, asset_id)
        rows = session.scalars(
            select(AssetConsent).where(AssetConsent.asset_id == asset_id).order_by(AssetConsent.id.desc())
        )
        return [ConsentRead.model_validate(c) for c in rows]


def _settle(session: Session, asset: Asset, actor: Principal, *, accept: bool) -> AssetDetail:
    from ipops.assets.service import detail_of

    mine = next((o for o in asset.owners if o.org_id == actor.org_id and o.status == PENDING), None)
    if mine is None:
        raise DomainError(ErrorCode.INVALID_STATE, "your organisation has no pending share in this asset")
    if accept:
        mine.status, mine.accepted_at = ACCEPTED, db_now(session)
        action = "asset.ownership_accepted"
    else:
        receiver = next(
            (o for o in asset.owners if o.org_id == mine.invited_by_org_id and o.status == ACCEPTED),
            next((o for o in asset.owners if o.status == ACCEPTED and o is not mine), None),
        )
        if receiver is None:
            raise DomainError(
                ErrorCode.INVALID_STATE, "no accepted owner can take the share back; ask the region's office"
            )
        receiver.share += mine.share
        asset.owners.remove(mine)
        session.flush()
        for seq, owner in enumerate(asset.owners, start=1):
            owner.seq = seq
        action = "asset.ownership_declined"
    asset.version += 1
    audit_asset(session, actor=actor, action=action, asset=asset, after={"org_id": actor.org_id})
    return detail_of(session, asset.id)


def accept_ownership(*, uow: UnitOfWork, actor: Principal, asset_id: int) -> AssetDetail:
    """The named organisation's administrator accepts its share; from then on it is an owner."""
    with uow:
        session = uow.session
        asset = locked_for(session, actor, asset_id, Action.ACCEPT_OWNERSHIP)
        detail = _settle(session, asset, actor, accept=True)
        uow.commit()
        return detail


def decline_ownership(*, uow: UnitOfWork, actor: Principal, asset_id: int) -> AssetDetail:
    """The named organisation declines; its share goes back to the organisation that named it."""
    with uow:
        session = uow.session
        asset = locked_for(session, actor, asset_id, Action.ACCEPT_OWNERSHIP)
        detail = _settle(session, asset, actor, accept=False)
        uow.commit()
        return detail
