"""The audit worker: every event of every topic becomes one audit_log row; old rows are purged.

`audit.record` is idempotent by event id, and the consumer's processed_events row commits with
it, so a redelivered event never writes a second row. Retention: rows older than `retention`
are deleted every `purge_interval` seconds (first at start).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session

from todo_app.bus import BusConfig, Event
from todo_app.core.events import TOPICS
from todo_app.db import session_scope
from todo_app.services import audit
from workers.consumer import ConsumerStatus, EventConsumer
from workers.lifecycle import JobStatus, PeriodicJob, Worker
from workers.metrics import Readings

GROUP = "audit"
DEFAULT_RETENTION = timedelta(days=90)


@dataclass(frozen=True)
class AuditStatus:
    consumer: ConsumerStatus
    job: JobStatus
    purged: int

    def metrics(self) -> Readings:
        return self.consumer.metrics()


class AuditWorker(Worker):
    """Consumes every topic as group "audit" and purges old rows, once started.

    `consumer_options` go to EventConsumer (retry_delays, poll_timeout_ms, ...).
    """

    def __init__(
        self,
        *,
        bus: BusConfig | None = None,
        database_url: str | None = None,
        retention: timedelta = DEFAULT_RETENTION,
        purge_interval: float = 86_400.0,
        **consumer_options: Any,
    ) -> None:
        self._database_url = database_url
        self._retention = retention
        self._lock = threading.Lock()
        self._purged = 0
        self.consumer = EventConsumer(
            GROUP,
            list(TOPICS),
            self.handle,
            bus=bus,
            database_url=database_url,
            batch_handler=self.handle_batch,
            **consumer_options,
        )
        self._job = PeriodicJob("audit-purge", self._purge_next, purge_interval)
        super().__init__(self.consumer, self._job)

    def handle(self, session: Session, event: Event) -> None:
        audit.record(session, dict(event.envelope))

    def handle_batch(self, session: Session, events: Sequence[Event]) -> None:
        audit.record_many(session, [dict(event.envelope) for event in events])

    def purge(self, now: datetime | None = None) -> int:
        with session_scope(self._database_url) as session:
            count = audit.purge(session, self._retention, now or datetime.now(UTC))
        with self._lock:
            self._purged += count
        return count

    def _purge_next(self) -> None:
        self.purge()

    def status(self) -> AuditStatus:
        with self._lock:
            return AuditStatus(
                consumer=self.consumer.status(), job=self._job.status(), purged=self._purged
            )
