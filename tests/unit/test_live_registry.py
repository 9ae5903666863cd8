"""The live-update plumbing without a browser: the tab registry and the commit hook."""

from __future__ import annotations

import os
import time
import uuid
from typing import Any

import pytest
import redis

from todo_app import live
from todo_app.db import session_scope
from todo_app.services import outbox

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_registry() -> live.RedisRegistry:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as exc:
        if IN_CI:
            pytest.fail(f"Redis is not reachable at {REDIS_URL}: {exc!r}")
        pytest.skip(f"Redis is not reachable: {exc!r}")
    return live.RedisRegistry(REDIS_URL, prefix=f"test:{uuid.uuid4().hex}:")


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_registry_keeps_each_users_tabs_apart(kind: str, request: pytest.FixtureRequest) -> None:
    registry: Any = (
        live.MemoryRegistry() if kind == "memory" else request.getfixturevalue("redis_registry")
    )
    registry.add("alice", "tab-1")
    registry.add("alice", "tab-2")
    registry.add("bob", "tab-3")
    registry.add("alice", "tab-1")
    assert sorted(registry.tokens("alice")) == ["tab-1", "tab-2"]
    assert registry.tokens("bob") == ["tab-3"]
    registry.remove("alice", "tab-1")
    assert registry.tokens("alice") == ["tab-2"]
    assert registry.tokens("nobody") == []


def test_tabs_not_seen_for_a_day_are_forgotten(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = live.MemoryRegistry()
    registry.add("alice", "old-tab")
    now = time.time()
    monkeypatch.setattr(live.time, "time", lambda: now + live.TAB_TTL_SECONDS + 1)
    registry.add("alice", "new-tab")
    assert registry.tokens("alice") == ["new-tab"]


def test_committed_outbox_events_reach_the_hub_and_rolled_back_ones_do_not(
    sqlite_url: str,
) -> None:
    hub = live.LiveHub()
    submitted: list[dict[str, Any]] = []
    hub.submit = lambda envelopes, local_only=False: submitted.extend(envelopes)  # type: ignore[method-assign]
    previous, live.HUB = live.HUB, hub
    try:
        hub.watch_commits()
        user_id = str(uuid.uuid4())
        with session_scope(sqlite_url) as session:
            outbox.emit(session, "task.created", {"user_id": user_id, "task_id": "1"})
            outbox.emit(session, "task.updated", {"user_id": user_id, "task_id": "1"})
        assert [e["type"] for e in submitted] == ["task.created", "task.updated"]
        with pytest.raises(RuntimeError), session_scope(sqlite_url) as session:
            outbox.emit(session, "task.deleted", {"user_id": user_id, "task_id": "1"})
            session.flush()
            raise RuntimeError("the request failed")
        with session_scope(sqlite_url) as session:
            outbox.emit(session, "task.completed", {"user_id": user_id, "task_id": "1"})
        assert [e["type"] for e in submitted] == ["task.created", "task.updated", "task.completed"]
    finally:
        live.HUB = previous
