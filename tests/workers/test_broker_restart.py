"""A broker crash mid-stream: the restarted Tansu has no topics, messages or offsets left.

Events keep being written before, during and after the outage; the relay keeps the backlog,
republishes what the lost log held, the consumer reconnects and rejoins, and in the end every
event has exactly one effect.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from todo_app.bus import BusConfig
from todo_app.core.events import TASK_EVENTS
from workers.broker import EmbeddedBroker
from workers.consumer import EventConsumer
from workers.relay import RelayWorker


def test_broker_crash_mid_stream_loses_nothing_and_doubles_nothing(
    db: str,
    bus: BusConfig,
    broker: EmbeddedBroker,
    emit: Callable[..., list[dict[str, Any]]],
    recorder: Any,
    wait_until: Callable[..., Any],
):
    users = [str(uuid.uuid4()) for _ in range(4)]
    relay = RelayWorker(bus=bus, database_url=db, poll_interval=0.02, retry_delays=(0.1, 0.3))
    consumer = EventConsumer(
        "audit",
        [TASK_EVENTS],
        recorder,
        bus=bus,
        database_url=db,
        retry_delays=(0.01,),
        reconnect_delays=(0.1, 0.3),
        poll_timeout_ms=100,
    )
    emitted: list[dict[str, Any]] = []

    def stream(count: int) -> None:
        for _ in range(count):
            emitted.extend(emit(2, users))
            time.sleep(0.01)

    relay.start()
    consumer.start()
    try:
        stream(30)
        wait_until(lambda: consumer.status().processed >= 10, what="consumption under way")
        stream(10)
        broker.kill()
        stream(30)
        assert relay.backlog() > 0
        broker.start()
        stream(30)
        ids = {payload["id"] for payload in emitted}
        wait_until(
            lambda: recorder.processed("audit") == ids, timeout=60, what="every event processed"
        )
    finally:
        consumer.stop()
        relay.stop()
    assert len(ids) == 200
    assert recorder.effects() == dict.fromkeys(ids, 1)
    assert relay.backlog() == 0
    assert relay.status().broker_resets >= 1
    assert consumer.status().dead_lettered == 0


def test_workers_started_before_the_broker_wait_for_it(
    db: str,
    bus: BusConfig,
    broker: EmbeddedBroker,
    emit: Callable[..., list[dict[str, Any]]],
    recorder: Any,
    wait_until: Callable[..., Any],
):
    broker.kill()
    payloads = emit(5)
    relay = RelayWorker(bus=bus, database_url=db, poll_interval=0.02, retry_delays=(0.2,))
    consumer = EventConsumer(
        "audit", [TASK_EVENTS], recorder, bus=bus, database_url=db, reconnect_delays=(0.2,)
    )
    relay.start()
    consumer.start()
    try:
        wait_until(lambda: relay.status().job.last_error and consumer.status().last_error)
        assert relay.backlog() == 5 and consumer.status().running
        broker.start()
        ids = {payload["id"] for payload in payloads}
        wait_until(lambda: recorder.processed("audit") == ids, timeout=30, what="all processed")
    finally:
        consumer.stop()
        relay.stop()
    assert recorder.effects() == dict.fromkeys(ids, 1)
