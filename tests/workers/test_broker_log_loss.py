"""A consumer must not carry its fetch positions over to a broker that lost its log.

Found by bench/chaos.py: after a Tansu restart (memory storage) the relay republishes a burst
of events into the new, empty log. A consumer that kept running reads the new log from the
offset it had reached in the old one, so every event below that offset in the new log was
never handled (121 task events for the reminders worker in one run): Tansu answers a fetch
beyond the end of a partition with no records rather than OFFSET_OUT_OF_RANGE (which would
reset the position to the earliest offset), and kafka-python keeps the positions of the
partitions it is assigned again when it rejoins the group.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

from todo_app.bus import BusConfig, ensure_topics
from todo_app.core.events import TASK_EVENTS
from workers.broker import EmbeddedBroker
from workers.consumer import EventConsumer
from workers.relay import RelayWorker


def test_a_consumer_reads_a_restarted_broker_from_the_start_of_its_new_log(
    db: str,
    bus: BusConfig,
    broker: EmbeddedBroker,
    emit: Callable[..., list[dict[str, Any]]],
    recorder: Any,
    wait_until: Callable[..., Any],
):
    user = [str(uuid.uuid4())]  # one key: one partition, whose offsets are compared below
    options = {"bus": bus, "database_url": db, "poll_interval": 0.02, "retry_delays": (0.1, 0.3)}
    relay = RelayWorker(**options)
    consumer = EventConsumer(
        "reader",
        [TASK_EVENTS],
        recorder,
        bus=bus,
        database_url=db,
        retry_delays=(0.01,),
        reconnect_delays=(0.1, 0.3),
        poll_timeout_ms=100,
    )
    relay.start()
    consumer.start()
    try:
        wait_until(lambda: consumer.status().lag is not None, what="the consumer to join")
        before = emit(200, user)
        wait_until(
            lambda: {p["id"] for p in before} <= recorder.processed("reader"),
            what="the first events to be handled",
        )
        # The relay goes down with the broker (a restarted relay cannot know what the lost log
        # held, so it republishes nothing): the new log holds only new events.
        relay.stop()
        client = consumer._consumer
        assert client is not None
        [partition] = [tp for tp in client.assignment() if client.position(tp) == len(before)]
        broker.kill()
        broker.start()
        ensure_topics(bus)  # as a worker (re)connecting does
        time.sleep(3)  # the group is joined again (session 2 s)
        wait_until(lambda: partition in client.assignment(), what="the partition assigned again")
        # The client keeps its position in the lost log: kafka-python does so for partitions
        # it is assigned again when the rejoin overlaps the restart (seen in bench/chaos.py);
        # set here so the test does not depend on that race.
        client.seek(partition, len(before))
        relay = RelayWorker(**options)
        relay.start()
        after = emit(300, user)
        wanted = {p["id"] for p in before + after}
        wait_until(
            lambda: wanted <= recorder.processed("reader"),
            timeout=30,
            what="every event of the new log to be handled",
        )
        assert all(count == 1 for count in recorder.effects().values())
    finally:
        consumer.stop()
        relay.stop()


def test_a_relay_restarted_with_the_broker_republishes_what_the_lost_log_held(
    db: str,
    bus: BusConfig,
    broker: EmbeddedBroker,
    emit: Callable[..., list[dict[str, Any]]],
    read_topic: Callable[..., list[Any]],
):
    """Found by bench/chaos.py (--sqlite --seed 4): the broker crashed, then the relay actor;
    the restarted relay had no memory of what it had published, so events the broker had
    acknowledged but no worker had read yet (the audit actor was itself restarting) were
    lost for good: 81 audit rows missing."""
    options = {"bus": bus, "database_url": db, "retry_delays": (0.1, 0.3)}
    first = RelayWorker(**options)
    published = emit(20)
    assert first.drain() == 20
    first.stop()
    broker.kill()
    broker.start()
    restarted = RelayWorker(**options)  # a new process: no acknowledged offsets remembered
    later = emit(5)
    restarted.drain()
    delivered = [json.loads(record.value)["id"] for record in read_topic(bus, TASK_EVENTS)]
    assert set(delivered) == {p["id"] for p in published + later}
    assert restarted.status().broker_resets == 1
    # A relay started against a broker that kept its log republishes nothing.
    again = RelayWorker(**options)
    assert again.drain() == 0 and again.status().broker_resets == 0
