"""The one consume loop every worker runs: idempotent effects, retries, DLQ, commit-after-write.

For each message, in partition order:

1. decode the CloudEvent; a malformed value goes straight to `<topic>.dlq`;
2. in ONE database transaction: if (consumer name, event id) is already in processed_events do
   nothing, else insert that row and run `handler(session, event)`; commit;
3. only after that commit, commit the Kafka offset.

A crash anywhere between 1 and 3 re-delivers the message and step 2 skips it: delivery is
at-least-once, effects made through the session are exactly-once. A handler that raises is
retried after each of `retry_delays` (1 s, 5 s, 30 s by default), then the event is dead-lettered
and the loop moves on; `python -m workers dlq replay` republishes it once the cause is fixed.
While the database itself is unreachable, failures are not counted: the loop waits for it.

Order holds per partition (so per user) in steady state. A DLQ replay, or a Tansu restart that
lost the log, can deliver an event after later ones: handlers must decide from the database's
current state, not from the order of events.
"""

from __future__ import annotations

import contextlib
import enum
import json
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kafka import KafkaConsumer, KafkaProducer
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata, TopicPartition
from sqlalchemy import insert
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from todo_app import kafka_internals
from todo_app.bus import (
    BusConfig,
    Event,
    InvalidEvent,
    decode_event,
    dlq_topic,
    encode_json,
    ensure_topics,
    make_consumer,
    make_producer,
)
from todo_app.db import get_engine, session_scope
from todo_app.logs import request_context
from todo_app.models import ProcessedEvent
from workers.metrics import (
    CONSUMER_LAG,
    EVENTS_DEAD_LETTERED,
    EVENTS_FAILED,
    EVENTS_PROCESSED,
    Readings,
)

log = logging.getLogger(__name__)

Handler = Callable[[Session, Event], None]
"""`handler(session, event)`: make the event's effect through `session`; never commit it.

Raising fails the attempt (the transaction, processed_events row included, rolls back).
"""

BatchHandler = Callable[[Session, Sequence[Event]], None]
"""`batch_handler(session, events)`: the effects of several events at once, in their order.

Optional: the fast path uses it instead of calling `handler` per event (one INSERT for a whole
poll instead of one per event); it must have the same effect as `handler` on each event.
"""

DEFAULT_RETRY_DELAYS: tuple[float, ...] = (1.0, 5.0, 30.0)
DEFAULT_RECONNECT_DELAYS: tuple[float, ...] = (0.5, 1.0, 2.0, 5.0)


def _utc_now_text() -> str:
    """Now as RFC 3339 UTC with a Z, the form CloudEvents and dead letters carry."""
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class ConsumerStatus:
    """A snapshot of one consumer; `lag` is None until every assigned partition was fetched."""

    name: str
    topics: tuple[str, ...]
    running: bool
    processed: int
    skipped: int
    failed: int
    dead_lettered: int
    lag: int | None
    last_error: str | None
    last_error_at: datetime | None

    def metrics(self) -> Readings:
        return {
            EVENTS_PROCESSED: self.processed,
            EVENTS_FAILED: self.failed,
            EVENTS_DEAD_LETTERED: self.dead_lettered,
            CONSUMER_LAG: self.lag,
        }


class _Outcome(enum.Enum):
    DONE = "done"
    # Done only after retries or a dead letter: commit its offset at once.
    DONE_SLOWLY = "done slowly"
    STOPPED = "stopped"


def _raw_value(value: bytes | None) -> Any:
    """What a malformed message held, as JSON if it parses, else as text."""
    if value is None:
        return None
    try:
        return json.loads(value)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return value.decode("utf-8", "replace")


