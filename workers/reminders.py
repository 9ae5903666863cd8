"""The reminder scheduler: fires due reminders to the second, exactly once.

Loop: in one transaction add due-time reminders to high-priority tasks that have none, fire
what is due (`fire_due` claims each reminder once and queues reminder.due in the outbox) and
read the next reminder time; then sleep until that time or `poll_interval`, whichever is
sooner. Any task event (consumed as group "reminders") wakes it early, so a reminder set a few
seconds ahead is not missed behind a long sleep. After downtime the first pass fires every
overdue reminder once, marked late by `fire_due`.
"""

from __future__ import annotations

import logging
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

log = logging.getLogger(__name__)

GROUP = "reminders"


@dataclass(frozen=True)
class SchedulerStatus:
    consumer: ConsumerStatus
    running: bool
    fired: int
    late: int
    passes: int
    next_remind_at: datetime | None
    last_error: str | None


class ReminderScheduler:
    """Runs the firing loop in a thread started at construction; wakes on task events.

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
        self._retry_delay = retry_delay
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._running = False
        self._fired = 0
        self._late = 0
        self._passes = 0
        self._next: datetime | None = None
        self._last_error: str | None = None
        self.consumer = EventConsumer(
            GROUP,
            [TASK_EVENTS],
            self.handle,
            bus=bus,
            database_url=database_url,
            **consumer_options,
        )
        self.consumer.start()
        self._thread = threading.Thread(target=self._loop, name="reminder-scheduler", daemon=True)
        self._thread.start()

    def handle(self, session: Session, event: Event) -> None:
        """Any task change may add or move a reminder: re-read the schedule now."""
        self._wake.set()

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
            self._passes += 1
            self._next = upcoming
        return len(fired), late, upcoming

    def _loop(self) -> None:
        self._running = True
        try:
            while not self._stopping.is_set():
                # Cleared before reading the schedule, so a change committed meanwhile re-wakes us.
                self._wake.clear()
                try:
                    _, _, upcoming = self.run_once()
                except Exception as exc:  # database trouble: try again shortly
                    log.warning("reminder pass failed: %r", exc)
                    with self._lock:
                        self._last_error = f"{type(exc).__name__}: {exc}"
                    self._stopping.wait(self._retry_delay)
                    continue
                delay = self._poll_interval
                if upcoming is not None:
                    delay = min(delay, (upcoming - datetime.now(UTC)).total_seconds())
                if delay > 0:
                    self._wake.wait(delay)
        finally:
            self._running = False

    def status(self) -> SchedulerStatus:
        with self._lock:
            return SchedulerStatus(
                consumer=self.consumer.status(),
                running=self._running,
                fired=self._fired,
                late=self._late,
                passes=self._passes,
                next_remind_at=self._next,
                last_error=self._last_error,
            )

    def stop(self, timeout: float = 15.0) -> None:
        self._stopping.set()
        self._wake.set()
        self.consumer.stop(timeout)
        self._thread.join(timeout)
