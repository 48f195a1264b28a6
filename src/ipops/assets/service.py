"""Registry use cases: create, read, list, update, transfer, record events, and the encumbrance rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, String, cast, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from ipops.alliance.models import Organisation
from ipops.alliance.service import member_region_for
from ipops.assets.models import (
    PATENT_TYPES,
    TERM_YEARS,
    Asset,
    AssetEvent,
    AssetOwner,
    EventKind,
    IpType,
    LegalStatus,
)
from ipops.assets.schemas import (
    AssetCreate,
    AssetDetail,
    AssetFilter,
    AssetPage,
    AssetRead,
    AssetUpdate,
    EventCreate,
    EventRead,
    OwnerIn,
    TransferRequest,
)
from ipops.core import codes, regions
from ipops.core.audit import record_audit
from ipops.core.authz import Action, Principal, RecordScope, Visibility, readable_clause, require
from ipops.core.db import db_now
from ipops.core.errors import DomainError, ErrorCode
from ipops.core.uow import UnitOfWork

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
    "pledged",
)

# Events that change legal status when recorded.
STATUS_AFTER_EVENT: dict[EventKind, LegalStatus] = {
    EventKind.GRANTED: LegalStatus.GRANTED,
    EventKind.PUBLISHED: LegalStatus.PUBLISHED,
    EventKind.LAPSED: LegalStatus.LAPSED,
    EventKind.INVALIDATED: LegalStatus.INVALIDATED,
    EventKind.RESTORED: LegalStatus.GRANTED,
    EventKind.RENEWED: LegalStatus.GRANTED,
}


def scope_of(asset: Asset) -> RecordScope:
    """The tenancy facts of an asset for the policy."""
    return RecordScope(
        alliance_id=asset.alliance_id,
        region_code=asset.region_code,
        visibility=Visibility(asset.visibility),
        owner_org_ids=frozenset(o.org_id for o in asset.owners if o.org_id is not None),
    )


def _owned_by(org_id: int) -> ColumnElement[bool]:
    return exists().where(AssetOwner.asset_id == Asset.id, AssetOwner.org_id == org_id)


def readable_assets(actor: Principal) -> ColumnElement[bool]:
    """The policy's read rule as a WHERE clause on assets."""
    return readable_clause(
        actor,
        alliance_id=Asset.alliance_id,
        region_code=Asset.region_code,
        visibility=Asset.visibility,
        owned_by=_owned_by,
    )


def _snapshot(asset: Asset) -> dict[str, Any]:
    snap = {f: getattr(asset, f) for f in AUDITED_FIELDS}
    snap["owners"] = [{"org_id": o.org_id, "name": o.name, "share": o.share} for o in asset.owners]
    return snap


