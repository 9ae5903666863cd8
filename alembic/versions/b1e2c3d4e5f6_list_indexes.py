"""indexes for the task list: open-task counts, priority and title sorts

Revision ID: b1e2c3d4e5f6
Revises: 734b9d43666a
"""

from typing import Sequence

from alembic import op
import sqlalchemy as sa

revision: str = "b1e2c3d4e5f6"
down_revision: str | Sequence[str] | None = "734b9d43666a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("deleted_at IS NULL")
RANK = "(CASE priority WHEN 'low' THEN 1 WHEN 'medium' THEN 2 WHEN 'high' THEN 3 ELSE 2 END)"


def upgrade() -> None:
    op.create_index(
        "ix_tasks_user_open",
        "tasks",
        ["user_id", "completed", "due_at"],
        postgresql_include=["priority", "all_day", "rrule"],
        postgresql_where=LIVE,
        sqlite_where=LIVE,
    )
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_tasks_user_priority_rank",
            "tasks",
            ["user_id", sa.text(f"{RANK} DESC"), "position"],
            postgresql_where=LIVE,
        )
        op.create_index(
            "ix_tasks_user_title",
            "tasks",
            ["user_id", sa.text("lower(title)")],
            postgresql_where=LIVE,
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_tasks_user_title", table_name="tasks")
        op.drop_index("ix_tasks_user_priority_rank", table_name="tasks")
    op.drop_index("ix_tasks_user_open", table_name="tasks")
