"""Wire models for the IP registry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from ipops.assets.encumbrance_rules import Act
from ipops.assets.ip_types import EventKind, IpType, LegalStatus
from ipops.core import codes
from ipops.core.authz import Visibility

Share = Annotated[Decimal, Field(gt=0, le=1, max_digits=7, decimal_places=6)]


class OwnerIn(BaseModel):
    """A right holder: an alliance organisation (org_id) or an outside party by name."""

    org_id: int | None = None
    name: Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)] | None = None
    country: Annotated[str, StringConstraints(pattern="^[A-Z]{2}$")] = "CN"
    address: str | None = None
    share: Share = Decimal(1)

    @model_validator(mode="after")
    def _org_or_name(self) -> OwnerIn:
        if self.org_id is None and not self.name:
            raise ValueError("an owner needs an org_id or a name")
        return self


class OwnerRead(BaseModel):
    """A right holder as stored."""

    model_config = ConfigDict(from_attributes=True)

    seq: int
    org_id: int | None
    name: str
    country: str
    address: str | None
    share: Decimal
    status: str  # accepted | pending (an organisation named as owner that has not accepted yet)
    invited_by_org_id: int | None = None


class EncumbranceRead(BaseModel):
    """An encumbrance on an asset: pledge, judicial freeze, listing or exclusive licence."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    status: str
    source_type: str
    source_id: str
    holder_org_id: int | None
    holder_name: str | None
    purpose: str | None
    field: str | None
    territory: str | None
    starts_on: dt.date | None
    ends_on: dt.date | None
    registration_number: str | None
    registered_on: dt.date | None
    created_at: dt.datetime
    released_at: dt.datetime | None


def _normalise_ipc(values: list[str]) -> list[str]:
    try:
        return [codes.normalise_ipc(v) for v in values]
    except codes.InvalidCodeError as exc:
        raise ValueError(str(exc)) from exc


def _check_nice(values: list[int]) -> list[int]:
    try:
        return sorted({codes.validate_nice_class(v) for v in values})
    except codes.InvalidCodeError as exc:
        raise ValueError(str(exc)) from exc


IpcList = Annotated[list[str], AfterValidator(_normalise_ipc)]
NiceList = Annotated[list[int], AfterValidator(_check_nice)]


class AssetFields(BaseModel):
    """Fields shared by create and update."""

    title: Annotated[str, StringConstraints(min_length=1, max_length=500, strip_whitespace=True)]
    title_en: str | None = None
    abstract: str | None = None
    application_number: Annotated[str, StringConstraints(max_length=40, strip_whitespace=True)] | None = None
    application_date: dt.date | None = None
    publication_number: str | None = None
    publication_date: dt.date | None = None
    registration_number: str | None = None
    grant_date: dt.date | None = None
    expiry_date: dt.date | None = None
    legal_status: LegalStatus = LegalStatus.PENDING
    ipc_classes: IpcList = Field(default_factory=list)
    nice_classes: NiceList = Field(default_factory=list)
    visibility: Visibility = Visibility.PRIVATE
    details: dict[str, Any] = Field(default_factory=dict)


class AssetCreate(AssetFields):
    """A new registry entry."""

    ip_type: IpType
    jurisdiction: Annotated[str, StringConstraints(pattern="^[A-Z]{2}$")] = "CN"
    region_code: Annotated[str, StringConstraints(pattern=r"^\d{6}$")] | None = None
    owners: list[OwnerIn] = Field(min_length=1, max_length=50)


class AssetUpdate(BaseModel):
    """A partial update of what the owners describe; `version` must match the stored one.

    Legal status, dates and numbers come from the office record or from legal events, so they are not here.
    """

    model_config = ConfigDict(extra="forbid")

    version: int
    title: Annotated[str, StringConstraints(min_length=1, max_length=500, strip_whitespace=True)] | None = (
        None
    )
    title_en: str | None = None
    abstract: str | None = None
    ipc_classes: IpcList | None = None
    nice_classes: NiceList | None = None
    visibility: Visibility | None = None
    details: dict[str, Any] | None = None


class EventRead(BaseModel):
    """An event in an asset's history."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: EventKind
    occurred_on: dt.date
    recorded_at: dt.datetime
    actor_user_id: int | None
    note: str | None
    data: dict[str, Any]


class AssetRead(BaseModel):
    """A registry entry with its owners."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    alliance_id: int
    region_code: str | None
    ip_type: IpType
    title: str
    title_en: str | None
    abstract: str | None
    jurisdiction: str
    application_number: str | None
    application_date: dt.date | None
    publication_number: str | None
    publication_date: dt.date | None
    registration_number: str | None
    grant_date: dt.date | None
    expiry_date: dt.date | None
    legal_status: LegalStatus
    ipc_classes: list[str]
    nice_classes: list[int]
    visibility: Visibility
    pledged: bool  # a pledge binds it: reserved by a submitted loan, approved, or registered
    lake_doc_id: str | None
    details: dict[str, Any]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    owners: list[OwnerRead]


class AssetDetail(AssetRead):
    """A registry entry with its event history and encumbrances."""

    events: list[EventRead]
    encumbrances: list[EncumbranceRead]


