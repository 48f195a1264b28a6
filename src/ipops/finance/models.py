"""Finance records: lending policies, external appraisals, pledge loans and alerts, securitisation deals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Numeric, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipops.core.db import Base

Rate = Numeric(9, 6)  # an annual rate or a share, 0.035000 = 3.5 %


class LoanStatus(StrEnum):
    """Where a pledge loan stands."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"  # approved; the pledge binds once its registration (质押登记) is recorded
    DISBURSED = "disbursed"
    REPAID = "repaid"  # the pledge is released
    DEFAULTED = "defaulted"
    DISPOSED = "disposed"  # collateral sold, loss shared by the risk-compensation pool, pledge released
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


# Loans whose collateral is pledged (approved or registered): monitoring watches these.
PLEDGED_STATUSES = frozenset({LoanStatus.APPROVED, LoanStatus.DISBURSED, LoanStatus.DEFAULTED})
# Loans still in play: an asset named in one of these may be appraised and counts as taken.
OPEN_STATUSES = frozenset({LoanStatus.DRAFT, LoanStatus.SUBMITTED, *PLEDGED_STATUSES})


class ContractKind(StrEnum):
    """The receivable a securitisation pool contract produces."""

    LICENCE = "licence"  # royalties under an IP licence recorded on a registry asset
    LEASE = "lease"  # rents under an IP sale-leaseback (融资租赁)
    RECEIVABLE = "receivable"  # a supply-chain receivable owed by a core enterprise


