"""The task list two ways, as bench/api_list.py and bench/projects.py compare it: through
`GET /api/v1/tasks`, and through the statement that endpoint runs, directly and not presented."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import Engine, text
from sqlmodel import Session

from bench.support.database import copy_rows, vacuum_analyze
from bench.support.stats import percentiles, ratio
from todo_app.core.filters import parse_query
from todo_app.models import Reminder, Task, User
from todo_app.services import listing

# The total and the ids of one page, in order.
Listing = tuple[int, list[str]]


def copy_tasks(
    engine: Engine, tasks: list[dict[str, Any]], reminders: list[dict[str, Any]]
) -> None:
    """COPY seeded task rows and their reminders in one transaction, then VACUUM (ANALYZE)."""
    with engine.begin() as connection:
        copy_rows(connection, Task.__table__, tasks, "seeding tasks")  # type: ignore[attr-defined]
        if reminders:
            table = Reminder.__table__  # type: ignore[attr-defined]
            copy_rows(connection, table, reminders, "seeding reminders")
    vacuum_analyze(engine)


def user_and_server(engine: Engine, user_id: uuid.UUID) -> tuple[User, str]:
    """The seeded user, detached, and the PostgreSQL server's version."""
    with Session(engine, expire_on_commit=False) as session:
        user = session.get_one(User, user_id)
        postgres = session.execute(text("SHOW server_version")).scalar_one()
    return user, postgres


def api_get(client: httpx.Client, params: dict[str, str]) -> httpx.Response:
    response = client.get("/api/v1/tasks", params=params)
    if response.status_code != 200:
        raise RuntimeError(f"HTTP {response.status_code}: {response.text[:300]}")
    return response


def raw_list(engine: Engine, user: User, params: dict[str, str]) -> Listing:
    """The statement listing.list_tasks runs (the page, each row with the total), built by the
    same functions with the same values, run directly and not presented."""
    query = parse_query(params, user.timezone)
    with engine.connect() as connection:
        page, values = listing.page_statement(
            connection.dialect.name, user, query, datetime.now(UTC)
        )
        rows = connection.execute(page, values).all()
    return (int(rows[0].total) if rows else 0), [str(row.id) for row in rows]


def verdict(
    api: list[float], raw: list[float], target_p95_ms: float, target_ratio: float
) -> dict[str, Any]:
    """API and raw SQL samples, their p95 ratio and whether both targets are met."""
    api_stats, raw_stats = percentiles(api), percentiles(raw)
    api_over_raw = ratio(api_stats, raw_stats)
    return {
        "api": api_stats,
        "raw_sql": raw_stats,
        "ratio_p95": round(api_over_raw, 2),
        "pass_p95": api_stats["p95_ms"] < target_p95_ms,
        "pass_ratio": api_over_raw <= target_ratio,
    }
