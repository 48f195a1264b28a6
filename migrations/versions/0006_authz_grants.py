"""authz: record grants (organisation or region, reason, grantor, expiry); the actor's organisation on audit rows

Revision ID: 0006_authz_grants
Revises: 0001_foundation
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ipops.core.db

revision: str = "0006_authz_grants"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "authz_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alliance_id", sa.Integer(), nullable=False),
        sa.Column("entity_type", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("grantee_org_id", sa.Integer(), nullable=True),
        sa.Column("grantee_region_code", sa.String(length=6), nullable=True),
        sa.Column("actions", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("source", sa.String(length=80), nullable=True),
        sa.Column("granted_by_user_id", sa.Integer(), nullable=True),
        sa.Column("granted_by_label", sa.String(length=120), nullable=False),
        sa.Column(
            "created_at",
            ipops.core.db.UtcDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("expires_at", ipops.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", ipops.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_user_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authz_grants")),
    )
    with op.batch_alter_table("authz_grants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_authz_grants_grantee_org_id"), ["grantee_org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_authz_grants_source"), ["source"], unique=False)
        batch_op.create_index("ix_authz_grants_target", ["entity_type", "entity_id"], unique=False)
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("actor_org_id", sa.Integer(), nullable=True))
    # earlier rows: the actor's organisation is the one its account belonged to
    op.execute(
        "UPDATE audit_log SET actor_org_id = "
        "(SELECT users.org_id FROM users WHERE users.id = audit_log.actor_user_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("actor_org_id")
    with op.batch_alter_table("authz_grants", schema=None) as batch_op:
        batch_op.drop_index("ix_authz_grants_target")
        batch_op.drop_index(batch_op.f("ix_authz_grants_source"))
        batch_op.drop_index(batch_op.f("ix_authz_grants_grantee_org_id"))
    op.drop_table("authz_grants")
