"""Settings read from the environment: the per-topic Kafka partition counts."""

from __future__ import annotations

import pytest

from todo_app.config import load_settings


def test_topic_partitions_are_read_as_topic_count_pairs(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("JWT_SECRET", "x" * 32)
    monkeypatch.setenv("KAFKA_TOPIC_PARTITIONS", " task-events=24, reminders=2 ,")
    assert load_settings().kafka_topic_partitions == {"task-events": 24, "reminders": 2}
    monkeypatch.delenv("KAFKA_TOPIC_PARTITIONS")
    assert load_settings().kafka_topic_partitions == {}


@pytest.mark.parametrize("value", ["task-events", "task-events=0", "=3", "reminders=two"])
def test_a_malformed_topic_partitions_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, value: str
):
    monkeypatch.setenv("JWT_SECRET", "x" * 32)
    monkeypatch.setenv("KAFKA_TOPIC_PARTITIONS", value)
    with pytest.raises(ValueError, match="KAFKA_TOPIC_PARTITIONS"):
        load_settings()
