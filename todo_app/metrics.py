"""Prometheus metrics of the web process; /metrics exposes them."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

HTTP_REQUESTS = Counter(
    "todo_http_requests_total",
    "HTTP requests by route template and status",
    ["route", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "todo_http_request_duration_seconds",
    "HTTP request latency by route template",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
TASKS_CREATED = Counter("todo_tasks_created_total", "Tasks created by users")
TASKS_COMPLETED = Counter("todo_tasks_completed_total", "Tasks completed by users")
