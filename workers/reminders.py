"""The reminders worker: fires due reminders to the second, exactly once.

Loop: in one transaction add due-time reminders to high-priority tasks whose recipient has
none, fire what is due (`fire_due` claims each reminder once and queues reminder.due in the
outbox) and read the next reminder time; then sleep until that time or `poll_interval`,
whichever is sooner. Any task event (consumed as group "reminders") wakes it early, so a
reminder set a few seconds ahead is not missed behind a long sleep. After downtime the first
pass fires every overdue reminder once, marked late by `fire_due`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session

from todo_app.bus import BusConfig, Event
from todo_app.core.events import TASK_EVENTS
from todo_app.db import session_scope
from todo_app.services.reminders import LATE_AFTER, add_due_time_reminders, fire_due, next_remind_at
from workers.consumer import ConsumerStatus, EventConsumer
from workers.lifecycle import JobStatus, PeriodicJob, Worker
from workers.metrics import REMINDERS_FIRED, REMINDERS_LATE, Readings

GROUP = "reminders"


@dataclass(frozen=True)
class RemindersStatus:
    consumer: ConsumerStatus
    job: JobStatus
    fired: int
    late: int
    next_remind_at: datetime | None

    def metrics(self) -> Readings:
        return {**self.consumer.metrics(), REMINDERS_FIRED: self.fired, REMINDERS_LATE: self.late}


class RemindersWorker(Worker):
    """Fires due reminders in a periodic job, once started; wakes it on task events.

    `consumer_options` go to EventConsumer (retry_delays, poll_timeout_ms, ...).
    """

    def __init__(
        self,
        *,
        bus: BusConfig | None = None,
        database_url: str | None = None,
        poll_interval: float = 30.0,
        retry_delay: float = 2.0,
        **consumer_options: Any,
    ) -> None:
        self._database_url = database_url
        self._poll_interval = poll_interval
        self._lock = threading.Lock()
        self._fired = 0
        self._late = 0
        self._next: datetime | None = None
        self.consumer = EventConsumer(
            GROUP,
            [TASK_EVENTS],
            self.handle,
            bus=bus,
            database_url=database_url,
            **consumer_options,
        )
        self._job = PeriodicJob(
            "reminders-fire", self._fire_next, poll_interval, retry_delays=(retry_delay,)
        )
        super().__init__(self.consumer, self._job)

    def handle(self, session: Session, event: Event) -> None:
        """Any task change may add or move a reminder: re-read the schedule now."""
        self._job.wake()

    def run_once(self, now: datetime | None = None) -> tuple[int, int, datetime | None]:
        """One pass: returns (fired, of which late, next reminder time)."""
        now = now or datetime.now(UTC)
        with session_scope(self._database_url) as session:
            # Twice the poll interval: a task due before the next pass has its reminder by then.
            add_due_time_reminders(session, now, timedelta(seconds=2 * self._poll_interval))
            fired = fire_due(session, now)
            upcoming = next_remind_at(session)
        late = sum(1 for reminder in fired if now - reminder.remind_at > LATE_AFTER)
        with self._lock:
            self._fired += len(fired)
            self._late += late
            self._next = upcoming
        return len(fired), late, upcoming

    def _fire_next(self) -> float:
        """One pass; sleep until the next reminder is due, or `poll_interval` at most."""
        _, _, upcoming = self.run_once()
        if upcoming is None:
            return self._poll_interval
        return min(self._poll_interval, (upcoming - datetime.now(UTC)).total_seconds())

    def status(self) -> RemindersStatus:
        with self._lock:
            return RemindersStatus(
                consumer=self.consumer.status(),
                job=self._job.status(),
                fired=self._fired,
                late=self._late,
                next_remind_at=self._next,
            )
