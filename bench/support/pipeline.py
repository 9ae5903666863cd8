"""The event pipeline's parts as the benchmarks run them: the embedded broker's bus settings
and a local Ray cluster."""

from __future__ import annotations

import logging
import os
import uuid
from typing import Any

from bench.support.run import ROOT
from todo_app.bus import BusConfig

# Tansu-only group timings (see ENVIRONMENT.md), as the tests and `make run` use them: a group
# join then takes about a second.
SESSION_TIMEOUT_MS = 2000
HEARTBEAT_INTERVAL_MS = 500


def bus_config(bootstrap_servers: str, **options: Any) -> BusConfig:
    """A BusConfig for the embedded broker, with its quick group timings."""
    return BusConfig(
        bootstrap_servers=bootstrap_servers,
        session_timeout_ms=SESSION_TIMEOUT_MS,
        heartbeat_interval_ms=HEARTBEAT_INTERVAL_MS,
        **options,
    )


def bus_env(bootstrap_servers: str) -> dict[str, str]:
    """The same settings as environment variables, for an app process."""
    return {
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap_servers,
        "KAFKA_SESSION_TIMEOUT_MS": str(SESSION_TIMEOUT_MS),
        "KAFKA_HEARTBEAT_INTERVAL_MS": str(HEARTBEAT_INTERVAL_MS),
    }


def start_ray(
    tmpdir: str, namespace_prefix: str = "todo-bench", log_to_driver: bool = False
) -> str:
    """A local Ray cluster (2 CPUs, no dashboard) whose workers import this checkout; its
    files under `tmpdir`. Returns the namespace it made for this run."""
    os.environ["RAY_TMPDIR"] = tmpdir
    os.environ["RAY_AUTH_MODE"] = "disabled"
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])
    )
    import ray

    namespace = f"{namespace_prefix}-{uuid.uuid4().hex[:8]}"
    ray.init(
        address="local",
        num_cpus=2,
        include_dashboard=False,
        namespace=namespace,
        logging_level=logging.WARNING,
        log_to_driver=log_to_driver,
    )
    return namespace
