"""Ray actors: thin shells over the worker classes, and `up` / `status` / `down` for a cluster.

Every job runs as one named, detached actor in namespace "todo" (`num_cpus=0`: they are I/O
bound; `max_restarts=-1`: Ray restarts a crashed actor, whose `__init__` starts the worker again).
The worker classes hold the logic and are testable without Ray; `WorkerActor` only builds and
starts one, reports its status and exports its metrics through `ray.util.metrics` every
`METRICS_INTERVAL`.

Options given to `up` (database_url, bus, intervals) travel with the actor; what is not given
is read from the environment of the process the actor runs in (so secrets stay in the
cluster's environment, not in actor arguments).
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import ray
from ray.actor import ActorHandle
from ray.util import metrics

from todo_app.config import get_settings
from todo_app.logs import configure_logging
from workers.audit import AuditWorker
from workers.lifecycle import PeriodicJob, Worker
from workers.metrics import Metric, WorkerStatus
from workers.notifications import NotificationsWorker
from workers.recurrence import RecurrenceWorker
from workers.relay import RelayWorker
from workers.reminders import RemindersWorker

NAMESPACE = "todo"
METRICS_INTERVAL = 5.0
# The actors log JSON lines as the backend does, their services' lines included.
LOGGERS = ("todo_app", "workers")


# Actor name -> worker class; the relay first so events flow from the start.
WORKERS: dict[str, Callable[..., Worker]] = {
    "relay": RelayWorker,
    "recurrence": RecurrenceWorker,
    "reminders": RemindersWorker,
    "notifications": NotificationsWorker,
    "audit": AuditWorker,
}


def actor_name(kind: str, prefix: str = "todo-") -> str:
    return prefix + kind


class MetricsExporter:
    """Exports the metrics of one worker's status snapshots through `ray.util.metrics`."""

    def __init__(self, kind: str) -> None:
        self._tags = {"worker": kind}
        self._exported: dict[Metric, metrics.Counter | metrics.Gauge] = {}
        self._totals: dict[Metric, int] = {}

    def update(self, status: WorkerStatus) -> None:
        for metric, value in status.metrics().items():
            if value is None:
                continue
            exported = self._exported.get(metric)
            if exported is None:
                exported = self._exported[metric] = self._make(metric)
            if isinstance(exported, metrics.Counter):
                # A counter is told how much was added since the last snapshot.
                added = value - self._totals.get(metric, 0)
                if added > 0:
                    exported.inc(added)
                self._totals[metric] = value
            else:
                exported.set(value)

    def _make(self, metric: Metric) -> metrics.Counter | metrics.Gauge:
        kind = metrics.Counter if metric.kind == "counter" else metrics.Gauge
        exported = kind(metric.name, metric.description, ("worker",))
        exported.set_default_tags(self._tags)
        return exported


class WorkerActor:
    """One worker (`kind`, a key of WORKERS) run inside a Ray actor.

    Unlike the worker classes, the actor starts its worker when built: Ray rebuilds a crashed
    actor (fresh state, same arguments), and that must resume the work with nobody calling.
    """

    def __init__(self, kind: str, options: Mapping[str, Any] | None = None) -> None:
        configure_logging(get_settings().log_level, LOGGERS)
        self.kind = kind
        self._worker = WORKERS[kind](**dict(options or {}))
        self._exporter = MetricsExporter(kind)
        self._reporter = PeriodicJob(f"{kind}-metrics", self._report, METRICS_INTERVAL)
        self._worker.start()
        self._reporter.start()

    def status(self) -> dict[str, Any]:
        """The worker's status as plain data, plus `kind`."""
        return {"kind": self.kind, **dataclasses.asdict(self._worker.status())}

    def stop(self) -> None:
        self._reporter.stop()
        self._worker.stop()

    def _report(self) -> None:
        self._exporter.update(self._worker.status())


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
