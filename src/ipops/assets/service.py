"""Registry use cases: record, read, list, describe, transfer, legal events, lake links, record grants; and
the read models other domains use (collateral, valued assets), since they never touch the registry's tables.

Ownership and consents live in `ownership`, encumbrances (pledges, freezes, licences) in `encumbrances`;
their use cases are re-exported here so that other domains call one service.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, String, cast, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from ipops.alliance.service import member_region_for
from ipops.assets import encumbrance_rules as rules
from ipops.assets.encumbrances import (
    check_act,
    confirm_pledge,
    grant_licence,
    lift_freeze,
    record_freeze,
    register_pledge,
    release_pledge,
    reserve_pledge,
)
from ipops.assets.models import (
    IN_FORCE,
    PATENT_TYPES,
    TERM_YEARS,
    Asset,
    EventKind,
    IpType,
    LegalStatus,
)
from ipops.assets.ownership import (
    accept_ownership,
    decline_ownership,
    give_consent,
    list_consents,
    require_settled,
    revoke_consent,
    use_co_owner_consents,
)
from ipops.assets.records import (
    add_event,
    audit_asset,
    build_owners,
    derive_expiry,
    derive_region,
    locked_for,
    snapshot,
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
    GrantCreate,
    GrantRead,
    LicenceCreate,
    TransferRequest,
)
from ipops.assets.scope import ACCEPTED, asset_columns, asset_facts, live_pledge, new_asset_facts, owned_by
from ipops.core import codes
from ipops.core.authz import (
    Action,
    Principal,
    Visibility,
    allowed_actions,
    clause,
    issue_grant,
    region_prefix,
    require,
    revoke_grants,
)
from ipops.core.authz.facts import SqlValue
from ipops.core.authz.grants import list_grants
from ipops.core.db import db_now
from ipops.core.errors import DomainError, ErrorCode
from ipops.core.uow import UnitOfWork

__all__ = [
    "accept_ownership",
    "check_act",
    "confirm_pledge",
    "decline_ownership",
    "give_consent",
    "grant_licence",
    "lift_freeze",
    "list_consents",
    "record_freeze",
    "register_pledge",
    "release_pledge",
    "reserve_pledge",
    "revoke_consent",
]

# Events that change legal status when recorded.
STATUS_AFTER_EVENT: dict[EventKind, LegalStatus] = {
    EventKind.GRANTED: LegalStatus.GRANTED,
    EventKind.PUBLISHED: LegalStatus.PUBLISHED,
    EventKind.LAPSED: LegalStatus.LAPSED,
    EventKind.INVALIDATED: LegalStatus.INVALIDATED,
    EventKind.RESTORED: LegalStatus.GRANTED,
    EventKind.RENEWED: LegalStatus.GRANTED,
}
TRANSFERABLE = frozenset(
    {LegalStatus.GRANTED, LegalStatus.PENDING, LegalStatus.PUBLISHED, LegalStatus.PROTECTED}
)


def readable_assets(actor: Principal) -> ColumnElement[bool]:
    """The policy's read rule as a WHERE clause on assets."""
    return clause(actor, Action.READ, asset_columns())


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


def _visibility_for(ip_type: IpType, wanted: Visibility) -> Visibility:
    """Trade secrets are restricted to their owners; nothing else may be, or the office would not see it."""
    if ip_type == IpType.TRADE_SECRET:
        return Visibility.RESTRICTED
    if wanted == Visibility.RESTRICTED:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR, "only a trade secret is restricted to its owners", field="visibility"
        )
    return wanted


def detail_of(session: Session, asset_id: int) -> AssetDetail:
    """The asset's full read model."""
    asset = session.scalars(
        select(Asset)
        .where(Asset.id == asset_id)
        .options(selectinload(Asset.owners), selectinload(Asset.events), selectinload(Asset.encumbrances))
        .execution_options(populate_existing=True)
    ).one()
    return AssetDetail.model_validate(asset)


def load_readable(session: Session, actor: Principal, asset_id: int) -> Asset:
    """The asset, if the actor may read it (404 otherwise)."""
    asset = session.scalars(
        select(Asset)
        .where(Asset.id == asset_id)
        .options(selectinload(Asset.owners), selectinload(Asset.events), selectinload(Asset.encumbrances))
    ).one_or_none()
    if asset is None:
        raise DomainError(ErrorCode.NOT_FOUND)
    require(session, actor, Action.READ, asset_facts(asset))
    return asset


