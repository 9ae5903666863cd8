"""The outbox relay: order, ack-then-mark, outages, a broker that lost its log, two relays."""

from __future__ import annotations

import json
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from cloudevents.core.bindings import kafka as ce_kafka
from cloudevents.v1.http import from_json
from sqlmodel import Session, select

from todo_app.bus import BusConfig
from todo_app.core.events import TASK_EVENTS, cloud_event
from todo_app.db import get_engine, session_scope
from todo_app.models import OutboxEvent
from workers.broker import EmbeddedBroker
from workers.relay import RelayWorker

Emit = Callable[..., list[dict[str, Any]]]
ReadTopic = Callable[..., list[Any]]


def _ids_by_user(payloads: list[dict[str, Any]]) -> dict[str, list[str]]:
    by_user: dict[str, list[str]] = defaultdict(list)
    for payload in payloads:
        by_user[payload["data"]["user_id"]].append(payload["id"])
    return dict(by_user)


def test_relay_publishes_in_order_and_marks_rows_after_the_ack(
    db: str, bus: BusConfig, emit: Emit, read_topic: ReadTopic
):
    users = [str(uuid.uuid4()) for _ in range(3)]
    payloads = emit(30, users)
    relay = RelayWorker(bus=bus, database_url=db, batch_size=7)
    assert relay.backlog() == 30

    assert relay.drain() == 30
    assert relay.backlog() == 0 and relay.status().published == 30
    with Session(get_engine(db)) as session:
        rows = session.exec(select(OutboxEvent)).all()
    assert all(row.published_at is not None and row.published_at >= row.created_at for row in rows)

    records = read_topic(bus, TASK_EVENTS)
    assert len(records) == 30
    for record in records:
        # Both of the cloudevents SDK's APIs read every message as a CloudEvent 1.0.
        event = from_json(record.value)
        assert event["specversion"] == "1.0" and event["type"] == "task.updated"
        message = ce_kafka.KafkaMessage(headers={}, key=record.key, value=record.value)
        assert ce_kafka.from_structured_event(message).get_id() == event["id"]
        assert record.key.decode() == event.data["user_id"]
    assert _in_write_order_per_user(records, payloads)


def _in_write_order_per_user(records: list[Any], payloads: list[dict[str, Any]]) -> bool:
    """Each user's events sit in one partition, in the order they were written."""
    by_user: dict[str, list[str]] = defaultdict(list)
    partitions: dict[str, set[int]] = defaultdict(set)
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        user = record.key.decode()
        by_user[user].append(json.loads(record.value)["id"])
        partitions[user].add(record.partition)
    return dict(by_user) == _ids_by_user(payloads) and all(len(p) == 1 for p in partitions.values())


def test_outage_keeps_the_backlog_and_a_lost_log_is_republished(
    db: str,
    bus: BusConfig,
    broker: EmbeddedBroker,
    emit: Emit,
    read_topic: ReadTopic,
    wait_until: Callable[..., Any],
):
    users = [str(uuid.uuid4())]
    relay = RelayWorker(bus=bus, database_url=db, poll_interval=0.05, retry_delays=(0.1, 0.3))
    before = emit(5, users)
    relay.start()
    try:
        wait_until(lambda: relay.backlog() == 0, what="first events published")
        broker.kill()
        during = emit(10, users)
        wait_until(lambda: relay.status().job.last_error, what="the relay to notice the outage")
        assert relay.backlog() == 10

        # A fresh broker: memory storage lost the 5 events acknowledged before the crash.
        broker.start()
        wait_until(lambda: relay.status().broker_resets >= 1, what="the lost log to be noticed")
        wait_until(lambda: relay.backlog() == 0, timeout=30, what="backlog and lost events sent")
    finally:
        relay.stop()
    delivered = [json.loads(record.value)["id"] for record in read_topic(bus, TASK_EVENTS)]
    assert set(delivered) == {p["id"] for p in before + during}


def test_two_relays_lose_nothing_and_on_postgresql_publish_once_in_order(
    db: str, bus: BusConfig, emit: Emit, read_topic: ReadTopic
):
    users = [str(uuid.uuid4()) for _ in range(5)]
    payloads = emit(200, users)
    relays = [
        RelayWorker(bus=bus, database_url=db, batch_size=15, poll_interval=0.01) for _ in range(2)
    ]
    errors: list[BaseException] = []

    def drain(relay: RelayWorker) -> None:
        try:
            relay.drain()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=drain, args=(relay,)) for relay in relays]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    records = read_topic(bus, TASK_EVENTS)
    delivered = [json.loads(record.value)["id"] for record in records]
    assert set(delivered) == {p["id"] for p in payloads}
    if get_engine(db).dialect.name == "postgresql":
        assert len(delivered) == len(payloads)
        assert _in_write_order_per_user(records, payloads)
        assert sum(relay.status().published for relay in relays) == 200


def test_events_of_two_sessions_in_the_same_microsecond_keep_their_commit_order(
    db: str, bus: BusConfig, read_topic: ReadTopic
):
    user = str(uuid.uuid4())
    at = datetime.now(UTC)
    # Two processes' clocks agree to the microsecond, and the later event's id sorts first.
    written = [uuid.UUID(int=2**128 - 1), uuid.UUID(int=1)]
    for n, event_id in enumerate(written):
        data = {"user_id": user, "task_id": str(uuid.uuid4()), "n": n}
        with session_scope(db) as session:
            session.add(
                OutboxEvent(
                    id=event_id,
                    topic=TASK_EVENTS,
                    key=user,
                    payload=cloud_event("task.updated", data, "tests", event_id, at),
                    created_at=at,
                )
            )
    with Session(get_engine(db)) as session:
        seqs = session.exec(select(OutboxEvent.seq).order_by(OutboxEvent.seq)).all()
    assert len(set(seqs)) == 2

    assert RelayWorker(bus=bus, database_url=db).drain() == 2
    records = sorted(
        (r for r in read_topic(bus, TASK_EVENTS) if r.key.decode() == user),
        key=lambda r: (r.partition, r.offset),
    )
    assert [json.loads(record.value)["id"] for record in records] == [str(i) for i in written]
