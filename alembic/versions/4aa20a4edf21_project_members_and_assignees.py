"""project members and assignees: sharing a project, assigning its tasks

- `project_members` (project, user, role): whom a project is shared with beyond its owner
  (the owner stays `projects.owner_id`), one row per (project, user).
- tasks gain assignee_id, a member of the task's project or null; existing tasks have none.

Revision ID: 4aa20a4edf21
Revises: 99f85e9a4358
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from todo_app.db import UTCDateTime

revision: str = "4aa20a4edf21"
down_revision: str | Sequence[str] | None = "99f85e9a4358"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "project_members",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id", "user_id", name="uq_project_members_project_user"),
    )
    op.create_index("ix_project_members_user", "project_members", ["user_id"])
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assignee_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            "fk_tasks_assignee_id_users", "users", ["assignee_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_index("ix_tasks_assignee_id", ["assignee_id"])


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_assignee_id")
        batch_op.drop_constraint("fk_tasks_assignee_id_users", type_="foreignkey")
        batch_op.drop_column("assignee_id")
    op.drop_index("ix_project_members_user", table_name="project_members")
    op.drop_table("project_members")
