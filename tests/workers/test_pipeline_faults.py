"""The whole pipeline through a broker crash, driven by service mutations.

Relay, recurrence, reminders, notifications and audit workers (plain classes, in threads) run on
the real broker while 200 task mutations go through todo_app.services. The broker is SIGKILLed
and restarted mid-stream (memory storage: every topic, message and offset is lost). Afterwards
every effect must exist exactly once: successors, notifications, emails and audit rows.
"""

from __future__ import annotations

import random
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select

from todo_app.bus import BusConfig
from todo_app.db import get_engine, session_scope
from todo_app.models import AuditLog, Notification, OutboxEvent, Reminder, Task, User
from todo_app.schemas import RegisterRequest, TaskCreate, TaskUpdate
from todo_app.services import auth, notifications, tasks
from workers.audit import AuditWorker
from workers.broker import EmbeddedBroker
from workers.notifications import NotificationsWorker, SmtpConfig
from workers.recurrence import RecurrenceWorker
from workers.relay import RelayWorker
from workers.reminders import RemindersWorker

WaitUntil = Callable[..., Any]
MUTATIONS = 200
KILL_AT, RESTART_AT = 70, 130
# Short fetch waits and reconnects: the test measures correctness, not patience.
CONSUMER = {
    "retry_delays": (0.01, 0.02, 0.03),
    "reconnect_delays": (0.1, 0.3),
    "poll_timeout_ms": 100,
    "client_options": {"fetch_max_wait_ms": 50},
}


@pytest.fixture
def workers(
    db: str, bus: BusConfig, smtp_server: tuple[SmtpConfig, Any]
) -> Iterator[dict[str, Any]]:
    common = {"bus": bus, "database_url": db}
    started: dict[str, Any] = {}
    try:
        started["relay"] = RelayWorker(**common, poll_interval=0.02, retry_delays=(0.1, 0.3))
        started["recurrence"] = RecurrenceWorker(**common, **CONSUMER, sweep_interval=1.0)
        # Task events cannot wake it while the broker is down: a short poll fires on time anyway.
        started["reminders"] = RemindersWorker(**common, **CONSUMER, poll_interval=0.5)
        started["notifications"] = NotificationsWorker(
            **common, **CONSUMER, smtp=smtp_server[0], mail_poll_interval=1.0
        )
        started["audit"] = AuditWorker(**common, **CONSUMER)
        for worker in started.values():
            worker.start()
        yield started
    finally:
        for worker in started.values():
            worker.stop()


def _user(db: str) -> User:
    with session_scope(db) as session:
        user = auth.register(
            session, RegisterRequest(email="faults@example.com", password="correct horse"), "test"
        )
        user.email_notifications = True
        session.add(user)
    return user


def _consumers(workers: dict[str, Any]) -> list[Any]:
    return [worker.consumer for name, worker in workers.items() if name != "relay"]


class Stream:
    """Applies mutation number i through the services, one transaction each."""

    def __init__(self, db: str, user_id: uuid.UUID) -> None:
        self.db = db
        self.user_id = user_id
        self.series: list[uuid.UUID] = []
        self.plain: list[uuid.UUID] = []
        self.completions: Counter[uuid.UUID] = Counter()
        self.reminders = 0
        self.random = random.Random(7)
        self.tomorrow_nine = (datetime.now(UTC) + timedelta(days=1)).replace(
            hour=9, minute=0, second=0, microsecond=0
        )

    def apply(self, index: int) -> None:
        with session_scope(self.db) as session:
            user = session.get(User, self.user_id)
            assert user is not None
            kind = index % 5
            if kind == 0:
                due = self.tomorrow_nine.isoformat()
                data = TaskCreate(title=f"Daily {index}", due_at=due, rrule="daily")
                self.series.append(tasks.create_task(session, user, data).id)
            elif kind == 1:
                self.plain.append(
                    tasks.create_task(session, user, TaskCreate(title=f"T{index}")).id
                )
            elif kind == 3:
                remind_at = datetime.now(UTC) + timedelta(seconds=self.random.uniform(1, 3))
                update = TaskUpdate(title=f"Call {index}", reminders=[remind_at.isoformat()])
                tasks.update_task(session, user, self.plain[-1], update)
                self.reminders += 1
            else:
                series_id = self.random.choice(self.series)
                open_one = session.exec(
                    select(Task).where(Task.series_id == series_id, col(Task.completed).is_(False))
                ).one()
                tasks.complete_task(session, user, open_one.id)
                self.completions[series_id] += 1


def _settled(db: str, relay: RelayWorker, reminders: int) -> bool:
    """Outbox drained, every event audited, every reminder fired, notified and mailed."""
    if relay.backlog():
        return False
    with Session(get_engine(db)) as session:
        outbox_ids = {str(row) for row in session.exec(select(OutboxEvent.id))}
        audited = set(session.exec(select(AuditLog.event_id)))
        sent = session.exec(select(Reminder).where(col(Reminder.sent_at).is_not(None))).all()
        notes = session.exec(select(Notification)).all()
    mailed = all(notifications.EMAIL_SENT in note.channels for note in notes)
    return outbox_ids == audited and len(sent) == reminders == len(notes) and mailed


def test_a_broker_crash_mid_stream_leaves_every_effect_exactly_once(
    db: str,
    broker: EmbeddedBroker,
    workers: dict[str, Any],
    inbox: Any,
    wait_until: WaitUntil,
):
    wait_until(
        lambda: all(c.status().lag is not None for c in _consumers(workers)),
        timeout=30,
        what="every consumer to join its group",
    )
    relay: RelayWorker = workers["relay"]
    stream = Stream(db, _user(db).id)
    for index in range(MUTATIONS):
        if index == KILL_AT:
            broker.kill()
        if index == RESTART_AT:
            assert relay.backlog() > 0, "nothing waited for the broker: the outage tested nothing"
            broker.start()
        stream.apply(index)
        time.sleep(0.03)
    wait_until(lambda: _settled(db, relay, stream.reminders), timeout=60, what="the pipeline")

    with Session(get_engine(db)) as session:
        for series_id in stream.series:
            series = session.exec(
                select(Task).where(Task.series_id == series_id).order_by(col(Task.occurrence_at))
            ).all()
            slots = [task.occurrence_at for task in series]
            # One task per daily slot, each completion followed by exactly its successor.
            expected = stream.completions[series_id] + 1
            assert slots == [stream.tomorrow_nine + timedelta(days=d) for d in range(expected)]
            assert [task.completed for task in series] == [True] * (expected - 1) + [False]
        notes = session.exec(select(Notification)).all()
        reminded = session.exec(select(Reminder.task_id)).all()
        outbox_ids = [str(row) for row in session.exec(select(OutboxEvent.id))]
        audited = Counter(session.exec(select(AuditLog.event_id)))
    assert sum(stream.completions.values()) == 80 and stream.reminders == 40
    assert Counter(note.task_id for note in notes) == Counter(reminded)
    assert all(count == 1 for count in Counter(reminded).values())
    message_ids = Counter(
        message.content.split(b"Message-ID: ")[1].split(b"\r\n")[0] for message in inbox.messages
    )
    assert message_ids == Counter(f"<notification-{note.id}@todo-app>".encode() for note in notes)
    assert audited == Counter(outbox_ids)
    assert relay.backlog() == 0 and relay.status().broker_resets >= 1
    for consumer in _consumers(workers):
        assert consumer.status().dead_lettered == 0, consumer.status()
    assert workers["recurrence"].status().created_by_sweep == 0
