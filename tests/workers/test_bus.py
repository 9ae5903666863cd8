"""Topic names, settings, topic creation and the CloudEvent envelope contract."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from todo_app.bus import (
    DLQ_TOPICS,
    BusConfig,
    BusNotConfigured,
    InvalidEvent,
    decode_event,
    dlq_topic,
    encode_json,
    ensure_topics,
    make_producer,
    source_topic,
)
from todo_app.config import get_settings
from todo_app.core.events import TASK_EVENTS, TOPICS, cloud_event


def _envelope(**changes: Any) -> dict[str, Any]:
    envelope = cloud_event("task.created", {"user_id": "u-1", "task_id": "t-1"}, "services")
    envelope.update(changes)
    return envelope


def test_dead_letter_topics_pair_with_their_topics():
    assert dlq_topic(TASK_EVENTS) == "task-events.dlq"
    assert source_topic("task-events.dlq") == TASK_EVENTS
    assert tuple(f"{topic}.dlq" for topic in TOPICS) == DLQ_TOPICS
    with pytest.raises(ValueError):
        source_topic(TASK_EVENTS)


def test_a_valid_event_round_trips():
    envelope = _envelope()
    event = decode_event(encode_json(envelope))
    assert (event.id, event.type, event.source) == (
        envelope["id"],
        "task.created",
        "/todo-app/services",
    )
    assert event.time.utcoffset() is not None
    assert event.user_id == "u-1" and event.key == b"u-1"
    assert event.envelope == envelope


@pytest.mark.parametrize(
    ("value", "complaint"),
    [
        (b"\xff not json", "not JSON"),
        (b"[1, 2]", "JSON object"),
        (encode_json(_envelope(specversion="0.3")), "specversion"),
        (encode_json(_envelope(id="")), "'id'"),
        (encode_json(_envelope(id="x" * 101)), "longer than 100"),
        (encode_json({k: v for k, v in _envelope().items() if k != "source"}), "'source'"),
        (encode_json(_envelope(type=7)), "'type'"),
        (encode_json(_envelope(time="yesterday")), "RFC 3339"),
        (encode_json(_envelope(time="2026-01-01T10:00:00")), "UTC offset"),
        (encode_json(_envelope(datacontenttype="text/plain")), "datacontenttype"),
        (encode_json(_envelope(data="hello")), "data must be a JSON object"),
        (encode_json(_envelope(data={"task_id": "t"})), "user_id"),
    ],
)
def test_invalid_events_are_refused_naming_the_fault(value: bytes, complaint: str):
    with pytest.raises(InvalidEvent, match=complaint):
        decode_event(value)


def test_security_settings_pass_through_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "k1:9093, k2:9093")
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")
    monkeypatch.setenv("KAFKA_SASL_USERNAME", "todo")
    monkeypatch.setenv("KAFKA_SASL_PASSWORD", "s3cret")
    monkeypatch.setenv("KAFKA_SSL_CAFILE", "/etc/kafka/ca.crt")
    monkeypatch.setenv("KAFKA_PARTITIONS", "12")
    get_settings.cache_clear()
    try:
        bus = BusConfig.from_settings()
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    kwargs = bus.client_kwargs()
    assert kwargs["bootstrap_servers"] == ["k1:9093", "k2:9093"]
    assert kwargs["security_protocol"] == "SASL_SSL"
    assert kwargs["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (kwargs["sasl_plain_username"], kwargs["sasl_plain_password"]) == ("todo", "s3cret")
    assert kwargs["ssl_cafile"] == "/etc/kafka/ca.crt"
    assert bus.partitions_for(TASK_EVENTS) == 12 and bus.partitions_for("task-events.dlq") == 1
    assert "s3cret" not in repr(bus)


def test_task_events_get_12_partitions_unless_the_environment_says_otherwise(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "k1:9092")
    get_settings.cache_clear()
    try:
        default = BusConfig.from_settings()
        monkeypatch.setenv("KAFKA_TOPIC_PARTITIONS", "task-events=24,reminders=2")
        get_settings.cache_clear()
        configured = BusConfig.from_settings()
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert [default.partitions_for(t) for t in TOPICS] == [12, 4, 4, 4, 4]
    assert [configured.partitions_for(t) for t in TOPICS] == [24, 2, 4, 4, 4]
    assert configured.partitions_for("task-events.dlq") == 1
    assert BusConfig(bootstrap_servers="k1:9092").partitions_for(TASK_EVENTS) == 12


def test_no_bootstrap_servers_is_a_clear_error():
    get_settings.cache_clear()
    with pytest.raises(BusNotConfigured, match="KAFKA_BOOTSTRAP_SERVERS"):
        BusConfig.from_settings()


def test_topics_are_created_once_with_their_partition_counts(bus: BusConfig):
    bus = dataclasses.replace(bus, topic_partitions={TASK_EVENTS: 6})
    assert sorted(ensure_topics(bus)) == sorted([*TOPICS, *DLQ_TOPICS])
    assert ensure_topics(bus) == []
    producer = make_producer(bus)
    try:
        assert producer.partitions_for(TASK_EVENTS) == set(range(6))
        assert producer.partitions_for("reminders") == set(range(4))
        assert producer.partitions_for("reminders.dlq") == {0}
    finally:
        producer.close()
