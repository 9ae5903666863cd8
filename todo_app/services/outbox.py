"""The transactional outbox: events are rows written with the change they describe."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from todo_app.core.events import cloud_event, topic_for
from todo_app.logs import request_id_var
from todo_app.models import OutboxEvent, ProjectMember, User

# Who is acting in this request, tab event or tool call: every event emitted names them.
_actor: ContextVar[User | None] = ContextVar("actor", default=None)


@contextmanager
def acting_as(user: User) -> Iterator[None]:
    """Events emitted inside the block name `user` as their actor (id and email then)."""
    token = _actor.set(user)
    try:
        yield
    finally:
        _actor.reset(token)


def emit(
    session: Session,
    event_type: str,
    data: dict[str, Any],
    source: str = "services",
) -> OutboxEvent:
    """Queue a CloudEvent in the caller's transaction; the relay publishes it after commit.

    The row's `seq`, given by the database at insert, is its place in publish order. The event
    carries the id of the request (or the event) being handled, if any, and who acted
    (`acting_as`), if anyone: a worker's events have no actor. An event of a project
    is keyed by the project, so that one project's events stay in order for every consumer
    whoever made them; a shared project's names its members (`audience`) as they are now.
    """
    actor = _actor.get()
    if actor is not None and "actor_id" not in data:
        data = {**data, "actor_id": str(actor.id), "actor_email": actor.email}
    project_id = project_of(data)
    if project_id is not None:
        members = _audience(session, project_id, data)
        if members:
            data = {**data, "audience": members}
    event_id = uuid.uuid4()
    created = datetime.now(UTC)
    payload = cloud_event(
        event_type, data, source, event_id=event_id, time=created, request_id=request_id_var.get()
    )
    row = OutboxEvent(
        id=event_id,
        topic=topic_for(event_type),
        key=project_id or str(data["user_id"]),
        payload=payload,
        created_at=created,
    )
    session.add(row)
    return row


def project_of(data: dict[str, Any]) -> str | None:
    """The project an event's data is of: named itself, or that of the task it carries."""
    snapshot = data.get("task")
    named = data.get("project_id") or (
        snapshot.get("project_id") if isinstance(snapshot, dict) else None
    )
    return str(named) if named else None


def _audience(session: Session, project_id: str, data: dict[str, Any]) -> list[str]:
    """Everyone a shared project's event concerns: its owner, its members, and the member the
    event is about (just removed, they must still hear it); empty when nobody shares it."""
    members = session.exec(
        select(ProjectMember.user_id).where(ProjectMember.project_id == uuid.UUID(project_id))
    ).all()
    named = [str(data["user_id"]), *(str(m) for m in members), str(data.get("member_id") or "")]
    everyone = list(dict.fromkeys(user for user in named if user))
    return everyone if len(everyone) > 1 else []


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
