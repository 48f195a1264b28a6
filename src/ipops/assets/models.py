"""The IP registry: assets of every IP type, their owners with shares, and their event history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipops.core.db import Base


class IpType(StrEnum):
    """Every IP type the registry holds."""

    INVENTION = "invention"
    UTILITY_MODEL = "utility_model"
    DESIGN = "design"
    TRADEMARK = "trademark"
    COPYRIGHT_WORK = "copyright_work"
    SOFTWARE_COPYRIGHT = "software_copyright"
    TRADE_SECRET = "trade_secret"  # noqa: S105 - an IP type name
    IC_LAYOUT = "ic_layout"
    GEOGRAPHICAL_INDICATION = "geographical_indication"
    PLANT_VARIETY = "plant_variety"


PATENT_TYPES = frozenset({IpType.INVENTION, IpType.UTILITY_MODEL, IpType.DESIGN})

# Statutory terms used to derive expiry (China: Patent Law art. 42 as amended 2020, Trademark Law art. 39,
# Copyright Law art. 23, IC Layout Regulations art. 12, Plant Variety Regulations art. 34).
TERM_YEARS: dict[IpType, int] = {
    IpType.INVENTION: 20,
    IpType.UTILITY_MODEL: 10,
    IpType.DESIGN: 15,
    IpType.TRADEMARK: 10,
    IpType.IC_LAYOUT: 10,
    IpType.PLANT_VARIETY: 20,
    IpType.SOFTWARE_COPYRIGHT: 50,
    IpType.COPYRIGHT_WORK: 50,
}


class LegalStatus(StrEnum):
    """Where an asset stands in law."""

    PENDING = "pending"
    PUBLISHED = "published"
    GRANTED = "granted"  # granted patent, registered mark, registered work or variety
    LAPSED = "lapsed"  # non-payment of annuity or no renewal
    EXPIRED = "expired"
    INVALIDATED = "invalidated"
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"
    PROTECTED = "protected"  # rights without registration: trade secrets, unregistered works


IN_FORCE = frozenset({LegalStatus.GRANTED, LegalStatus.PROTECTED})


class EventKind(StrEnum):
    """Events in an asset's life."""

    FILED = "filed"
    PUBLISHED = "published"
    GRANTED = "granted"
    RENEWED = "renewed"
    LAPSED = "lapsed"
    TRANSFERRED = "transferred"
    LICENSED = "licensed"
    PLEDGED = "pledged"
    PLEDGE_RELEASED = "pledge_released"
    INVALIDATED = "invalidated"
    RESTORED = "restored"
    UPDATED = "updated"


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
    pledged: Mapped[bool] = mapped_column(default=False)  # set only through the registry's encumbrance rule
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
