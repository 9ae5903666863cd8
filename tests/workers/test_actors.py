"""The workers as Ray actors, end to end: services -> outbox -> relay -> Kafka -> workers -> rows.

A real local Ray cluster (once per session), a real Tansu broker and a real SMTP server; each
test starts its own set of named detached actors under a unique prefix and stops them after.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import ray
from sqlmodel import Session, col, func, select

from todo_app.bus import BusConfig
from todo_app.db import get_engine, session_scope
from todo_app.models import (
    AuditLog,
    Notification,
    OutboxEvent,
    ProcessedEvent,
    Reminder,
    Task,
    User,
)
from todo_app.schemas import RegisterRequest, TaskCreate
from todo_app.services import auth, notifications, tasks
from todo_app.services.recurrence import successor_of
from workers.actors import WORKERS, find_actors, start_actors, stop_actors
from workers.notifications import SmtpConfig

WaitUntil = Callable[..., Any]
Inbox = Any  # conftest's Inbox: `.messages` are aiosmtpd envelopes
# Latency matters here: a fetch returns after 50 ms at most instead of kafka-python's 500 ms.
CONSUMER = {"retry_delays": (0.01, 0.02, 0.03), "client_options": {"fetch_max_wait_ms": 50}}


@pytest.fixture
def actors(
    db: str, bus: BusConfig, ray_namespace: str, smtp_server: tuple[SmtpConfig, Inbox]
) -> Iterator[dict[str, Any]]:
    """Every worker as a detached actor on this test's database and broker; stopped after."""
    prefix = f"t{uuid.uuid4().hex[:8]}-"
    common = {"bus": bus, "database_url": db}
    options = {
        "relay": {**common, "poll_interval": 0.05},
        "recurrence": {**common, **CONSUMER, "sweep_interval": 1.0},
        # A long poll: only the wake-up on task events can make a reminder fire on time.
        "reminders": {**common, **CONSUMER, "poll_interval": 30.0},
        "notifications": {**common, **CONSUMER, "smtp": smtp_server[0], "mail_poll_interval": 5},
        "audit": {**common, **CONSUMER},
    }
    handles = start_actors(options, prefix=prefix, namespace=ray_namespace)
    yield {"handles": handles, "prefix": prefix, "namespace": ray_namespace}
    stop_actors(prefix=prefix, namespace=ray_namespace)


def _statuses(actors: dict[str, Any]) -> dict[str, dict[str, Any]]:
    handles = actors["handles"]
    return dict(zip(handles, ray.get([h.status.remote() for h in handles.values()]), strict=True))


def _wait_ready(actors: dict[str, Any], wait_until: WaitUntil) -> None:
    """Every consumer has joined its group and fetched every partition (lag is known)."""

    def ready() -> bool:
        statuses = _statuses(actors)
        return all(s["consumer"]["lag"] is not None for s in statuses.values() if "consumer" in s)

    wait_until(ready, timeout=40, what="every worker consumer to join its group")


def _user(db: str) -> User:
    with session_scope(db) as session:
        user = auth.register(
            session,
            RegisterRequest(email=f"u{uuid.uuid4().hex[:8]}@example.com", password="correct horse"),
            "test",
        )
        user.email_notifications = True
        session.add(user)
    return user


def _series(db: str, series_id: uuid.UUID) -> list[Task]:
    with Session(get_engine(db)) as session:
        return list(
            session.exec(
                select(Task).where(Task.series_id == series_id).order_by(col(Task.occurrence_at))
            )
        )


def _handled_by(db: str, consumer: str, event_type: str, task_id: uuid.UUID) -> bool:
    """Whether `consumer` has processed the `event_type` event of the task."""
    with Session(get_engine(db)) as session:
        ids = {
            str(row.id)
            for row in session.exec(select(OutboxEvent))
            if row.payload["type"] == event_type and row.payload["data"]["task_id"] == str(task_id)
        }
        done = session.exec(
            select(ProcessedEvent.event_id).where(ProcessedEvent.consumer == consumer)
        ).all()
    return bool(ids) and ids <= set(done)