class AssetPage(BaseModel):
    """One page of a filtered asset list."""

    items: list[AssetRead]
    total: int
    page: int
    size: int


class AssetFilter(BaseModel):
    """List filters; every field is optional."""

    ip_type: IpType | None = None
    legal_status: LegalStatus | None = None
    region_code: Annotated[str, StringConstraints(pattern=r"^\d{6}$")] | None = None
    org_id: int | None = None
    q: Annotated[str, StringConstraints(max_length=100, strip_whitespace=True)] | None = None
    ipc: Annotated[str, StringConstraints(max_length=20, strip_whitespace=True)] | None = None
    nice_class: Annotated[int, Field(ge=1, le=45)] | None = None
    pledged: bool | None = None


class TransferRequest(BaseModel):
    """A change of ownership; the new owners replace the old ones at once."""

    version: int
    new_owners: list[OwnerIn] = Field(min_length=1, max_length=50)
    occurred_on: dt.date
    note: Annotated[str, StringConstraints(max_length=500)] | None = None
    listing_reference: str | None = None  # the market listing whose deal this transfer completes


SPECIAL_EVENTS = frozenset(
    {
        EventKind.TRANSFERRED,
        EventKind.PLEDGED,
        EventKind.PLEDGE_RELEASED,
        EventKind.UPDATED,
        EventKind.LICENSED,
    }
)


class EventCreate(BaseModel):
    """A recorded legal event other than transfer (which has its own use case)."""

    kind: EventKind
    occurred_on: dt.date
    note: Annotated[str, StringConstraints(max_length=500)] | None = None
    data: dict[str, Any] = Field(default_factory=dict)

    @field_validator("kind")
    @classmethod
    def _not_special(cls, value: EventKind) -> EventKind:
        if value in SPECIAL_EVENTS:
            raise ValueError(f"{value.value} events are recorded by their own use case")
        return value


Reason = Annotated[str, StringConstraints(min_length=2, max_length=300, strip_whitespace=True)]


class ConsentCreate(BaseModel):
    """A co-owner's (or the pledgee's) consent to one act, naming the counterparty and terms where known."""

    action: Act
    counterparty_org_id: int | None = None
    counterparty_name: Annotated[str, StringConstraints(max_length=200)] | None = None
    terms: Annotated[str, StringConstraints(max_length=500)] | None = None
    owner_seq: int | None = None  # for a co-owner outside the platform: its place in the owner list
    document_reference: Annotated[str, StringConstraints(max_length=120)] | None = None
    valid_days: Annotated[int, Field(ge=1, le=365)] = 90


class ConsentRead(BaseModel):
    """A recorded consent."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    asset_id: int
    capacity: str
    consenter_org_id: int | None
    owner_seq: int | None
    action: str
    counterparty_org_id: int | None
    counterparty_name: str | None
    terms: str | None
    document_reference: str | None
    given_at: dt.datetime
    expires_at: dt.datetime
    used_at: dt.datetime | None
    used_for: str | None
    revoked_at: dt.datetime | None


GRANTABLE_ACTIONS = ("read", "read_valuations", "appraise")


class GrantCreate(BaseModel):
    """Access to one asset for a named organisation or region, with a reason and an expiry."""

    org_id: int | None = None
    region_code: Annotated[str, StringConstraints(pattern=r"^\d{6}$")] | None = None
    actions: list[str] = Field(default_factory=lambda: ["read"], min_length=1, max_length=3)
    reason: Reason
    valid_days: Annotated[int, Field(ge=1, le=730)] = 90

    @model_validator(mode="after")
    def _one_grantee(self) -> GrantCreate:
        if (self.org_id is None) == (self.region_code is None):
            raise ValueError("name one organisation or one region")
        unknown = sorted(set(self.actions) - set(GRANTABLE_ACTIONS))
        if unknown:
            raise ValueError(f"actions {unknown} cannot be granted")
        return self


class GrantRead(BaseModel):
    """A record grant."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    entity_type: str
    entity_id: int
    grantee_org_id: int | None
    grantee_region_code: str | None
    actions: str
    reason: str
    source: str | None
    granted_by_label: str
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None


class FreezeCreate(BaseModel):
    """A judicial freeze (财产保全) ordered by a court and recorded by the region's office."""

    court: Annotated[str, StringConstraints(min_length=2, max_length=200)]
    order_number: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    starts_on: dt.date
    ends_on: dt.date | None = None


class LicenceCreate(BaseModel):
    """A licence an owner grants: exclusive ones encumber the asset for their field, territory and term."""

    licensee_org_id: int | None = None
    licensee_name: Annotated[str, StringConstraints(max_length=200)] | None = None
    exclusive: bool = False
    reference: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    field: Annotated[str, StringConstraints(max_length=200)] | None = None
    territory: Annotated[str, StringConstraints(max_length=200)] | None = None
    starts_on: dt.date
    ends_on: dt.date | None = None

    @model_validator(mode="after")
    def _licensee(self) -> LicenceCreate:
        if self.licensee_org_id is None and not self.licensee_name:
            raise ValueError("name the licensee")
        return self
