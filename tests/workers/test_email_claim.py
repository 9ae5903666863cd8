"""Queued emails are claimed: several notification workers never send the same one twice."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from todo_app.bus import BusConfig
from todo_app.db import get_engine, session_scope
from todo_app.models import Notification, User
from todo_app.schemas import RegisterRequest, TaskCreate
from todo_app.services import auth, notifications, tasks
from workers.notifications import NotificationsWorker, SmtpConfig

WaitUntil = Callable[..., Any]


@pytest.fixture
def user(db: str) -> User:
    with session_scope(db) as session:
        created = auth.register(
            session, RegisterRequest(email="mail@example.com", password="correct horse"), "test"
        )
        created.email_notifications = True
        session.add(created)
    return created


def queue(db: str, user: User, count: int) -> list[uuid.UUID]:
    """`count` notifications with their email queued, as the notifications handler leaves them."""
    ids = []
    with session_scope(db) as session:
        task = tasks.create_task(session, user, TaskCreate(title="Call Ann"))
        for n in range(count):
            data = {"user_id": str(user.id), "task_id": str(task.id), "title": f"Call Ann {n}"}
            row = notifications.create_for_reminder(session, data)
            notifications.queue_email(session, row)
            ids.append(row.id)
    return ids


def channels(db: str) -> dict[uuid.UUID, list[str]]:
    with Session(get_engine(db)) as session:
        return {row.id: list(row.channels) for row in session.exec(select(Notification))}


@pytest.fixture
def workers() -> Iterator[list[NotificationsWorker]]:
    started: list[NotificationsWorker] = []
    yield started
    for worker in started:
        worker.stop()


def message_ids(inbox: Any) -> Counter[str]:
    return Counter(
        message.content.split(b"Message-ID: ")[1].split(b"\r\n")[0].decode()
        for message in inbox.messages
    )


def test_two_workers_send_each_queued_email_exactly_once(
    db: str,
    bus: BusConfig,
    user: User,
    smtp_server: tuple[SmtpConfig, Any],
    inbox: Any,
    workers: list[NotificationsWorker],
    wait_until: WaitUntil,
):
    count = 30
    ids = queue(db, user, count)
    # Both mailers start with the same pending list: only the claim keeps them apart.
    for _ in range(2):
        workers.append(
            NotificationsWorker(
                bus=bus, database_url=db, smtp=smtp_server[0], mail_poll_interval=0.05
            )
        )
        workers[-1].start()

    def all_sent() -> bool:
        return all(notifications.EMAIL_SENT in c for c in channels(db).values())

    wait_until(all_sent, timeout=30, what="every email sent")
    # Meanwhile both mailers poll every 50 ms: their passes until the groups joined send nothing.
    wait_until(
        lambda: all(w.status().consumer.lag is not None for w in workers), what="group joins"
    )
    for worker in workers:
        worker.stop()
    assert message_ids(inbox) == Counter({f"<notification-{i}@todo-app>": 1 for i in ids})
    assert sum(w.status().emails_sent for w in workers) == count
    assert all(c == ["in_app", notifications.EMAIL_SENT] for c in channels(db).values())
    with Session(get_engine(db)) as session:
        claims = session.exec(select(Notification.email_claimed_until)).all()
    assert set(claims) == {None}


def test_a_claim_excludes_others_until_its_lease_runs_out(db: str, user: User):
    [notification_id] = queue(db, user, 1)
    now = datetime.now(UTC)
    lease = now + timedelta(minutes=5)
    with session_scope(db) as session:
        assert notifications.claim_email(session, notification_id, lease, now=now)
    with session_scope(db) as session:
        assert not notifications.claim_email(session, notification_id, lease, now=now)
        assert notifications.pending_emails(session, now - timedelta(hours=1), now=now) == []
    # The claimer crashed: once its lease is over, another mailer takes the email over.
    later = lease + timedelta(seconds=1)
    with session_scope(db) as session:
        [pending] = notifications.pending_emails(session, now - timedelta(hours=1), now=later)
        assert pending.id == notification_id
        assert notifications.claim_email(
            session, notification_id, later + timedelta(minutes=5), now=later
        )
    # The first claimer's lease is gone: it can neither extend nor release the new one.
    with session_scope(db) as session:
        assert not notifications.extend_claim(session, notification_id, lease, later)
        notifications.release_email(session, notification_id, lease)
        notifications.settle_email(session, notification_id, notifications.EMAIL_SENT)
    with session_scope(db) as session:
        assert not notifications.claim_email(session, notification_id, later, now=later)
    assert channels(db)[notification_id] == ["in_app", notifications.EMAIL_SENT]


def test_an_expired_claim_of_a_crashed_worker_is_sent_by_another(
    db: str,
    bus: BusConfig,
    user: User,
    smtp_server: tuple[SmtpConfig, Any],
    inbox: Any,
    workers: list[NotificationsWorker],
    wait_until: WaitUntil,
):
    [notification_id] = queue(db, user, 1)
    expired = datetime.now(UTC) - timedelta(seconds=1)
    with session_scope(db) as session:
        assert notifications.claim_email(
            session, notification_id, expired, now=expired - timedelta(minutes=5)
        )
    workers.append(
        NotificationsWorker(bus=bus, database_url=db, smtp=smtp_server[0], mail_poll_interval=0.05)
    )
    workers[-1].start()
    wait_until(
        lambda: notifications.EMAIL_SENT in channels(db)[notification_id],
        timeout=10,
        what="the email",
    )
    assert message_ids(inbox) == Counter({f"<notification-{notification_id}@todo-app>": 1})
