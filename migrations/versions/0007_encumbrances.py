"""assets: owners accept their share, co-owners' and pledgees' consents, encumbrances replace `pledged`

Revision ID: 0007_encumbrances
Revises: 0001_foundation, 0004_finance
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ipops.core.db

revision: str = "0007_encumbrances"
# the pledges recorded so far are tied to the finance loans that made them
down_revision: str | Sequence[str] | None = ("0001_foundation", "0004_finance")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOW = sa.text("(CURRENT_TIMESTAMP)")


def upgrade() -> None:
    with op.batch_alter_table("asset_owners", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=10), nullable=False, server_default="accepted")
        )
        batch_op.add_column(sa.Column("invited_by_org_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("accepted_at", ipops.core.db.UtcDateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_asset_owners_invited_by_org_id_organisations"),
            "organisations",
            ["invited_by_org_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_table(
        "asset_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.String(length=10), nullable=False),
        sa.Column("consenter_org_id", sa.Integer(), nullable=True),
        sa.Column("owner_seq", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("counterparty_org_id", sa.Integer(), nullable=True),
        sa.Column("counterparty_name", sa.String(length=200), nullable=True),
        sa.Column("terms", sa.String(length=500), nullable=True),
        sa.Column("document_reference", sa.String(length=120), nullable=True),
        sa.Column("given_by_user_id", sa.Integer(), nullable=True),
        sa.Column("given_at", ipops.core.db.UtcDateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("expires_at", ipops.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("used_at", ipops.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("used_for", sa.String(length=80), nullable=True),
        sa.Column("revoked_at", ipops.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_asset_consents_asset_id_assets"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["consenter_org_id"],
            ["organisations.id"],
            name=op.f("fk_asset_consents_consenter_org_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["counterparty_org_id"],
            ["organisations.id"],
            name=op.f("fk_asset_consents_counterparty_org_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["given_by_user_id"],
            ["users.id"],
            name=op.f("fk_asset_consents_given_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_consents")),
    )
    with op.batch_alter_table("asset_consents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_asset_consents_asset_id"), ["asset_id"], unique=False)
    op.create_table(
        "asset_encumbrances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("source_type", sa.String(length=24), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("holder_org_id", sa.Integer(), nullable=True),
        sa.Column("holder_name", sa.String(length=200), nullable=True),
        sa.Column("purpose", sa.String(length=24), nullable=True),
        sa.Column("field", sa.String(length=200), nullable=True),
        sa.Column("territory", sa.String(length=200), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("registration_number", sa.String(length=60), nullable=True),
        sa.Column("registered_on", sa.Date(), nullable=True),
        sa.Column("created_at", ipops.core.db.UtcDateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("released_at", ipops.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("release_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_asset_encumbrances_asset_id_assets"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["holder_org_id"],
            ["organisations.id"],
            name=op.f("fk_asset_encumbrances_holder_org_id_organisations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_encumbrances")),
    )
    with op.batch_alter_table("asset_encumbrances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_asset_encumbrances_asset_id"), ["asset_id"], unique=False)
        batch_op.create_index("ix_asset_encumbrances_source", ["source_type", "source_id"], unique=False)
    # a pledged asset keeps its pledge: tied to the open loan that approved it, else recorded as legacy
    op.execute(
        "INSERT INTO asset_encumbrances (asset_id, kind, status, source_type, source_id, holder_org_id) "
        "SELECT a.id, 'pledge', 'registered', 'loan', CAST(l.id AS VARCHAR(64)), l.bank_org_id "
        "FROM assets a JOIN finance_loan_assets la ON la.asset_id = a.id "
        "JOIN finance_loans l ON l.id = la.loan_id "
        "WHERE a.pledged = true AND l.status IN ('approved', 'disbursed', 'defaulted')"
    )
    op.execute(
        "INSERT INTO asset_encumbrances (asset_id, kind, status, source_type, source_id) "
        "SELECT a.id, 'pledge', 'registered', 'legacy', CAST(a.id AS VARCHAR(64)) FROM assets a "
        "WHERE a.pledged = true AND NOT EXISTS (SELECT 1 FROM asset_encumbrances e WHERE e.asset_id = a.id)"
    )
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.drop_column("pledged")


def downgrade() -> None:
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pledged", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(
        "UPDATE assets SET pledged = true WHERE id IN (SELECT asset_id FROM asset_encumbrances "
        "WHERE kind = 'pledge' AND status IN ('reserved', 'approved', 'registered'))"
    )
    with op.batch_alter_table("asset_encumbrances", schema=None) as batch_op:
        batch_op.drop_index("ix_asset_encumbrances_source")
        batch_op.drop_index(batch_op.f("ix_asset_encumbrances_asset_id"))
    op.drop_table("asset_encumbrances")
    with op.batch_alter_table("asset_consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_asset_consents_asset_id"))
    op.drop_table("asset_consents")
    with op.batch_alter_table("asset_owners", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_asset_owners_invited_by_org_id_organisations"), type_="foreignkey")
        batch_op.drop_column("accepted_at")
        batch_op.drop_column("invited_by_org_id")
        batch_op.drop_column("status")
