"""What the workers do with the tasks of a trashed or archived project: a trashed project's
tasks neither remind nor recur until it is restored; an archived project's keep reminding
(archiving hides a project from the views, it does not silence what its tasks ask for)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select
from test_worker_queries import lose_successors

from todo_app.db import session_scope
from todo_app.models import Reminder, Task, User
from todo_app.schemas import ProjectCreate, RegisterRequest, TaskCreate
from todo_app.services import auth, projects, reminders, tasks
from todo_app.services.recurrence import ensure_successor, lacking_successor


def _user(session: Session) -> User:
    return auth.register(
        session, RegisterRequest(email="trash@example.com", password="correct horse"), "test"
    )


def _series(session: Session, task_id: object) -> list[Task]:
    task = session.get(Task, task_id)
    assert task is not None
    return list(session.exec(select(Task).where(Task.series_id == task.series_id)).all())


def test_a_trashed_projects_tasks_neither_remind_nor_recur_until_restored(db):
    now = datetime.now(UTC).replace(microsecond=0)
    due = (now + timedelta(hours=1)).isoformat()
    with session_scope() as session:
        user = _user(session)
        gone = projects.create_project(session, user, ProjectCreate(name="Gone"))
        done = tasks.create_task(
            session, user, TaskCreate(title="D", due_at=due, rrule="daily", project_id=gone.id)
        )
        skipped = tasks.create_task(
            session, user, TaskCreate(title="S", due_at=due, rrule="daily", project_id=gone.id)
        )
        reminded = tasks.create_task(
            session,
            user,
            TaskCreate(title="R", project_id=gone.id, reminders=[now.isoformat()]),
        )
        tasks.complete_task(session, user, done.id)
        tasks.skip_task(session, user, skipped.id)
        # The successors go missing (a lost event's gap), then the project goes to the trash.
        lose_successors(session, done.id, skipped.id)
        session.flush()
        projects.delete_project(session, user, gone.id)
    since = now - timedelta(hours=1)
    with session_scope() as session:
        # The sweep does not pick the trashed completion; the skip it may, but makes nothing.
        assert done.id not in {t.id for t in lacking_successor(session, since, 10)}
        for task_id in (done.id, skipped.id):
            task = session.get(Task, task_id)
            assert task is not None
            assert ensure_successor(session, task, user.timezone) is None
            assert len(_series(session, task_id)) == 1
        assert reminders.fire_due(session, now + timedelta(minutes=1)) == []
        sent = session.exec(select(Reminder).where(Reminder.task_id == reminded.id)).one()
        assert sent.sent_at is None
        projects.restore_project(session, user, gone.id)
    with session_scope() as session:
        assert [r.task_id for r in reminders.fire_due(session, now + timedelta(minutes=1))] == [
            reminded.id
        ]
        for task_id in (done.id, skipped.id):
            task = session.get(Task, task_id)
            assert task is not None
            assert ensure_successor(session, task, user.timezone) is not None
            assert len(_series(session, task_id)) == 2


def test_an_archived_projects_tasks_keep_reminding(db):
    now = datetime.now(UTC).replace(microsecond=0)
    with session_scope() as session:
        user = _user(session)
        old = projects.create_project(session, user, ProjectCreate(name="Old"))
        reminded = tasks.create_task(
            session, user, TaskCreate(title="R", project_id=old.id, reminders=[now.isoformat()])
        )
        projects.archive_project(session, user, old.id)
    with session_scope() as session:
        fired = reminders.fire_due(session, now + timedelta(minutes=1))
        assert [r.task_id for r in fired] == [reminded.id]
