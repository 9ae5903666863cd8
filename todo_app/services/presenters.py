"""A task in its public shape: TaskPublic's fields, from a task row or an ORM task, with its
reminders and its subtask counts; a page of them as models or as the REST API's JSON."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter, itemgetter
from typing import Any

import orjson
from pydantic import TypeAdapter
from sqlalchemy import JSON, Label, Row, bindparam, func, type_coerce
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from todo_app.db import as_utc
from todo_app.models import Reminder, Task
from todo_app.schemas import TaskPage, TaskPublic

# A task's reminders: (remind_at, offset_minutes) pairs in time order.
Reminders = list[tuple[datetime, int | None]]
# A task's direct subtasks not deleted: (open, total).
Counts = tuple[int, int]
NO_SUBTASKS: Counts = (0, 0)
# TaskPublic's fields, in its order.
PublicFields = dict[str, Any]

_COMPUTED = ("reminders", "remind_before_minutes", "subtasks")
# The task columns TaskPublic shows; a list selects just these (no tag_keys, no search_text).
_PUBLIC_COLUMNS = tuple(
    getattr(Task, name) for name in TaskPublic.model_fields if name not in _COMPUTED
)
_PUBLIC_NAMES = tuple(column.key for column in _PUBLIC_COLUMNS)
# A Task's public values, read by name.
_task_values = attrgetter(*_PUBLIC_NAMES)
# One validation call for the whole batch instead of one model constructor call per task.
_PUBLIC_LIST = TypeAdapter(list[TaskPublic])


def reminders_column(dialect: str) -> Label[Any]:
    """`reminders`: a correlated subquery giving each task row the reminders of the user the
    `viewer_id` parameter names (reminders are personal) as a JSON array of
    [remind_at, offset_minutes] pairs, so a page of tasks needs no query of its own for them
    (`reminder_pairs` reads it)."""
    if dialect == "postgresql":
        pairs = func.json_agg(func.json_build_array(Reminder.remind_at, Reminder.offset_minutes))
    else:
        pairs = func.json_group_array(func.json_array(Reminder.remind_at, Reminder.offset_minutes))
    subquery = (
        select(type_coerce(pairs, JSON))
        .where(col(Reminder.task_id) == Task.id, col(Reminder.user_id) == bindparam("viewer_id"))
        .correlate(Task)
        .scalar_subquery()
    )
    return subquery.label("reminders")


_Child = aliased(Task)


def _children_count(*where: Any) -> Any:
    return (
        select(func.count())
        .where(col(_Child.parent_id) == Task.id, col(_Child.deleted_at).is_(None), *where)
        .correlate(Task)
        .scalar_subquery()
    )


def subtasks_columns() -> tuple[Label[Any], Label[Any]]:
    """`subtasks_open` and `subtasks_total`: correlated counts of each task row's direct
    subtasks, read from the parent index, so a page needs no query of its own for them."""
    return (
        _children_count(col(_Child.completed).is_(False)).label("subtasks_open"),
        _children_count().label("subtasks_total"),
    )


def task_row_columns(dialect: str) -> tuple[Any, ...]:
    """What a task row holds, each under its name: the task's public columns, `reminders`
    (the `viewer_id` parameter's) and the subtask counts. A statement may add columns of
    its own."""
    return (*_PUBLIC_COLUMNS, reminders_column(dialect), *subtasks_columns())


def reminder_pairs(value: list[list[Any]] | None) -> Reminders:
    """What `reminders_column` holds, as (remind_at, offset_minutes) pairs in time order."""
    if not value:
        return []
    # PostgreSQL writes an offset into the JSON; SQLite keeps UTC without one.
    pairs = [(as_utc(datetime.fromisoformat(at)), offset) for at, offset in value]
    pairs.sort(key=lambda pair: pair[0])
    return pairs


def public_fields(values: Sequence[Any], reminders: Reminders, counts: Counts) -> PublicFields:
    """TaskPublic's fields: the task's public values (as `task_fields` and `rows_fields`
    read them by name), its reminders and its subtask counts."""
    fields = dict(zip(_PUBLIC_NAMES, values, strict=True))
    if reminders:
        fields["reminders"] = [remind_at for remind_at, _ in reminders]
        fields["remind_before_minutes"] = sorted(
            {offset for _, offset in reminders if offset is not None}
        )
    else:  # most tasks have none: no set to build and sort
        fields["reminders"] = []
        fields["remind_before_minutes"] = []
    fields["subtasks"] = {"open": counts[0], "total": counts[1]}
    return fields


def task_fields(task: Task, reminders: Reminders, counts: Counts) -> PublicFields:
    """A Task, its reminders and subtask counts as TaskPublic's fields."""
    return public_fields(_task_values(task), reminders, counts)


def rows_fields(rows: Sequence[Row[Any]]) -> list[PublicFields]:
    """Rows holding `task_row_columns` (and maybe other columns) as TaskPublic's fields. The
    columns are found by name once for all the rows: a lookup by name in each row would cost
    a listed page more than presenting it."""
    if not rows:
        return []
    names = rows[0]._fields
    task_values = itemgetter(*map(names.index, _PUBLIC_NAMES))
    reminders = itemgetter(names.index("reminders"))
    counts = itemgetter(names.index("subtasks_open"), names.index("subtasks_total"))
    return [
        public_fields(task_values(row), reminder_pairs(reminders(row)), counts(row)) for row in rows
    ]


def as_public(items: list[PublicFields]) -> list[TaskPublic]:
    """Public fields as models, in one validation."""
    return _PUBLIC_LIST.validate_python(items)


@dataclass(frozen=True, slots=True)
class PublicPage:
    """A page of tasks as their public fields, for the caller to render: `task_page()` as
    models, `json()` as the REST API writes it."""

    items: list[PublicFields]
    total: int
    page: int
    limit: int

    def task_page(self) -> TaskPage:
        return TaskPage(
            items=as_public(self.items), total=self.total, page=self.page, limit=self.limit
        )

    def json(self) -> bytes:
        """The same bytes `task_page()` writes (a test holds it so), with no model built per
        task: orjson is the cheaper writer on the hot path (bench/README.md)."""
        page = {"items": self.items, "total": self.total, "page": self.page, "limit": self.limit}
        return orjson.dumps(page, option=orjson.OPT_UTC_Z)


# Built once: a statement built per call costs more than running it.
_REMINDERS_OF = (
    select(Reminder.task_id, Reminder.remind_at, Reminder.offset_minutes)
    .where(
        col(Reminder.task_id).in_(bindparam("ids", expanding=True)),
        col(Reminder.user_id) == bindparam("viewer_id"),
    )
    .order_by(col(Reminder.remind_at), col(Reminder.id))
)


_SUBTASKS_OF = (
    select(
        Task.parent_id,
        func.count().filter(col(Task.completed).is_(False)),
        func.count(),
    )
    .where(
        col(Task.parent_id).in_(bindparam("ids", expanding=True)), col(Task.deleted_at).is_(None)
    )
    .group_by(col(Task.parent_id))
)


def subtask_counts(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID | None, Counts]:
    """The subtask counts of the tasks `ids` that have subtasks, in one query."""
    if not ids:
        return {}
    rows = session.exec(_SUBTASKS_OF, params={"ids": list(ids)}).all()
    return {parent_id: (open_count, total) for parent_id, open_count, total in rows}


def tasks_public(
    session: Session, tasks: Sequence[Task], viewer_id: uuid.UUID | None
) -> list[TaskPublic]:
    """Tasks, as ORM instances, in their public shape as `viewer_id` sees them (with that
    user's reminders: they are personal; None: nobody's), the reminders read in one query and
    the subtask counts in another."""
    ids = [task.id for task in tasks]
    by_task: dict[uuid.UUID, Reminders] = defaultdict(list)
    if ids and viewer_id is not None:
        params = {"ids": ids, "viewer_id": viewer_id}
        rows = session.exec(_REMINDERS_OF, params=params).all()
        for task_id, remind_at, offset in rows:
            by_task[task_id].append((remind_at, offset))
    counts = subtask_counts(session, ids)
    return as_public(
        [task_fields(task, by_task[task.id], counts.get(task.id, NO_SUBTASKS)) for task in tasks]
    )


def task_public(
    session: Session,
    task: Task,
    viewer_id: uuid.UUID | None,
    reminders: Reminders | None = None,
    counts: Counts | None = None,
) -> TaskPublic:
    """The task as `viewer_id` sees it; `reminders` (that user's), in time order, and
    `counts` when the caller knows them (a task it just created): then no query for them."""
    if reminders is None or counts is None:
        return tasks_public(session, [task], viewer_id)[0]
    return as_public([task_fields(task, reminders, counts)])[0]


# Reminders are personal, and a task event goes to every member of the task's project.
_PERSONAL = {"reminders", "remind_before_minutes"}


def task_snapshot(task: TaskPublic) -> dict[str, Any]:
    """A task event's `task`: the task's public fields as JSON values, less its reminders,
    which would be someone's."""
    return task.model_dump(mode="json", exclude=_PERSONAL)
