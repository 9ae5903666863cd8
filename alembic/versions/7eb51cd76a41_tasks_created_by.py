"""tasks.created_by: who made a task, told of its comments

Before projects were shared every task was made by its owner, so existing tasks get
`user_id`.

Revision ID: 7eb51cd76a41
Revises: 079632f80479
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7eb51cd76a41"
down_revision: str | Sequence[str] | None = "079632f80479"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_by", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            "fk_tasks_created_by_users", "users", ["created_by"], ["id"], ondelete="SET NULL"
        )
    op.execute("UPDATE tasks SET created_by = user_id")


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_constraint("fk_tasks_created_by_users", type_="foreignkey")
        batch_op.drop_column("created_by")
