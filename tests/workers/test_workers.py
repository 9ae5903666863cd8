"""The worker classes without Ray: the paths the end-to-end run does not take."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from todo_app.bus import BusConfig, validate_envelope
from todo_app.core.events import cloud_event
from todo_app.db import get_engine, session_scope
from todo_app.models import Notification, OutboxEvent, Task, User
from todo_app.schemas import RegisterRequest, TaskCreate
from todo_app.services import auth, notifications, tasks
from workers.actors import RemoteWorkerActor, WorkerActor
from workers.broker import LOOPBACK, free_port
from workers.notifications import NotificationsWorker, SmtpConfig
from workers.recurrence import RecurrenceWorker
from workers.reminders import RemindersWorker

WaitUntil = Callable[..., Any]


@pytest.fixture
def user(db: str) -> User:
    with session_scope(db) as session:
        created = auth.register(
            session, RegisterRequest(email="w@example.com", password="correct horse"), "test"
        )
        created.email_notifications = True
        session.add(created)
    return created


@pytest.fixture
def stopping() -> Iterator[list[Any]]:
    """Workers appended here are stopped after the test."""
    started: list[Any] = []
    yield started
    for worker in started:
        worker.stop()


def test_the_actor_shell_is_the_plain_class():
    assert RemoteWorkerActor.__ray_actor_class__ is WorkerActor


def test_a_failed_email_is_recorded_and_the_in_app_notification_kept(
    db: str, bus: BusConfig, user: User, stopping: list[Any], wait_until: WaitUntil
):
    nowhere = SmtpConfig(host=LOOPBACK, port=free_port(), timeout=1)
    worker = NotificationsWorker(
        bus=bus, database_url=db, smtp=nowhere, mail_retry_delays=(0.01, 0.02)
    )
    stopping.append(worker)
    worker.start()
    with session_scope(db) as session:
        task = tasks.create_task(session, user, TaskCreate(title="Call Ann"))
    event = validate_envelope(
        cloud_event(
            "reminder.due",
            {"user_id": str(user.id), "task_id": str(task.id), "title": "Call Ann"},
            "reminders",
        )
    )
    with session_scope(db) as session:
        worker.handle(session, event)

    def channels() -> list[str]:
        with Session(get_engine(db)) as session:
            return list(session.exec(select(Notification)).one().channels)

    wait_until(lambda: notifications.EMAIL_FAILED in channels(), timeout=10, what="the failure")
    assert channels() == ["in_app", notifications.EMAIL_FAILED]
    status = worker.status()
    assert status.emails_failed == 1 and status.emails_sent == 0
    assert status.last_email_error and "ConnectionRefusedError" in status.last_email_error


def test_overdue_reminders_fire_once_marked_late_after_downtime(
    db: str, bus: BusConfig, user: User, stopping: list[Any], wait_until: WaitUntil
):
    two_hours_ago = datetime.now(UTC) - timedelta(hours=2)
    with session_scope(db) as session:
        tasks.create_task(
            session, user, TaskCreate(title="Missed", reminders=[two_hours_ago.isoformat()])
        )
    scheduler = RemindersWorker(bus=bus, database_url=db, poll_interval=0.1)
    stopping.append(scheduler)
    scheduler.start()
    wait_until(lambda: scheduler.status().job.runs >= 3, timeout=10, what="three passes")
    assert (scheduler.status().fired, scheduler.status().late) == (1, 1)
    with Session(get_engine(db)) as session:
        due = [
            row.payload
            for row in session.exec(select(OutboxEvent))
            if row.payload["type"] == "reminder.due"
        ]
    assert len(due) == 1 and due[0]["data"]["late"] is True


def test_a_completion_undone_before_its_event_arrives_gets_no_successor(
    db: str, bus: BusConfig, user: User, stopping: list[Any]
):
    worker = RecurrenceWorker(bus=bus, database_url=db, sweep_interval=60)
    stopping.append(worker)
    worker.start()
    due = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0).isoformat()
    with session_scope(db) as session:
        task = tasks.create_task(session, user, TaskCreate(title="T", due_at=due, rrule="daily"))
        tasks.complete_task(session, user, task.id)
        tasks.uncomplete_task(session, user, task.id)
    data = {"user_id": str(user.id), "task_id": str(task.id)}
    completed = cloud_event("task.completed", data, "tests")
    with session_scope(db) as session:
        worker.handle(session, validate_envelope(completed))
    with Session(get_engine(db)) as session:
        series = session.exec(select(Task).where(Task.series_id == task.id)).all()
    assert [row.id for row in series] == [task.id]
    assert worker.sweep() == 0
    # An event about a task that no longer exists is no error.
    missing = str(uuid.uuid4())
    gone = cloud_event("task.skipped", {"user_id": str(user.id), "task_id": missing}, "tests")
    with session_scope(db) as session:
        worker.handle(session, validate_envelope(gone))


def test_a_skip_restored_then_deleted_gets_no_successor_from_its_old_event(
    db: str, bus: BusConfig, user: User, stopping: list[Any]
):
    worker = RecurrenceWorker(bus=bus, database_url=db, sweep_interval=60)
    stopping.append(worker)
    worker.start()
    due = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0).isoformat()
    with session_scope(db) as session:
        task = tasks.create_task(session, user, TaskCreate(title="T", due_at=due, rrule="daily"))
        tasks.skip_task(session, user, task.id)
        session.flush()
        for row in session.exec(select(Task).where(Task.id != task.id)):
            session.delete(row)
        tasks.restore_task(session, user, task.id)
        tasks.delete_task(session, user, task.id)
    skipped = cloud_event("task.skipped", {"user_id": str(user.id), "task_id": str(task.id)}, "t")
    with session_scope(db) as session:
        worker.handle(session, validate_envelope(skipped))
    with Session(get_engine(db)) as session:
        series = session.exec(select(Task).where(Task.series_id == task.id)).all()
    assert [row.id for row in series] == [task.id]


def test_a_completion_event_makes_a_missing_successor_once(
    db: str, bus: BusConfig, user: User, stopping: list[Any], wait_until: WaitUntil
):
    worker = RecurrenceWorker(bus=bus, database_url=db, sweep_interval=60)
    stopping.append(worker)
    worker.start()
    # The start-up sweep is over before the gap appears: only the event can fill it.
    wait_until(lambda: worker.status().job.runs == 1, timeout=10, what="the first sweep")
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    nine = tomorrow.replace(hour=9, minute=0, second=0, microsecond=0)
    with session_scope(db) as session:
        task = tasks.create_task(
            session, user, TaskCreate(title="T", due_at=nine.isoformat(), rrule="daily")
        )
        tasks.complete_task(session, user, task.id)
        session.flush()
        for row in session.exec(select(Task).where(Task.id != task.id)):
            session.delete(row)
    data = {"user_id": str(user.id), "task_id": str(task.id)}
    completed = validate_envelope(cloud_event("task.completed", data, "tests"))
    for _ in range(2):
        with session_scope(db) as session:
            worker.handle(session, completed)
    with Session(get_engine(db)) as session:
        series = session.exec(select(Task).where(Task.series_id == task.id)).all()
    assert sorted(row.occurrence_at for row in series if row.occurrence_at) == [
        nine,
        nine + timedelta(days=1),
    ]
    assert worker.status().created_by_sweep == 0


def test_a_fresh_sweep_reaches_a_gap_behind_more_ended_series_than_a_page(
    db: str, bus: BusConfig, user: User, stopping: list[Any], wait_until: WaitUntil
):
    nine = (datetime.now(UTC) + timedelta(days=1)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    with session_scope(db) as session:
        # Series that ended with their first occurrence, changed before the gap: first in line.
        for n in range(5):
            once = TaskCreate(
                title=f"Once {n}", due_at=nine.isoformat(), rrule="FREQ=DAILY;COUNT=1"
            )
            tasks.complete_task(session, user, tasks.create_task(session, user, once).id)
    with session_scope(db) as session:
        daily = TaskCreate(title="Daily", due_at=nine.isoformat(), rrule="daily")
        task = tasks.create_task(session, user, daily)
        tasks.complete_task(session, user, task.id)
        session.flush()
        for row in session.exec(select(Task).where(Task.series_id == task.id, Task.id != task.id)):
            session.delete(row)
    worker = RecurrenceWorker(bus=bus, database_url=db, sweep_interval=60, batch_size=2)
    stopping.append(worker)
    worker.start()
    wait_until(lambda: worker.status().job.runs == 1, timeout=10, what="the first sweep")
    assert worker.status().created_by_sweep == 1
    with Session(get_engine(db)) as session:
        series = session.exec(select(Task).where(Task.series_id == task.id)).all()
    assert sorted(row.occurrence_at for row in series if row.occurrence_at) == [
        nine,
        nine + timedelta(days=1),
    ]
    assert worker.sweep() == 0