def _audit(
    session: Session,
    *,
    actor: Principal,
    action: str,
    asset: Asset,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
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


def _validate_numbers(data: AssetCreate) -> None:
    if data.jurisdiction != "CN" or not data.application_number or IpType(data.ip_type) not in PATENT_TYPES:
        return
    try:
        parsed = codes.parse_cnipa_application_number(data.application_number)
    except codes.InvalidCodeError as exc:
        raise DomainError(ErrorCode.INVALID_CODE, str(exc), field="application_number") from exc
    expected = {"invention": IpType.INVENTION, "utility_model": IpType.UTILITY_MODEL, "design": IpType.DESIGN}
    if expected.get(parsed.ip_type) != data.ip_type:
        raise DomainError(
            ErrorCode.INVALID_CODE,
            f"application number {data.application_number} is a {parsed.ip_type}, not a {data.ip_type.value}",
            field="application_number",
        )


def _build_owners(session: Session, *, alliance_id: int, owners: Sequence[OwnerIn]) -> list[AssetOwner]:
    total = sum((o.share for o in owners), Decimal(0))
    if total != Decimal(1):
        raise DomainError(ErrorCode.OWNER_SHARES_INVALID, f"shares add up to {total}")
    built: list[AssetOwner] = []
    for seq, owner in enumerate(owners, start=1):
        name, address = owner.name, owner.address
        if owner.org_id is not None:
            org = session.get(Organisation, owner.org_id)
            if org is None or org.alliance_id != alliance_id:
                raise DomainError(
                    ErrorCode.NOT_FOUND, f"organisation {owner.org_id} not found in this alliance"
                )
            name, address = org.name, address or org.address
        assert name is not None  # noqa: S101 - OwnerIn guarantees an org or a name
        built.append(
            AssetOwner(
                seq=seq,
                org_id=owner.org_id,
                name=name,
                country=owner.country,
                address=address,
                share=owner.share,
            )
        )
    return built


def _derive_region(session: Session, *, explicit: str | None, owners: Sequence[AssetOwner]) -> str:
    if explicit:
        return explicit
    for owner in owners:
        if owner.org_id is not None:
            org = session.get(Organisation, owner.org_id)
            if org is not None:
                return org.region_code
    for owner in owners:
        if owner.address:
            code = regions.load_regions().resolve_address(owner.address)
            if code:
                return code
    raise DomainError(
        ErrorCode.VALIDATION_ERROR, "the region could not be derived from the owners; give region_code"
    )


def _derive_expiry(
    ip_type: IpType, *, application_date: dt.date | None, grant_date: dt.date | None
) -> dt.date | None:
    years = TERM_YEARS.get(ip_type)
    start = grant_date if ip_type == IpType.TRADEMARK else application_date
    if years is None or start is None:
        return None
    try:
        return start.replace(year=start.year + years) - dt.timedelta(days=1)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


def _load_for_update(session: Session, asset_id: int) -> Asset:
    asset = session.scalars(
        select(Asset).where(Asset.id == asset_id).options(selectinload(Asset.owners)).with_for_update()
    ).one_or_none()
    if asset is None:
        raise DomainError(ErrorCode.NOT_FOUND)
    return asset


def _add_event(
    session: Session,
    asset: Asset,
    *,
    actor: Principal,
    kind: EventKind,
    occurred_on: dt.date,
    note: str | None,
    data: dict[str, Any] | None = None,
) -> AssetEvent:
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


def create_asset(*, uow: UnitOfWork, actor: Principal, data: AssetCreate) -> AssetRead:
    """Record a new asset with its owners and a `filed` event."""
    if actor.alliance_id is None:
        raise DomainError(ErrorCode.FORBIDDEN, "only alliance members record assets")
    _validate_numbers(data)
    visibility = Visibility.RESTRICTED if data.ip_type == IpType.TRADE_SECRET else data.visibility
    if data.ip_type == IpType.TRADE_SECRET and data.abstract:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            "a trade secret is recorded as metadata only; leave the abstract empty",
        )
    with uow:
        session = uow.session
        owners = _build_owners(session, alliance_id=actor.alliance_id, owners=data.owners)
        region_code = _derive_region(session, explicit=data.region_code, owners=owners)
        member_region_for(session, alliance_id=actor.alliance_id, region_code=region_code)
        scope = RecordScope(
            alliance_id=actor.alliance_id,
            region_code=region_code,
            visibility=visibility,
            owner_org_ids=frozenset(o.org_id for o in owners if o.org_id is not None),
        )
        require(actor, Action.CREATE, scope)
        fields = data.model_dump(exclude={"owners", "region_code", "visibility"})
        asset = Asset(
            alliance_id=actor.alliance_id,
            region_code=region_code,
            visibility=visibility.value,
            owners=owners,
            **fields,
        )
        if asset.expiry_date is None:
            asset.expiry_date = _derive_expiry(
                data.ip_type, application_date=data.application_date, grant_date=data.grant_date
            )
        if data.ip_type == IpType.TRADE_SECRET and data.legal_status == LegalStatus.PENDING:
            asset.legal_status = LegalStatus.PROTECTED.value
        session.add(asset)
        try:
            uow.flush()
        except IntegrityError as exc:
            raise DomainError(
                ErrorCode.DUPLICATE, f"{data.application_number} is already in the registry"
            ) from exc
        today = db_now(session).date()
        _add_event(
            session,
            asset,
            actor=actor,
            kind=EventKind.FILED,
            occurred_on=data.application_date or today,
            note=None,
        )
        _audit(session, actor=actor, action="asset.created", asset=asset, after=_snapshot(asset))
        uow.commit()
        return AssetRead.model_validate(asset)


