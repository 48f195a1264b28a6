"""valuation: each appraiser's signature, and the engaged firm's seal (资产评估法 art. 26)

Revision ID: 0009_valuation_signatures
Revises: 0005_valuation
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ipops.core.db

revision: str = "0009_valuation_signatures"
down_revision: str | Sequence[str] | None = "0005_valuation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "valuation_signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("signer_name", sa.String(length=120), nullable=False),
        sa.Column(
            "signed_at",
            ipops.core.db.UtcDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_valuation_signatures_org_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["valuation_reports.id"],
            name=op.f("fk_valuation_signatures_report_id_valuation_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_valuation_signatures_user_id_users"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_valuation_signatures")),
        sa.UniqueConstraint("report_id", "user_id", name=op.f("uq_valuation_signatures_report_id_user_id")),
    )
    with op.batch_alter_table("valuation_signatures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_valuation_signatures_report_id"), ["report_id"], unique=False)
    with op.batch_alter_table("valuation_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed_by_org_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("seal_name", sa.String(length=200), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_valuation_reports_sealed_by_org_id_organisations"),
            "organisations",
            ["sealed_by_org_id"],
            ["id"],
            ondelete="SET NULL",
        )
    # reports signed before: their one signer's signature is kept as it was
    op.execute(
        "INSERT INTO valuation_signatures (report_id, user_id, org_id, signer_name, signed_at) "
        "SELECT r.id, u.id, u.org_id, u.username, r.signed_at FROM valuation_reports r "
        "JOIN users u ON u.id = r.signed_by_user_id "
        "WHERE r.status = 'signed' AND u.org_id IS NOT NULL AND r.signed_at IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("valuation_reports", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_valuation_reports_sealed_by_org_id_organisations"), type_="foreignkey"
        )
        batch_op.drop_column("seal_name")
        batch_op.drop_column("sealed_by_org_id")
    with op.batch_alter_table("valuation_signatures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_valuation_signatures_report_id"))
    op.drop_table("valuation_signatures")
