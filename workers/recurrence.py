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
from workers.lifecycle import JobStatus, PeriodicJob, Worker
from workers.metrics import Readings

log = logging.getLogger(__name__)

GROUP = "recurrence"


@dataclass(frozen=True)
class RecurrenceStatus:
    consumer: ConsumerStatus
    job: JobStatus
    created_by_sweep: int

    def metrics(self) -> Readings:
        return self.consumer.metrics()


def successor_for(session: Session, task: Task) -> Task | None:
    """ensure_successor in the task owner's time zone (None: not recurring, or series ended)."""
    if not task.rrule or task.occurrence_at is None:
        return None
    user = session.get(User, task.user_id)
    return ensure_successor(session, task, user.timezone if user else "UTC")


class RecurrenceWorker(Worker):
    """Consumes task-events as group "recurrence" and sweeps the database, once started.

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
        self._lookback = lookback
        self._batch_size = batch_size
        self._lock = threading.Lock()
        self._created = 0
        self.consumer = EventConsumer(
            GROUP,
            [TASK_EVENTS],
            self.handle,
            bus=bus,
            database_url=database_url,
            **consumer_options,
        )
        self._job = PeriodicJob("recurrence-sweep", self._sweep_next, sweep_interval)
        super().__init__(self.consumer, self._job)

    def handle(self, session: Session, event: Event) -> None:
        """task.completed / task.skipped: make sure the occurrence after it exists."""
        if event.type not in ("task.completed", "task.skipped"):
            return
        task = session.get(Task, uuid.UUID(str(event.data["task_id"])))
        if task is None:
            return
        # Uncompleted or restored since the event: the task's state now decides.
        if task.completed if event.type == "task.completed" else task.skipped_at is not None:
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
            self._created += created
        if created:
            log.warning("recurrence sweep created %d missing successor(s)", created)
        return created

    def _sweep_next(self) -> None:
        self.sweep()

    def status(self) -> RecurrenceStatus:
        with self._lock:
            return RecurrenceStatus(
                consumer=self.consumer.status(),
                job=self._job.status(),
                created_by_sweep=self._created,
            )