def get_asset(*, uow: UnitOfWork, actor: Principal, asset_id: int) -> AssetDetail:
    """One asset with owners and events, if the actor may read it."""
    with uow:
        asset = uow.session.scalars(
            select(Asset)
            .where(Asset.id == asset_id)
            .options(selectinload(Asset.owners), selectinload(Asset.events))
        ).one_or_none()
        if asset is None:
            raise DomainError(ErrorCode.NOT_FOUND)
        require(actor, Action.READ, scope_of(asset))
        return AssetDetail.model_validate(asset)


def _json_list_contains_int(column: Any, value: int) -> ColumnElement[bool]:
    text = cast(column, String)
    return or_(
        text.like(f"[{value}]"),
        text.like(f"[{value},%"),
        text.like(f"%, {value},%"),
        text.like(f"%, {value}]"),
    )


def list_assets(
    *, uow: UnitOfWork, actor: Principal, filters: AssetFilter, page: int = 1, size: int = 20
) -> AssetPage:
    """A filtered page of the assets the actor may read, newest first."""
    page, size = max(page, 1), min(max(size, 1), 100)
    conditions: list[ColumnElement[bool]] = [readable_assets(actor)]
    if filters.ip_type:
        conditions.append(Asset.ip_type == filters.ip_type.value)
    if filters.legal_status:
        conditions.append(Asset.legal_status == filters.legal_status.value)
    if filters.region_code:
        from ipops.core.authz import region_prefix

        conditions.append(Asset.region_code.startswith(region_prefix(filters.region_code), autoescape=True))
    if filters.org_id is not None:
        conditions.append(_owned_by(filters.org_id))
    if filters.q:
        pattern = f"%{filters.q.lower()}%"
        conditions.append(
            or_(
                func.lower(Asset.title).like(pattern),
                func.lower(func.coalesce(Asset.title_en, "")).like(pattern),
                func.lower(func.coalesce(Asset.application_number, "")).like(pattern),
                func.lower(func.coalesce(Asset.registration_number, "")).like(pattern),
            )
        )
    if filters.ipc:
        conditions.append(cast(Asset.ipc_classes, String).like(f'%"{filters.ipc.upper()}%'))
    if filters.nice_class is not None:
        conditions.append(_json_list_contains_int(Asset.nice_classes, filters.nice_class))
    if filters.pledged is not None:
        conditions.append(Asset.pledged.is_(filters.pledged))
    with uow:
        session = uow.session
        total = int(session.execute(select(func.count(Asset.id)).where(*conditions)).scalar_one())
        rows = session.scalars(
            select(Asset)
            .where(*conditions)
            .options(selectinload(Asset.owners))
            .order_by(Asset.id.desc())
            .offset((page - 1) * size)
            .limit(size)
        ).all()
        return AssetPage(items=[AssetRead.model_validate(a) for a in rows], total=total, page=page, size=size)


def update_asset(*, uow: UnitOfWork, actor: Principal, asset_id: int, data: AssetUpdate) -> AssetRead:
    """Change an asset's fields under optimistic concurrency."""
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    with uow:
        session = uow.session
        asset = _load_for_update(session, asset_id)
        require(actor, Action.UPDATE, scope_of(asset))
        if asset.version != data.version:
            raise DomainError(ErrorCode.CONFLICT, f"version {data.version} is stale; now {asset.version}")
        if asset.ip_type == IpType.TRADE_SECRET.value and (
            changes.get("abstract") or changes.get("visibility") not in (None, Visibility.RESTRICTED)
        ):
            raise DomainError(
                ErrorCode.VALIDATION_ERROR, "a trade secret stays restricted and holds no abstract"
            )
        before = _snapshot(asset)
        for name, value in changes.items():
            setattr(asset, name, value.value if hasattr(value, "value") else value)
        asset.version += 1
        asset.updated_at = db_now(session)
        _audit(
            session, actor=actor, action="asset.updated", asset=asset, before=before, after=_snapshot(asset)
        )
        uow.commit()
        return AssetRead.model_validate(asset)


def ensure_not_encumbered(asset: Asset) -> None:
    """The registry rule every module calls before moving an asset: no transfer or listing while pledged."""
    if asset.pledged:
        raise DomainError(ErrorCode.ASSET_ENCUMBERED, f"asset {asset.id} is pledged")


