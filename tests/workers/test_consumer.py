"""The consume loop: effect and processed_events commit together, duplicates are skipped,
failures retry then dead-letter, and `python -m workers dlq replay` brings them back."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from todo_app.bus import BusConfig, encode_json, ensure_topics, make_producer, publish
from todo_app.core.events import TASK_EVENTS
from workers.__main__ import main
from workers.broker import EmbeddedBroker
from workers.consumer import EventConsumer
from workers.dlq import read_dead_letters, replay
from workers.relay import RelayWorker

Emit = Callable[..., list[dict[str, Any]]]
WaitUntil = Callable[..., Any]
FAST_RETRIES = (0.01, 0.02, 0.03)
ROOT = Path(__file__).resolve().parents[2]


def _consumer(bus: BusConfig, db: str, handler: Any, name: str = "audit") -> EventConsumer:
    return EventConsumer(
        name,
        [TASK_EVENTS],
        handler,
        bus=bus,
        database_url=db,
        retry_delays=FAST_RETRIES,
        reconnect_delays=(0.1, 0.5),
        poll_timeout_ms=100,
    )


def _send(bus: BusConfig, *envelopes: dict[str, Any]) -> None:
    producer = make_producer(bus)
    try:
        for envelope in envelopes:
            publish(producer, envelope).get(timeout=5)
    finally:
        producer.close()


def test_effect_and_processed_row_commit_together(
    db: str, bus: BusConfig, emit: Emit, recorder: Any, wait_until: WaitUntil
):
    payloads = emit(6, [str(uuid.uuid4()), str(uuid.uuid4())])
    RelayWorker(bus=bus, database_url=db).drain()
    consumer = _consumer(bus, db, recorder)
    consumer.start()
    try:
        wait_until(lambda: consumer.status().processed == 6, what="6 events processed")
        wait_until(lambda: consumer.status().lag == 0, what="lag to reach 0")
    finally:
        consumer.stop()
    ids = [p["id"] for p in payloads]
    assert recorder.effects() == dict.fromkeys(ids, 1)
    assert recorder.processed("audit") == set(ids)
    status = consumer.status()
    assert not status.running
    assert (status.skipped, status.failed, status.dead_lettered, status.last_error) == (
        0,
        0,
        0,
        None,
    )


def test_a_redelivered_event_has_no_second_effect(
    db: str,
    bus: BusConfig,
    broker: EmbeddedBroker,
    emit: Emit,
    recorder: Any,
    wait_until: WaitUntil,
):
    payloads = emit(3)
    RelayWorker(bus=bus, database_url=db).drain()
    _send(bus, payloads[0])  # the same CloudEvent (same id) delivered twice
    consumer = _consumer(bus, db, recorder)
    consumer.start()
    try:
        wait_until(lambda: consumer.status().processed == 3 and consumer.status().skipped == 1)
    finally:
        consumer.stop()

    # A broker that lost the group's offsets delivers everything again: all skipped.
    broker.restart()
    _send(bus, *payloads)
    again = _consumer(bus, db, recorder)
    again.start()
    try:
        wait_until(lambda: again.status().skipped == 3, what="redeliveries skipped")
    finally:
        again.stop()
    assert again.status().processed == 0
    assert recorder.effects() == {p["id"]: 1 for p in payloads}


def test_failing_event_retries_then_dead_letters_and_replay_processes_it(
    db: str,
    bus: BusConfig,
    emit: Emit,
    recorder: Any,
    wait_until: WaitUntil,
    capsys: pytest.CaptureFixture[str],
):
    first, poisoned, last = emit(3)  # one user: one partition, so `last` waits its turn
    recorder.poison.add(poisoned["id"])
    RelayWorker(bus=bus, database_url=db).drain()
    consumer = _consumer(bus, db, recorder)
    consumer.start()
    try:
        wait_until(lambda: consumer.status().dead_lettered == 1 and consumer.status().processed)
        wait_until(lambda: consumer.status().processed == 2, what="the loop to move on")
        status = consumer.status()
        assert status.failed == 4 and status.last_error and "poisoned" in status.last_error
        # Four attempts one by one, after at most one try of the whole poll in one transaction.
        assert recorder.calls.count(poisoned["id"]) in (4, 5)
        # The handler's row of each failed attempt rolled back with its processed_events row.
        assert recorder.effects() == {first["id"]: 1, last["id"]: 1}
        assert recorder.processed("audit") == {first["id"], last["id"]}

        [letter] = read_dead_letters(bus)
        assert (letter.dlq_topic, letter.topic, letter.event) == (
            "task-events.dlq",
            TASK_EVENTS,
            poisoned,
        )
        assert (letter.event_id, letter.attempts, letter.consumer) == (poisoned["id"], 4, "audit")
        assert "RuntimeError: poisoned" in letter.error and not letter.replayed

        # Fixed: the replay goes to task-events, where the consumer now succeeds.
        recorder.poison.clear()
        cli = ["--bootstrap-servers", bus.bootstrap_servers, "dlq"]
        assert main([*cli, "replay"]) == 0
        assert f"replayed {poisoned['id']}" in capsys.readouterr().out
        wait_until(lambda: consumer.status().processed == 3, what="the replayed event")
        assert recorder.effects() == {p["id"]: 1 for p in (first, poisoned, last)}

        # Nothing is pending any more; replaying by id again is harmless (skipped by id).
        assert main([*cli, "replay"]) == 0
        assert "0 event(s) replayed" in capsys.readouterr().err
        assert main([*cli, "replay", "--id", poisoned["id"]]) == 0
        wait_until(lambda: consumer.status().skipped == 1, what="the second replay skipped")
        assert recorder.effects()[poisoned["id"]] == 1
        assert main([*cli, "replay", "--id", "no-such-event"]) == 1
        capsys.readouterr()
        assert main([*cli, "list"]) == 0
        assert f"replayed id={poisoned['id']}" in capsys.readouterr().out
    finally:
        consumer.stop()


def test_malformed_messages_are_dead_lettered_and_not_replayed(
    db: str, bus: BusConfig, emit: Emit, recorder: Any, wait_until: WaitUntil
):
    ensure_topics(bus)
    producer = make_producer(bus)
    producer.send(TASK_EVENTS, key=b"u", value=b"\x00 not json").get(timeout=5)
    no_user = {"specversion": "1.0", "id": "e-1", "type": "task.created", "data": {}}
    producer.send(TASK_EVENTS, key=b"u", value=encode_json(no_user)).get(timeout=5)
    producer.close()
    [valid] = emit(1)
    RelayWorker(bus=bus, database_url=db).drain()
    consumer = _consumer(bus, db, recorder)
    consumer.start()
    try:
        wait_until(lambda: consumer.status().dead_lettered == 2 and consumer.status().processed)
    finally:
        consumer.stop()
    assert recorder.effects() == {valid["id"]: 1}
    letters = read_dead_letters(bus)
    assert [(letter.event_id, letter.attempts) for letter in letters] == [(None, 0), (None, 0)]
    assert letters[0].event == "\x00 not json" and letters[1].event == no_user
    assert all(letter.error.startswith("invalid: ") for letter in letters)
    result = replay(bus)
    assert result.replayed == [] and len(result.unreplayable) == 2


def test_cli_needs_a_broker_and_reads_kafka_bootstrap_servers(bus: BusConfig):
    command = [sys.executable, "-m", "workers", "dlq", "list"]
    unset = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert unset.returncode == 2 and "KAFKA_BOOTSTRAP_SERVERS" in unset.stderr
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bus.bootstrap_servers}
    listed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60, env=env)
    assert listed.returncode == 0, listed.stderr
    assert "0 dead letter(s)" in listed.stderr
