"""Valuation records: a request for an asset and its reports (draft, signing, then signed by two appraisers
of the engaged firm with the firm's seal, as 资产评估法 art. 26 requires)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipops.core.db import Base


class ReportStatus(StrEnum):
    """Lifecycle of a valuation report."""

    DRAFT = "draft"
    SIGNING = "signing"  # signed by one appraiser; a second, and the firm's seal, are still needed
    SIGNED = "signed"


SIGNATURES_REQUIRED = 2  # 资产评估法 art. 26: at least two appraisers who did the work


class ValuationRequest(Base):
    """A request to value one registry asset for a scenario by a method with given inputs."""

    __tablename__ = "valuation_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    alliance_id: Mapped[int] = mapped_column(ForeignKey("alliances.id", ondelete="RESTRICT"), index=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    scenario: Mapped[str] = mapped_column(String(24))
    method: Mapped[str] = mapped_column(String(40))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    requested_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_by_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    appraiser_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class ValuationReport(Base):
    """One run of a request: inputs as run, method version, seed, the result JSON and the sign-off."""

    __tablename__ = "valuation_reports"
    __table_args__ = (Index("ix_valuation_reports_asset_status", "asset_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("valuation_requests.id", ondelete="CASCADE"), index=True
    )
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"))
    method: Mapped[str] = mapped_column(String(40))
    method_version: Mapped[str] = mapped_column(String(20))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    seed: Mapped[int] = mapped_column(BigInteger)
    paths: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    p10: Mapped[Decimal]
    p50: Mapped[Decimal]
    p90: Mapped[Decimal]
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # indicator tree, life, prior used
    status: Mapped[str] = mapped_column(String(12), default=ReportStatus.DRAFT.value)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    signed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    signed_at: Mapped[dt.datetime | None]  # when the second signature and the seal completed it
    sealed_by_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    seal_name: Mapped[str | None] = mapped_column(String(200))  # the firm's name on its seal

    signatures: Mapped[list[ValuationSignature]] = relationship(
        cascade="all, delete-orphan", order_by="ValuationSignature.id", lazy="selectin"
    )


class ValuationSignature(Base):
    """One appraiser's signature on a report; each appraiser signs a report once."""

    __tablename__ = "valuation_signatures"
    __table_args__ = (UniqueConstraint("report_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("valuation_reports.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    signer_name: Mapped[str] = mapped_column(String(120))
    signed_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