def create_asset(*, uow: UnitOfWork, actor: Principal, data: AssetCreate) -> AssetRead:
    """Record a new asset; organisations other than the actor's are named owners until they accept."""
    if actor.alliance_id is None:
        raise DomainError(ErrorCode.FORBIDDEN, msgid="Only alliance members record assets.")
    _validate_numbers(data)
    visibility = _visibility_for(data.ip_type, data.visibility)
    if data.ip_type == IpType.TRADE_SECRET and data.abstract:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            "a trade secret is recorded as metadata only; leave the abstract empty",
        )
    with uow:
        session = uow.session
        owners = build_owners(session, alliance_id=actor.alliance_id, owners=data.owners, actor=actor)
        region_code = derive_region(session, explicit=data.region_code, owners=owners)
        member_region_for(session, alliance_id=actor.alliance_id, region_code=region_code)
        facts = new_asset_facts(
            alliance_id=actor.alliance_id,
            region_code=region_code,
            visibility=visibility,
            owner_org_ids=[o.org_id for o in owners if o.org_id is not None],
        )
        require(session, actor, Action.CREATE, facts)
        fields = data.model_dump(exclude={"owners", "region_code", "visibility"})
        asset = Asset(
            alliance_id=actor.alliance_id,
            region_code=region_code,
            visibility=visibility.value,
            owners=owners,
            **fields,
        )
        if asset.expiry_date is None:
            asset.expiry_date = derive_expiry(
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
        add_event(
            session,
            asset,
            actor=actor,
            kind=EventKind.FILED,
            occurred_on=data.application_date or db_now(session).date(),
            note=None,
        )
        audit_asset(session, actor=actor, action="asset.created", asset=asset, after=snapshot(asset))
        uow.commit()
        return AssetRead.model_validate(asset)


def get_asset(*, uow: UnitOfWork, actor: Principal, asset_id: int) -> AssetDetail:
    """One asset with owners, events and encumbrances, if the actor may read it."""
    with uow:
        return AssetDetail.model_validate(load_readable(uow.session, actor, asset_id))


def get_asset_with_actions(
    *, uow: UnitOfWork, actor: Principal, asset_id: int
) -> tuple[AssetDetail, frozenset[str]]:
    """One asset and the actions the actor may take on it (pages show only those forms)."""
    with uow:
        session = uow.session
        asset = load_readable(session, actor, asset_id)
        return AssetDetail.model_validate(asset), allowed_actions(session, actor, asset_facts(asset))


def require_asset_action(*, uow: UnitOfWork, actor: Principal, asset_id: int, action: str) -> None:
    """Refuse (404 or 403) unless the actor may take `action` on the asset."""
    with uow:
        session = uow.session
        asset = load_readable(session, actor, asset_id)
        require(session, actor, action, asset_facts(asset))


def may_record_assets(actor: Principal) -> bool:
    """Whether the actor's role may record assets at all (the "new asset" form and its link)."""
    from ipops.core.authz import may_ever

    return actor.alliance_id is not None and may_ever(actor, "asset", Action.CREATE)


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
        conditions.append(Asset.region_code.startswith(region_prefix(filters.region_code), autoescape=True))
    if filters.org_id is not None:
        conditions.append(owned_by(filters.org_id))
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
        conditions.append(live_pledge() if filters.pledged else ~live_pledge())
    with uow:
        session = uow.session
        total = int(session.execute(select(func.count(Asset.id)).where(*conditions)).scalar_one())
        rows = session.scalars(
            select(Asset)
            .where(*conditions)
            .options(selectinload(Asset.owners), selectinload(Asset.encumbrances))
            .order_by(Asset.id.desc())
            .offset((page - 1) * size)
            .limit(size)
        ).all()
        return AssetPage(items=[AssetRead.model_validate(a) for a in rows], total=total, page=page, size=size)


def update_asset(*, uow: UnitOfWork, actor: Principal, asset_id: int, data: AssetUpdate) -> AssetRead:
    """Change what the owners describe (title, abstract, classes, visibility) under optimistic concurrency."""
    changes = data.model_dump(exclude_unset=True, exclude={"version"})
    with uow:
        session = uow.session
        asset = locked_for(session, actor, asset_id, Action.UPDATE)
        if asset.version != data.version:
            raise DomainError(ErrorCode.CONFLICT, f"version {data.version} is stale; now {asset.version}")
        if "visibility" in changes and changes["visibility"] is not None:
            changes["visibility"] = _visibility_for(IpType(asset.ip_type), Visibility(changes["visibility"]))
        if asset.ip_type == IpType.TRADE_SECRET.value and changes.get("abstract"):
            raise DomainError(ErrorCode.VALIDATION_ERROR, "a trade secret holds no abstract")
        before = snapshot(asset)
        for name, value in changes.items():
            setattr(asset, name, value.value if hasattr(value, "value") else value)
        asset.version += 1
        asset.updated_at = db_now(session)
        audit_asset(
            session, actor=actor, action="asset.updated", asset=asset, before=before, after=snapshot(asset)
        )
        uow.commit()
        return AssetRead.model_validate(asset)


def transfer_asset(*, uow: UnitOfWork, actor: Principal, asset_id: int, data: TransferRequest) -> AssetRead:
    """Replace the owners under the row lock: consents, encumbrances and state are checked first."""
    with uow:
        session = uow.session
        asset = locked_for(session, actor, asset_id, Action.TRANSFER)
        if asset.version != data.version:
            raise DomainError(ErrorCode.CONFLICT, f"version {data.version} is stale; now {asset.version}")
        require_settled(asset)
        if asset.legal_status not in TRANSFERABLE:
            raise DomainError(ErrorCode.INVALID_STATE, f"a {asset.legal_status} asset cannot be transferred")
        current = frozenset(o.org_id for o in asset.owners if o.org_id is not None and o.status == ACCEPTED)
        new_owners = build_owners(
            session,
            alliance_id=asset.alliance_id,
            owners=data.new_owners,
            actor=actor,
            already_accepted=current,
        )
        counterparties = {o.org_id for o in new_owners if o.org_id is not None} - current
        use_co_owner_consents(
            session,
            asset,
            acting_org_id=actor.org_id,
            act=rules.Act.TRANSFER,
            counterparties=counterparties,
            used_for="transfer",
        )
        outcome = check_act(
            session,
            asset,
            act=rules.Act.TRANSFER,
            counterparties=counterparties,
            via=f"listing:{data.listing_reference}" if data.listing_reference else None,
            used_for="transfer",
        )
        before = snapshot(asset)
        new_region = (
            derive_region(session, explicit=None, owners=new_owners)
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
        add_event(
            session,
            asset,
            actor=actor,
            kind=EventKind.TRANSFERRED,
            occurred_on=data.occurred_on,
            note=data.note,
            data={
                "from": before["owners"],
                "to": [{"org_id": o.org_id, "name": o.name, "share": str(o.share)} for o in new_owners],
                "subject_to": [f"{e.kind} {e.source}" for e in outcome.disclosed],
            },
        )
        audit_asset(
            session,
            actor=actor,
            action="asset.transferred",
            asset=asset,
            before=before,
            after=snapshot(asset),
        )
        uow.commit()
        return AssetRead.model_validate(asset)


def record_event(*, uow: UnitOfWork, actor: Principal, asset_id: int, data: EventCreate) -> EventRead:
    """The region's office records a legal event from the office record; it moves the legal status."""
    with uow:
        session = uow.session
        asset = locked_for(session, actor, asset_id, Action.RECORD_LEGAL_EVENT)
        before = snapshot(asset)
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
        event = add_event(
            session,
            asset,
            actor=actor,
            kind=data.kind,
            occurred_on=data.occurred_on,
            note=data.note,
            data=data.data,
        )
        session.flush()
        audit_asset(
            session,
            actor=actor,
            action=f"asset.event.{data.kind.value}",
            asset=asset,
            before=before,
            after=snapshot(asset),
        )
        uow.commit()
        return EventRead.model_validate(event)


def record_licence(
    session: Session,
    *,
    actor: Principal,
    asset_id: int,
    licensee: str,
    reference: str,
    occurred_on: dt.date,
) -> None:
    """A non-exclusive licence the owner granted, in the caller's transaction (a co-owner may alone)."""
    from ipops.assets.encumbrances import add_licence

    add_licence(
        session,
        actor=actor,
        asset_id=asset_id,
        data=LicenceCreate(licensee_name=licensee, reference=reference, starts_on=occurred_on),
    )


# ------------------------------------------------------------------ record grants on assets


def grant_access(*, uow: UnitOfWork, actor: Principal, asset_id: int, data: GrantCreate) -> GrantRead:
    """Open one asset to a named organisation or region, with a reason and an expiry."""
    with uow:
        session = uow.session
        asset = locked_for(session, actor, asset_id, Action.GRANT)
        grant = issue_grant(
            session,
            actor=actor,
            alliance_id=asset.alliance_id,
            entity_type="asset",
            entity_id=asset.id,
            actions=data.actions,
            reason=data.reason,
            expires_at=db_now(session) + dt.timedelta(days=data.valid_days),
            grantee_org_id=data.org_id,
            grantee_region_code=data.region_code,
        )
        uow.commit()
        return GrantRead.model_validate(grant)


def revoke_access(*, uow: UnitOfWork, actor: Principal, asset_id: int, grant_id: int) -> None:
    """Revoke a grant on the asset."""
    with uow:
        session = uow.session
        asset = locked_for(session, actor, asset_id, Action.GRANT)
        if not revoke_grants(
            session, actor=actor, entity_type="asset", entity_id=asset.id, grant_id=grant_id
        ):
            raise DomainError(ErrorCode.NOT_FOUND)
        uow.commit()


def list_access(*, uow: UnitOfWork, actor: Principal, asset_id: int) -> list[GrantRead]:
    """The grants on an asset, for those who may grant on it."""
    with uow:
        session = uow.session
        asset = load_readable(session, actor, asset_id)
        require(session, actor, Action.GRANT, asset_facts(asset))
        return [
            GrantRead.model_validate(g) for g in list_grants(session, entity_type="asset", entity_id=asset.id)
        ]


def issue_asset_grants(
    session: Session,
    *,
    actor: Principal,
    asset_ids: Sequence[int],
    org_id: int,
    actions: Sequence[str],
    reason: str,
    source: str,
    expires_at: dt.datetime,
) -> None:
    """Grants a use case gives as part of its own act (a submitted loan opens its collateral to the bank)."""
    rows = session.execute(
        select(Asset.id, Asset.alliance_id).where(Asset.id.in_(sorted(set(asset_ids))))
    ).all()
    for ident, alliance_id in rows:
        issue_grant(
            session,
            actor=actor,
            alliance_id=alliance_id,
            entity_type="asset",
            entity_id=ident,
            actions=actions,
            reason=reason,
            expires_at=expires_at,
            grantee_org_id=org_id,
            source=source,
        )


def revoke_asset_grants(session: Session, *, actor: Principal, asset_ids: Sequence[int], source: str) -> None:
    """Revoke the grants a use case gave (the loan was withdrawn or rejected)."""
    for ident in sorted(set(asset_ids)):
        revoke_grants(session, actor=actor, entity_type="asset", entity_id=ident, source=source)


# ------------------------------------------------------------------ read models for other domains


@dataclass(frozen=True, slots=True)
class AssetBrief:
    """What another domain needs to show and judge an asset: names, status, life, owners, encumbrances."""

    id: int
    alliance_id: int
    region_code: str | None
    visibility: str
    title: str
    ip_type: str
    jurisdiction: str
    application_number: str | None
    publication_number: str | None
    application_date: dt.date | None
    expiry_date: dt.date | None
    legal_status: str
    lake_doc_id: str | None
    owner_names: tuple[str, ...]
    owner_org_ids: frozenset[int]  # accepted owners
    pledged: bool
    pledge_sources: frozenset[str]  # "loan:12" for each live pledge

    @property
    def in_force(self) -> bool:
        """Granted or protected."""
        return self.legal_status in IN_FORCE


def _brief(asset: Asset) -> AssetBrief:
    return AssetBrief(
        id=asset.id,
        alliance_id=asset.alliance_id,
        region_code=asset.region_code,
        visibility=asset.visibility,
        title=asset.title,
        ip_type=asset.ip_type,
        jurisdiction=asset.jurisdiction,
        application_number=asset.application_number,
        publication_number=asset.publication_number,
        application_date=asset.application_date,
        expiry_date=asset.expiry_date,
        legal_status=asset.legal_status,
        lake_doc_id=asset.lake_doc_id,
        owner_names=tuple(o.name for o in asset.owners),
        owner_org_ids=frozenset(
            o.org_id for o in asset.owners if o.org_id is not None and o.status == ACCEPTED
        ),
        pledged=asset.pledged,
        pledge_sources=frozenset(
            f"{e.source_type}:{e.source_id}"
            for e in asset.encumbrances
            if e.kind == "pledge" and e.status != "released"
        ),
    )


def briefs(session: Session, asset_ids: Sequence[int], *, lock: bool = False) -> dict[int, AssetBrief]:
    """Assets by id inside the caller's transaction; `lock` takes the rows FOR UPDATE in key order."""
    stmt = (
        select(Asset)
        .where(Asset.id.in_(sorted(set(asset_ids))))
        .options(selectinload(Asset.owners), selectinload(Asset.encumbrances))
        .order_by(Asset.id)
    )
    rows = session.scalars(stmt.with_for_update(of=Asset) if lock else stmt).all()
    return {a.id: _brief(a) for a in rows}


def brief(session: Session, asset_id: int) -> AssetBrief:
    """One asset's brief, or NOT_FOUND."""
    found = briefs(session, [asset_id]).get(asset_id)
    if found is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"asset {asset_id} not found")
    return found


def readable_briefs(session: Session, actor: Principal, asset_ids: Sequence[int]) -> dict[int, AssetBrief]:
    """The briefs of those assets the actor may read."""
    rows = session.scalars(
        select(Asset)
        .where(Asset.id.in_(sorted(set(asset_ids))), readable_assets(actor))
        .options(selectinload(Asset.owners), selectinload(Asset.encumbrances))
    ).all()
    return {a.id: _brief(a) for a in rows}


def assets_owned_by(*, uow: UnitOfWork, org_id: int, unpledged: bool = True) -> list[dict[str, Any]]:
    """An organisation's accepted assets (for its loan application form), by id."""
    conditions: list[ColumnElement[bool]] = [owned_by(org_id)]
    if unpledged:
        conditions.append(~live_pledge())
    with uow:
        rows = uow.session.execute(
            select(Asset.id, Asset.title, Asset.ip_type, Asset.legal_status)
            .where(*conditions)
            .order_by(Asset.id)
        ).all()
        return [{"id": i, "title": t, "ip_type": k, "legal_status": s} for i, t, k, s in rows]


def asset_parties(session: Session, asset_id: int) -> tuple[int, str | None, frozenset[int]]:
    """(alliance, region, accepted owner organisations) of an asset, for the facts of records about it."""
    found = brief(session, asset_id)
    return found.alliance_id, found.region_code, found.owner_org_ids


def may_take(session: Session, actor: Principal, action: str, asset_id: int) -> None:
    """Refuse unless the actor may take `action` on the asset (404 if it may not even read it)."""
    asset = session.scalars(
        select(Asset)
        .where(Asset.id == asset_id)
        .options(selectinload(Asset.owners), selectinload(Asset.encumbrances))
    ).one_or_none()
    if asset is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"asset {asset_id} not found")
    require(session, actor, action, asset_facts(asset))


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
            session.execute(select(func.count(Asset.id)).where(readable, live_pledge())).scalar_one()
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
            .options(selectinload(Asset.owners), selectinload(Asset.encumbrances))
            .order_by(Asset.id)
            .with_for_update(of=Asset)
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
            audit_asset(
                session,
                actor=actor,
                action="asset.lake_document_linked",
                asset=asset,
                before={"lake_doc_id": None, **dict.fromkeys(filled)},
                after={"lake_doc_id": doc_id, "matched_on": matched_on, **filled},
            )
        uow.commit()
        return len(assets)


