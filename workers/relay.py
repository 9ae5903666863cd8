"""The outbox relay: publish outbox rows to Kafka in creation order, mark them after the ack.

Services write an `outbox_events` row in the same transaction as the change it describes; the
relay sends unpublished rows (published_at IS NULL) oldest first, keyed by user id, waits for
the broker's acknowledgement (acks=all) and only then sets published_at. A row is therefore
published at least once: a crash between the ack and the update sends it again, which the
consumers' processed_events make harmless.

Broker outages: the failed batch stays unpublished, the relay backs off (`retry_delays`) with a
fresh producer and drains the backlog once the broker is back. A broker that lost its log (a
Tansu restart: memory storage) is noticed when an acknowledged offset goes backwards or a topic
it published to has to be created again; the relay then marks the rows it published within
`replay_window` unpublished again, so events the broker acknowledged but lost before anyone
consumed them are delivered after all. A relay that is itself new (restarted together with
the broker) remembers no offsets; it notices the loss because it has to create the marker
topic, which only relays create, and republishes the same window.

Two relays may run. On PostgreSQL a transaction-scoped advisory lock lets one publish at a
time, which keeps per-user order and avoids double publishing (SKIP LOCKED alone would let
a second relay publish newer rows of a user before the first relay's older ones). On SQLite
(one process, the embedded default) the relay does not hold its write transaction while
talking to the broker, so two relays there may publish a row twice, never lose one.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from kafka import KafkaProducer
from kafka.errors import KafkaTimeoutError
from sqlalchemy import func, update
from sqlmodel import Session, select

from todo_app.bus import DLQ_TOPICS, BusConfig, encode_json, ensure_topics, make_producer
from todo_app.core.events import TOPICS
from todo_app.db import get_engine, session_scope
from todo_app.models import OutboxEvent
from todo_app.services import outbox
from workers.lifecycle import JobStatus, PeriodicJob, Worker
from workers.metrics import CONSUMER_LAG, EVENTS_PROCESSED, Readings

log = logging.getLogger(__name__)

# An empty topic only relays create: its absence tells a relay the broker lost its state.
MARKER_TOPIC = "todo-relay-marker"
# pg_try_advisory_xact_lock key shared by every relay ("todorely" in ASCII).
RELAY_LOCK_KEY = 0x746F646F72656C79
DEFAULT_RETRY_DELAYS: tuple[float, ...] = (0.5, 1.0, 2.0, 5.0)


class PublishError(RuntimeError):
    """The broker did not acknowledge some rows; those stay in the backlog."""


@dataclass(frozen=True)
class RelayStatus:
    """A snapshot of the relay; `backlog` is read from the database when asked."""

    job: JobStatus
    published: int
    backlog: int | None
    broker_resets: int

    def metrics(self) -> Readings:
        # The relay's throughput and backlog are what a consumer's processed and lag are.
        return {EVENTS_PROCESSED: self.published, CONSUMER_LAG: self.backlog}


class RelayWorker(Worker):
    """Publishes the outbox; `publish_batch()` and `drain()` for direct use, `start()` for a loop.

    `start()` runs a periodic job: publish a batch whenever there is a backlog, poll every
    `poll_interval` seconds when there is none, back off on errors. `stop()` ends it.
    """

    def __init__(
        self,
        *,
        bus: BusConfig | None = None,
        database_url: str | None = None,
        batch_size: int = 500,
        poll_interval: float = 0.2,
        retry_delays: Sequence[float] = DEFAULT_RETRY_DELAYS,
        replay_window: timedelta = timedelta(hours=1),
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be positive")
        if not retry_delays:
            raise ValueError("retry_delays must not be empty")
        self._bus = bus or BusConfig.from_settings()
        self._database_url = database_url
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._replay_window = replay_window
        self._producer: KafkaProducer | None = None
        # Highest acknowledged offset per (topic, partition): going backwards means log loss.
        self._acked_offsets: dict[tuple[str, int], int] = {}
        # Set until the rows a lost log may have held are marked unpublished (survives a DB error).
        self._log_lost = False
        self._lock = threading.Lock()
        self._published = 0
        self._broker_resets = 0
        self._job = PeriodicJob(
            "relay-publish", self._publish_next, poll_interval, retry_delays=retry_delays
        )
        super().__init__(self._job)

    def stop(self, timeout: float = 15.0) -> None:
        """Ask the loop to finish its batch and wait up to `timeout` seconds for it."""
        super().stop(timeout)
        self._close_producer()

    def status(self) -> RelayStatus:
        try:
            backlog: int | None = self.backlog()
        except Exception:  # status must answer while the database is down
            backlog = None
        with self._lock:
            return RelayStatus(
                job=self._job.status(),
                published=self._published,
                backlog=backlog,
                broker_resets=self._broker_resets,
            )

    def _publish_next(self) -> float:
        """One batch; no wait before the next while a full batch shows there is more."""
        try:
            published = self.publish_batch()
        except Exception:
            # The backlog is kept; a fresh producer for the retry (a broken one stays broken).
            self._close_producer()
            raise
        return self._poll_interval if published < self._batch_size else 0.0

    # -- publishing --------------------------------------------------------------------------

    def backlog(self) -> int:
        """How many outbox rows wait to be published."""
        with Session(get_engine(self._database_url)) as session:
            return outbox.backlog(session)

    def publish_batch(self) -> int:
        """Publish up to `batch_size` of the oldest unpublished rows; returns how many.

        Rows are marked published only once acknowledged. Raises PublishError (after marking
        the acknowledged ones) or a KafkaError if the broker cannot be reached; returns 0 when
        another relay holds the PostgreSQL lock.
        """
        producer = self._connect()
        if self._log_lost:
            self._replay_lost_events()
        if get_engine(self._database_url).dialect.name == "postgresql":
            with session_scope(self._database_url) as session:
                locked = session.exec(select(func.pg_try_advisory_xact_lock(RELAY_LOCK_KEY)))
                if not locked.one():
                    return 0
                rows = self._unpublished(session)
                acked, error, reset = self._send(producer, rows)
                self._mark_published(session, acked)
        else:
            # Never hold SQLite's write lock (BEGIN IMMEDIATE) while waiting on the broker.
            with session_scope(self._database_url) as session:
                rows = self._unpublished(session)
            acked, error, reset = self._send(producer, rows)
            with session_scope(self._database_url) as session:
                self._mark_published(session, acked)
        with self._lock:
            self._published += len(acked)
        if reset:
            self._log_lost = True
            self._replay_lost_events()
        if error is not None:
            raise PublishError(
                f"{len(rows) - len(acked)} of {len(rows)} rows not acknowledged: {error!r}"
            ) from error
        return len(acked)

    def drain(self, timeout: float = 60.0) -> int:
        """Publish until the backlog is empty; returns rows published. Raises on failure."""
        deadline = time.monotonic() + timeout
        total = 0
        while True:
            published = self.publish_batch()
            total += published
            if published == 0 and self.backlog() == 0:
                return total
            if time.monotonic() > deadline:
                raise TimeoutError(f"outbox not drained within {timeout} s")
            if published == 0:
                time.sleep(self._poll_interval)  # another relay holds the lock

    def _connect(self) -> KafkaProducer:
        if self._producer is None:
            # Creating topics first gives them the configured partition count.
            created = ensure_topics(self._bus, [*TOPICS, *DLQ_TOPICS, MARKER_TOPIC])
            # Topics gone after we published to them: the broker lost its log. Only relays
            # create the marker topic, so having to create it means the broker lost everything
            # since a relay last connected, also when this relay is a new process that has
            # published nothing yet (the workers may have re-created the event topics first).
            if MARKER_TOPIC in created or (created and self._acked_offsets):
                self._log_lost = True
            self._producer = make_producer(self._bus)
        return self._producer

    def _close_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                producer.close(timeout=1)
            except Exception as exc:  # a producer of a dead broker may fail to close
                log.debug("closing relay producer: %r", exc)

    def _unpublished(self, session: Session) -> list[tuple[uuid.UUID, str, str, Any]]:
        # Only the columns sent: no ORM object per row.
        statement = (
            select(OutboxEvent.id, OutboxEvent.topic, OutboxEvent.key, OutboxEvent.payload)
            .where(OutboxEvent.published_at.is_(None))  # type: ignore[union-attr]
            .order_by(OutboxEvent.seq)  # type: ignore[arg-type]
            .limit(self._batch_size)
        )
        return list(session.exec(statement))

    def _send(
        self, producer: KafkaProducer, rows: Sequence[tuple[uuid.UUID, str, str, Any]]
    ) -> tuple[list[uuid.UUID], BaseException | None, bool]:
        """Send rows in order; returns the ids acknowledged, the first failure and whether an
        acknowledged offset went backwards (the broker lost its log)."""
        if not rows:
            return [], None, False
        futures = [
            (row_id, producer.send(topic, key=key.encode(), value=encode_json(payload)))
            for row_id, topic, key, payload in rows
        ]
        # Futures still pending after the timeout count as failures below.
        with contextlib.suppress(KafkaTimeoutError):
            producer.flush(timeout=self._bus.timeout_ms / 1000)
        acked: list[uuid.UUID] = []
        error: BaseException | None = None
        reset = False
        for row_id, future in futures:
            if future.is_done and future.succeeded():
                metadata = future.value
                acked.append(row_id)
                reset = (
                    self._note_offset(metadata.topic, metadata.partition, metadata.offset) or reset
                )
            elif error is None:
                error = future.exception if future.is_done else KafkaTimeoutError("no ack")
        return acked, error, reset

    def _note_offset(self, topic: str, partition: int, offset: int) -> bool:
        """Remember an acknowledged offset; True if the partition's log went backwards."""
        previous = self._acked_offsets.get((topic, partition))
        self._acked_offsets[(topic, partition)] = offset
        return previous is not None and offset <= previous

    def _replay_lost_events(self) -> None:
        """The broker lost its log: mark what it may have held unpublished, to send it again."""
        cutoff = datetime.now(UTC) - self._replay_window
        with session_scope(self._database_url) as session:
            result = session.exec(
                update(OutboxEvent)
                .where(OutboxEvent.published_at >= cutoff)  # type: ignore[operator,arg-type]
                .values(published_at=None)
            )
            count = getattr(result, "rowcount", 0)
        self._log_lost = False
        self._acked_offsets.clear()
        with self._lock:
            self._broker_resets += 1
        log.warning(
            "broker lost its log: republishing %s events from the last %s",
            count,
            self._replay_window,
        )

    @staticmethod
    def _mark_published(session: Session, row_ids: Sequence[uuid.UUID]) -> None:
        if row_ids:
            session.exec(
                update(OutboxEvent)
                .where(OutboxEvent.id.in_(row_ids))  # type: ignore[attr-defined]
                .values(published_at=datetime.now(UTC))
            )
