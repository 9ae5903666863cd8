"""The audit worker: every event of every topic becomes one audit_log row; old rows are purged.

`audit.record` is idempotent by event id, and the consumer's processed_events row commits with
it, so a redelivered event never writes a second row. Retention: rows older than `retention`
are deleted every `purge_interval` seconds (first at start-up).
"""

from __future__ import annotations

import logging
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

log = logging.getLogger(__name__)

GROUP = "audit"
DEFAULT_RETENTION = timedelta(days=90)


@dataclass(frozen=True)
class AuditStatus:
    consumer: ConsumerStatus
    purged: int
    last_purge_at: datetime | None
    last_error: str | None


class AuditWorker:
    """Consumes every topic as group "audit"; purges in a thread. Starts at construction.

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
        self._purge_interval = purge_interval
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._purged = 0
        self._last_purge_at: datetime | None = None
        self._last_error: str | None = None
        self.consumer = EventConsumer(
            GROUP,
            list(TOPICS),
            self.handle,
            bus=bus,
            database_url=database_url,
            batch_handler=self.handle_batch,
            **consumer_options,
        )
        self.consumer.start()
        self._purger = threading.Thread(target=self._purge_loop, name="audit-purge", daemon=True)
        self._purger.start()

    def handle(self, session: Session, event: Event) -> None:
        audit.record(session, dict(event.envelope))

    def handle_batch(self, session: Session, events: Sequence[Event]) -> None:
        audit.record_many(session, [dict(event.envelope) for event in events])

    def purge(self, now: datetime | None = None) -> int:
        with session_scope(self._database_url) as session:
            count = audit.purge(session, self._retention, now or datetime.now(UTC))
        with self._lock:
            self._purged += count
            self._last_purge_at = datetime.now(UTC)
        return count

    def _purge_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                self.purge()
            except Exception as exc:  # retried at the next interval
                log.warning("audit purge failed: %r", exc)
                with self._lock:
                    self._last_error = f"purge: {type(exc).__name__}: {exc}"
            self._stopping.wait(self._purge_interval)

    def status(self) -> AuditStatus:
        with self._lock:
            return AuditStatus(
                consumer=self.consumer.status(),
                purged=self._purged,
                last_purge_at=self._last_purge_at,
                last_error=self._last_error,
            )

    def stop(self, timeout: float = 15.0) -> None:
        self._stopping.set()
        self.consumer.stop(timeout)
        self._purger.join(timeout)
