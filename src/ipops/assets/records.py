"""What every registry use case shares: loading an asset under a lock, its audit snapshot, its events, and
building owner rows (an organisation other than the actor's is named as pending until it accepts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ipops.alliance.service import organisations_by_id
from ipops.assets.models import TERM_YEARS, Asset, AssetEvent, AssetOwner, EventKind, IpType
from ipops.assets.schemas import OwnerIn
from ipops.assets.scope import ACCEPTED, PENDING, asset_facts
from ipops.core import regions
from ipops.core.audit import record_audit
from ipops.core.authz import Principal, require
from ipops.core.errors import DomainError, ErrorCode

AUDITED_FIELDS = (
    "title",
    "title_en",
    "legal_status",
    "visibility",
    "application_number",
    "registration_number",
    "grant_date",
    "expiry_date",
    "ipc_classes",
    "nice_classes",
    "region_code",
)


def snapshot(asset: Asset) -> dict[str, Any]:
    """The audited fields of an asset, its owners and whether a pledge binds it."""
    snap = {f: getattr(asset, f) for f in AUDITED_FIELDS}
    snap["pledged"] = asset.pledged
    snap["owners"] = [
        {"org_id": o.org_id, "name": o.name, "share": o.share, "status": o.status} for o in asset.owners
    ]
    return snap


def audit_asset(
    session: Session,
    *,
    actor: Principal,
    action: str,
    asset: Asset,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """An audit row about the asset, filed under its first owner organisation and its region."""
    owner_orgs = [o.org_id for o in asset.owners if o.org_id is not None]
    record_audit(
        session,
        actor=actor,
        action=action,
        entity_type="asset",
        entity_id=asset.id,
        before=before,
        after=after,
        region_code=asset.region_code,
        org_id=owner_orgs[0] if owner_orgs else None,
    )


def load_for_update(session: Session, asset_id: int) -> Asset:
    """The asset row locked FOR UPDATE, with its owners and encumbrances."""
    asset = session.scalars(
        select(Asset)
        .where(Asset.id == asset_id)
        .options(selectinload(Asset.owners), selectinload(Asset.encumbrances))
        .with_for_update(of=Asset)
    ).one_or_none()
    if asset is None:
        raise DomainError(ErrorCode.NOT_FOUND)
    return asset


def locked_for(session: Session, actor: Principal, asset_id: int, action: str) -> Asset:
    """The asset locked FOR UPDATE, if the actor may take `action` on it (404 or 403 otherwise)."""
    asset = load_for_update(session, asset_id)
    require(session, actor, action, asset_facts(asset))
    return asset


def load_many_for_update(session: Session, asset_ids: Sequence[int]) -> list[Asset]:
    """Several asset rows locked in primary-key order (so concurrent use cases never deadlock)."""
    wanted = sorted(set(asset_ids))
    assets = list(
        session.scalars(
            select(Asset)
            .where(Asset.id.in_(wanted))
            .options(selectinload(Asset.owners), selectinload(Asset.encumbrances))
            .order_by(Asset.id)
            .with_for_update(of=Asset)
        )
    )
    if [a.id for a in assets] != wanted:
        raise DomainError(ErrorCode.NOT_FOUND, "some assets do not exist")
    return assets


def add_event(
    session: Session,
    asset: Asset,
    *,
    actor: Principal,
    kind: EventKind,
    occurred_on: dt.date,
    note: str | None,
    data: dict[str, Any] | None = None,
) -> AssetEvent:
    """An event in the asset's history, in the same transaction as the change it records."""
    event = AssetEvent(
        asset_id=asset.id,
        kind=kind.value,
        occurred_on=occurred_on,
        actor_user_id=actor.user_id,
        note=note,
        data=data or {},
    )
    session.add(event)
    return event


def build_owners(
    session: Session,
    *,
    alliance_id: int,
    owners: Sequence[OwnerIn],
    actor: Principal,
    already_accepted: frozenset[int] = frozenset(),
) -> list[AssetOwner]:
    """Owner rows whose shares add up to 1; an organisation is accepted only if it acts or already owned."""
    total = sum((o.share for o in owners), Decimal(0))
    if total != Decimal(1):
        raise DomainError(ErrorCode.OWNER_SHARES_INVALID, f"shares add up to {total}")
    named = [o.org_id for o in owners if o.org_id is not None]
    if len(named) != len(set(named)):
        raise DomainError(ErrorCode.VALIDATION_ERROR, "an organisation is named twice among the owners")
    orgs = organisations_by_id(session, set(named))
    built: list[AssetOwner] = []
    for seq, owner in enumerate(owners, start=1):
        name, address, status, invited_by = owner.name, owner.address, ACCEPTED, None
        if owner.org_id is not None:
            org = orgs.get(owner.org_id)
            if org is None or org.alliance_id != alliance_id:
                raise DomainError(
                    ErrorCode.NOT_FOUND, f"organisation {owner.org_id} not found in this alliance"
                )
            name, address = org.name, address or org.address
            if owner.org_id != actor.org_id and owner.org_id not in already_accepted and not actor.system:
                status, invited_by = PENDING, actor.org_id
        assert name is not None  # noqa: S101 - OwnerIn guarantees an org or a name
        built.append(
            AssetOwner(
                seq=seq,
                org_id=owner.org_id,
                name=name,
                country=owner.country,
                address=address,
                share=owner.share,
                status=status,
                invited_by_org_id=invited_by,
            )
        )
    return built


def derive_region(session: Session, *, explicit: str | None, owners: Sequence[AssetOwner]) -> str:
    """The asset's region: given, else its first organisation owner's, else from an owner's address."""
    if explicit:
        return explicit
    orgs = organisations_by_id(session, {o.org_id for o in owners if o.org_id is not None})
    for owner in owners:
        if owner.org_id is not None and owner.org_id in orgs:
            return orgs[owner.org_id].region_code
    for owner in owners:
        if owner.address:
            code = regions.load_regions().resolve_address(owner.address)
            if code:
                return code
    raise DomainError(
        ErrorCode.VALIDATION_ERROR, "the region could not be derived from the owners; give region_code"
    )


def derive_expiry(
    ip_type: IpType, *, application_date: dt.date | None, grant_date: dt.date | None
) -> dt.date | None:
    """The statutory expiry from the filing (or, for marks, the registration) date."""
    years = TERM_YEARS.get(ip_type)
    start = grant_date if ip_type == IpType.TRADEMARK else application_date
    if years is None or start is None:
        return None
    try:
        return start.replace(year=start.year + years) - dt.timedelta(days=1)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)
