"""Migrations bring an empty database to exactly the schema the models describe."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
import warnings
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, create_engine, inspect
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from todo_app import models
from todo_app.db import JSONList, UTCDateTime

ROOT = Path(__file__).resolve().parent.parent


def _expression_indexes() -> set[str]:
    names = set()
    for table in SQLModel.metadata.tables.values():
        for index in table.indexes:
            if any(not isinstance(expr, Column) for expr in index.expressions):
                names.add(str(index.name))
    return names


def _include(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    # Expression indexes are written by hand in the migrations; their SQL text is reflected in
    # a normalised form alembic cannot compare, so test_postgres_gets_its_indexes checks them.
    return not (type_ == "index" and name in _expression_indexes())


def _diff(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as connection, warnings.catch_warnings():
            # Expression indexes (full-text GIN) cannot be reflected for comparison.
            warnings.filterwarnings("ignore", message=".*expression-based index.*")
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": _include}
            )
            return compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()


def test_migrated_schema_matches_models(database_url):
    assert _diff(database_url) == []


def test_postgres_gets_its_indexes(database_url):
    engine = create_engine(database_url)
    try:
        inspector = inspect(engine)
        task_indexes = {index["name"] for index in inspector.get_indexes("tasks")}
        reminder_indexes = {index["name"] for index in inspector.get_indexes("reminders")}
        uniques = {u["name"] for u in inspector.get_unique_constraints("tasks")}
    finally:
        engine.dispose()
    assert {"ix_tasks_user_due", "ix_tasks_user_priority", "ix_tasks_tag_keys_gin"} <= task_indexes
    assert "ix_reminders_unsent" in reminder_indexes
    assert "uq_tasks_series_occurrence" in uniques
    assert "ix_tasks_user_open" in task_indexes
    if database_url.startswith("postgresql"):
        expected = {"ix_tasks_search_gin", "ix_tasks_user_priority_rank", "ix_tasks_user_title"}
        assert expected <= task_indexes


BEFORE_PROJECTS = "fce48582040b"


def _run(url: str, *command: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", *command],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr


def _old_schema_rows(url: str) -> dict[uuid.UUID, set[uuid.UUID]]:
    """Three accounts (one without tasks) holding tasks and reminders of the schema before
    projects; answers each account's task ids."""
    users = sa.table(
        "users",
        sa.column("id", sa.Uuid()),
        sa.column("email", sa.String()),
        sa.column("password_hash", sa.String()),
        sa.column("display_name", sa.String()),
        sa.column("timezone", sa.String()),
        sa.column("email_notifications", sa.Boolean()),
        sa.column("created_at", UTCDateTime()),
        sa.column("updated_at", UTCDateTime()),
    )
    tasks = sa.table(
        "tasks",
        *(
            sa.column(name, kind)
            for name, kind in [
                ("id", sa.Uuid()),
                ("user_id", sa.Uuid()),
                ("title", sa.String()),
                ("description", sa.String()),
                ("priority", sa.String()),
                ("tags", JSONList),
                ("tag_keys", JSONList),
                ("search_text", sa.String()),
                ("all_day", sa.Boolean()),
                ("repeat_from", sa.String()),
                ("series_id", sa.Uuid()),
                ("completed", sa.Boolean()),
                ("deleted_at", UTCDateTime()),
                ("position", sa.Integer()),
                ("created_at", UTCDateTime()),
                ("updated_at", UTCDateTime()),
                ("version", sa.Integer()),
            ]
        ),
    )
    reminders = sa.table(
        "reminders",
        sa.column("id", sa.Uuid()),
        sa.column("task_id", sa.Uuid()),
        sa.column("user_id", sa.Uuid()),
        sa.column("remind_at", UTCDateTime()),
        sa.column("attempts", sa.Integer()),
    )
    now = datetime.now(UTC)
    owned: dict[uuid.UUID, set[uuid.UUID]] = {}
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            for n, count in enumerate((3, 5, 0)):
                user_id = uuid.uuid4()
                connection.execute(
                    sa.insert(users).values(
                        id=user_id,
                        email=f"old-{n}@example.com",
                        password_hash="x",
                        display_name="",
                        timezone="UTC",
                        email_notifications=False,
                        created_at=now,
                        updated_at=now,
                    )
                )
                owned[user_id] = set()
                for i in range(count):
                    task_id = uuid.uuid4()
                    connection.execute(
                        sa.insert(tasks).values(
                            id=task_id,
                            user_id=user_id,
                            title=f"task {i}",
                            description="",
                            priority="medium",
                            tags=["home"],
                            tag_keys=["home"],
                            search_text=f"task {i}",
                            all_day=False,
                            repeat_from="due",
                            series_id=task_id,
                            completed=i == 1,
                            deleted_at=now if i == 2 else None,
                            position=i,
                            created_at=now,
                            updated_at=now,
                            version=1,
                        )
                    )
                    connection.execute(
                        sa.insert(reminders).values(
                            id=uuid.uuid4(),
                            task_id=task_id,
                            user_id=user_id,
                            remind_at=now,
                            attempts=0,
                        )
                    )
                    owned[user_id].add(task_id)
    finally:
        engine.dispose()
    return owned


