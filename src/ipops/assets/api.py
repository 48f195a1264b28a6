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
    EventCreate,
    EventRead,
    TransferRequest,
)
from ipops.web.deps import PrincipalDep, SignedInDep, UowDep

router = APIRouter(prefix="/assets", tags=["registry"])


@router.get("", response_model=AssetPage)
def list_assets(
    uow: UowDep,
    actor: PrincipalDep,
    filters: Annotated[AssetFilter, Depends()],
    page: Annotated[int, Query(ge=1)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
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
    """Transfer ownership atomically (refused while pledged)."""
    return service.transfer_asset(uow=uow, actor=actor, asset_id=asset_id, data=body)


@router.get("/{asset_id}/events", response_model=list[EventRead])
def list_events(asset_id: int, uow: UowDep, actor: PrincipalDep) -> list[EventRead]:
    """An asset's event history, oldest first."""
    return service.get_asset(uow=uow, actor=actor, asset_id=asset_id).events


@router.post("/{asset_id}/events", response_model=EventRead, status_code=status.HTTP_201_CREATED)
def record_event(asset_id: int, body: EventCreate, uow: UowDep, actor: SignedInDep) -> EventRead:
    """Record a legal event (granted, renewed, lapsed, licensed, invalidated, ...)."""
    return service.record_event(uow=uow, actor=actor, asset_id=asset_id, data=body)
