"""The effects the workers run: firing reminders, notifying, auditing (on both databases)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from todo_app.db import get_engine, session_scope
from todo_app.models import AuditLog, Notification, OutboxEvent, Reminder, User
from todo_app.schemas import RegisterRequest, TaskCreate
from todo_app.services import audit, auth, notifications, reminders, tasks


def _user(session: Session) -> User:
    return auth.register(
        session, RegisterRequest(email="fx@example.com", password="correct horse"), "test"
    )


def _events(db: str, event_type: str) -> list[dict]:
    with Session(get_engine(db)) as session:
        rows = session.exec(select(OutboxEvent).order_by(OutboxEvent.seq)).all()
        return [row.payload for row in rows if row.payload["type"] == event_type]


def test_due_reminders_fire_once_and_only_for_open_tasks(db):
    now = datetime.now(UTC).replace(microsecond=0)
    with session_scope() as session:
        user = _user(session)
        soon = tasks.create_task(
            session,
            user,
            TaskCreate(title="Call Ann", reminders=[(now - timedelta(seconds=5)).isoformat()]),
        )
        old = tasks.create_task(
            session,
            user,
            TaskCreate(title="Old", reminders=[(now - timedelta(hours=2)).isoformat()]),
        )
        done = tasks.create_task(
            session,
            user,
            TaskCreate(title="Done", reminders=[(now - timedelta(minutes=1)).isoformat()]),
        )
        tasks.complete_task(session, user, done.id)
        tasks.create_task(
            session,
            user,
            TaskCreate(title="Later", reminders=[(now + timedelta(hours=1)).isoformat()]),
        )
    with session_scope() as session:
        assert reminders.next_remind_at(session) == now - timedelta(hours=2)
        fired = reminders.fire_due(session, now)
    assert sorted(str(r.task_id) for r in fired) == sorted([str(soon.id), str(old.id)])
    with session_scope() as session:
        assert reminders.fire_due(session, now + timedelta(seconds=1)) == []
        assert reminders.next_remind_at(session) == now + timedelta(hours=1)
        sent = session.exec(select(Reminder).where(Reminder.sent_at.is_not(None))).all()  # type: ignore[union-attr]
        assert len(sent) == 2
    due = {e["data"]["title"]: e["data"] for e in _events(db, "reminder.due")}
    assert set(due) == {"Call Ann", "Old"}
    assert due["Old"]["late"] is True and due["Call Ann"]["late"] is False


def test_reminder_notification_and_audit(db):
    now = datetime.now(UTC)
    with session_scope() as session:
        user = _user(session)
        task = tasks.create_task(
            session,
            user,
            TaskCreate(title="Pay rent", due_at=now.isoformat(), remind_before_minutes=[0]),
        )
        reminders.fire_due(session, now + timedelta(seconds=1))
    event = _events(db, "reminder.due")[0]
    with session_scope() as session:
        notifications.create_for_reminder(session, event["data"])
    with Session(get_engine(db)) as session:
        note = session.exec(select(Notification)).one()
        assert note.title == "Pay rent" and note.task_id == task.id and note.kind == "reminder"
    assert _events(db, "notification.created")[0]["data"]["notification_id"] == str(note.id)
    with session_scope() as session:
        first = audit.record(session, event)
        again = audit.record(session, event)
    assert first is not None and again is None
    with Session(get_engine(db)) as session:
        row = session.exec(select(AuditLog)).one()
        assert row.action == "reminder.due" and row.resource_type == "reminder"
        assert (
            row.details["title"] == "Pay rent" and row.resource_id == event["data"]["reminder_id"]
        )


def test_audit_purge_keeps_recent_rows(db):
    now = datetime.now(UTC)
    with session_scope() as session:
        user = _user(session)
        for age_days in (1, 89, 91, 400):
            session.add(
                AuditLog(
                    user_id=user.id,
                    action="task.created",
                    resource_type="task",
                    event_id=f"e{age_days}",
                    at=now - timedelta(days=age_days),
                )
            )
    with session_scope() as session:
        assert audit.purge(session, timedelta(days=90), now) == 2
    with Session(get_engine(db)) as session:
        kept = sorted(row.event_id for row in session.exec(select(AuditLog)).all())
    assert kept == ["e1", "e89"]
