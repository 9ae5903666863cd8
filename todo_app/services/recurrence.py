"""Creating the next occurrence of a recurring task: one idempotent path for every caller."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from todo_app.core.recurrence import Rule, next_occurrence
from todo_app.models import Reminder, Task, utcnow
from todo_app.services import outbox, subtasks
from todo_app.services.presenters import task_public, task_snapshot
from todo_app.services.projects import project_trashed


def _completion_anchor(task: Task, tz: str) -> datetime:
    """Where an "every!" series restarts: the completion day at the task's usual time."""
    assert task.completed_at is not None and task.occurrence_at is not None
    zone = ZoneInfo(tz)
    done = task.completed_at.astimezone(zone)
    if task.rrule and Rule.from_text(task.rrule).freq == "HOURLY":
        return task.completed_at
    due_time = time(0, 0) if task.all_day else task.occurrence_at.astimezone(zone).timetz()
    return datetime.combine(done.date(), due_time.replace(tzinfo=None), tzinfo=zone)


def next_slot(session: Session, task: Task, tz: str) -> datetime | None:
    """The occurrence that follows `task` in its series, or None when the series has ended."""
    if not task.rrule or task.occurrence_at is None:
        return None
    rule = Rule.from_text(task.rrule)
    if rule.count is not None:
        # Each stored row is one occurrence, so COUNT is checked against the series' rows.
        existing = session.exec(
            select(func.count()).select_from(Task).where(Task.series_id == task.series_id)
        ).one()
        if existing >= rule.count:
            return None
        rule = rule.replace(count=None)
    if task.repeat_from == "completion" and task.completed_at is not None:
        anchor = _completion_anchor(task, tz)
        slot = next_occurrence(rule, dtstart=anchor, after=anchor, tz=tz)
        if slot is not None and slot <= task.occurrence_at:
            slot = next_occurrence(rule, dtstart=anchor, after=task.occurrence_at, tz=tz)
        return slot
    return next_occurrence(rule, dtstart=task.occurrence_at, after=task.occurrence_at, tz=tz)


def successor_of(session: Session, task: Task) -> Task | None:
    """The occurrence right after `task` in its series, if one exists."""
    if task.occurrence_at is None:
        return None
    return session.exec(
        select(Task)
        .where(Task.series_id == task.series_id, col(Task.occurrence_at) > task.occurrence_at)
        .order_by(col(Task.occurrence_at))
        .limit(1)
    ).first()


def ensure_successor(session: Session, task: Task, tz: str) -> Task | None:
    """Create the next occurrence of a completed or skipped recurring task, exactly once.

    Idempotent: the unique (series_id, occurrence_at) key turns a racing second creator into
    a lookup of the row the first one made. A task of a project in the trash does not recur:
    its successor would be a live task in the trash.
    """
    if project_trashed(session, task.project_id):
        return None
    slot = next_slot(session, task, tz)
    if slot is None:
        return None
    statement = select(Task).where(Task.series_id == task.series_id, Task.occurrence_at == slot)
    existing = session.exec(statement).first()
    if existing is not None:
        return existing
    assert task.occurrence_at is not None
    shift = slot - task.occurrence_at
    now = utcnow()
    successor = Task(
        id=uuid.uuid4(),
        user_id=task.user_id,
        project_id=task.project_id,
        section_id=task.section_id,
        parent_id=task.parent_id,
        **_copied_fields(task),
        due_at=slot,
        rrule=task.rrule,
        repeat_from=task.repeat_from,
        series_id=task.series_id,
        occurrence_at=slot,
        created_at=now,
        updated_at=now,
    )
    reminders = session.exec(select(Reminder).where(Reminder.task_id == task.id)).all()
    copies = _fresh_subtasks(session, task, successor, shift)
    try:
        with session.begin_nested():
            session.add(successor)
            session.flush()
            session.add_all(copies)
            session.flush()
            for reminder in reminders:
                session.add(
                    Reminder(
                        task_id=successor.id,
                        user_id=reminder.user_id,
                        remind_at=reminder.remind_at + shift,
                        offset_minutes=reminder.offset_minutes,
                    )
                )
            session.flush()
    except IntegrityError:
        return session.exec(statement).first()
    for created in (successor, *copies):
        outbox.emit(
            session,
            "task.created",
            {
                "user_id": str(task.user_id),
                "task_id": str(created.id),
                "reason": "recurrence",
                "previous_task_id": str(task.id),
                "task": task_snapshot(task_public(session, created, None)),
            },
        )
    return successor


def _copied_fields(task: Task) -> dict[str, Any]:
    """The fields a copy of the task for another occurrence takes over unchanged."""
    return {
        "title": task.title,
        "description": task.description,
        "priority": task.priority,
        "tags": list(task.tags),
        "tag_keys": list(task.tag_keys),
        "search_text": task.search_text,
        "all_day": task.all_day,
        "position": task.position,
        "assignee_id": task.assignee_id,
        "created_by": task.created_by,
    }


def _fresh_subtasks(session: Session, task: Task, successor: Task, shift: timedelta) -> list[Task]:
    """Open copies of the task's subtasks (not deleted) for its next occurrence, their due
    dates moved as far as the occurrence moved. A recurring subtask is not copied: its own
    series makes its next occurrence."""
    copied = {task.id: successor.id}
    copies = []
    for child in subtasks.descendants(session, task):
        if child.deleted_at is not None or child.rrule or child.parent_id not in copied:
            continue
        copy = Task(
            id=uuid.uuid4(),
            user_id=successor.user_id,
            project_id=successor.project_id,
            section_id=successor.section_id,
            parent_id=copied[child.parent_id],
            **_copied_fields(child),
            due_at=child.due_at + shift if child.due_at else None,
            created_at=successor.created_at,
            updated_at=successor.updated_at,
        )
        copy.series_id = copy.id
        copied[child.id] = copy.id
        copies.append(copy)
    return copies


# The completed or skipped occurrence, apart from the later one it is compared with.
_Done = aliased(Task)


def lacking_successor(
    session: Session, since: datetime, limit: int, exclude: Collection[uuid.UUID] = ()
) -> list[Task]:
    """Recurring tasks completed or skipped since `since` that have no later occurrence.

    Oldest change first, at most `limit`, leaving out the ids in `exclude` (series known to
    have ended). What `ensure_successor` is for when the event that should have caused it was
    lost. A deleted occurrence is not among them: only a skip moves the series on.
    """
    later = (
        select(Task.id)
        .where(
            Task.series_id == _Done.series_id,
            col(Task.occurrence_at) > _Done.occurrence_at,
        )
        .exists()
    )
    statement = (
        select(_Done)
        .where(
            col(_Done.rrule).is_not(None),
            col(_Done.occurrence_at).is_not(None),
            col(_Done.updated_at) >= since,
            (col(_Done.completed).is_(True) & col(_Done.deleted_at).is_(None))
            | col(_Done.skipped_at).is_not(None),
            ~later,
        )
        .order_by(col(_Done.updated_at), col(_Done.id))
        .limit(limit)
    )
    if exclude:
        statement = statement.where(col(_Done.id).not_in(list(exclude)))
    return list(session.exec(statement).all())
