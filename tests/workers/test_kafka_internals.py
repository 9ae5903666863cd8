"""The kafka-python internal the consumer relies on, against the installed kafka-python and a
real broker: an upgrade that moves it fails here, naming it, instead of a consumer silently
waiting past the end of a broker's new log."""

from __future__ import annotations

import uuid
from importlib.metadata import version
from types import SimpleNamespace
from typing import Any, cast

import pytest
from kafka import KafkaConsumer

from todo_app import kafka_internals
from todo_app.bus import BusConfig, ensure_topics, make_consumer
from todo_app.core.events import TASK_EVENTS
from todo_app.kafka_internals import KafkaInternalsChanged
from workers.broker import EmbeddedBroker


def _topic_id(bus: BusConfig, wait_until: Any) -> uuid.UUID:
    consumer = make_consumer(bus, f"ids-{uuid.uuid4().hex[:8]}", [TASK_EVENTS])
    try:

        def known() -> uuid.UUID | None:
            consumer.poll(timeout_ms=100)
            return kafka_internals.topic_id(consumer, TASK_EVENTS)

        found: uuid.UUID = wait_until(known, what="the topic's id in the consumer's metadata")
        return found
    finally:
        consumer.close(autocommit=False)


def test_a_recreated_topic_has_a_new_id(
    bus: BusConfig, broker: EmbeddedBroker, wait_until: Any
) -> None:
    ensure_topics(bus, [TASK_EVENTS])
    first = _topic_id(bus, wait_until)
    assert isinstance(first, uuid.UUID)
    assert _topic_id(bus, wait_until) == first
    broker.kill()
    broker.start()
    ensure_topics(bus, [TASK_EVENTS])
    assert _topic_id(bus, wait_until) != first


def test_a_missing_internal_is_named_with_the_kafka_python_version() -> None:
    consumer = cast(KafkaConsumer, SimpleNamespace(_client=SimpleNamespace()))
    expected = f"kafka-python {version('kafka-python')} has no KafkaConsumer._client.cluster"
    with pytest.raises(KafkaInternalsChanged, match=expected):
        kafka_internals.topic_id(consumer, TASK_EVENTS)
