"""Ray actors: thin shells over the worker classes, and `up` / `status` / `down` for a cluster.

Every job runs as one named, detached actor in namespace "todo" (`num_cpus=0`: they are I/O
bound; `max_restarts=-1`: Ray restarts a crashed actor, whose `__init__` starts the loop again).
The worker classes hold the logic and are testable without Ray; `WorkerActor` only builds one,
reports its status and exports metrics through `ray.util.metrics` every `METRICS_INTERVAL`.

Options given to `up` (database_url, bus, intervals) travel with the actor; what is not given
is read from the environment of the process the actor runs in (so secrets stay in the
cluster's environment, not in actor arguments).
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import ray
from ray.actor import ActorHandle
from ray.util import metrics

from workers.audit import AuditWorker
from workers.notifications import NotificationsWorker
from workers.recurrence import RecurrenceWorker
from workers.relay import OutboxRelay
from workers.reminders import ReminderScheduler

NAMESPACE = "todo"
METRICS_INTERVAL = 5.0


class Worker(Protocol):
    def status(self) -> Any: ...

    def stop(self, timeout: float = ...) -> None: ...


def _start_relay(**options: Any) -> OutboxRelay:
    relay = OutboxRelay(**options)
    relay.start()
    return relay


# Actor name -> factory of the running worker; the relay first so events flow from the start.
WORKERS: dict[str, Callable[..., Worker]] = {
    "relay": _start_relay,
    "recurrence": RecurrenceWorker,
    "reminders": ReminderScheduler,
    "notifications": NotificationsWorker,
    "audit": AuditWorker,
}


def actor_name(kind: str, prefix: str = "todo-") -> str:
    return prefix + kind


class _Metrics:
    """Ray metrics of one worker, fed from its status() snapshots."""

    def __init__(self, kind: str) -> None:
        tags = {"worker": kind}
        self.processed = metrics.Counter(
            "todo_worker_events_processed", "Events whose effect committed.", ("worker",)
        )
        self.failed = metrics.Counter(
            "todo_worker_events_failed", "Failed event attempts.", ("worker",)
        )
        self.dead_lettered = metrics.Counter(
            "todo_worker_events_dead_lettered", "Events sent to a DLQ topic.", ("worker",)
        )
        self.lag = metrics.Gauge("todo_worker_consumer_lag", "Messages not consumed.", ("worker",))
        self.fired = metrics.Counter("todo_reminders_fired", "Reminders fired.", ("worker",))
        self.late = metrics.Counter("todo_reminders_late", "Reminders fired late.", ("worker",))
        for metric in (
            self.processed,
            self.failed,
            self.dead_lettered,
            self.lag,
            self.fired,
            self.late,
        ):
            metric.set_default_tags(tags)
        self._seen: dict[str, int] = {}

    def _add(self, counter: metrics.Counter, key: str, total: int) -> None:
        delta = total - self._seen.get(key, 0)
        if delta > 0:
            counter.inc(delta)
        self._seen[key] = total

    def update(self, status: Mapping[str, Any]) -> None:
        consumer = status.get("consumer") or {}
        if consumer:
            self._add(self.processed, "processed", int(consumer["processed"]))
            self._add(self.failed, "failed", int(consumer["failed"]))
            self._add(self.dead_lettered, "dead_lettered", int(consumer["dead_lettered"]))
            if consumer["lag"] is not None:
                self.lag.set(consumer["lag"])
        elif "published" in status:
            self._add(self.processed, "processed", int(status["published"]))
            if status["backlog"] is not None:
                self.lag.set(status["backlog"])
        if "fired" in status:
            self._add(self.fired, "fired", int(status["fired"]))
            self._add(self.late, "late", int(status["late"]))


class WorkerActor:
    """One worker (`kind`, a key of WORKERS) run inside a Ray actor; starts in __init__."""

    def __init__(self, kind: str, options: Mapping[str, Any] | None = None) -> None:
        self.kind = kind
        self._worker = WORKERS[kind](**dict(options or {}))
        self._metrics = _Metrics(kind)
        self._stopping = threading.Event()
        self._reporter = threading.Thread(target=self._report, name="metrics", daemon=True)
        self._reporter.start()

    def status(self) -> dict[str, Any]:
        """The worker's status as plain data, plus `kind`."""
        return {"kind": self.kind, **dataclasses.asdict(self._worker.status())}

    def stop(self) -> None:
        self._stopping.set()
        self._worker.stop()

    def _report(self) -> None:
        while not self._stopping.wait(METRICS_INTERVAL):
            self._metrics.update(self.status())


# Restarted without limit; a call that met a dying actor is retried on its successor.
RemoteWorkerActor: Any = ray.remote(num_cpus=0, max_restarts=-1, max_task_retries=3)(WorkerActor)


def start_actors(
    options: Mapping[str, Mapping[str, Any]] | None = None,
    kinds: tuple[str, ...] = tuple(WORKERS),
    prefix: str = "todo-",
    namespace: str = NAMESPACE,
) -> dict[str, ActorHandle]:
    """Create (or find) the named detached actors; `options[kind]` goes to that worker."""
    handles: dict[str, ActorHandle] = {}
    for kind in kinds:
        handles[kind] = RemoteWorkerActor.options(
            name=actor_name(kind, prefix),
            namespace=namespace,
            lifetime="detached",
            get_if_exists=True,
        ).remote(kind, (options or {}).get(kind, {}))
    return handles


def find_actors(
    kinds: tuple[str, ...] = tuple(WORKERS), prefix: str = "todo-", namespace: str = NAMESPACE
) -> dict[str, ActorHandle | None]:
    """The running actors by kind (None for those that do not exist)."""
    found: dict[str, ActorHandle | None] = {}
    for kind in kinds:
        try:
            found[kind] = ray.get_actor(actor_name(kind, prefix), namespace=namespace)
        except ValueError:
            found[kind] = None
    return found


def stop_actors(
    kinds: tuple[str, ...] = tuple(WORKERS),
    prefix: str = "todo-",
    namespace: str = NAMESPACE,
    timeout: float = 30.0,
) -> list[str]:
    """Stop each actor's loop cleanly, then kill it for good; returns the kinds stopped."""
    stopped = []
    for kind, handle in find_actors(kinds, prefix, namespace).items():
        if handle is None:
            continue
        # A stop that fails or hangs changes nothing: the kill below ends the actor anyway.
        with contextlib.suppress(ray.exceptions.RayError, TimeoutError):
            ray.get(handle.stop.remote(), timeout=timeout)
        ray.kill(handle, no_restart=True)
        stopped.append(kind)
    return stopped
