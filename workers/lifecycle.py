"""The one lifecycle of every worker: built idle, then `start()`, then `stop()`.

A worker is made of parts, its event consumer and its periodic job, that `start()` starts in
order and `stop()` stops in reverse; building one starts nothing. A `PeriodicJob` is the one
loop every worker repeats: a daemon thread running a function again and again until stopped.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from workers.metrics import WorkerStatus

log = logging.getLogger(__name__)


class Part(Protocol):
    def start(self) -> None: ...

    def stop(self, timeout: float = ...) -> None: ...


class Worker:
    """Parts that `start()` starts in order and `stop()` stops in reverse order."""

    def __init__(self, *parts: Part) -> None:
        self._parts = parts

    def start(self) -> None:
        """Start every part; idempotent while they run."""
        for part in self._parts:
            part.start()

    def stop(self, timeout: float = 15.0) -> None:
        """Stop every part, waiting up to `timeout` seconds for each."""
        for part in reversed(self._parts):
            part.stop(timeout)

    def status(self) -> WorkerStatus:
        """A snapshot of the worker; it knows the worker's metrics."""
        raise NotImplementedError


@dataclass(frozen=True)
class JobStatus:
    """A snapshot of one periodic job: how many runs completed, and its last failure."""

    name: str
    running: bool
    runs: int
    last_run_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None


class PeriodicJob:
    """Runs `job()` in a daemon thread: at `start()`, then again after each run's delay.

    `job()` returns the seconds to wait before its next run, or None for `interval`. When it
    raises, the error is logged and kept in `status()`, and the n-th failure in a row waits
    `retry_delays[n]` (the last one repeats; none given: `interval`). `wake()` ends the
    current wait at once; `stop()` ends the loop after the run under way.
    """

    def __init__(
        self,
        name: str,
        job: Callable[[], float | None],
        interval: float,
        *,
        retry_delays: Sequence[float] = (),
    ) -> None:
        self.name = name
        self._job = job
        self._interval = interval
        self._retry_delays = tuple(retry_delays) or (interval,)
        self._stopping = threading.Event()
        # Set by wake() and by stop(): either ends the wait between two runs.
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._running = False
        self._runs = 0
        self._last_run_at: datetime | None = None
        self._last_error: str | None = None
        self._last_error_at: datetime | None = None

    @property
    def stopping(self) -> bool:
        """Whether `stop()` was called: a long run should end early."""
        return self._stopping.is_set()

    def sleep(self, seconds: float) -> bool:
        """Wait inside a run for up to `seconds` (not cut short by `wake()`); True if stopping."""
        return self._stopping.wait(seconds)

    def start(self) -> None:
        """Run the loop in a daemon thread; idempotent while it runs."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self.run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        """Ask the loop to finish and wait up to `timeout` seconds for it."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def wake(self) -> None:
        """Run the job now if the loop is waiting (else right after the run under way)."""
        self._wake.set()

    def run(self) -> None:
        """The loop, in the calling thread, until `stop()`; never raises for the job's errors."""
        self._running = True
        failures = 0
        try:
            while not self._stopping.is_set():
                # Cleared before the run, so a wake() during it brings the next run forward.
                self._wake.clear()
                try:
                    delay = self._job()
                except Exception as exc:  # the next run retries; the loop must not die
                    self._note_error(exc)
                    delay = self._retry_delays[min(failures, len(self._retry_delays) - 1)]
                    failures += 1
                else:
                    failures = 0
                    with self._lock:
                        self._runs += 1
                        self._last_run_at = datetime.now(UTC)
                if delay is None:
                    delay = self._interval
                if delay > 0 and not self._stopping.is_set():
                    self._wake.wait(delay)
        finally:
            self._running = False

    def status(self) -> JobStatus:
        with self._lock:
            return JobStatus(
                name=self.name,
                running=self._running,
                runs=self._runs,
                last_run_at=self._last_run_at,
                last_error=self._last_error,
                last_error_at=self._last_error_at,
            )

    def _note_error(self, exc: BaseException) -> None:
        if self._stopping.is_set():
            log.debug("%s stopped during a run: %r", self.name, exc)
        else:
            log.warning("%s failed: %r", self.name, exc)
        with self._lock:
            self._last_error = f"{type(exc).__name__}: {exc}"
            self._last_error_at = datetime.now(UTC)
