"""Print the metric names the worker actors export through Ray's metrics agent, one a line.

Run as its own process (`python -m tests.deploy.scrape_workers`) so its Ray instance, started
with a known metrics export port, cannot meet a cluster another test already started. It feeds
one status snapshot of each shape (a consumer, the relay, the reminder scheduler) to the actors'
`_Metrics` inside a real actor and scrapes the agent the way Prometheus would.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import urllib.request

import ray

from workers.broker import free_port

CONSUMER_STATUS = {
    "consumer": {"processed": 3, "failed": 2, "dead_lettered": 1, "lag": 4},
    "fired": 2,
    "late": 1,
}
RELAY_STATUS = {"published": 5, "backlog": 1}


@ray.remote(num_cpus=0)
class _Reporter:
    def report(self) -> None:
        from workers.actors import _Metrics

        _Metrics("reminders").update(CONSUMER_STATUS)
        _Metrics("relay").update(RELAY_STATUS)


def scrape(port: int, timeout: float = 60.0) -> set[str]:
    """Names of the `todo_` samples on the agent, once all of them arrived (or the timeout)."""
    deadline = time.monotonic() + timeout
    names: set[str] = set()
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            body = response.read().decode()
        names = {
            line.split("{", 1)[0].split(" ", 1)[0]
            for line in body.splitlines()
            if line.startswith("ray_todo_")
        }
        if len(names) >= 6:
            return names
        time.sleep(0.5)
    return names


def main() -> int:
    # Ray reads its config flags in this spelling: report metrics every 0.5 s, not 10 s.
    os.environ["RAY_metrics_report_interval_ms"] = "500"  # noqa: SIM112
    os.environ.setdefault("RAY_TMPDIR", tempfile.mkdtemp(prefix="ray-scrape-"))
    port = free_port()
    ray.init(
        address="local",
        num_cpus=1,
        include_dashboard=False,
        namespace="deploy-scrape",
        _metrics_export_port=port,
        logging_level="ERROR",
    )
    try:
        reporter = _Reporter.remote()  # type: ignore[attr-defined]
        ray.get(reporter.report.remote())
        print("\n".join(sorted(scrape(port))))
    finally:
        ray.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
