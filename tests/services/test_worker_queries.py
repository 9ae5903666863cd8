"""The queries the workers need: due-time reminders, missing successors, queued emails."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, delete, select

from todo_app.db import session_scope
from todo_app.models import Notification, OutboxEvent, Reminder, Task, User
from todo_app.schemas import MemberAdd, ProjectCreate, RegisterRequest, TaskCreate, TaskUpdate
from todo_app.services import auth, invitations, notifications, projects, reminders, tasks
from todo_app.services.recurrence import lacking_successor, successor_of


def _user(session: Session) -> User:
    return auth.register(
        session, RegisterRequest(email="wq@example.com", password="correct horse"), "test"
    )


def lose_successors(session: Session, *task_ids: object) -> None:
    """Delete the next occurrence each task made, as a lost event would have left them."""
    for task_id in task_ids:
        task = session.get(Task, task_id)
        assert task is not None
        successor = successor_of(session, task)
        assert successor is not None
        session.delete(successor)


def test_high_priority_tasks_due_soon_get_one_due_time_reminder(db):
    now = datetime.now(UTC).replace(microsecond=0)
    soon = (now + timedelta(minutes=1)).isoformat()
    with session_scope() as session:
        user = _user(session)
        urgent = tasks.create_task(
            session, user, TaskCreate(title="U", priority="high", due_at=soon)
        )
        tasks.create_task(session, user, TaskCreate(title="M", due_at=soon))
        tasks.create_task(
            session,
            user,
            TaskCreate(title="Far", priority="high", due_at=(now + timedelta(days=2)).isoformat()),
        )
        tasks.create_task(
            session,
            user,
            TaskCreate(title="Has one", priority="high", due_at=soon, reminders=[now.isoformat()]),
        )
    with session_scope() as session:
        added = reminders.add_due_time_reminders(session, now, timedelta(minutes=5))
    assert [(r.task_id, r.remind_at, r.offset_minutes) for r in added] == [
        (urgent.id, now + timedelta(minutes=1), 0)
    ]
    with session_scope() as session:
        assert reminders.add_due_time_reminders(session, now, timedelta(minutes=5)) == []
        rows = session.exec(select(Reminder).where(Reminder.task_id == urgent.id)).all()
    assert len(rows) == 1


def test_a_due_time_reminder_goes_to_the_assignee_else_the_creator_else_the_owner(db):
    now = datetime.now(UTC).replace(microsecond=0)
    soon = (now + timedelta(minutes=1)).isoformat()
    with session_scope() as session:
        owner, maker, doer, other, leaver = (
            auth.register(
                session,
                RegisterRequest(email=f"{name}@example.com", password="correct horse"),
                "test",
            )
            for name in ("owner", "maker", "doer", "other", "leaver")
        )
        project = projects.create_project(session, owner, ProjectCreate(name="Team"))
        for person in (maker, doer, other, leaver):
            add = MemberAdd(email=person.email, role="editor")
            invitations.share(session, owner, project.id, add)

        def high(by: User, **fields: Any) -> uuid.UUID:
            made = TaskCreate(
                title="T", priority="high", due_at=soon, project_id=project.id, **fields
            )
            return tasks.create_task(session, by, made).id

        assigned = high(maker, assignee_id=doer.id)
        unassigned = high(maker)
        # Another member's reminder is theirs: the creator is still reminded.
        noted = high(maker)
        tasks.update_task(session, other, noted, TaskUpdate(reminders=[now.isoformat()]))
        left = high(leaver)
        projects.leave_project(session, leaver, project.id)
        deleted = high(maker)
        # What deleting the creator's account leaves (the key is set null).
        gone = session.get(Task, deleted)
        assert gone is not None
        gone.created_by = None
        owner_id, maker_id, doer_id = owner.id, maker.id, doer.id
    with session_scope() as session:
        added = reminders.add_due_time_reminders(session, now, timedelta(minutes=5))
        assert reminders.add_due_time_reminders(session, now, timedelta(minutes=5)) == []
        # Given to someone else, the task reminds its new assignee too.
        maker = session.get_one(User, maker_id)
        tasks.update_task(session, maker, assigned, TaskUpdate(assignee_id=maker_id))
        again = reminders.add_due_time_reminders(session, now, timedelta(minutes=5))
        assert [(r.task_id, r.user_id) for r in again] == [(assigned, maker_id)]
    assert {(r.task_id, r.user_id) for r in added} == {
        (assigned, doer_id),
        (unassigned, maker_id),
        (noted, maker_id),
        (left, owner_id),
        (deleted, owner_id),
    }


def test_lacking_successor_finds_completed_and_skipped_but_not_deleted(db):
    now = datetime.now(UTC)
    due = (now + timedelta(hours=1)).replace(microsecond=0).isoformat()
    with session_scope() as session:
        user = _user(session)
        done = tasks.create_task(session, user, TaskCreate(title="D", due_at=due, rrule="daily"))
        skipped = tasks.create_task(session, user, TaskCreate(title="S", due_at=due, rrule="daily"))
        deleted = tasks.create_task(session, user, TaskCreate(title="X", due_at=due, rrule="daily"))
        tasks.complete_task(session, user, done.id)
        tasks.skip_task(session, user, skipped.id)
        tasks.delete_task(session, user, deleted.id)
    since = now - timedelta(hours=1)
    with session_scope() as session:
        assert lacking_successor(session, since, 10) == []
        lose_successors(session, done.id, skipped.id)
    with session_scope() as session:
        found = {task.id for task in lacking_successor(session, since, 10)}
        assert found == {done.id, skipped.id}
        assert [t.id for t in lacking_successor(session, since, 10, exclude=[done.id])] == [
            skipped.id
        ]
        assert lacking_successor(session, now + timedelta(hours=1), 10) == []


def test_queued_emails_are_listed_until_settled(db):
    with session_scope() as session:
        user = _user(session)
        task = tasks.create_task(session, user, TaskCreate(title="T"))
        row = notifications.create_for_reminder(
            session, {"user_id": str(user.id), "task_id": str(task.id), "title": "T"}
        )
        notifications.queue_email(session, row)
        notifications.create_for_reminder(
            session, {"user_id": str(user.id), "task_id": str(task.id), "title": "no mail"}
        )
    since = datetime.now(UTC) - timedelta(hours=1)
    with session_scope() as session:
        assert [n.id for n in notifications.pending_emails(session, since)] == [row.id]
        notifications.settle_email(session, row.id, notifications.EMAIL_SENT)
    with session_scope() as session:
        assert notifications.pending_emails(session, since) == []
        stored = session.get(Notification, row.id)
        assert stored is not None and stored.channels == ["in_app", notifications.EMAIL_SENT]


def test_the_sweep_tells_a_skip_from_a_delete_by_the_task_alone(db):
    now = datetime.now(UTC)
    due = (now + timedelta(hours=1)).replace(microsecond=0).isoformat()
    with session_scope() as session:
        user = _user(session)
        made = {
            name: tasks.create_task(
                session, user, TaskCreate(title=name, due_at=due, rrule="daily")
            )
            for name in ("skipped", "deleted", "skipped then restored and deleted")
        }
        tasks.skip_task(session, user, made["skipped"].id)
        tasks.delete_task(session, user, made["deleted"].id)
        again = made["skipped then restored and deleted"].id
        tasks.skip_task(session, user, again)
        tasks.restore_task(session, user, again)
        tasks.delete_task(session, user, again)
    with session_scope() as session:
        # The events are gone (published and purged): the task rows must say it all.
        session.exec(delete(OutboxEvent))
        lose_successors(session, made["skipped"].id, again)
    with session_scope() as session:
        found = lacking_successor(session, now - timedelta(hours=1), 10)
        assert [task.id for task in found] == [made["skipped"].id]
        skipped = session.get(Task, made["skipped"].id)
        restored = session.get(Task, again)
        assert skipped is not None and skipped.skipped_at == skipped.deleted_at
        assert restored is not None and restored.skipped_at is None