def transfer_asset(*, uow: UnitOfWork, actor: Principal, asset_id: int, data: TransferRequest) -> AssetRead:
    """Replace the owners atomically, move the asset's region with them, and record a `transferred` event."""
    with uow:
        session = uow.session
        asset = _load_for_update(session, asset_id)
        require(actor, Action.TRANSFER, scope_of(asset))
        if asset.version != data.version:
            raise DomainError(ErrorCode.CONFLICT, f"version {data.version} is stale; now {asset.version}")
        ensure_not_encumbered(asset)
        if asset.legal_status not in (
            LegalStatus.GRANTED,
            LegalStatus.PENDING,
            LegalStatus.PUBLISHED,
            LegalStatus.PROTECTED,
        ):
            raise DomainError(ErrorCode.INVALID_STATE, f"a {asset.legal_status} asset cannot be transferred")
        before = _snapshot(asset)
        new_owners = _build_owners(session, alliance_id=asset.alliance_id, owners=data.new_owners)
        new_region = (
            _derive_region(session, explicit=None, owners=new_owners)
            if any(o.org_id or o.address for o in new_owners)
            else asset.region_code
        )
        if new_region:
            member_region_for(session, alliance_id=asset.alliance_id, region_code=new_region)
        asset.owners.clear()
        session.flush()  # delete the old owner rows before inserting the new ones
        asset.owners.extend(new_owners)
        asset.region_code = new_region
        asset.version += 1
        asset.updated_at = db_now(session)
        _add_event(
            session,
            asset,
            actor=actor,
            kind=EventKind.TRANSFERRED,
            occurred_on=data.occurred_on,
            note=data.note,
            data={
                "from": before["owners"],
                "to": [{"org_id": o.org_id, "name": o.name, "share": str(o.share)} for o in new_owners],
            },
        )
        _audit(
            session,
            actor=actor,
            action="asset.transferred",
            asset=asset,
            before=before,
            after=_snapshot(asset),
        )
        uow.commit()
        return AssetRead.model_validate(asset)


def record_event(*, uow: UnitOfWork, actor: Principal, asset_id: int, data: EventCreate) -> EventRead:
    """Record a legal event and move the legal status it implies."""
    with uow:
        session = uow.session
        asset = _load_for_update(session, asset_id)
        require(actor, Action.UPDATE, scope_of(asset))
        before = _snapshot(asset)
        new_status = STATUS_AFTER_EVENT.get(data.kind)
        if new_status is not None:
            asset.legal_status = new_status.value
        if data.kind == EventKind.GRANTED and asset.grant_date is None:
            asset.grant_date = data.occurred_on
        if data.kind == EventKind.RENEWED and asset.expiry_date is not None:
            years = TERM_YEARS.get(IpType(asset.ip_type), 10)
            asset.expiry_date = asset.expiry_date.replace(year=asset.expiry_date.year + years)
        asset.version += 1
        asset.updated_at = db_now(session)
        event = _add_event(
            session,
            asset,
            actor=actor,
            kind=data.kind,
            occurred_on=data.occurred_on,
            note=data.note,
            data=data.data,
        )
        session.flush()
        _audit(
            session,
            actor=actor,
            action=f"asset.event.{data.kind.value}",
            asset=asset,
            before=before,
            after=_snapshot(asset),
        )
        uow.commit()
        return EventRead.model_validate(event)


def set_pledge(
    session: Session,
    *,
    actor: Principal,
    asset_ids: Sequence[int],
    pledged: bool,
    reference: str,
    occurred_on: dt.date,
) -> list[Asset]:
    """Pledge or release assets inside the caller's transaction; rows are locked in primary-key order."""
    assets = list(
        session.scalars(
            select(Asset).where(Asset.id.in_(sorted(set(asset_ids)))).order_by(Asset.id).with_for_update()
        )
    )
    if len(assets) != len(set(asset_ids)):
        raise DomainError(ErrorCode.NOT_FOUND, "some assets do not exist")
    for asset in assets:
        if pledged:
            ensure_not_encumbered(asset)
            if asset.legal_status not in (LegalStatus.GRANTED, LegalStatus.PROTECTED):
                raise DomainError(ErrorCode.INVALID_STATE, f"asset {asset.id} is {asset.legal_status}")
        elif not asset.pledged:
            raise DomainError(ErrorCode.INVALID_STATE, f"asset {asset.id} is not pledged")
        before = _snapshot(asset)
        asset.pledged = pledged
        asset.version += 1
        kind = EventKind.PLEDGED if pledged else EventKind.PLEDGE_RELEASED
        _add_event(session, asset, actor=actor, kind=kind, occurred_on=occurred_on, note=reference)
        _audit(
            session,
            actor=actor,
            action=f"asset.{kind.value}",
            asset=asset,
            before=before,
            after=_snapshot(asset),
        )
    return assets


