"""The metrics the workers export, and the status snapshots they are read from.

Each worker's status dataclass says which of these it reports (`metrics()`); the Ray actor
shell exports them through `ray.util.metrics` with the tag `worker=<kind>` (Ray's agent adds
the `ray_` prefix, and `_total` to counters). The alerts and dashboards in kuberay/ use these
names: renaming one breaks them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Protocol


@dataclass(frozen=True)
class Metric:
    """A metric's name and help text; a counter is reported as a running total."""

    name: str
    description: str
    kind: Literal["counter", "gauge"]


EVENTS_PROCESSED = Metric(
    "todo_worker_events_processed", "Events whose effect committed.", "counter"
)
EVENTS_FAILED = Metric("todo_worker_events_failed", "Failed event attempts.", "counter")
EVENTS_DEAD_LETTERED = Metric(
    "todo_worker_events_dead_lettered", "Events sent to a DLQ topic.", "counter"
)
CONSUMER_LAG = Metric("todo_worker_consumer_lag", "Messages not consumed.", "gauge")
REMINDERS_FIRED = Metric("todo_reminders_fired", "Reminders fired.", "counter")
REMINDERS_LATE = Metric("todo_reminders_late", "Reminders fired late.", "counter")

Readings = Mapping[Metric, int | None]
"""Metric -> its value in one status (a counter's total so far); None: not known yet."""


class WorkerStatus(Protocol):
    """What every worker's `status()` returns: a dataclass that knows its metrics."""

    __dataclass_fields__: ClassVar[dict[str, Any]]

    def metrics(self) -> Readings: ...