def _all_audited(db: str) -> bool:
    """Every event the outbox holds is in audit_log exactly once, and the outbox is drained."""
    with Session(get_engine(db)) as session:
        outbox_rows = session.exec(select(OutboxEvent.id, OutboxEvent.published_at)).all()
        audited = Counter(session.exec(select(AuditLog.event_id)).all())
    assert all(count == 1 for count in audited.values()), audited.most_common(3)
    published = all(published_at is not None for _, published_at in outbox_rows)
    return published and set(audited) == {str(row_id) for row_id, _ in outbox_rows}


def test_recurrence_reminders_email_and_audit_end_to_end(
    db: str, actors: dict[str, Any], inbox: Inbox, wait_until: WaitUntil
):
    _wait_ready(actors, wait_until)
    user = _user(db)
    tomorrow_nine = (datetime.now(UTC) + timedelta(days=1)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    with session_scope(db) as session:
        me = session.get(User, user.id)
        assert me is not None
        daily = tasks.create_task(
            session, me, TaskCreate(title="Water", due_at=tomorrow_nine.isoformat(), rrule="daily")
        )
        thrice = tasks.create_task(
            session,
            me,
            TaskCreate(title="Pill", due_at=tomorrow_nine.isoformat(), rrule="FREQ=DAILY;COUNT=3"),
        )
        skipped = tasks.create_task(
            session, me, TaskCreate(title="Run", due_at=tomorrow_nine.isoformat(), rrule="daily")
        )
        tasks.complete_task(session, me, daily.id)
        tasks.skip_task(session, me, skipped.id)
        for _ in range(3):
            open_one = session.exec(
                select(Task).where(Task.series_id == thrice.id, col(Task.completed).is_(False))
            ).one()
            tasks.complete_task(session, me, open_one.id)

    # The successor the service made is there once; deleted behind its back, the sweep
    # (1 s interval) makes it again, once.
    first = _series(db, daily.id)
    assert [t.occurrence_at for t in first] == [tomorrow_nine, tomorrow_nine + timedelta(days=1)]
    # Deleted only once the recurrence worker has handled the completion: the sweep must act.
    wait_until(lambda: _handled_by(db, "recurrence", "task.completed", daily.id), timeout=10)
    with session_scope(db) as session:
        done = session.get(Task, daily.id)
        assert done is not None
        successor = successor_of(session, done)
        assert successor is not None
        session.delete(successor)

    def remade() -> bool:
        series = _series(db, daily.id)
        return len(series) == 2 and series[1].id != successor.id

    wait_until(remade, timeout=10, what="the sweep to make the successor again")
    assert [t.occurrence_at for t in _series(db, daily.id)] == [
        tomorrow_nine,
        tomorrow_nine + timedelta(days=1),
    ]
    # Skipping advances the series without completing it.
    advanced = _series(db, skipped.id)
    assert [t.occurrence_at for t in advanced] == [tomorrow_nine, tomorrow_nine + timedelta(days=1)]
    assert advanced[0].deleted_at is not None and not advanced[0].completed

    # A reminder 2 s ahead, and a high-priority task due 3 s ahead without one.
    remind_at = datetime.now(UTC) + timedelta(seconds=2)
    due_at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=4)
    with session_scope(db) as session:
        me = session.get(User, user.id)
        assert me is not None
        reminded = tasks.create_task(
            session, me, TaskCreate(title="Call Ann", reminders=[remind_at.isoformat()])
        )
        urgent = tasks.create_task(
            session, me, TaskCreate(title="Pay rent", priority="high", due_at=due_at.isoformat())
        )

    def notes(task_id: uuid.UUID) -> list[Notification]:
        with Session(get_engine(db)) as session:
            return list(session.exec(select(Notification).where(Notification.task_id == task_id)))

    wait_until(lambda: notes(reminded.id), timeout=10, what="the reminder's notification")
    with Session(get_engine(db)) as session:
        reminder = session.exec(select(Reminder).where(Reminder.task_id == reminded.id)).one()
    [note] = notes(reminded.id)
    lateness = (note.created_at - reminder.remind_at).total_seconds()
    assert 0 <= lateness < 1.0, lateness
    wait_until(lambda: notes(urgent.id), timeout=10, what="the due-time reminder")
    [urgent_note] = notes(urgent.id)
    assert 0 <= (urgent_note.created_at - due_at).total_seconds() < 1.0

    def emailed() -> bool:
        return all(
            notifications.EMAIL_SENT in n.channels for n in notes(reminded.id) + notes(urgent.id)
        )

    wait_until(emailed, timeout=10, what="the emails")
    wait_until(lambda: _all_audited(db), timeout=15, what="every event in audit_log once")
    assert sorted(m.rcpt_tos[0] for m in inbox.messages) == [user.email, user.email]
    assert {m.content.decode().split("Subject: ")[1].splitlines()[0] for m in inbox.messages} == {
        "Reminder: Call Ann",
        "Reminder: Pay rent",
    }
    # COUNT=3 ended the series at its third occurrence, also for the sweep (3 s = 3 passes).
    assert [len(notes(t)) for t in (reminded.id, urgent.id)] == [1, 1]
    statuses = _statuses(actors)
    assert statuses["reminders"]["fired"] == 2 and statuses["reminders"]["late"] == 0
    assert statuses["recurrence"]["created_by_sweep"] == 1
    assert all(
        s["consumer"]["failed"] == 0 and s["consumer"]["dead_lettered"] == 0
        for s in statuses.values()
        if "consumer" in s
    )
    assert len(_series(db, thrice.id)) == 3


