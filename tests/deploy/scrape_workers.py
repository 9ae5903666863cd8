"""Print the metric names the worker actors export through Ray's metrics agent, one a line.

Run as its own process (`python -m tests.deploy.scrape_workers`) so its Ray instance, started
with a known metrics export port, cannot meet a cluster another test already started. It feeds
one status snapshot of each shape (the reminders worker, with its consumer, and the relay) to the
actors' `MetricsExporter` inside a real actor and scrapes the agent the way Prometheus would.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import urllib.request

import ray

from workers.broker import free_port


@ray.remote(num_cpus=0)
class _Reporter:
    def report(self) -> None:
        from workers.actors import MetricsExporter
        from workers.consumer import ConsumerStatus
        from workers.lifecycle import JobStatus
        from workers.relay import RelayStatus
        from workers.reminders import RemindersStatus

        job = JobStatus("job", True, 1, None, None, None)
        consumer = ConsumerStatus("reminders", ("task-events",), True, 3, 0, 2, 1, 4, None, None)
        reminders = RemindersStatus(consumer, job, fired=2, late=1, next_remind_at=None)
        MetricsExporter("reminders").update(reminders)
        MetricsExporter("relay").update(RelayStatus(job, published=5, backlog=1, broker_resets=0))


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
