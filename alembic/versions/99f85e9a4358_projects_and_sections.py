"""projects and sections; every task in a project, every account with its Inbox

- `projects` (owner, name, colour, parent, position, archived/deleted, is_inbox, view) with a
  partial unique index holding one Inbox per account, and `sections` inside them.
- tasks gain project_id, section_id and parent_id. Every existing account gets its Inbox and
  every existing task moves into its owner's Inbox; then project_id becomes NOT NULL.
- On SQLite that last step recreates `tasks` (batch mode); reminders and notifications keep
  their rows, as the migration connection does not enforce foreign keys.

Revision ID: 99f85e9a4358
Revises: fce48582040b
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

from todo_app.db import UTCDateTime

revision: str = "99f85e9a4358"
down_revision: str | Sequence[str] | None = "fce48582040b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TASK_FOREIGN_KEYS = (
    ("fk_tasks_project_id_projects", "projects", "project_id", "CASCADE"),
    ("fk_tasks_section_id_sections", "sections", "section_id", "SET NULL"),
    ("fk_tasks_parent_id_tasks", "tasks", "parent_id", "CASCADE"),
)


def _create_tables() -> None:
    op.create_table(
        "projects",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("color", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("archived_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("is_inbox", sa.Boolean(), nullable=False),
        sa.Column("view", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["parent_id"], ["projects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_projects_owner_parent", "projects", ["owner_id", "parent_id", "position"])
    op.create_index("ix_projects_parent", "projects", ["parent_id"])
    op.create_index(
        "uq_projects_owner_inbox",
        "projects",
        ["owner_id"],
        unique=True,
        postgresql_where=sa.text("is_inbox"),
        sqlite_where=sa.text("is_inbox"),
    )
    op.create_table(
        "sections",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sections_project_position", "sections", ["project_id", "position"])


def _inboxes_for_everyone() -> None:
    """An Inbox for every account, and every task into its owner's Inbox."""
    connection = op.get_bind()
    users = sa.table("users", sa.column("id", sa.Uuid()))
    projects = sa.table(
        "projects",
        sa.column("id", sa.Uuid()),
        sa.column("owner_id", sa.Uuid()),
        sa.column("name", sa.String()),
        sa.column("color", sa.String()),
        sa.column("position", sa.Integer()),
        sa.column("is_inbox", sa.Boolean()),
        sa.column("view", sa.String()),
        sa.column("created_at", UTCDateTime()),
        sa.column("updated_at", UTCDateTime()),
        sa.column("version", sa.Integer()),
    )
    tasks = sa.table("tasks", sa.column("user_id", sa.Uuid()), sa.column("project_id", sa.Uuid()))
    now = datetime.now(UTC)
    inboxes = [
        {
            "id": uuid.uuid4(),
            "owner_id": user_id,
            "name": "Inbox",
            "color": "charcoal",
            "position": 0,
            "is_inbox": True,
            "view": "list",
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        for user_id in connection.execute(sa.select(users.c.id)).scalars()
    ]
    if inboxes:
        op.bulk_insert(projects, inboxes)
    inbox_of_owner = (
        sa.select(projects.c.id)
        .where(projects.c.owner_id == tasks.c.user_id, projects.c.is_inbox.is_(True))
        .scalar_subquery()
    )
    connection.execute(sa.update(tasks).values(project_id=inbox_of_owner))


def upgrade() -> None:
    _create_tables()
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("project_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("section_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("parent_id", sa.Uuid(), nullable=True))
    _inboxes_for_everyone()
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.alter_column("project_id", existing_type=sa.Uuid(), nullable=False)
        for name, target, column, ondelete in _TASK_FOREIGN_KEYS:
            batch_op.create_foreign_key(name, target, [column], ["id"], ondelete=ondelete)
        batch_op.create_index("ix_tasks_parent", ["parent_id"])
        batch_op.create_index("ix_tasks_project_deleted", ["project_id", "deleted_at"])
        batch_op.create_index(
            "ix_tasks_project_open",
            ["project_id", "completed", "position"],
            postgresql_where=sa.text("deleted_at IS NULL"),
            sqlite_where=sa.text("deleted_at IS NULL"),
        )
        batch_op.create_index("ix_tasks_section", ["section_id"])


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        for name, *_ in _TASK_FOREIGN_KEYS:
            batch_op.drop_constraint(name, type_="foreignkey")
        batch_op.drop_index("ix_tasks_section")
        batch_op.drop_index("ix_tasks_project_open")
        batch_op.drop_index("ix_tasks_project_deleted")
        batch_op.drop_index("ix_tasks_parent")
        batch_op.drop_column("parent_id")
        batch_op.drop_column("section_id")
        batch_op.drop_column("project_id")
    op.drop_table("sections")
    op.drop_table("projects")
