"""Turning task rows into their public shape, reminders included, with one query per batch."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence

from sqlmodel import Session, col, select

from todo_app.models import Reminder, Task
from todo_app.schemas import TaskPublic


def _public(task: Task, reminders: list[Reminder]) -> TaskPublic:
    return TaskPublic(
        id=task.id,
        title=task.title,
        description=task.description,
        priority=task.priority,
        tags=list(task.tags),
        due_at=task.due_at,
        all_day=task.all_day,
        rrule=task.rrule,
        repeat_from=task.repeat_from,
        series_id=task.series_id,
        occurrence_at=task.occurrence_at,
        completed=task.completed,
        completed_at=task.completed_at,
        deleted_at=task.deleted_at,
        position=task.position,
        created_at=task.created_at,
        updated_at=task.updated_at,
        version=task.version,
        reminders=[reminder.remind_at for reminder in reminders],
        remind_before_minutes=sorted(
            {r.offset_minutes for r in reminders if r.offset_minutes is not None}
        ),
    )


def tasks_public(session: Session, tasks: Sequence[Task]) -> list[TaskPublic]:
    ids = [task.id for task in tasks]
    by_task: dict[uuid.UUID, list[Reminder]] = defaultdict(list)
    if ids:
        rows = session.exec(
            select(Reminder)
            .where(col(Reminder.task_id).in_(ids))
            .order_by(col(Reminder.remind_at), col(Reminder.id))
        ).all()
        for reminder in rows:
            by_task[reminder.task_id].append(reminder)
    return [_public(task, by_task[task.id]) for task in tasks]


def task_public(session: Session, task: Task) -> TaskPublic:
    return tasks_public(session, [task])[0]
