"""Settings read from the environment: the per-topic Kafka partition counts, the generated
JWT secret."""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

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


def _secret_after(path: str, start: Any) -> str:
    from todo_app.config import _load_or_create_secret

    start.wait()
    return _load_or_create_secret(Path(path))


def test_processes_starting_together_agree_on_one_generated_jwt_secret(tmp_path: Path):
    # App server workers and replicas may start at the same instant on one data dir.
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, context.Pool(6) as pool:
        start = manager.Barrier(6)
        for round_ in range(5):
            path = tmp_path / f"data-{round_}" / "jwt_secret"
            secrets = pool.starmap(_secret_after, [(str(path), start)] * 6)
            assert len(set(secrets)) == 1 and len(secrets[0]) >= 48
            assert path.read_text() == secrets[0]
            assert oct(path.stat().st_mode & 0o777) == "0o600"
            assert [p.name for p in path.parent.iterdir()] == ["jwt_secret"]
