"""Live updates: every open tab of a user shows a change made anywhere, within a blink.

Two routes bring an event to a backend process:

- the fast path: a transaction committed in this process (a UI handler or a REST call) hands
  its outbox events to the hub right after the commit, with no broker round trip;
- the bus: a consumer thread reads task-events and notifications as a consumer group of its
  own (one per process, from the latest offset), so changes made elsewhere (another backend
  process, a worker creating the next occurrence, a reminder firing, the CLI) arrive too.

For each event the hub looks up the user's open tabs in the registry and applies the event to
each tab's state with `app.modify_state`; Reflex sends the resulting delta over that tab's
socket, and with REFLEX_REDIS_URL to whichever process holds it. The fast path serves every
tab of the user; the bus only the tabs whose socket this process holds (every process reads
every event). Applying is idempotent (a row already at the event's version is left alone), so
an event arriving by both routes changes a tab once. A tab that was disconnected refetches
when it reconnects (Reflex re-runs the page's on_load then), so a missed push is never a lost
update.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import redis
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session as OrmSession

from todo_app import reflex_internals
from todo_app.bus import BusConfig, BusNotConfigured, InvalidEvent, decode_event, make_consumer
from todo_app.config import get_settings
from todo_app.core.events import NOTIFICATIONS, REQUEST_ID, TASK_EVENTS, audience
from todo_app.logs import request_context
from todo_app.models import OutboxEvent

log = logging.getLogger(__name__)

LIVE_TOPICS = (TASK_EVENTS, NOTIFICATIONS)
# A tab not seen (loaded, reconnected) for this long is dropped from the registry.
TAB_TTL_SECONDS = 24 * 3600
# Event ids already delivered by this process: the bus copy of a fast-path event is skipped.
SEEN_CAPACITY = 10_000
_PENDING_KEY = "todo_live_pending"


class Registry(Protocol):
    """Which tabs (Reflex client tokens) each user has open."""

    def add(self, user_id: str, token: str) -> None: ...

    def remove(self, user_id: str, token: str) -> None: ...

    def tokens(self, user_id: str) -> list[str]: ...


class MemoryRegistry:
    """One backend process (the embedded default): the registry is a dict."""

    def __init__(self) -> None:
        self._tabs: dict[str, dict[str, float]] = {}
        self._lock = threading.Lock()

    def add(self, user_id: str, token: str) -> None:
        with self._lock:
            self._tabs.setdefault(user_id, {})[token] = time.time()

    def remove(self, user_id: str, token: str) -> None:
        with self._lock:
            self._tabs.get(user_id, {}).pop(token, None)

    def tokens(self, user_id: str) -> list[str]:
        cutoff = time.time() - TAB_TTL_SECONDS
        with self._lock:
            tabs = self._tabs.get(user_id, {})
            for token in [t for t, seen in tabs.items() if seen < cutoff]:
                del tabs[token]
            return list(tabs)


class RedisRegistry:
    """Several backend processes: a hash per user (token -> last seen) in Reflex's Redis."""

    def __init__(self, url: str, prefix: str = "todo:live:") -> None:
        self._redis = redis.Redis.from_url(url)
        self._prefix = prefix

    def _key(self, user_id: str) -> str:
        return self._prefix + user_id

    def add(self, user_id: str, token: str) -> None:
        key = self._key(user_id)
        with self._redis.pipeline() as pipe:
            pipe.hset(key, token, str(int(time.time())))
            pipe.expire(key, TAB_TTL_SECONDS)
            pipe.execute()

    def remove(self, user_id: str, token: str) -> None:
        self._redis.hdel(self._key(user_id), token)

    def tokens(self, user_id: str) -> list[str]:
        key = self._key(user_id)
        cutoff = time.time() - TAB_TTL_SECONDS
        raw: dict[bytes, bytes] = self._redis.hgetall(key)  # type: ignore[assignment]
        tabs = {token.decode(): int(seen) for token, seen in raw.items()}
        stale = [token for token, seen in tabs.items() if seen < cutoff]
        if stale:
            self._redis.hdel(key, *stale)
        return [token for token, seen in tabs.items() if seen >= cutoff]


@dataclass(frozen=True)
class Route:
    """Events whose type starts with `prefix` are applied by `state_cls.<method>(data)`."""

    prefix: str
    state_cls: type
    method: str


