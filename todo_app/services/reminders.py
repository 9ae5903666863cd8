"""Reminder firing: each due reminder is claimed once and announced through the outbox."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from todo_app.models import Reminder, Task
from todo_app.services import outbox

# A reminder fired this long after its time is marked late (after downtime, say).
LATE_AFTER = timedelta(seconds=60)


def _live_unsent():  # type: ignore[no-untyped-def]
    return (
        select(Reminder, Task)
        .join(Task, col(Task.id) == Reminder.task_id)
        .where(
            col(Reminder.sent_at).is_(None),
            col(Task.completed).is_(False),
            col(Task.deleted_at).is_(None),
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
                "user_id": str(task.user_id),
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
