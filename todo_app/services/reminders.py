"""Reminder firing: each due reminder is claimed once and announced through the outbox."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, case, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped
from sqlmodel import Session, col, select

from todo_app.models import ProjectMember, Reminder, Task
from todo_app.services import outbox

# A reminder fired this long after its time is marked late (after downtime, say).
LATE_AFTER = timedelta(seconds=60)


def _sees_project(user_id: Mapped[uuid.UUID | None]) -> ColumnElement[bool]:
    """The user still sees the task's project: its owner, or a member."""
    member = (
        select(ProjectMember.id)
        .where(
            col(ProjectMember.project_id) == Task.project_id,
            col(ProjectMember.user_id) == user_id,
        )
        # The task (and reminder) of the statement, even from within another subquery.
        .correlate_except(ProjectMember)
        .exists()
    )
    return or_(col(Task.user_id) == user_id, member)


def _still_member() -> ColumnElement[bool]:
    """The reminder's user still sees the task's project: one who left or was removed is
    reminded of nothing there."""
    return _sees_project(col(Reminder.user_id))


def _due_time_recipient() -> ColumnElement[uuid.UUID]:
    """Whom a high-priority task's due-time reminder reminds: its assignee; unassigned, its
    creator, or its owner once the creator is gone (account deleted, or left the project)."""
    creator = col(Task.created_by)
    return func.coalesce(
        col(Task.assignee_id), case((_sees_project(creator), creator), else_=col(Task.user_id))
    )


def _live_unsent():  # type: ignore[no-untyped-def]
    return (
        select(Reminder, Task)
        .join(Task, col(Task.id) == Reminder.task_id)
        .where(
            col(Reminder.sent_at).is_(None),
            col(Task.completed).is_(False),
            col(Task.deleted_at).is_(None),
            _still_member(),
        )
    )


def next_remind_at(session: Session) -> datetime | None:
    """When the earliest unsent reminder of an open task is due, if any."""
    statement = (
        select(func.min(Reminder.remind_at))
        .join(Task, col(Task.id) == Reminder.task_id)
        .where(
            col(Reminder.sent_at).is_(None),
            col(Task.completed).is_(False),
            col(Task.deleted_at).is_(None),
            _still_member(),
        )
    )
    return session.exec(statement).one()


def fire_due(session: Session, now: datetime, limit: int = 200) -> list[Reminder]:
    """Claim every reminder due by `now` and queue its reminder.due event, exactly once.

    The claim is an UPDATE guarded by `sent_at IS NULL`, so two schedulers racing fire a
    reminder once between them; the event commits with the claim.
    """
    due = session.exec(
        _live_unsent()
        .where(col(Reminder.remind_at) <= now)
        .order_by(col(Reminder.remind_at))
        .limit(limit)
    ).all()
    fired: list[Reminder] = []
    for reminder, task in due:
        claimed = session.exec(
            update(Reminder)  # type: ignore[call-overload]
            .where(col(Reminder.id) == reminder.id, col(Reminder.sent_at).is_(None))
            .values(sent_at=now, attempts=Reminder.attempts + 1)
        )
        if claimed.rowcount != 1:
            continue
        late = now - reminder.remind_at > LATE_AFTER
        outbox.emit(
            session,
            "reminder.due",
            {
                "user_id": str(reminder.user_id),
                "task_id": str(task.id),
                "reminder_id": str(reminder.id),
                "remind_at": reminder.remind_at.isoformat(),
                "fired_at": now.isoformat(),
                "late": late,
                "title": task.title,
                "due_at": task.due_at.isoformat() if task.due_at else None,
                "priority": task.priority,
            },
            source="reminders",
        )
        fired.append(reminder)
    session.flush()
    return fired


# Namespace of the ids of due-time reminders: one id per (task, due time) makes adding idempotent.
_DUE_REMINDER_NS = uuid.UUID("6f1d3c2a-8b4e-4f0a-9c7d-2e5b8a1f4d63")


def add_due_time_reminders(
    session: Session,
    now: datetime,
    horizon: timedelta,
    catch_up: timedelta = timedelta(hours=1),
    limit: int = 200,
) -> list[Reminder]:
    """Give open high-priority tasks due (with a time) within [now - catch_up, now + horizon]
    a reminder at their due time for their recipient (`_due_time_recipient`), unless that
    user has a reminder of the task already; returns the reminders added.

    Idempotent even between racing schedulers: the reminder's id is derived from the task, its
    due time and the recipient, so a second insert fails on the primary key and is dropped.
    """
    recipient = _due_time_recipient()
    # Reminders are personal: another member's reminder does not remind the recipient.
    has_reminder = (
        select(Reminder.id)
        .where(col(Reminder.task_id) == Task.id, col(Reminder.user_id) == recipient)
        .exists()
    )
    candidates = session.exec(
        select(Task, recipient)
        .where(
            Task.priority == "high",
            col(Task.all_day).is_(False),
            col(Task.completed).is_(False),
            col(Task.deleted_at).is_(None),
            col(Task.due_at) >= now - catch_up,
            col(Task.due_at) <= now + horizon,
            ~has_reminder,
        )
        .order_by(col(Task.due_at))
        .limit(limit)
    ).all()
    added: list[Reminder] = []
    for task, user_id in candidates:
        assert task.due_at is not None
        reminder = Reminder(
            id=uuid.uuid5(_DUE_REMINDER_NS, f"{task.id}:{task.due_at.isoformat()}:{user_id}"),
            task_id=task.id,
            user_id=user_id,
            remind_at=task.due_at,
            offset_minutes=0,
        )
        try:
            with session.begin_nested():
                session.add(reminder)
                session.flush()
        except IntegrityError:
            continue
        added.append(reminder)
    return added
