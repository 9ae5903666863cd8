"""Migrations bring an empty database to exactly the schema the models describe."""

from __future__ import annotations

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, create_engine, inspect
from sqlmodel import SQLModel

from todo_app import models  # noqa: F401


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
