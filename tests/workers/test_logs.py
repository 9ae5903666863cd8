"""One grep follows a change: the request id travels in its events into the workers' JSON logs."""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from todo_app.bus import BusConfig, Event
from todo_app.core.events import TASK_EVENTS
from todo_app.db import get_engine, session_scope
from todo_app.logs import JsonFormatter, configure_logging
from todo_app.models import OutboxEvent, User
from todo_app.schemas import TaskCreate
from todo_app.services import outbox, tasks
from workers.actors import LOGGERS
from workers.consumer import EventConsumer
from workers.relay import RelayWorker

# What every JSON line of the backend carries (request lines add their own fields).
COMMON_FIELDS = {"ts", "level", "logger", "message", "request_id"}


@pytest.fixture
def json_lines() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """The loggers set up as in a worker actor, writing to a buffer; returns its lines so far."""
    saved = {}
    for name in LOGGERS:
        logger = logging.getLogger(name)
        saved[name] = (list(logger.handlers), logger.level, logger.propagate)
        for handler in saved[name][0]:
            logger.removeHandler(handler)
    configure_logging("INFO", LOGGERS)
    buffer = io.StringIO()
    for name in LOGGERS:
        [handler] = logging.getLogger(name).handlers
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(buffer)

    def lines() -> list[dict[str, Any]]:
        return [json.loads(line) for line in buffer.getvalue().splitlines()]

    yield lines
    for name, (handlers, level, propagate) in saved.items():
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
        for handler in handlers:
            logger.addHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


def _created(db: str) -> dict[str, dict[str, Any]]:
    """task.created events in the outbox by task title."""
    with Session(get_engine(db)) as session:
        payloads = [row.payload for row in session.exec(select(OutboxEvent))]
    return {p["data"]["task"]["title"]: p for p in payloads if p["type"] == "task.created"}


def test_an_event_made_during_an_api_request_carries_its_request_id(
    client: TestClient, auth: dict[str, str], db: str
):
    given = client.post(
        "/api/v1/tasks", json={"title": "Given"}, headers={**auth, "X-Request-ID": "trace-given-1"}
    )
    assert given.status_code == 201 and given.headers["x-request-id"] == "trace-given-1"
    made = client.post("/api/v1/tasks", json={"title": "Made"}, headers=auth)
    assert made.status_code == 201
    with session_scope(db) as session:
        user = session.exec(select(User)).one()
        tasks.create_task(session, user, TaskCreate(title="Outside"))
    events = _created(db)
    assert events["Given"]["requestid"] == "trace-given-1"
    assert events["Made"]["requestid"] == made.headers["x-request-id"]
    # Made outside any request (the UI, a worker's own schedule): no extension attribute.
    assert "requestid" not in events["Outside"]


@pytest.mark.parametrize("max_poll_records", [1, 100], ids=["one-by-one", "batch"])
def test_the_consumer_logs_the_request_id_as_json_and_passes_it_on(
    client: TestClient,
    auth: dict[str, str],
    db: str,
    bus: BusConfig,
    json_lines: Callable[[], list[dict[str, Any]]],
    wait_until: Callable[..., Any],
    max_poll_records: int,
):
    request_ids = {title: f"trace-{title}-{uuid.uuid4().hex[:8]}" for title in ("one", "two")}
    for title, request_id in request_ids.items():
        response = client.post(
            "/api/v1/tasks", json={"title": title}, headers={**auth, "X-Request-ID": request_id}
        )
        assert response.status_code == 201
    RelayWorker(bus=bus, database_url=db).drain()

    def follow_up(session: Session, event: Event) -> None:
        # An effect that emits an event of its own: it carries the cause's request id on.
        if event.type == "task.created":
            data = {"user_id": event.user_id, "cause": event.id}
            outbox.emit(session, "notification.created", data, source="tests")

    consumer = EventConsumer(
        "tracing",
        [TASK_EVENTS],
        follow_up,
        bus=bus,
        database_url=db,
        max_poll_records=max_poll_records,
    )
    consumer.start()
    try:
        wait_until(lambda: consumer.status().processed == 2, what="both events handled")
    finally:
        consumer.stop()

    lines = json_lines()
    events = _created(db)
    for title, request_id in request_ids.items():
        [backend] = [
            line
            for line in lines
            if line["logger"] == "todo_app.http" and line.get("request_id") == request_id
        ]
        [worker] = [
            line
            for line in lines
            if line["logger"].startswith("workers.") and line.get("request_id") == request_id
        ]
        assert set(backend) >= COMMON_FIELDS and set(worker) >= COMMON_FIELDS
        assert worker["level"] == "INFO" and worker["event_id"] == events[title]["id"]
        assert (worker["consumer"], worker["event_type"]) == ("tracing", "task.created")
    with Session(get_engine(db)) as session:
        follow_ups = [
            row.payload
            for row in session.exec(select(OutboxEvent))
            if row.payload["type"] == "notification.created"
        ]
    assert {p["data"]["cause"]: p["requestid"] for p in follow_ups} == {
        events[title]["id"]: request_id for title, request_id in request_ids.items()
    }


def test_a_line_logged_inside_ray_has_the_backends_fields_only():
    record = logging.LogRecord("workers.relay", logging.WARNING, __file__, 1, "lost", None, None)
    # Ray's logging filter adds this to every record in an actor.
    record._ray_timestamp_ns = 1
    record.consumer = "audit"
    line = json.loads(JsonFormatter().format(record))
    assert set(line) == {"ts", "level", "logger", "message", "consumer"}