def asset_owned_by(asset_id: SqlValue, org_id: int) -> ColumnElement[bool]:
    """SQL for "the organisation owns the asset in `asset_id`" (other domains' list queries use it)."""
    from sqlalchemy import exists

    from ipops.assets.models import AssetOwner

    return exists().where(
        AssetOwner.asset_id == asset_id, AssetOwner.org_id == org_id, AssetOwner.status == ACCEPTED
    )


def asset_id_named(session: Session, *, title: str, org_id: int) -> int:
    """The id of the asset with this title that the organisation owns (the sample's story finds its own)."""
    found = session.scalars(select(Asset.id).where(Asset.title == title, owned_by(org_id))).one_or_none()
    if found is None:
        raise DomainError(ErrorCode.NOT_FOUND, f"{title} is not an asset of organisation {org_id}")
    return int(found)


def upcoming_expiries(
    *, uow: UnitOfWork, actor: Principal, within_days: int = 365, limit: int = 10
) -> list[dict[str, Any]]:
    """Readable assets whose term ends within `within_days` of today (database date), soonest first."""
    with uow:
        session = uow.session
        today = db_now(session).date()
        rows = session.execute(
            select(Asset.id, Asset.title, Asset.ip_type, Asset.expiry_date)
            .where(
                readable_assets(actor),
                Asset.expiry_date.is_not(None),
                Asset.expiry_date >= today,
                Asset.expiry_date <= today + dt.timedelta(days=within_days),
            )
            .order_by(Asset.expiry_date, Asset.id)
            .limit(limit)
        ).all()
        return [
            {
                "id": row.id,
                "title": row.title,
                "ip_type": row.ip_type,
                "expiry_date": row.expiry_date,
                "days_left": (row.expiry_date - today).days,
            }
            for row in rows
        ]
