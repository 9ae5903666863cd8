"""audit_log names the actor and the project of each entry

- `actor_id`: who did it, apart from whose data it happened to (`user_id`): in a shared
  project they differ. Entries written before have none (their user acted alone).
- `project_id`: what a project's activity is read by, for every member; filled from the
  entries' metadata.

Revision ID: 079632f80479
Revises: adddc5ff26ae
"""

import json
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "079632f80479"
down_revision: str | Sequence[str] | None = "adddc5ff26ae"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 1000


def _fill_project_ids() -> None:
    log = sa.table(
        "audit_log",
        sa.column("id", sa.Uuid()),
        sa.column("metadata", sa.Text()),
        sa.column("project_id", sa.Uuid()),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(log.c.id, sa.cast(log.c.metadata, sa.Text)).where(
            sa.cast(log.c.metadata, sa.Text).like('%"project_id"%')
        )
    ).all()
    found = []
    for row_id, text in rows:
        try:
            found.append({"row": row_id, "project": uuid.UUID(json.loads(text)["project_id"])})
        except (ValueError, KeyError, TypeError):
            continue
    statement = (
        log.update()
        .where(log.c.id == sa.bindparam("row"))
        .values(project_id=sa.bindparam("project"))
    )
    for start in range(0, len(found), _BATCH):
        bind.execute(statement, found[start : start + _BATCH])


def upgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("actor_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("project_id", sa.Uuid(), nullable=True))
        batch_op.create_index("ix_audit_log_actor_at", ["actor_id", "at"])
        batch_op.create_index("ix_audit_log_project_at", ["project_id", "at"])
    _fill_project_ids()


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_project_at")
        batch_op.drop_index("ix_audit_log_actor_at")
        batch_op.drop_column("project_id")
        batch_op.drop_column("actor_id")
