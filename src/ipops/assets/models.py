"""The IP registry: assets of every IP type, their owners with shares, and their event history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipops.assets.ip_types import (
    IN_FORCE,
    PATENT_TYPES,
    TERM_YEARS,
    EventKind,
    IpType,
    LegalStatus,
)
from ipops.core.db import Base

__all__ = [
    "IN_FORCE",
    "PATENT_TYPES",
    "TERM_YEARS",
    "Asset",
    "AssetConsent",
    "AssetEncumbrance",
    "AssetEvent",
    "AssetOwner",
    "EventKind",
    "IpType",
    "LegalStatus",
]


class Asset(Base):
    """One IP right (or application) recorded in the alliance registry."""

    __tablename__ = "assets"
    __table_args__ = (
        UniqueConstraint("alliance_id", "jurisdiction", "ip_type", "application_number"),
        Index("ix_assets_scope", "alliance_id", "region_code", "visibility"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    alliance_id: Mapped[int] = mapped_column(ForeignKey("alliances.id", ondelete="RESTRICT"))
    region_code: Mapped[str | None] = mapped_column(String(6))
    ip_type: Mapped[str] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(String(500))
    title_en: Mapped[str | None] = mapped_column(String(500))
    abstract: Mapped[str | None] = mapped_column(Text)
    jurisdiction: Mapped[str] = mapped_column(String(2), default="CN")
    application_number: Mapped[str | None] = mapped_column(String(40))
    application_date: Mapped[dt.date | None]
    publication_number: Mapped[str | None] = mapped_column(String(40))
    publication_date: Mapped[dt.date | None]
    registration_number: Mapped[str | None] = mapped_column(String(40))
    grant_date: Mapped[dt.date | None]
    expiry_date: Mapped[dt.date | None]
    legal_status: Mapped[str] = mapped_column(String(16), index=True)
    ipc_classes: Mapped[list[str]] = mapped_column(JSON, default=list)
    nice_classes: Mapped[list[int]] = mapped_column(JSON, default=list)
    visibility: Mapped[str] = mapped_column(String(12))
    lake_doc_id: Mapped[str | None] = mapped_column(String(80), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # type-specific fields
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())

    owners: Mapped[list[AssetOwner]] = relationship(
        back_populates="asset", cascade="all, delete-orphan", order_by="AssetOwner.seq"
    )
    events: Mapped[list[AssetEvent]] = relationship(
        back_populates="asset", cascade="all, delete-orphan", order_by="AssetEvent.id"
    )
    encumbrances: Mapped[list[AssetEncumbrance]] = relationship(
        back_populates="asset", cascade="all, delete-orphan", order_by="AssetEncumbrance.id", lazy="selectin"
    )

    @property
    def pledged(self) -> bool:
        """Whether a pledge binds the asset: reserved by a submitted application, approved or registered."""
        return any(e.kind == "pledge" and e.status != "released" for e in self.encumbrances)


class AssetOwner(Base):
    """A right holder of an asset with their share (shares of one asset add up to 1)."""

    __tablename__ = "asset_owners"

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int]
    org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2), default="CN")
    address: Mapped[str | None] = mapped_column(String(300))
    share: Mapped[Decimal] = mapped_column(Numeric(7, 6))
    # an organisation becomes an owner by its own act or by accepting: until then its share is pending
    status: Mapped[str] = mapped_column(String(10), default="accepted")
    invited_by_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    accepted_at: Mapped[dt.datetime | None]

    asset: Mapped[Asset] = relationship(back_populates="owners")


class AssetEvent(Base):
    """One dated event in an asset's history; written in the same transaction as the change it records."""

    __tablename__ = "asset_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    occurred_on: Mapped[dt.date]
    recorded_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(String(500))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    asset: Mapped[Asset] = relationship(back_populates="events")


class AssetConsent(Base):
    """A co-owner's or the pledgee's recorded consent to one act on an asset, with whom and on what terms.

    专利法 art. 14: transferring, pledging, exclusively licensing or listing a jointly owned right needs every
    co-owner's consent; 民法典 art. 443-444: a pledged right moves or is licensed only with the pledgee's.
    A consent serves one act: it is used up when the act is recorded, and it expires.
    """

    __tablename__ = "asset_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    capacity: Mapped[str] = mapped_column(String(10))  # co_owner | pledgee
    consenter_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    owner_seq: Mapped[int | None]  # a co-owner outside the platform, by its place in the owner list
    action: Mapped[str] = mapped_column(String(24))
    counterparty_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT")
    )
    counterparty_name: Mapped[str | None] = mapped_column(String(200))
    terms: Mapped[str | None] = mapped_column(String(500))
    document_reference: Mapped[str | None] = mapped_column(String(120))  # the signed consent on paper
    given_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    given_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    used_for: Mapped[str | None] = mapped_column(String(80))  # the act that used it ("loan:12", "transfer")
    revoked_at: Mapped[dt.datetime | None]


class AssetEncumbrance(Base):
    """A right over an asset that limits what its owners may do: pledge, judicial freeze, listing, licence."""

    __tablename__ = "asset_encumbrances"
    __table_args__ = (Index("ix_asset_encumbrances_source", "source_type", "source_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # pledge | judicial_freeze | listing | exclusive_licence
    status: Mapped[str] = mapped_column(String(12))  # reserved | approved | registered | active | released
    source_type: Mapped[str] = mapped_column(String(24))  # loan | court_order | listing | licence
    source_id: Mapped[str] = mapped_column(String(64))
    holder_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    holder_name: Mapped[str | None] = mapped_column(String(200))
    purpose: Mapped[str | None] = mapped_column(String(24))  # a listing's: assignment | exclusive_licence
    field: Mapped[str | None] = mapped_column(String(200))  # a licence's field of use
    territory: Mapped[str | None] = mapped_column(String(200))
    starts_on: Mapped[dt.date | None]
    ends_on: Mapped[dt.date | None]
    registration_number: Mapped[str | None] = mapped_column(String(60))  # where the office records it
    registered_on: Mapped[dt.date | None]
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    released_at: Mapped[dt.datetime | None]
    release_reason: Mapped[str | None] = mapped_column(String(200))

    asset: Mapped[Asset] = relationship(back_populates="encumbrances")
