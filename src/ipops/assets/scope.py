"""Registry assets as the policy sees them: owners (accepted), invited owners, the pledgee; and as SQL."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, exists

from ipops.assets.encumbrance_rules import PLEDGE_LIVE
from ipops.assets.models import Asset, AssetEncumbrance, AssetOwner
from ipops.core.authz import Columns, Facts, Visibility

ACCEPTED, PENDING = "accepted", "pending"


def asset_facts(asset: Asset) -> Facts:
    """One asset's facts (owners and encumbrances must be loaded)."""
    return Facts(
        entity="asset",
        record_id=asset.id,
        alliance_id=asset.alliance_id,
        region_code=asset.region_code,
        visibility=asset.visibility,
        parties={
            "owner": frozenset(
                o.org_id for o in asset.owners if o.org_id is not None and o.status == ACCEPTED
            ),
            "invitee": frozenset(
                o.org_id for o in asset.owners if o.org_id is not None and o.status == PENDING
            ),
            "pledgee": frozenset(
                e.holder_org_id
                for e in asset.encumbrances
                if e.kind == "pledge" and e.status in PLEDGE_LIVE and e.holder_org_id is not None
            ),
        },
    )


def new_asset_facts(
    *, alliance_id: int, region_code: str | None, visibility: Visibility, owner_org_ids: Iterable[int]
) -> Facts:
    """The facts of an asset about to be recorded (every organisation named as owner counts)."""
    return Facts(
        entity="asset",
        record_id=None,
        alliance_id=alliance_id,
        region_code=region_code,
        visibility=visibility,
        parties={"owner": frozenset(owner_org_ids)},
    )


def owned_by(org_id: int, *, status: str = ACCEPTED) -> ColumnElement[bool]:
    """An EXISTS: the organisation holds a share of the asset row (accepted, or pending)."""
    return exists().where(
        AssetOwner.asset_id == Asset.id, AssetOwner.org_id == org_id, AssetOwner.status == status
    )


def pledged_to(org_id: int) -> ColumnElement[bool]:
    """An EXISTS: the organisation holds a live pledge on the asset row."""
    return exists().where(
        AssetEncumbrance.asset_id == Asset.id,
        AssetEncumbrance.kind == "pledge",
        AssetEncumbrance.status.in_(sorted(PLEDGE_LIVE)),
        AssetEncumbrance.holder_org_id == org_id,
    )


def live_pledge() -> ColumnElement[bool]:
    """An EXISTS: some live pledge binds the asset row."""
    return exists().where(
        AssetEncumbrance.asset_id == Asset.id,
        AssetEncumbrance.kind == "pledge",
        AssetEncumbrance.status.in_(sorted(PLEDGE_LIVE)),
    )


def asset_columns() -> Columns:
    """Assets as SQL, for list queries."""
    return Columns(
        entity="asset",
        record_id=Asset.id,
        alliance_id=Asset.alliance_id,
        region_code=Asset.region_code,
        visibility=Asset.visibility,
        parties={
            "owner": owned_by,
            "invitee": lambda org_id: owned_by(org_id, status=PENDING),
            "pledgee": pledged_to,
        },
    )
