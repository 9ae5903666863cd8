"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import functools
import socket
from collections.abc import Iterator

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import text
from sqlmodel import Session

from todo_app.config import get_settings
from todo_app.db import get_engine
from todo_app.services import outbox

router = APIRouter(include_in_schema=False)


def _database_ok() -> str | None:
    try:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means not ready; the reason goes to the caller
        return f"database unreachable: {type(exc).__name__}"
    return None


def _broker_ok(bootstrap: str) -> str | None:
    # A TCP connect is enough to tell reachable from not, without kafka-python's long blocking.
    for server in bootstrap.split(","):
        host, _, port = server.strip().rpartition(":")
        try:
            with socket.create_connection((host or "localhost", int(port or 9092)), timeout=1.0):
                return None
        except (OSError, ValueError):
            continue
    return "broker unreachable"


@router.get("/health/live")
def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/health/ready")
def ready() -> JSONResponse:
    problems = [p for p in (_database_ok(),) if p]
    bootstrap = get_settings().kafka_bootstrap_servers
    if bootstrap:
        problem = _broker_ok(bootstrap)
        if problem:
            problems.append(problem)
    if problems:
        return JSONResponse({"status": "unavailable", "problems": problems}, status_code=503)
    return JSONResponse({"status": "ok"})


class OutboxBacklogCollector(Collector):
    """Reads the unpublished outbox size at scrape time, so every process reports the truth."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        gauge = GaugeMetricFamily("todo_outbox_backlog", "Outbox events not yet published")
        try:
            with Session(get_engine()) as session:
                gauge.add_metric([], outbox.backlog(session))
        except Exception:  # a scrape must not fail because the database is down
            return
        yield gauge


@functools.cache
def register_collectors() -> None:
    """Once per process, however many API apps it builds (the registry refuses a second)."""
    REGISTRY.register(OutboxBacklogCollector())


@router.get("/metrics")
def metrics() -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
