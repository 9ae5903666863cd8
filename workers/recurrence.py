"""The recurrence worker: the safety net that makes every completed or skipped occurrence of a
recurring task have its successor.

The task service already creates the successor in the completion's transaction; this worker
repairs what that missed (a successor deleted behind the service's back, a crash between
services): on task.completed / task.skipped it calls `ensure_successor`, and every
`sweep_interval` seconds it looks for recurring tasks changed within `lookback` that still lack
a later occurrence. Both paths are idempotent (unique series/occurrence key).

A sweep pages through every such task, `batch_size` per transaction, leaving out the ones it
already handled; series that have ended stay in the results, so a sweep costs one next-slot
computation per series ended within `lookback` and remembers nothing between sweeps.
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session

from todo_app.bus import BusConfig, Event
from todo_app.core.events import TASK_EVENTS
from todo_app.db import session_scope
from todo_app.models import Task, User
from todo_app.services.recurrence import ensure_successor, lacking_successor
from workers.consumer import ConsumerStatus, EventConsumer

log = logging.getLogger(__name__)

GROUP = "recurrence"


@dataclass(frozen=True)
class RecurrenceStatus:
    consumer: ConsumerStatus
    sweeps: int
    created_by_sweep: int
    last_sweep_at: datetime | None
    last_error: str | None


def successor_for(session: Session, task: Task) -> Task | None:
    """ensure_successor in the task owner's time zone (None: not recurring, or series ended)."""
    if not task.rrule or task.occurrence_at is None:
        return None
    user = session.get(User, task.user_id)
    return ensure_successor(session, task, user.timezone if user else "UTC")


class RecurrenceWorker:
    """Consumes task-events as group "recurrence" and sweeps the database; starts at once.

    `consumer_options` go to EventConsumer (retry_delays, poll_timeout_ms, ...).
    """

    def __init__(
        self,
        *,
        bus: BusConfig | None = None,
        database_url: str | None = None,
        sweep_interval: float = 60.0,
        lookback: timedelta = timedelta(days=2),
        batch_size: int = 100,
        **consumer_options: Any,
    ) -> None:
        self._database_url = database_url
        self._sweep_interval = sweep_interval
        self._lookback = lookback
        self._batch_size = batch_size
        self._lock = threading.Lock()
        self._sweeps = 0
        self._created = 0
        self._last_sweep_at: datetime | None = None
        self._last_error: str | None = None
        self._stopping = threading.Event()
        self.consumer = EventConsumer(
            GROUP,
            [TASK_EVENTS],
            self.handle,
            bus=bus,
            database_url=database_url,
            **consumer_options,
        )
        self.consumer.start()
        self._sweeper = threading.Thread(target=self._sweep_loop, name="recurrence-sweep")
        self._sweeper.daemon = True
        self._sweeper.start()

    def handle(self, session: Session, event: Event) -> None:
        """task.completed / task.skipped: make sure the occurrence after it exists."""
        if event.type not in ("task.completed", "task.skipped"):
            return
        task = session.get(Task, uuid.UUID(str(event.data["task_id"])))
        if task is None:
            return
        # Uncompleted or restored since the event: the task's state now decides.
        if task.completed if event.type == "task.completed" else task.deleted_at is not None:
            successor_for(session, task)

    def sweep(self, now: datetime | None = None) -> int:
        """One pass over recent completions and skips; returns successors created."""
        since = (now or datetime.now(UTC)) - self._lookback
        created = 0
        # Every task handled in this pass, ended series included: each page brings new ones.
        handled: set[uuid.UUID] = set()
        while True:
            with session_scope(self._database_url) as session:
                page = lacking_successor(session, since, self._batch_size, handled)
                for task in page:
                    handled.add(task.id)
                    created += successor_for(session, task) is not None
            if len(page) < self._batch_size:
                break
        with self._lock:
            self._sweeps += 1
            self._created += created
            self._last_sweep_at = datetime.now(UTC)
        if created:
            log.warning("recurrence sweep created %d missing successor(s)", created)
        return created

    def _sweep_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                self.sweep()
            except Exception as exc:  # the next sweep retries; the loop must not die
                log.warning("recurrence sweep failed: %r", exc)
                with self._lock:
                    self._last_error = f"sweep: {type(exc).__name__}: {exc}"
            self._stopping.wait(self._sweep_interval)

    def status(self) -> RecurrenceStatus:
        with self._lock:
            return RecurrenceStatus(
                consumer=self.consumer.status(),
                sweeps=self._sweeps,
                created_by_sweep=self._created,
                last_sweep_at=self._last_sweep_at,
                last_error=self._last_error,
            )

    def stop(self, timeout: float = 15.0) -> None:
        self._stopping.set()
        self.consumer.stop(timeout)
        self._sweeper.join(timeout)
