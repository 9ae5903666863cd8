"""The task list query: parsed and validated from strings (URL query, saved filter, chat)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from todo_app.core.errors import FieldError
from todo_app.core.validation import PRIORITIES, clean_tag, parse_boundary, tag_key

STATUSES = ("all", "active", "completed")
TAG_MODES = ("all", "any")
SORT_FIELDS = ("due_at", "priority", "created_at", "title", "position")
SORT_ORDERS = ("asc", "desc")
LIMIT_MAX = 200
Q_MAX = 200
QUERY_KEYS = (
    "q",
    "status",
    "priority",
    "tags",
    "tag_mode",
    "due_after",
    "due_before",
    "overdue",
    "is_recurring",
    "project_id",
    "section_id",
    "parent_id",
    "archived",
    "assignee",
    "sort_by",
    "sort_order",
    "page",
    "limit",
)


@dataclass(frozen=True)
class TaskQuery:
    q: str | None = None
    status: str = "active"
    priority: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    tag_mode: str = "all"
    due_after: datetime | None = None
    due_before: datetime | None = None
    overdue: bool | None = None
    is_recurring: bool | None = None
    project_id: uuid.UUID | None = None
    section_id: uuid.UUID | None = None
    # parent_id=none: top-level tasks only; a parent_id: that task's direct subtasks.
    top_level: bool = False
    parent_id: uuid.UUID | None = None
    archived: bool = False
    # "me", "none" (unassigned) or a user id; None: anyone's.
    assignee: str | None = None
    sort_by: str = "position"
    sort_order: str = "asc"
    page: int = 1
    limit: int = 50

    @property
    def tag_keys(self) -> tuple[str, ...]:
        return tuple(tag_key(tag) for tag in self.tags)


def _choice(params: Mapping[str, str], key: str, allowed: tuple[str, ...], default: str) -> str:
    value = (params.get(key) or default).strip().lower()
    if value not in allowed:
        raise FieldError(key, f"{key} must be one of {', '.join(allowed)}")
    return value


def _bool(params: Mapping[str, str], key: str) -> bool | None:
    value = params.get(key)
    if value is None or value.strip() == "":
        return None
    text = value.strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise FieldError(key, f"{key} must be true or false")


def _int(params: Mapping[str, str], key: str, default: int, low: int, high: int) -> int:
    value = params.get(key)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise FieldError(key, f"{key} must be a whole number") from None
    if not low <= number <= high:
        raise FieldError(key, f"{key} must be between {low} and {high}")
    return number


def _uuid(params: Mapping[str, str], key: str, expected: str = "a UUID") -> uuid.UUID | None:
    value = (params.get(key) or "").strip()
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise FieldError(key, f"{key} must be {expected}") from None


def _csv(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _assignee(params: Mapping[str, str]) -> str | None:
    value = (params.get("assignee") or "").strip().lower()
    if value in ("", "me", "none"):
        return value or None
    found = _uuid(params, "assignee", "me, none or a user id")
    return str(found)


def parse_query(params: Mapping[str, Any], tz: str = "UTC") -> TaskQuery:
    """Validate list parameters; unknown keys are an error so typos do not silently match all."""
    strings = {key: str(value) for key, value in params.items() if value is not None}
    for key in strings:
        if key not in QUERY_KEYS:
            raise FieldError(
                key, f"{key} is not a known filter; use one of {', '.join(QUERY_KEYS)}"
            )
    q = (strings.get("q") or "").strip() or None
    if q is not None and len(q) > Q_MAX:
        raise FieldError("q", f"q must be at most {Q_MAX} characters")
    priorities = tuple(dict.fromkeys(p.lower() for p in _csv(strings.get("priority"))))
    for priority in priorities:
        if priority not in PRIORITIES:
            raise FieldError("priority", "priority must be a comma list of low, medium, high")
    first_spelling: dict[str, str] = {}
    for raw in _csv(strings.get("tags")):
        tag = clean_tag(raw)
        first_spelling.setdefault(tag_key(tag), tag)
    tags = tuple(first_spelling.values())
    due_after = strings.get("due_after")
    due_before = strings.get("due_before")
    after = parse_boundary(due_after, tz, "due_after", end_of_day=False) if due_after else None
    before = parse_boundary(due_before, tz, "due_before", end_of_day=True) if due_before else None
    if after and before and after > before:
        raise FieldError("due_before", "due_before must not be earlier than due_after")
    parent = (strings.get("parent_id") or "").strip()
    top_level = parent.lower() == "none"
    return TaskQuery(
        q=q,
        status=_choice(strings, "status", STATUSES, "active"),
        priority=priorities,
        tags=tags,
        tag_mode=_choice(strings, "tag_mode", TAG_MODES, "all"),
        due_after=after,
        due_before=before,
        overdue=_bool(strings, "overdue"),
        is_recurring=_bool(strings, "is_recurring"),
        project_id=_uuid(strings, "project_id"),
        section_id=_uuid(strings, "section_id"),
        top_level=top_level,
        parent_id=None if top_level else _uuid(strings, "parent_id", "none or a UUID"),
        archived=bool(_bool(strings, "archived")),
        assignee=_assignee(strings),
        sort_by=_choice(strings, "sort_by", SORT_FIELDS, "position"),
        sort_order=_choice(strings, "sort_order", SORT_ORDERS, "asc"),
        page=_int(strings, "page", 1, 1, 1_000_000),
        limit=_int(strings, "limit", 50, 1, LIMIT_MAX),
    )
