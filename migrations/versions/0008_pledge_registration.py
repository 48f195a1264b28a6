"""finance: a loan records its pledge registration (质押登记); the pledge binds only from then

Revision ID: 0008_pledge_registration
Revises: 0004_finance
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_pledge_registration"
down_revision: str | Sequence[str] | None = "0004_finance"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("finance_loans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pledge_registration_number", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("pledge_registered_on", sa.Date(), nullable=True))
    # loans approved before registration was recorded took their pledge at approval
    op.execute(
        "UPDATE finance_loans SET pledge_registration_number = 'recorded at approval', "
        "pledge_registered_on = CAST(decided_at AS DATE) "
        "WHERE status IN ('approved', 'disbursed', 'defaulted', 'repaid', 'disposed') AND decided_at IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("finance_loans", schema=None) as batch_op:
        batch_op.drop_column("pledge_registered_on")
        batch_op.drop_column("pledge_registration_number")
