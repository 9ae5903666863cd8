"""The live-update plumbing without a browser: the tab registry, the commit hook, and applying
an update off the event loop."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import sqlite3
import threading
import time
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import text

from todo_app import live
from todo_app.db import session_scope
from todo_app.services import outbox


@pytest.fixture
def redis_registry(redis_server: str) -> live.RedisRegistry:
    return live.RedisRegistry(f"{redis_server}/15", prefix=f"test:{uuid.uuid4().hex}:")


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


class _LockedState:
    """A tab state whose live method waits on the database, as TasksState's does."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.applied_in: str | None = None

    def _live_task(self, data: dict[str, Any]) -> None:
        with session_scope(self.url) as session:
            session.execute(text("SELECT 1"))
        self.applied_in = threading.current_thread().name


class _App:
    def __init__(self, state: _LockedState) -> None:
        self.state = state

    @contextlib.asynccontextmanager
    async def modify_state(self, _token: Any) -> AsyncIterator[Any]:
        state = self.state

        class Root:
            async def get_state(self, _cls: type) -> _LockedState:
                return state

        yield Root()


def test_a_live_update_waiting_on_a_locked_database_leaves_the_event_loop_free(
    sqlite_url: str,
) -> None:
    hub = live.LiveHub()
    state = _LockedState(sqlite_url)
    hub._app = _App(state)
    route = live.Route("task.", _LockedState, "_live_task")

    async def scenario() -> tuple[float, float]:
        ticks: list[float] = []

        async def tick() -> None:
            while True:
                await asyncio.sleep(0.01)
                ticks.append(time.monotonic())

        # Another process's write transaction holds SQLite's lock for a second.
        blocker = sqlite3.connect(sqlite_url.split("///", 1)[1], isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        ticker = asyncio.create_task(tick())
        started = time.monotonic()
        apply = asyncio.create_task(hub._apply("tab-1", route, {"user_id": "u"}))
        await asyncio.sleep(1.0)
        blocker.execute("ROLLBACK")
        blocker.close()
        await apply
        ticker.cancel()
        moments = [started, *ticks, time.monotonic()]
        # A loop held by the waiting update would show one gap of the whole second; a free
        # one, on a busy machine, gaps of a few of its 10 ms sleeps.
        longest = max(later - earlier for earlier, later in itertools.pairwise(moments))
        return longest, moments[-1] - started

    # A loop of its own in a thread of its own: browser tests leave one running in this one.
    with ThreadPoolExecutor(1) as pool:
        longest, elapsed = pool.submit(asyncio.run, scenario()).result()
    assert elapsed >= 1.0 and state.applied_in not in (None, "MainThread")
    assert longest < 0.5, f"the event loop stood still for {longest:.2f} s"


def test_an_event_reaches_the_tabs_of_everyone_it_concerns() -> None:
    hub = live.LiveHub()
    hub._registry = live.MemoryRegistry()
    hub.route("task.", object, "_live_task")
    for user, tab in (("owner", "o-1"), ("member", "m-1"), ("member", "m-2"), ("other", "x-1")):
        hub.register(user, tab)

    def tabs(data: dict[str, Any], event_type: str = "task.updated") -> list[str]:
        return sorted(hub._tabs_for({"type": event_type, "data": data}))

    assert tabs({"user_id": "owner"}) == ["o-1"]
    shared = {"user_id": "owner", "audience": ["owner", "member"]}
    assert tabs(shared) == ["m-1", "m-2", "o-1"]
    # No route for the type, or no user: nobody.
    assert tabs(shared, "reminder.due") == []
    assert tabs({"audience": ["owner"]}) == []
