"""valuation: requests and reports (draft / signed by an appraiser)

Revision ID: 0005_valuation
Revises: 0001_foundation
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ipops.core.db

revision: str = "0005_valuation"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "valuation_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alliance_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("scenario", sa.String(length=24), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("requested_by_user_id", sa.Integer(), nullable=True),
        sa.Column("requested_by_org_id", sa.Integer(), nullable=True),
        sa.Column("appraiser_org_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            ipops.core.db.UtcDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["alliance_id"],
            ["alliances.id"],
            name=op.f("fk_valuation_requests_alliance_id_alliances"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_valuation_requests_asset_id_assets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_user_id"],
            ["users.id"],
            name=op.f("fk_valuation_requests_requested_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_org_id"],
            ["organisations.id"],
            name=op.f("fk_valuation_requests_requested_by_org_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["appraiser_org_id"],
            ["organisations.id"],
            name=op.f("fk_valuation_requests_appraiser_org_id_organisations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_valuation_requests")),
    )
    with op.batch_alter_table("valuation_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_valuation_requests_alliance_id"), ["alliance_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_valuation_requests_asset_id"), ["asset_id"], unique=False)
    op.create_table(
        "valuation_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("method_version", sa.String(length=20), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("paths", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("p10", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("p50", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("p90", sa.Numeric(precision=20, scale=2), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            ipops.core.db.UtcDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("signed_by_user_id", sa.Integer(), nullable=True),
        sa.Column("signed_at", ipops.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_valuation_reports_asset_id_assets"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_valuation_reports_created_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["valuation_requests.id"],
            name=op.f("fk_valuation_reports_request_id_valuation_requests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["signed_by_user_id"],
            ["users.id"],
            name=op.f("fk_valuation_reports_signed_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_valuation_reports")),
    )
    with op.batch_alter_table("valuation_reports", schema=None) as batch_op:
        batch_op.create_index("ix_valuation_reports_asset_status", ["asset_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_valuation_reports_request_id"), ["request_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("valuation_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_valuation_reports_request_id"))
        batch_op.drop_index("ix_valuation_reports_asset_status")
    op.drop_table("valuation_reports")
    with op.batch_alter_table("valuation_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_valuation_requests_asset_id"))
        batch_op.drop_index(batch_op.f("ix_valuation_requests_alliance_id"))
    op.drop_table("valuation_requests")