def test_upgrade_puts_every_account_and_task_in_an_inbox(blank_database_url):
    url = blank_database_url
    # The schema before projects, with the project's alembic.ini as an operator would...
    _run(url, "alembic", "-c", str(ROOT / "alembic.ini"), "upgrade", BEFORE_PROJECTS)
    owned = _old_schema_rows(url)
    # ...then to head as users do.
    _run(url, "reflex", "db", "migrate")

    assert _diff(url) == []
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            for user_id, task_ids in owned.items():
                inboxes = session.exec(
                    select(models.Project).where(models.Project.owner_id == user_id)
                ).all()
                assert [(p.name, p.is_inbox, p.color) for p in inboxes] == [
                    ("Inbox", True, "charcoal")
                ]
                tasks = session.exec(
                    select(models.Task).where(models.Task.user_id == user_id)
                ).all()
                assert {task.id for task in tasks} == task_ids
                assert {task.project_id for task in tasks} <= {inboxes[0].id}
                assert all(t.section_id is None and t.parent_id is None for t in tasks)
                # Nobody is assigned and nothing is shared until someone shares it.
                assert all(t.assignee_id is None for t in tasks)
                # Each was made by its owner, then the only one who could.
                assert all(t.created_by == user_id for t in tasks)
            assert session.exec(select(models.ProjectMember)).all() == []
            reminders = session.exec(select(models.Reminder)).all()
            assert len(reminders) == sum(map(len, owned.values()))
            # The database holds one Inbox per account from now on.
            second = models.Project(owner_id=next(iter(owned)), name="Inbox", is_inbox=True)
            session.add(second)
            with pytest.raises(IntegrityError):
                session.flush()
            session.rollback()
            # One membership per (project, user).
            owner, member = list(owned)[:2]
            inbox = session.exec(
                select(models.Project).where(models.Project.owner_id == owner)
            ).one()
            for _ in range(2):
                session.add(
                    models.ProjectMember(project_id=inbox.id, user_id=member, role="viewer")
                )
            with pytest.raises(IntegrityError):
                session.flush()
    finally:
        engine.dispose()


BEFORE_AUDIT_PROJECTS = "adddc5ff26ae"


def test_upgrade_gives_audit_entries_their_project(blank_database_url):
    url = blank_database_url
    _run(url, "alembic", "-c", str(ROOT / "alembic.ini"), "upgrade", BEFORE_AUDIT_PROJECTS)
    log = sa.table(
        "audit_log",
        sa.column("id", sa.Uuid()),
        sa.column("user_id", sa.Uuid()),
        sa.column("action", sa.String()),
        sa.column("resource_type", sa.String()),
        sa.column("event_id", sa.String()),
        sa.column("metadata", JSONList),
        sa.column("at", UTCDateTime()),
    )
    user_id, project_id = uuid.uuid4(), uuid.uuid4()
    details = {
        "in a project": {"project_id": str(project_id), "title": "Paint"},
        "no project": {"title": "Login"},
        "a broken one": {"project_id": "not-a-uuid"},
    }
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            for name, metadata in details.items():
                connection.execute(
                    sa.insert(log).values(
                        id=uuid.uuid4(),
                        user_id=user_id,
                        action="task.created",
                        resource_type="task",
                        event_id=name,
                        metadata=metadata,
                        at=datetime.now(UTC),
                    )
                )
    finally:
        engine.dispose()
    _run(url, "reflex", "db", "migrate")

    assert _diff(url) == []
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            rows = {row.event_id: row for row in session.exec(select(models.AuditLog)).all()}
    finally:
        engine.dispose()
    assert rows["in a project"].project_id == project_id
    assert rows["no project"].project_id is None and rows["a broken one"].project_id is None
    # Before, the user acted alone: no actor apart.
    assert all(row.actor_id is None and row.user_id == user_id for row in rows.values())
