"""CloudEvents 1.0 envelopes and the topic each event type belongs to."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

TASK_EVENTS = "task-events"
REMINDERS = "reminders"
NOTIFICATIONS = "notifications"
AUTH_EVENTS = "auth-events"
CHAT_EVENTS = "chat-events"
TOPICS = (TASK_EVENTS, REMINDERS, NOTIFICATIONS, AUTH_EVENTS, CHAT_EVENTS)
# CloudEvents extension attribute: the X-Request-ID of the request that caused the event.
REQUEST_ID = "requestid"

# Project, section and comment events share task-events, and its key, with the tasks they
# hold: a project's trashing stays in order with its tasks' changes, for every consumer.
_TOPIC_BY_PREFIX = {
    "task": TASK_EVENTS,
    "project": TASK_EVENTS,
    "section": TASK_EVENTS,
    "comment": TASK_EVENTS,
    "reminder": REMINDERS,
    "notification": NOTIFICATIONS,
    "auth": AUTH_EVENTS,
    "chat": CHAT_EVENTS,
}


def topic_for(event_type: str) -> str:
    prefix = event_type.split(".", 1)[0]
    try:
        return _TOPIC_BY_PREFIX[prefix]
    except KeyError:
        raise ValueError(f"no topic for event type {event_type!r}") from None


def uuid_of(value: Any) -> uuid.UUID | None:
    """An id carried in an event's data, or None when absent or not an id."""
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def audience(data: Mapping[str, Any]) -> list[str]:
    """The users an event concerns: the members of a shared project's change when it names
    them (`audience`), else its user."""
    named = data.get("audience")
    if isinstance(named, list) and named:
        return [str(user_id) for user_id in named]
    return [str(data["user_id"])] if data.get("user_id") else []


def cloud_event(
    event_type: str,
    data: dict[str, Any],
    source: str,
    event_id: uuid.UUID | None = None,
    time: datetime | None = None,
    request_id: str | None = None,
) -> dict[str, Any]:
    """A structured-mode CloudEvent; `data` must carry user_id (the message key).

    `request_id`, when given, travels as the `requestid` extension attribute.
    """
    if "user_id" not in data:
        raise ValueError("event data must carry user_id")
    envelope = {
        "specversion": "1.0",
        "id": str(event_id or uuid.uuid4()),
        "source": f"/todo-app/{source}",
        "type": event_type,
        "time": (time or datetime.now(UTC)).isoformat().replace("+00:00", "Z"),
        "datacontenttype": "application/json",
        "data": data,
    }
    if request_id:
        envelope[REQUEST_ID] = request_id
    return envelope
