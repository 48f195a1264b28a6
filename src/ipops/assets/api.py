"""JSON routes for the IP registry."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from ipops.assets import service
from ipops.assets.schemas import (
    AssetCreate,
    AssetDetail,
    AssetFilter,
    AssetPage,
    AssetRead,
    AssetUpdate,
    ConsentCreate,
    ConsentRead,
    EventCreate,
    EventRead,
    FreezeCreate,
    GrantCreate,
    GrantRead,
    LicenceCreate,
    TransferRequest,
)
from ipops.core.bounds import PageSize
from ipops.web.deps import PrincipalDep, SignedInDep, UowDep

router = APIRouter(prefix="/assets", tags=["registry"])


@router.get("", response_model=AssetPage)
def list_assets(
    uow: UowDep,
    actor: PrincipalDep,
    size: PageSize,
    filters: Annotated[AssetFilter, Depends()],
    page: Annotated[int, Query(ge=1)] = 1,
) -> AssetPage:
    """Assets the caller may read, filtered and paginated (anonymous callers see public records)."""
    return service.list_assets(uow=uow, actor=actor, filters=filters, page=page, size=size)


@router.post("", response_model=AssetRead, status_code=status.HTTP_201_CREATED)
def create_asset(body: AssetCreate, uow: UowDep, actor: SignedInDep) -> AssetRead:
    """Record a new asset."""
    return service.create_asset(uow=uow, actor=actor, data=body)


@router.get("/{asset_id}", response_model=AssetDetail)
def get_asset(asset_id: int, uow: UowDep, actor: PrincipalDep) -> AssetDetail:
    """One asset with owners and events."""
    return service.get_asset(uow=uow, actor=actor, asset_id=asset_id)


@router.patch("/{asset_id}", response_model=AssetRead)
def update_asset(asset_id: int, body: AssetUpdate, uow: UowDep, actor: SignedInDep) -> AssetRead:
    """Change an asset's fields; send the version you read."""
    return service.update_asset(uow=uow, actor=actor, asset_id=asset_id, data=body)


@router.post("/{asset_id}/transfer", response_model=AssetRead)
def transfer_asset(asset_id: int, body: TransferRequest, uow: UowDep, actor: SignedInDep) -> AssetRead:
    """Transfer ownership atomically (co-owners must consent; encumbrances may block)."""
    return service.transfer_asset(uow=uow, actor=actor, asset_id=asset_id, data=body)


@router.get("/{asset_id}/events", response_model=list[EventRead])
def list_events(asset_id: int, uow: UowDep, actor: PrincipalDep) -> list[EventRead]:
    """An asset's event history, oldest first."""
    return service.get_asset(uow=uow, actor=actor, asset_id=asset_id).events


@router.post("/{asset_id}/events", response_model=EventRead, status_code=status.HTTP_201_CREATED)
def record_event(asset_id: int, body: EventCreate, uow: UowDep, actor: SignedInDep) -> EventRead:
    """The region's office records a legal event (granted, renewed, lapsed, invalidated, ...)."""
    return service.record_event(uow=uow, actor=actor, asset_id=asset_id, data=body)


@router.post("/{asset_id}/ownership/accept", response_model=AssetDetail)
def accept_ownership(asset_id: int, uow: UowDep, actor: SignedInDep) -> AssetDetail:
    """The caller's organisation accepts the share it was named for."""
    return service.accept_ownership(uow=uow, actor=actor, asset_id=asset_id)


@router.post("/{asset_id}/ownership/decline", response_model=AssetDetail)
def decline_ownership(asset_id: int, uow: UowDep, actor: SignedInDep) -> AssetDetail:
    """The caller's organisation declines the share; it goes back to whoever named it."""
    return service.decline_ownership(uow=uow, actor=actor, asset_id=asset_id)


@router.get("/{asset_id}/consents", response_model=list[ConsentRead])
def list_consents(asset_id: int, uow: UowDep, actor: SignedInDep) -> list[ConsentRead]:
    """Co-owners' and pledgees' consents recorded on the asset."""
    return service.list_consents(uow=uow, actor=actor, asset_id=asset_id)


@router.post("/{asset_id}/consents", response_model=ConsentRead, status_code=status.HTTP_201_CREATED)
def give_consent(asset_id: int, body: ConsentCreate, uow: UowDep, actor: SignedInDep) -> ConsentRead:
    """Consent, as a co-owner or as the pledgee, to one act (it expires, and one act uses it up)."""
    return service.give_consent(uow=uow, actor=actor, asset_id=asset_id, data=body)


@router.delete("/{asset_id}/consents/{consent_id}", response_model=ConsentRead)
def revoke_consent(asset_id: int, consent_id: int, uow: UowDep, actor: SignedInDep) -> ConsentRead:
    """Withdraw an unused consent."""
    return service.revoke_consent(uow=uow, actor=actor, asset_id=asset_id, consent_id=consent_id)


@router.get("/{asset_id}/grants", response_model=list[GrantRead])
def list_grants(asset_id: int, uow: UowDep, actor: SignedInDep) -> list[GrantRead]:
    """Who else may see the asset, why, and until when."""
    return service.list_access(uow=uow, actor=actor, asset_id=asset_id)


@router.post("/{asset_id}/grants", response_model=GrantRead, status_code=status.HTTP_201_CREATED)
def grant_access(asset_id: int, body: GrantCreate, uow: UowDep, actor: SignedInDep) -> GrantRead:
    """Open the asset to a named organisation or region, with a reason and an expiry."""
    return service.grant_access(uow=uow, actor=actor, asset_id=asset_id, data=body)


@router.delete("/{asset_id}/grants/{grant_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_grant(asset_id: int, grant_id: int, uow: UowDep, actor: SignedInDep) -> None:
    """Revoke a grant."""
    service.revoke_access(uow=uow, actor=actor, asset_id=asset_id, grant_id=grant_id)


@router.post("/{asset_id}/licences", response_model=AssetDetail, status_code=status.HTTP_201_CREATED)
def grant_licence(asset_id: int, body: LicenceCreate, uow: UowDep, actor: SignedInDep) -> AssetDetail:
    """Record a licence the owner granted (exclusive ones encumber the asset)."""
    return service.grant_licence(uow=uow, actor=actor, asset_id=asset_id, data=body)


@router.post("/{asset_id}/freezes", response_model=AssetDetail, status_code=status.HTTP_201_CREATED)
def record_freeze(asset_id: int, body: FreezeCreate, uow: UowDep, actor: SignedInDep) -> AssetDetail:
    """The region's office records a court's freeze of the asset."""
    return service.record_freeze(uow=uow, actor=actor, asset_id=asset_id, data=body)


@router.delete("/{asset_id}/freezes/{encumbrance_id}", response_model=AssetDetail)
def lift_freeze(asset_id: int, encumbrance_id: int, uow: UowDep, actor: SignedInDep) -> AssetDetail:
    """The region's office records that the freeze was lifted."""
    return service.lift_freeze(uow=uow, actor=actor, asset_id=asset_id, encumbrance_id=encumbrance_id)
