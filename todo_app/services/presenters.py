"""Turning task rows into their public shape, reminders included, with one query per batch."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson
from pydantic import TypeAdapter
from sqlalchemy import JSON, Row, ScalarSelect, bindparam, func, type_coerce
from sqlmodel import Session, col, select

from todo_app.db import as_utc
from todo_app.models import Reminder, Task
from todo_app.schemas import TaskPublic

_FROM_REMINDERS = ("reminders", "remind_before_minutes")
# The task columns TaskPublic shows; a list can select just these (no tag_keys, no search_text).
PUBLIC_COLUMNS = tuple(
    getattr(Task, name) for name in TaskPublic.model_fields if name not in _FROM_REMINDERS
)
_PUBLIC_NAMES = tuple(column.key for column in PUBLIC_COLUMNS)
# One validation call for the whole batch instead of one model constructor call per task.
_PUBLIC_LIST = TypeAdapter(list[TaskPublic])


def _values(task: Task) -> list[Any]:
    """A task's public values, in _PUBLIC_NAMES order."""
    return [getattr(task, name) for name in _PUBLIC_NAMES]


def _public_fields(
    values: Sequence[Any], reminders: list[tuple[datetime, int | None]]
) -> dict[str, Any]:
    """`values` in _PUBLIC_NAMES order (as a row of PUBLIC_COLUMNS holds them; values after
    those are not the task's), with `reminders` in time order."""
    fields = dict(zip(_PUBLIC_NAMES, values, strict=False))
    fields["reminders"] = [remind_at for remind_at, _ in reminders]
    fields["remind_before_minutes"] = sorted(
        {offset for _, offset in reminders if offset is not None}
    )
    return fields


def reminders_column(dialect: str) -> ScalarSelect[Any]:
    """A correlated subquery giving each task row its reminders as a JSON array of
    [remind_at, offset_minutes] pairs, so a page of tasks needs no query of its own for them."""
    if dialect == "postgresql":
        pairs = func.json_agg(func.json_build_array(Reminder.remind_at, Reminder.offset_minutes))
    else:
        pairs = func.json_group_array(func.json_array(Reminder.remind_at, Reminder.offset_minutes))
    return (
        select(type_coerce(pairs, JSON))
        .where(col(Reminder.task_id) == Task.id)
        .correlate(Task)
        .scalar_subquery()
    )


def _rows_fields(rows: Sequence[Row[Any] | tuple[Any, ...]]) -> list[dict[str, Any]]:
    """Rows of PUBLIC_COLUMNS followed by `reminders_column` (and columns after it, which are
    not the task's), as TaskPublic's fields."""
    width = len(_PUBLIC_NAMES)
    return [_public_fields(row, reminder_pairs(row[width])) for row in rows]


def reminder_pairs(value: list[list[Any]] | None) -> list[tuple[datetime, int | None]]:
    """What `reminders_column` holds, as (remind_at, offset_minutes) pairs in time order."""
    if not value:
        return []
    # PostgreSQL writes an offset into the JSON; SQLite keeps UTC without one.
    pairs = [(as_utc(datetime.fromisoformat(at)), offset) for at, offset in value]
    pairs.sort(key=lambda pair: pair[0])
    return pairs


def rows_public(rows: Sequence[Row[Any] | tuple[Any, ...]]) -> list[TaskPublic]:
    """Rows as `_rows_fields` reads them, in their public shape."""
    return _PUBLIC_LIST.validate_python(_rows_fields(rows))


def rows_page_json(
    rows: Sequence[Row[Any] | tuple[Any, ...]], total: int, page: int, limit: int
) -> bytes:
    """A TaskPage of `rows` (as `_rows_fields` reads them), as JSON: the same bytes TaskPage
    writes (a test holds it so), with no model built per task. orjson, because pydantic's dump
    of the same values cost a listed task a quarter of its CPU."""
    return orjson.dumps(
        {"items": _rows_fields(rows), "total": total, "page": page, "limit": limit},
        option=orjson.OPT_UTC_Z,
    )


# Built once: a statement built per call costs more than running it.
_REMINDERS_OF = (
    select(Reminder.task_id, Reminder.remind_at, Reminder.offset_minutes)
    .where(col(Reminder.task_id).in_(bindparam("ids", expanding=True)))
    .order_by(col(Reminder.remind_at), col(Reminder.id))
)


def tasks_public(session: Session, tasks: Sequence[Task]) -> list[TaskPublic]:
    """Tasks, as ORM instances, in their public shape."""
    ids = [task.id for task in tasks]
    by_task: dict[uuid.UUID, list[tuple[datetime, int | None]]] = defaultdict(list)
    if ids:
        rows = session.exec(_REMINDERS_OF, params={"ids": ids}).all()
        for task_id, remind_at, offset in rows:
            by_task[task_id].append((remind_at, offset))
    return _PUBLIC_LIST.validate_python(
        [_public_fields(_values(task), by_task[task.id]) for task in tasks]
    )


def task_public(
    session: Session, task: Task, reminders: list[tuple[datetime, int | None]] | None = None
) -> TaskPublic:
    """`reminders`, in time order, when the caller knows them all (a task it just created):
    then no query for them."""
    if reminders is None:
        return tasks_public(session, [task])[0]
    return _PUBLIC_LIST.validate_python([_public_fields(_values(task), reminders)])[0]