class LiveHub:
    """The process's dispatcher: registry, fast path, bus consumer and delivery to tabs."""

    def __init__(self) -> None:
        self._registry: Registry | None = None
        self._routes: list[Route] = []
        self._app: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: asyncio.Queue[tuple[Mapping[str, Any], list[str], bool]] | None = None
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._stopping = threading.Event()

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            url = get_settings().redis_url
            self._registry = RedisRegistry(url) if url else MemoryRegistry()
        return self._registry

    def route(self, prefix: str, state_cls: type, method: str) -> None:
        self._routes.append(Route(prefix, state_cls, method))

    # -- tabs --------------------------------------------------------------------------------

    def register(self, user_id: uuid.UUID | str, token: str) -> None:
        """A tab of `user_id` is open (called on each page load and reconnect)."""
        if token:
            try:
                self.registry.add(str(user_id), token)
            except redis.RedisError as exc:  # live updates degrade; the page still works
                log.warning("live registry unavailable: %r", exc)

    def unregister(self, user_id: uuid.UUID | str, token: str) -> None:
        if token:
            with contextlib.suppress(redis.RedisError):
                self.registry.remove(str(user_id), token)

    # -- the fast path -----------------------------------------------------------------------

    def submit(self, envelopes: Iterable[Mapping[str, Any]], local_only: bool = False) -> None:
        """Queue events for delivery; safe from any thread. Dropped until `serve` runs.

        The calling thread (the one that committed, or the bus consumer) looks up the user's
        open tabs, so an event nobody is looking at never costs the event loop anything."""
        loop, queue = self._loop, self._queue
        if loop is None or queue is None or loop.is_closed():
            return
        for envelope in envelopes:
            tokens = self._tabs_for(envelope)
            if tokens:
                loop.call_soon_threadsafe(queue.put_nowait, (envelope, tokens, local_only))

    def _tabs_for(self, envelope: Mapping[str, Any]) -> list[str]:
        event_type = str(envelope.get("type", ""))
        data = envelope.get("data")
        if not isinstance(data, Mapping) or "user_id" not in data:
            return []
        if not any(event_type.startswith(route.prefix) for route in self._routes):
            return []
        try:
            return [token for user_id in audience(data) for token in self.registry.tokens(user_id)]
        except redis.RedisError as exc:
            log.warning("live registry unavailable: %r", exc)
            return []

    def watch_commits(self) -> None:
        """Hand every outbox event committed in this process to `submit` after its commit."""
        if not sa_event.contains(OrmSession, "after_flush", _collect_outbox):
            sa_event.listen(OrmSession, "after_flush", _collect_outbox)
            sa_event.listen(OrmSession, "after_commit", _submit_collected)
            sa_event.listen(OrmSession, "after_soft_rollback", _drop_collected)

    # -- serving -----------------------------------------------------------------------------

    async def serve(self, app: Any) -> None:
        """The lifespan task: deliver queued events until the app stops."""
        self._app = app
        self._loop = asyncio.get_running_loop()
        self._queue = asyncio.Queue()
        self._stopping.clear()
        self.watch_commits()
        consumer = self._start_consumer()
        try:
            while True:
                envelope, tokens, local_only = await self._queue.get()
                with request_context(envelope.get(REQUEST_ID)):
                    await self._deliver(envelope, tokens, local_only)
        finally:
            self._stopping.set()
            if consumer is not None:
                await asyncio.to_thread(consumer.join, 15)
            self._loop = None
            self._queue = None

    def _start_consumer(self) -> threading.Thread | None:
        try:
            bus = BusConfig.from_settings()
        except BusNotConfigured:
            log.info("live updates: no broker configured, changes made elsewhere show on reload")
            return None
        thread = threading.Thread(target=self._consume, args=(bus,), name="live-bus", daemon=True)
        thread.start()
        return thread

    def _consume(self, bus: BusConfig) -> None:
        """Read the live topics from their end; reconnect after any broker trouble."""
        group = f"live-{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        while not self._stopping.is_set():
            consumer = None
            try:
                consumer = make_consumer(
                    bus, group, LIVE_TOPICS, auto_offset_reset="latest", fetch_max_wait_ms=50
                )
                while not self._stopping.is_set():
                    batch = consumer.poll(timeout_ms=500)
                    envelopes = []
                    for records in batch.values():
                        for record in records:
                            try:
                                envelopes.append(dict(decode_event(record.value).envelope))
                            except InvalidEvent as exc:
                                log.warning("live updates: skipping a malformed event: %s", exc)
                    # Only this process's tabs: every process reads every event.
                    self.submit(envelopes, local_only=True)
            except Exception as exc:
                log.warning("live updates: broker trouble %r; reconnecting", exc)
                self._stopping.wait(2.0)
            finally:
                if consumer is not None:
                    with contextlib.suppress(Exception):
                        consumer.close(autocommit=False)

    async def _deliver(
        self, envelope: Mapping[str, Any], tokens: list[str], local_only: bool
    ) -> None:
        event_id = str(envelope.get("id"))
        if event_id in self._seen:
            return
        self._seen[event_id] = None
        if len(self._seen) > SEEN_CAPACITY:
            self._seen.popitem(last=False)
        event_type = str(envelope["type"])
        routes = [route for route in self._routes if event_type.startswith(route.prefix)]
        data = {**envelope["data"], "type": event_type}
        for token in tokens:
            if not await self._reachable(token, local_only):
                continue
            for route in routes:
                try:
                    await self._apply(token, route, data)
                except Exception:
                    log.exception("live update %s to a tab failed", event_type)

    async def _reachable(self, token: str, local_only: bool) -> bool:
        if local_only:
            return reflex_internals.token_connected_here(self._app, token)
        return await reflex_internals.token_connected(self._app, token)

    async def _apply(self, token: str, route: Route, data: Mapping[str, Any]) -> None:
        import reflex as rx

        key = rx.BaseStateToken(ident=token, cls=route.state_cls)
        async with self._app.modify_state(key) as root:
            state = await root.get_state(route.state_cls)
            # The method reads the database: in a thread, so a slow or locked database holds
            # up this tab's state (locked meanwhile) and not the event loop every tab shares.
            await asyncio.to_thread(getattr(state, route.method), data)


def _collect_outbox(session: OrmSession, _context: Any) -> None:
    rows = [row.payload for row in session.new if isinstance(row, OutboxEvent)]
    if rows:
        session.info.setdefault(_PENDING_KEY, []).extend(rows)


def _submit_collected(session: OrmSession) -> None:
    pending = session.info.pop(_PENDING_KEY, None)
    if pending:
        HUB.submit(pending)


def _drop_collected(session: OrmSession, _previous: Any) -> None:
    session.info.pop(_PENDING_KEY, None)


HUB = LiveHub()
