"""The transactional outbox: events are rows written with the change they describe."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from todo_app.core.events import cloud_event, topic_for
from todo_app.logs import request_id_var
from todo_app.models import OutboxEvent


def emit(
    session: Session,
    event_type: str,
    data: dict[str, Any],
    source: str = "services",
) -> OutboxEvent:
    """Queue a CloudEvent in the caller's transaction; the relay publishes it after commit.

    The row's `seq`, given by the database at insert, is its place in publish order. The event
    carries the id of the request (or the event) being handled, if any.
    """
    event_id = uuid.uuid4()
    created = datetime.now(UTC)
    payload = cloud_event(
        event_type, data, source, event_id=event_id, time=created, request_id=request_id_var.get()
    )
    row = OutboxEvent(
        id=event_id,
        topic=topic_for(event_type),
        key=str(data["user_id"]),
        payload=payload,
        created_at=created,
    )
    session.add(row)
    return row


def backlog(session: Session) -> int:
    """How many events wait to be published."""
    statement = (
        select(func.count())
        .select_from(OutboxEvent)
        .where(
            OutboxEvent.published_at.is_(None)  # type: ignore[union-attr]
        )
    )
    return int(session.exec(statement).one())
