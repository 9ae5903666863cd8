"""Migrations bring an empty database to exactly the schema the models describe."""

from __future__ import annotations

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlmodel import SQLModel

from todo_app import models  # noqa: F401


def _diff(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as connection, warnings.catch_warnings():
            # Expression indexes (full-text GIN) cannot be reflected for comparison.
            warnings.filterwarnings("ignore", message=".*expression-based index.*")
            context = MigrationContext.configure(connection, opts={"compare_type": True})
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
    if database_url.startswith("postgresql"):
        assert "ix_tasks_search_gin" in task_indexes
