"""comments on tasks

Revision ID: adddc5ff26ae
Revises: 4aa20a4edf21
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from todo_app.db import UTCDateTime

revision: str = "adddc5ff26ae"
down_revision: str | Sequence[str] | None = "4aa20a4edf21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "comments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("task_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("edited_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_comments_task_created", "comments", ["task_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_comments_task_created", table_name="comments")
    op.drop_table("comments")
