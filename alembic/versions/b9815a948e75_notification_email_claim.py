"""notification email claim: the lease a mailer holds on a queued email

Revision ID: b9815a948e75
Revises: b1e2c3d4e5f6
"""

from typing import Sequence

import sqlalchemy as sa
from alembic import op

import todo_app.db

revision: str = "b9815a948e75"
down_revision: str | Sequence[str] | None = "b1e2c3d4e5f6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("email_claimed_until", todo_app.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_column("email_claimed_until")
