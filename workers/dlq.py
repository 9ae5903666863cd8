"""Dead letters: reading `<topic>.dlq` and replaying the events it holds.

A dead letter is what `EventConsumer` publishes when it gives up on a message:
`{"event", "error", "attempts", "consumer", "failed_at", "topic", "partition", "offset"}`.
Replaying sends `event` unchanged (same CloudEvent id, key = user id) to its original topic:
every consumer group sees it again, and those that already processed it skip it by id.

Which letters were replayed is kept as the committed offsets of the consumer group
`REPLAY_GROUP`, so a plain `replay()` sends only letters that arrived since the last one.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kafka import KafkaConsumer, KafkaProducer
from kafka.structs import OffsetAndMetadata, TopicPartition

from todo_app.bus import (
    BusConfig,
    InvalidEvent,
    dlq_topic,
    make_consumer,
    make_producer,
    publish,
    source_topic,
    validate_envelope,
)
from todo_app.core.events import TOPICS

REPLAY_GROUP = "workers-dlq-replay"


@dataclass(frozen=True)
class DeadLetter:
    """One DLQ message. `event_id` is None when `event` is not a valid CloudEvent."""

    dlq_topic: str
    partition: int
    offset: int
    topic: str
    event: Any
    event_id: str | None
    event_type: str | None
    error: str
    attempts: int
    consumer: str
    failed_at: str
    replayed: bool


@dataclass(frozen=True)
class ReplayResult:
    """Event ids republished, and letters left alone because they hold no valid CloudEvent."""

    replayed: list[str] = field(default_factory=list)
    unreplayable: list[DeadLetter] = field(default_factory=list)


def _dead_letter(record: Any, replayed: bool) -> DeadLetter:
    try:
        body = json.loads(record.value)
    except (TypeError, UnicodeDecodeError, json.JSONDecodeError):
        body = None
    if not isinstance(body, dict):
        body = {"error": "unreadable dead letter", "event": None}
    event_id: str | None = None
    event_type: str | None = None
    with contextlib.suppress(InvalidEvent):
        event = validate_envelope(body.get("event"))
        event_id, event_type = event.id, event.type
    topic = body.get("topic")
    return DeadLetter(
        dlq_topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        topic=topic if isinstance(topic, str) else source_topic(record.topic),
        event=body.get("event"),
        event_id=event_id,
        event_type=event_type,
        error=str(body.get("error", "")),
        attempts=int(body.get("attempts") or 0),
        consumer=str(body.get("consumer", "")),
        failed_at=str(body.get("failed_at", "")),
        replayed=replayed,
    )


def _scan(
    consumer: KafkaConsumer, topics: Iterable[str], timeout: float
) -> tuple[list[DeadLetter], dict[TopicPartition, int]]:
    """Read the DLQs of `topics` from the start; returns letters and each partition's end."""
    partitions = [
        TopicPartition(dlq_topic(topic), number)
        for topic in topics
        for number in sorted(consumer.partitions_for_topic(dlq_topic(topic)) or ())
    ]
    if not partitions:
        return [], {}
    consumer.assign(partitions)
    committed = {partition: consumer.committed(partition) or 0 for partition in partitions}
    consumer.seek_to_beginning(*partitions)
    letters: list[DeadLetter] = []
    deadline = time.monotonic() + timeout
    wait_ms = int(timeout * 1000)
    while True:
        for partition, records in consumer.poll(timeout_ms=200).items():
            letters.extend(
                _dead_letter(record, record.offset < committed[partition]) for record in records
            )
        # The highwater of a fetch response is reliable on Tansu; end_offsets() is not.
        ends = {partition: consumer.highwater(partition) for partition in partitions}
        if all(
            end is not None and (consumer.position(partition, timeout_ms=wait_ms) or 0) >= end
            for partition, end in ends.items()
        ):
            return letters, {partition: int(end or 0) for partition, end in ends.items()}
        if time.monotonic() > deadline:
            raise TimeoutError(f"could not read the dead-letter topics within {timeout} s")


def read_dead_letters(
    bus: BusConfig, topics: Iterable[str] = TOPICS, timeout: float = 10.0
) -> list[DeadLetter]:
    """Every dead letter of `topics`, oldest first within each DLQ partition."""
    consumer = make_consumer(bus, REPLAY_GROUP)
    try:
        return _scan(consumer, topics, timeout)[0]
    finally:
        consumer.close(autocommit=False)


def replay(
    bus: BusConfig,
    event_id: str | None = None,
    topics: Iterable[str] = TOPICS,
    timeout: float = 10.0,
) -> ReplayResult:
    """Republish dead-lettered events to their original topics and wait for the acks.

    With `event_id`, replays that event whether or not it was replayed before (LookupError if
    no letter holds it); without, replays the letters not replayed yet and records them as
    replayed. An event dead-lettered by several consumers is sent once.
    """
    consumer = make_consumer(bus, REPLAY_GROUP)
    producer: KafkaProducer | None = None
    try:
        letters, ends = _scan(consumer, topics, timeout)
        if event_id is not None:
            chosen = [letter for letter in letters if letter.event_id == event_id]
            if not chosen:
                raise LookupError(f"no dead letter holds event {event_id}")
        else:
            chosen = [letter for letter in letters if not letter.replayed]
        result = ReplayResult()
        futures = []
        producer = make_producer(bus)
        for letter in chosen:
            if letter.event_id is None:
                result.unreplayable.append(letter)
            elif letter.event_id not in result.replayed:
                futures.append(publish(producer, letter.event, topic=letter.topic))
                result.replayed.append(letter.event_id)
        for future in futures:
            future.get(timeout=timeout)
        if event_id is None and ends:
            consumer.commit(
                {partition: OffsetAndMetadata(end, "", -1) for partition, end in ends.items()},
                timeout_ms=bus.timeout_ms,
            )
        return result
    finally:
        if producer is not None:
            with contextlib.suppress(Exception):  # the acks above are what counted
                producer.close(timeout=1)
        consumer.close(autocommit=False)
