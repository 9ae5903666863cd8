"""The part of kafka-python the workers use that it does not publish, behind one function.

A consumer's cluster metadata (`KafkaConsumer._client.cluster`) holds each topic's id, which
tells a recreated topic (a broker that lost its log) from the one the consumer read before.
An upgrade that moves it fails here with the installed version in the message (and in
tests/workers/test_kafka_internals.py).
"""

from __future__ import annotations

import uuid
from importlib.metadata import version

from kafka import KafkaConsumer


class KafkaInternalsChanged(AttributeError):
    """The installed kafka-python no longer has an internal this module relies on."""


def topic_id(consumer: KafkaConsumer, topic: str) -> uuid.UUID | None:
    """The broker's id of `topic` in the consumer's latest metadata; None while unknown."""
    try:
        lookup = consumer._client.cluster.topic_id
    except AttributeError as exc:
        raise KafkaInternalsChanged(
            f"kafka-python {version('kafka-python')} has no KafkaConsumer._client.cluster"
            f".topic_id ({exc}); adapt todo_app/kafka_internals.py"
        ) from exc
    found: uuid.UUID | None = lookup(topic)
    return found