def test_killed_worker_actor_is_restarted_and_every_effect_happens_once(
    db: str, actors: dict[str, Any], wait_until: WaitUntil
):
    _wait_ready(actors, wait_until)
    user = _user(db)
    with session_scope(db) as session:
        me = session.get(User, user.id)
        assert me is not None
        for index in range(800):
            tasks.create_task(session, me, TaskCreate(title=f"Task {index}"))

    def audited() -> int:
        with Session(get_engine(db)) as session:
            return int(session.exec(select(func.count()).select_from(AuditLog)).one())

    wait_until(lambda: audited() >= 20, timeout=20, what="the audit worker to start")
    victim = actors["handles"]["audit"]
    ray.kill(victim, no_restart=False)
    assert audited() < 800, "the stream ended before the kill: nothing was tested"

    wait_until(lambda: _all_audited(db), timeout=40, what="every event audited once")
    restarted = find_actors(tuple(WORKERS), actors["prefix"], actors["namespace"])["audit"]
    assert restarted is not None
    status = ray.get(restarted.status.remote(), timeout=30)
    assert status["consumer"]["running"]


def test_cli_status_and_down_reach_the_actors_in_namespace_todo(
    sqlite_url: str, bus: BusConfig, ray_namespace: str
):
    options = {"bus": bus, "database_url": sqlite_url}
    start_actors({kind: options for kind in WORKERS}, namespace="todo")
    env = {**os.environ, "RAY_ADDRESS": ray.get_runtime_context().gcs_address}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "workers", *args]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)

    try:
        shown = cli("status", "--json")
        assert shown.returncode == 0, shown.stdout + shown.stderr
        kinds = [json.loads(line)["kind"] for line in shown.stdout.splitlines()]
        assert kinds == list(WORKERS)
        told = cli("status")
        assert told.returncode == 0, told.stdout + told.stderr
        lines = told.stdout.splitlines()
        assert [line.split(":", 1)[0] for line in lines] == list(WORKERS)
        assert all(" job.running=" in line and " job.runs=" in line for line in lines), lines
    finally:
        downed = cli("down")
    assert downed.returncode == 0, downed.stderr
    assert downed.stdout.strip() == f"stopped: {', '.join(WORKERS)}"
    assert set(find_actors(namespace="todo").values()) == {None}