class EventConsumer:
    """Consume `topics` as group `name` and apply `handler` to each event exactly once.

    `name` is both the Kafka consumer group and the `processed_events.consumer` value, so one
    name per kind of worker: instances sharing it split the partitions between them.
    `start()` runs the loop in a daemon thread (kafka-python blocks); `run()` runs it in the
    calling thread. `stop()` finishes the current message's transaction, commits offsets of
    what is done and returns. `status()` may be called from any thread.

    Broker outages and restarts are survived: the loop reconnects with `reconnect_delays`,
    re-creates its topics (Tansu's memory storage forgets them) and rejoins the group.
    """

    def __init__(
        self,
        name: str,
        topics: Sequence[str],
        handler: Handler,
        *,
        bus: BusConfig | None = None,
        database_url: str | None = None,
        retry_delays: Sequence[float] = DEFAULT_RETRY_DELAYS,
        reconnect_delays: Sequence[float] = DEFAULT_RECONNECT_DELAYS,
        poll_timeout_ms: int = 500,
        max_poll_records: int = 100,
        client_options: Mapping[str, Any] | None = None,
        batch_handler: BatchHandler | None = None,
    ) -> None:
        if not topics:
            raise ValueError("a consumer needs at least one topic")
        if not reconnect_delays:
            raise ValueError("reconnect_delays must not be empty")
        self.name = name
        self.topics = tuple(topics)
        self._handler = handler
        self._batch_handler = batch_handler
        self._bus = bus or BusConfig.from_settings()
        self._database_url = database_url
        self._retry_delays = tuple(retry_delays)
        self._reconnect_delays = tuple(reconnect_delays)
        self._poll_timeout_ms = poll_timeout_ms
        self._max_poll_records = max_poll_records
        # Extra KafkaConsumer settings, e.g. a shorter fetch_max_wait_ms for latency.
        self._client_options = dict(client_options or {})
        self._consumer: KafkaConsumer | None = None
        self._producer: KafkaProducer | None = None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._running = False
        self._lock = threading.Lock()
        self._processed = 0
        self._skipped = 0
        self._failed = 0
        self._dead_lettered = 0
        self._lag: int | None = None
        self._last_error: str | None = None
        self._last_error_at: datetime | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Run the loop in a daemon thread; idempotent while it runs."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self.run, name=f"{self.name}-consume", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        """Ask the loop to finish and wait up to `timeout` seconds for it."""
        self._stopping.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def status(self) -> ConsumerStatus:
        with self._lock:
            return ConsumerStatus(
                name=self.name,
                topics=self.topics,
                running=self._running,
                processed=self._processed,
                skipped=self._skipped,
                failed=self._failed,
                dead_lettered=self._dead_lettered,
                lag=self._lag,
                last_error=self._last_error,
                last_error_at=self._last_error_at,
            )

    def run(self) -> None:
        """Consume until `stop()`; never raises for broker or database trouble."""
        self._running = True
        outages = 0
        try:
            while not self._stopping.is_set():
                try:
                    self._connect()
                    outages = 0
                    self._consume()
                except Exception as exc:
                    self._note_error("bus", exc)
                    log.warning("consumer %s: %r; reconnecting", self.name, exc)
                    self._stopping.wait(self._reconnect_delay(outages))
                    outages += 1
                finally:
                    self._disconnect()
        finally:
            self._running = False

    # -- the loop ----------------------------------------------------------------------------

    def _connect(self) -> None:
        ensure_topics(self._bus, [*self.topics, *(dlq_topic(topic) for topic in self.topics)])
        self._consumer = make_consumer(self._bus, self.name, self.topics, **self._client_options)

    def _disconnect(self) -> None:
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            try:
                consumer.close(autocommit=False, timeout_ms=self._bus.timeout_ms)
            except Exception as exc:  # a dead broker must not stop the reconnect loop
                log.debug("closing consumer %s: %r", self.name, exc)
        self._drop_producer()
        with self._lock:
            self._lag = None

    def _consume(self) -> None:
        consumer = self._consumer
        assert consumer is not None
        topic_ids: dict[str, Any] = {}
        while not self._stopping.is_set():
            batch = consumer.poll(
                timeout_ms=self._poll_timeout_ms, max_records=self._max_poll_records
            )
            lost = self._lost_logs(consumer, topic_ids)
            if lost:
                # Fetched from a position in a log that is gone: hand these records back too.
                batch = {tp: records for tp, records in batch.items() if tp not in lost}
            self._process_batch(consumer, batch)
            lag = self._measure_lag(consumer)
            with self._lock:
                self._lag = lag

    def _process_batch(
        self, consumer: KafkaConsumer, batch: Mapping[TopicPartition, Sequence[Any]]
    ) -> None:
        if self._apply_batch(batch):
            ends = {
                partition: OffsetAndMetadata(records[-1].offset + 1, "", -1)
                for partition, records in batch.items()
                if records
            }
            self._commit(consumer, ends)
            return
        done: dict[TopicPartition, OffsetAndMetadata] = {}
        for partition, records in batch.items():
            for record in records:
                outcome = self._handle(record)
                if outcome is _Outcome.STOPPED:
                    self._commit(consumer, done)
                    return
                done[partition] = OffsetAndMetadata(record.offset + 1, "", -1)
                # A slow message may have outlived max_poll_interval and cost us the group;
                # if so, hand the rest of the batch back rather than work on revoked partitions.
                if outcome is _Outcome.DONE_SLOWLY and not self._commit(consumer, done):
                    self._rewind(consumer, batch, done)
                    return
        self._commit(consumer, done)

    def _handle(self, record: Any) -> _Outcome:
        try:
            event = decode_event(record.value)
        except InvalidEvent as exc:
            sent = self._dead_letter(record, _raw_value(record.value), f"invalid: {exc}", 0)
            return _Outcome.DONE_SLOWLY if sent else _Outcome.STOPPED
        # Its log lines, and the events its effect emits, carry the request that caused it.
        with request_context(event.request_id):
            return self._handle_event(record, event)

    def _handle_event(self, record: Any, event: Event) -> _Outcome:
        """Apply one event with retries, waiting out database outages, else dead-letter it."""
        attempts = 0
        outages = 0
        while True:
            try:
                applied = self._apply(event)
            except Exception as exc:
                if not self._database_reachable():
                    # Not the event's fault: wait for the database without using up attempts.
                    self._note_error("database", exc)
                    if self._stopping.wait(self._reconnect_delay(outages)):
                        return _Outcome.STOPPED
                    outages += 1
                    continue
                attempts += 1
                with self._lock:
                    self._failed += 1
                self._note_error(f"{event.type} {event.id}", exc)
                log.warning(
                    "consumer %s: %s %s failed (attempt %d): %r",
                    self.name,
                    event.type,
                    event.id,
                    attempts,
                    exc,
                )
                if attempts > len(self._retry_delays):
                    error = f"{type(exc).__name__}: {exc}"
                    sent = self._dead_letter(record, dict(event.envelope), error, attempts)
                    return _Outcome.DONE_SLOWLY if sent else _Outcome.STOPPED
                if self._stopping.wait(self._retry_delays[attempts - 1]):
                    return _Outcome.STOPPED
                continue
            with self._lock:
                if applied:
                    self._processed += 1
                else:
                    self._skipped += 1
            self._log_handled(event, applied)
            return _Outcome.DONE if attempts == 0 else _Outcome.DONE_SLOWLY

    def _apply_batch(self, batch: Mapping[TopicPartition, Sequence[Any]]) -> bool:
        """Every event of a poll in one transaction: the fast path when all of them succeed.

        False (and nothing committed) when a message is malformed or any effect fails; the
        caller then takes the batch one event at a time, with retries and the DLQ.
        """
        records = [record for records in batch.values() for record in records]
        if len(records) < 2:
            return False
        try:
            events = [decode_event(record.value) for record in records]
        except InvalidEvent:
            return False
        try:
            with session_scope(self._database_url) as session:
                rows = session.exec(
                    select(ProcessedEvent.event_id).where(
                        ProcessedEvent.consumer == self.name,
                        col(ProcessedEvent.event_id).in_({event.id for event in events}),
                    )
                )
                seen = set(rows.all())
                fresh = []
                for event in events:
                    if event.id not in seen:
                        seen.add(event.id)
                        fresh.append(event)
                if fresh:
                    # Claim the whole batch before any effect, as _apply claims one event.
                    now = datetime.now(UTC)
                    session.execute(
                        insert(ProcessedEvent),
                        [
                            {"consumer": self.name, "event_id": event.id, "processed_at": now}
                            for event in fresh
                        ],
                    )
                    if self._batch_handler is not None:
                        self._batch_handler(session, fresh)
                    else:
                        for event in fresh:
                            with request_context(event.request_id):
                                self._handler(session, event)
        except Exception as exc:  # one bad event must not sink the others: go one by one
            log.info(
                "consumer %s: batch of %d falls back to one by one: %r", self.name, len(events), exc
            )
            return False
        with self._lock:
            self._processed += len(fresh)
            self._skipped += len(events) - len(fresh)
        if log.isEnabledFor(logging.INFO):
            applied = {event.id for event in fresh}
            for event in events:
                with request_context(event.request_id):
                    self._log_handled(event, event.id in applied)
        return True

    def _log_handled(self, event: Event, applied: bool) -> None:
        log.info(
            "event handled",
            extra={
                "consumer": self.name,
                "event_id": event.id,
                "event_type": event.type,
                "outcome": "processed" if applied else "skipped",
            },
        )

    def _apply(self, event: Event) -> bool:
        """Run the effect once per (consumer, event id); False when it was already done."""
        with session_scope(self._database_url) as session:
            key = {"consumer": self.name, "event_id": event.id}
            if session.get(ProcessedEvent, key) is not None:
                return False
            # Claim before acting: a concurrent duplicate (another member after a rebalance)
            # blocks or fails on this primary key before running any effect.
            session.add(ProcessedEvent(consumer=self.name, event_id=event.id))
            session.flush()
            self._handler(session, event)
        return True

    def _dead_letter(self, record: Any, event: Any, error: str, attempts: int) -> bool:
        """Publish to `<topic>.dlq` until acknowledged; False if stopped before that."""
        letter = {
            "event": event,
            "error": error,
            "attempts": attempts,
            "consumer": self.name,
            "failed_at": _utc_now_text(),
            "topic": record.topic,
            "partition": record.partition,
            "offset": record.offset,
        }
        target = dlq_topic(record.topic)
        outages = 0
        while not self._stopping.is_set():
            try:
                if self._producer is None:
                    self._producer = make_producer(self._bus)
                future = self._producer.send(target, key=record.key, value=encode_json(letter))
                future.get(timeout=self._bus.timeout_ms / 1000)
            except KafkaError as exc:
                self._note_error("dead letter", exc)
                self._drop_producer()
                self._stopping.wait(self._reconnect_delay(outages))
                outages += 1
                continue
            with self._lock:
                self._dead_lettered += 1
            log.error(
                "consumer %s dead-lettered %s[%d]@%d to %s: %s",
                self.name,
                record.topic,
                record.partition,
                record.offset,
                target,
                error,
            )
            return True
        return False

    def _commit(
        self, consumer: KafkaConsumer, offsets: dict[TopicPartition, OffsetAndMetadata]
    ) -> bool:
        """Commit offsets of durable work; a failure only means those messages come back."""
        if not offsets:
            return True
        try:
            consumer.commit(offsets=dict(offsets), timeout_ms=self._bus.timeout_ms)
        except KafkaError as exc:
            self._note_error("offset commit", exc)
            log.warning("consumer %s could not commit offsets: %r", self.name, exc)
            return False
        return True

    @staticmethod
    def _rewind(
        consumer: KafkaConsumer,
        batch: Mapping[TopicPartition, Sequence[Any]],
        done: Mapping[TopicPartition, OffsetAndMetadata],
    ) -> None:
        """Seek back to the first unprocessed record of each partition still assigned."""
        for partition, records in batch.items():
            first_pending = done[partition].offset if partition in done else records[0].offset
            if first_pending > records[-1].offset:
                continue
            # A revoked partition raises; its new owner starts from the committed offset.
            with contextlib.suppress(KafkaError, ValueError):
                consumer.seek(partition, first_pending)

    def _lost_logs(self, consumer: KafkaConsumer, topic_ids: dict[str, Any]) -> set[TopicPartition]:
        """Partitions whose log the broker lost since we read them; rewound to the start.

        A broker that lost its log (a Tansu restart: memory storage) starts every partition
        again at offset 0, but this client keeps its fetch positions, also through the group
        rejoin, and Tansu answers a fetch beyond a partition's end with no records rather than
        OFFSET_OUT_OF_RANGE. Left alone, the consumer would wait at its old position and skip
        every event the new log holds below it. A log is taken as lost when its topic has a
        new topic id (recreated) or its end is below our position; reading it again from the
        start costs only skips (processed_events).
        """
        lost: set[TopicPartition] = set()
        try:
            assignment = consumer.assignment()
            for topic in {partition.topic for partition in assignment}:
                topic_id = kafka_internals.topic_id(consumer, topic)
                if topic_id is None:
                    continue
                known = topic_ids.setdefault(topic, topic_id)
                if known != topic_id:
                    topic_ids[topic] = topic_id
                    lost.update(p for p in assignment if p.topic == topic)
            for partition in assignment - lost:
                highwater = consumer.highwater(partition)
                position = consumer.position(partition, timeout_ms=0)
                if highwater is not None and position is not None and position > highwater:
                    lost.add(partition)
            if lost:
                log.warning(
                    "consumer %s: the broker lost the log of %s; reading again from the start",
                    self.name,
                    sorted(f"{p.topic}[{p.partition}]" for p in lost),
                )
                consumer.seek_to_beginning(*lost)
        except (KafkaError, ValueError, AttributeError) as exc:
            log.debug("consumer %s: log check failed: %r", self.name, exc)
        return lost

    @staticmethod
    def _measure_lag(consumer: KafkaConsumer) -> int | None:
        # end_offsets() is wrong on Tansu after multi-record batches; the highwater each fetch
        # response carries is right, so lag is known once every partition has been fetched.
        try:
            assignment = consumer.assignment()
            if not assignment:
                return None
            total = 0
            for partition in assignment:
                highwater = consumer.highwater(partition)
                if highwater is None:
                    return None
                position = consumer.position(partition, timeout_ms=0)
                if position is None:
                    return None
                total += max(0, highwater - position)
            return total
        except KafkaError:
            return None

    def _database_reachable(self) -> bool:
        try:
            with get_engine(self._database_url).connect() as connection:
                connection.exec_driver_sql("SELECT 1")
        except SQLAlchemyError:
            return False
        return True

    def _reconnect_delay(self, outages: int) -> float:
        return self._reconnect_delays[min(outages, len(self._reconnect_delays) - 1)]

    def _drop_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                producer.close(timeout=1)
            except Exception as exc:  # closing a producer of a dead broker may raise
                log.debug("closing DLQ producer of %s: %r", self.name, exc)

    def _note_error(self, where: str, exc: BaseException) -> None:
        with self._lock:
            self._last_error = f"{where}: {type(exc).__name__}: {exc}"
            self._last_error_at = datetime.now(UTC)