def record_licence(
    session: Session,
    *,
    actor: Principal,
    asset_id: int,
    licensee: str,
    reference: str,
    occurred_on: dt.date,
) -> AssetEvent:
    """Write a `licensed` event on an asset inside the caller's transaction (the asset row is locked)."""
    asset = session.scalars(
        select(Asset).where(Asset.id == asset_id).options(selectinload(Asset.owners)).with_for_update()
    ).one_or_none()
    if asset is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"asset {asset_id} not found")
    event = _add_event(
        session,
        asset,
        actor=actor,
        kind=EventKind.LICENSED,
        occurred_on=occurred_on,
        note=f"{reference} · {licensee}",
        data={"reference": reference, "licensee": licensee},
    )
    _audit(
        session,
        actor=actor,
        action="asset.licensed",
        asset=asset,
        after={"reference": reference, "licensee": licensee, "occurred_on": occurred_on},
    )
    return event


def registry_summary(*, uow: UnitOfWork, actor: Principal) -> dict[str, Any]:
    """Counts of the assets the actor may read, by type and by legal status, for dashboards."""
    readable = readable_assets(actor)
    with uow:
        session = uow.session
        by_type = dict(
            session.execute(
                select(Asset.ip_type, func.count(Asset.id)).where(readable).group_by(Asset.ip_type)
            )
            .tuples()
            .all()
        )
        by_status = dict(
            session.execute(
                select(Asset.legal_status, func.count(Asset.id)).where(readable).group_by(Asset.legal_status)
            )
            .tuples()
            .all()
        )
        pledged = int(
            session.execute(
                select(func.count(Asset.id)).where(readable, Asset.pledged.is_(True))
            ).scalar_one()
        )
        return {
            "by_type": by_type,
            "by_status": by_status,
            "total": sum(by_type.values()),
            "pledged": pledged,
        }


def unlinked_asset_numbers(*, uow: UnitOfWork) -> list[dict[str, Any]]:
    """Numbers of assets not yet linked to a lake document, for the lake's matcher."""
    with uow:
        rows = uow.session.execute(
            select(
                Asset.id,
                Asset.jurisdiction,
                Asset.ip_type,
                Asset.application_number,
                Asset.publication_number,
                Asset.registration_number,
            ).where(Asset.lake_doc_id.is_(None))
        ).all()
        return [row._asdict() for row in rows]


# registry fields an office record may fill when the registry left them empty (never overwritten)
OFFICE_FILLABLE_FIELDS = (
    "publication_number",
    "application_date",
    "publication_date",
    "grant_date",
    "abstract",
    "ipc_classes",
)


def link_lake_documents(
    *,
    uow: UnitOfWork,
    actor: Principal,
    links: dict[int, tuple[str, str]],
    office_facts: Mapping[int, Mapping[str, object]] | None = None,
) -> int:
    """Record lake document ids on assets and fill their empty fields from the office record (audited)."""
    if not links:
        return 0
    office_facts = office_facts or {}
    with uow:
        session = uow.session
        assets = session.scalars(
            select(Asset)
            .where(Asset.id.in_(sorted(links)), Asset.lake_doc_id.is_(None))
            .options(selectinload(Asset.owners))
            .order_by(Asset.id)
            .with_for_update()
        ).all()
        for asset in assets:
            doc_id, matched_on = links[asset.id]
            asset.lake_doc_id = doc_id
            filled: dict[str, object] = {}
            for name, value in office_facts.get(asset.id, {}).items():
                if (
                    name in OFFICE_FILLABLE_FIELDS
                    and value not in (None, "", [])
                    and not getattr(asset, name)
                ):
                    setattr(asset, name, value)
                    filled[name] = value
            asset.version += 1
            _audit(
                session,
                actor=actor,
                action="asset.lake_document_linked",
                asset=asset,
                before={"lake_doc_id": None, **dict.fromkeys(filled)},
                after={"lake_doc_id": doc_id, "matched_on": matched_on, **filled},
            )
        uow.commit()
        return len(assets)
