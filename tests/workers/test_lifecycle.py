"""The periodic job every worker runs its loop with, and the start/stop of a worker's parts."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable

import pytest

from workers.lifecycle import PeriodicJob, Worker


def _until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_nothing_runs_before_start_and_the_job_runs_at_start_then_every_interval():
    calls: list[float] = []

    def tick() -> None:
        calls.append(time.monotonic())

    job = PeriodicJob("tick", tick, 0.05)
    time.sleep(0.1)
    assert calls == [] and not job.status().running
    job.start()
    try:
        _until(lambda: len(calls) >= 3)
        status = job.status()
        assert status.running and status.runs >= 3 and status.last_run_at is not None
        assert status.name == "tick" and status.last_error is None
    finally:
        job.stop()
    assert not job.status().running
    assert min(b - a for a, b in itertools.pairwise(calls)) >= 0.04


def test_the_delay_a_run_returns_replaces_the_interval():
    calls: list[int] = []

    def run() -> float:
        calls.append(1)
        return 0.0

    job = PeriodicJob("busy", run, 60.0)
    job.start()
    try:
        _until(lambda: len(calls) >= 20)
    finally:
        job.stop()


def test_wake_cuts_the_wait_short_and_stop_ends_it_at_once():
    calls: list[int] = []

    def tick() -> None:
        calls.append(1)

    job = PeriodicJob("sleepy", tick, 60.0)
    job.start()
    _until(lambda: len(calls) == 1)
    job.wake()
    _until(lambda: len(calls) == 2)
    started = time.monotonic()
    job.stop()
    assert time.monotonic() - started < 1.0 and not job.status().running


def test_a_failing_run_is_logged_kept_in_status_and_retried_after_its_delays(
    caplog: pytest.LogCaptureFixture,
):
    attempts: list[float] = []

    def flaky() -> None:
        attempts.append(time.monotonic())
        if len(attempts) <= 2:
            raise RuntimeError(f"attempt {len(attempts)}")

    job = PeriodicJob("flaky", flaky, 60.0, retry_delays=(0.01, 0.2))
    with caplog.at_level("WARNING", logger="workers.lifecycle"):
        job.start()
        try:
            _until(lambda: job.status().runs == 1)
        finally:
            job.stop()
    status = job.status()
    assert status.last_error == "RuntimeError: attempt 2" and status.last_error_at is not None
    assert len(attempts) == 3 and attempts[2] - attempts[1] >= 0.19
    assert [r.getMessage() for r in caplog.records] == [
        "flaky failed: RuntimeError('attempt 1')",
        "flaky failed: RuntimeError('attempt 2')",
    ]


def test_sleep_inside_a_run_returns_true_once_stopping():
    inside = threading.Event()
    outcome: list[bool] = []

    def long_run() -> None:
        inside.set()
        outcome.append(job.sleep(30))

    job = PeriodicJob("long", long_run, 60.0)
    job.start()
    inside.wait(5)
    assert not job.stopping
    job.stop()
    assert outcome == [True] and job.stopping


class _Part:
    def __init__(self, name: str, log: list[str]) -> None:
        self.name = name
        self.log = log

    def start(self) -> None:
        self.log.append(f"start {self.name}")

    def stop(self, timeout: float = 15.0) -> None:
        self.log.append(f"stop {self.name}")


def test_a_worker_starts_its_parts_in_order_and_stops_them_in_reverse():
    log: list[str] = []
    worker = Worker(_Part("consumer", log), _Part("job", log))
    assert log == []
    worker.start()
    worker.stop()
    assert log == ["start consumer", "start job", "stop job", "stop consumer"]
