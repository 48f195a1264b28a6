"""reports: imported official statistics and population tables

Revision ID: 0003_reports
Revises: 0001_foundation
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ipops.core.db

revision: str = "0003_reports"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_datasets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alliance_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("publisher", sa.String(length=200), nullable=False),
        sa.Column("reference", sa.String(length=500), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("scope_region_code", sa.String(length=6), nullable=True),
        sa.Column("visibility", sa.String(length=12), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("imported_by", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            ipops.core.db.UtcDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["alliance_id"],
            ["alliances.id"],
            name=op.f("fk_report_datasets_alliance_id_alliances"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["imported_by"],
            ["users.id"],
            name=op.f("fk_report_datasets_imported_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_datasets")),
    )
    with op.batch_alter_table("report_datasets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_datasets_alliance_id"), ["alliance_id"], unique=False)
    op.create_table(
        "report_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(length=60), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.Numeric(precision=24, scale=6), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["report_datasets.id"],
            name=op.f("fk_report_values_dataset_id_report_datasets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_values")),
        sa.UniqueConstraint(
            "dataset_id",
            "indicator",
            "region_code",
            "year",
            name=op.f("uq_report_values_dataset_id_indicator_region_code_year"),
        ),
    )
    with op.batch_alter_table("report_values", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_values_dataset_id"), ["dataset_id"], unique=False)
        batch_op.create_index("ix_report_values_lookup", ["indicator", "region_code", "year"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("report_values", schema=None) as batch_op:
        batch_op.drop_index("ix_report_values_lookup")
        batch_op.drop_index(batch_op.f("ix_report_values_dataset_id"))
    op.drop_table("report_values")
    with op.batch_alter_table("report_datasets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_datasets_alliance_id"))
    op.drop_table("report_datasets")
