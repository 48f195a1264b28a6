"""Imported statistics: official tables and population tables, as datasets of values with an as-of date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, LargeBinary, Numeric, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipops.core.db import Base

STAT_VALUE = Numeric(24, 6, asdecimal=True)


class StatDataset(Base):
    """One imported table: an official statistics release or a population table, with its source and date."""

    __tablename__ = "report_datasets"

    id: Mapped[int] = mapped_column(primary_key=True)
    alliance_id: Mapped[int] = mapped_column(ForeignKey("alliances.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # official | population
    name: Mapped[str] = mapped_column(String(300))
    publisher: Mapped[str] = mapped_column(String(200), default="")
    reference: Mapped[str] = mapped_column(String(500), default="")  # URL or file name
    as_of: Mapped[dt.date] = mapped_column(Date)
    scope_region_code: Mapped[str | None] = mapped_column(String(6))  # None: any region (alliance admins)
    visibility: Mapped[str] = mapped_column(String(12), default="public")
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    imported_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())

    values: Mapped[list[StatValue]] = relationship(
        back_populates="dataset", cascade="all, delete-orphan", passive_deletes=True
    )


class StatValue(Base):
    """One value of a dataset: an indicator for a region ("CN" for the nation) and year."""

    __tablename__ = "report_values"
    __table_args__ = (
        UniqueConstraint("dataset_id", "indicator", "region_code", "year"),
        Index("ix_report_values_lookup", "indicator", "region_code", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("report_datasets.id", ondelete="CASCADE"), index=True)
    indicator: Mapped[str] = mapped_column(String(60))
    region_code: Mapped[str] = mapped_column(String(6))
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[Decimal] = mapped_column(STAT_VALUE)
    as_of: Mapped[dt.date | None] = mapped_column(Date)  # when a row is dated apart from its dataset

    dataset: Mapped[StatDataset] = relationship(back_populates="values")


class ReportRender(Base):
    """A rendered report file, kept per report, year, province and data version so it is rendered once."""

    __tablename__ = "report_renders"
    __table_args__ = (
        UniqueConstraint(
            "kind", "alliance_code", "year", "province_code", "data_version", name="uq_report_renders_version"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))  # innovation.pdf | whitepaper.pdf
    alliance_code: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    province_code: Mapped[str] = mapped_column(String(6), default="")
    data_version: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12), default="rendering")  # rendering | ready
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    served: Mapped[int] = mapped_column(Integer, default=0)  # how many requests it answered