class LendingPolicy(Base):
    """A bank's pledge-lending terms: LTV on the P10 value, haircut by IP type, remaining life, statuses."""

    __tablename__ = "finance_lending_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    alliance_id: Mapped[int] = mapped_column(ForeignKey("alliances.id", ondelete="RESTRICT"), index=True)
    bank_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), unique=True)
    max_ltv_p10: Mapped[Decimal] = mapped_column(Rate)
    default_haircut: Mapped[Decimal] = mapped_column(Rate)
    haircuts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # ip_type -> decimal string
    min_remaining_life_months: Mapped[int]
    eligible_statuses: Mapped[list[str]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class Appraisal(Base):
    """An outside appraisal report's value range for one asset, entered by the appraiser."""

    __tablename__ = "finance_appraisals"
    __table_args__ = (UniqueConstraint("appraiser_org_id", "report_number", "asset_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alliance_id: Mapped[int] = mapped_column(ForeignKey("alliances.id", ondelete="RESTRICT"))
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    appraiser_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    report_number: Mapped[str] = mapped_column(String(60))
    currency: Mapped[str] = mapped_column(String(3))
    p10: Mapped[Decimal]
    p50: Mapped[Decimal]
    p90: Mapped[Decimal]
    appraised_on: Mapped[dt.date]
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class Loan(Base):
    """A pledge-loan application and, once approved, the loan secured on registry assets."""

    __tablename__ = "finance_loans"

    id: Mapped[int] = mapped_column(primary_key=True)
    alliance_id: Mapped[int] = mapped_column(ForeignKey("alliances.id", ondelete="RESTRICT"), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)  # the borrower's region
    borrower_org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    bank_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[Decimal]
    term_months: Mapped[int]
    annual_rate: Mapped[Decimal] = mapped_column(Rate)
    purpose: Mapped[str | None] = mapped_column(String(300))
    bank_share: Mapped[Decimal] = mapped_column(Rate)
    government_share: Mapped[Decimal] = mapped_column(Rate)
    guarantor_share: Mapped[Decimal] = mapped_column(Rate)
    collateral_value: Mapped[Decimal | None]  # sum of haircut P10 values at approval
    max_amount: Mapped[Decimal | None]
    ltv: Mapped[Decimal | None] = mapped_column(Rate)
    outstanding_at_default: Mapped[Decimal | None]
    disposal_proceeds: Mapped[Decimal | None]
    loss: Mapped[Decimal | None]
    loss_bank: Mapped[Decimal | None]
    loss_government: Mapped[Decimal | None]
    loss_guarantor: Mapped[Decimal | None]
    submitted_at: Mapped[dt.datetime | None]
    decided_at: Mapped[dt.datetime | None]
    pledge_registration_number: Mapped[str | None] = mapped_column(String(60))  # the office's 质押登记号
    pledge_registered_on: Mapped[dt.date | None]
    version: Mapped[int] = mapped_column(default=1)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())

    assets: Mapped[list[LoanAsset]] = relationship(
        back_populates="loan", cascade="all, delete-orphan", order_by="LoanAsset.asset_id"
    )
    events: Mapped[list[LoanEvent]] = relationship(
        back_populates="loan", cascade="all, delete-orphan", order_by="LoanEvent.id"
    )
    alerts: Mapped[list[PledgeAlert]] = relationship(
        back_populates="loan", cascade="all, delete-orphan", order_by="PledgeAlert.id"
    )


class LoanAsset(Base):
    """A registry asset named as collateral, with its valuation and legal status when pledged."""

    __tablename__ = "finance_loan_assets"
    __table_args__ = (UniqueConstraint("loan_id", "asset_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("finance_loans.id", ondelete="CASCADE"), index=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="RESTRICT"), index=True)
    status_at_pledge: Mapped[str | None] = mapped_column(String(16))
    last_seen_status: Mapped[str | None] = mapped_column(String(16))
    valuation_source: Mapped[str | None] = mapped_column(String(16))
    valuation_reference: Mapped[str | None] = mapped_column(String(120))
    p10: Mapped[Decimal | None]
    p50: Mapped[Decimal | None]
    haircut: Mapped[Decimal | None] = mapped_column(Rate)
    lendable_value: Mapped[Decimal | None]

    loan: Mapped[Loan] = relationship(back_populates="assets")


class LoanEvent(Base):
    """One step of a loan's life (a state change), dated and attributed."""

    __tablename__ = "finance_loan_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("finance_loans.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    occurred_on: Mapped[dt.date]
    at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(String(500))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    loan: Mapped[Loan] = relationship(back_populates="events")


class PledgeAlert(Base):
    """A pledged asset's legal status moved away from what it was (lapse, invalidation, expiry...)."""

    __tablename__ = "finance_pledge_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("finance_loans.id", ondelete="CASCADE"), index=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="RESTRICT"))
    status_at_pledge: Mapped[str] = mapped_column(String(16))
    previous_status: Mapped[str] = mapped_column(String(16))
    current_status: Mapped[str] = mapped_column(String(16))
    detected_at: Mapped[dt.datetime]

    loan: Mapped[Loan] = relationship(back_populates="alerts")


class Contract(Base):
    """A cash-flow contract an originator can securitise: a licence, a lease or a receivable."""

    __tablename__ = "finance_contracts"
    __table_args__ = (UniqueConstraint("originator_org_id", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alliance_id: Mapped[int] = mapped_column(ForeignKey("alliances.id", ondelete="RESTRICT"))
    originator_org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[str] = mapped_column(String(12))
    reference: Mapped[str] = mapped_column(String(60))
    obligor: Mapped[str] = mapped_column(String(200))  # licensee, lessee or core enterprise
    obligor_region_code: Mapped[str | None] = mapped_column(String(6))
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("assets.id", ondelete="RESTRICT"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[Decimal]  # financed amount (lease), face (receivable) or total royalties (licence)
    annual_rate: Mapped[Decimal | None] = mapped_column(Rate)
    term_months: Mapped[int | None]
    residual: Mapped[Decimal | None]
    first_due: Mapped[dt.date]  # first royalty or rent date; the due date of a receivable
    royalties: Mapped[list[str]] = mapped_column(JSON, default=list)  # monthly amounts from first_due
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class SecuritisationDeal(Base):
    """A securitisation being structured: pool criteria and limits, tranches, runs."""

    __tablename__ = "finance_deals"

    id: Mapped[int] = mapped_column(primary_key=True)
    alliance_id: Mapped[int] = mapped_column(ForeignKey("alliances.id", ondelete="RESTRICT"), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)  # the originator's region
    originator_org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    arranger_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    start_date: Mapped[dt.date]
    term_months: Mapped[int]
    discount_rate: Mapped[Decimal] = mapped_column(Rate)
    servicer_fee_rate: Mapped[Decimal] = mapped_column(Rate)
    trustee_fee: Mapped[Decimal]
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    limits: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(default=1)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())

    contracts: Mapped[list[DealContract]] = relationship(
        back_populates="deal", cascade="all, delete-orphan", order_by="DealContract.contract_id"
    )
    tranches: Mapped[list[DealTranche]] = relationship(
        back_populates="deal", cascade="all, delete-orphan", order_by="DealTranche.seq"
    )


class DealContract(Base):
    """A contract in a deal's pool (a contract backs one deal at a time), with any flagged breaches."""

    __tablename__ = "finance_deal_contracts"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("finance_deals.id", ondelete="CASCADE"), index=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("finance_contracts.id", ondelete="RESTRICT"), unique=True
    )
    balance: Mapped[Decimal]
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)

    deal: Mapped[SecuritisationDeal] = relationship(back_populates="contracts")
    contract: Mapped[Contract] = relationship()


class DealTranche(Base):
    """A class of notes: balance, seniority and coupon (fixed, floating on an index, or step-up)."""

    __tablename__ = "finance_deal_tranches"
    __table_args__ = (UniqueConstraint("deal_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("finance_deals.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int]
    name: Mapped[str] = mapped_column(String(40))
    seniority: Mapped[str] = mapped_column(String(16))
    balance: Mapped[Decimal]
    coupon_kind: Mapped[str] = mapped_column(String(12))
    rate: Mapped[Decimal] = mapped_column(Rate)  # fixed rate, spread over the index, or rate before step-up
    index_name: Mapped[str | None] = mapped_column(String(20))
    step_up: Mapped[Decimal | None] = mapped_column(Rate)
    step_from_period: Mapped[int | None]

    deal: Mapped[SecuritisationDeal] = relationship(back_populates="tranches")


class DealRun(Base):
    """One scenario run of a deal: the inputs it used (so exports reproduce it) and the results."""

    __tablename__ = "finance_deal_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("finance_deals.id", ondelete="CASCADE"), index=True)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
