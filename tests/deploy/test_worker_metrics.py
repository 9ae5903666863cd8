"""The worker actors export, through Ray's metrics agent, every metric the alerts rely on."""

from __future__ import annotations

WORKER_METRICS = {
    "ray_todo_worker_events_processed_total",
    "ray_todo_worker_events_failed_total",
    "ray_todo_worker_events_dead_lettered_total",
    "ray_todo_worker_consumer_lag",
    "ray_todo_reminders_fired_total",
    "ray_todo_reminders_late_total",
}


def test_ray_agent_exports_every_worker_metric(worker_metric_names):
    assert worker_metric_names >= WORKER_METRICS, WORKER_METRICS - worker_metric_names


def test_web_app_exports_requests_latency_and_outbox_backlog(app_metric_names):
    assert {
        "todo_http_requests_total",
        "todo_http_request_duration_seconds_bucket",
        "todo_outbox_backlog",
    } <= app_metric_names
