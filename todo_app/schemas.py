"""Request and response shapes shared by the services, the REST API and the UI state.

Inputs forbid unknown fields so a typo is an error, not a silent no-op. Outputs carry no
password hash and no internal column.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationInfo, field_validator


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    if isinstance(value, dict):
        return any(_has_nul(key) or _has_nul(item) for key, item in value.items())
    return False


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=100_000)

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: Any, info: ValidationInfo) -> Any:
        # PostgreSQL text cannot hold NUL; refusing it here keeps both databases alike.
        if _has_nul(value):
            raise ValueError(f"{info.field_name} must not contain NUL characters")
        return value


class FieldProblem(BaseModel):
    field: str
    message: str


class ErrorBody(BaseModel):
    """Every error response: what is wrong, in words, and which input it is about."""

    detail: str
    field: str | None
    errors: list[FieldProblem] | None = None
    current: dict[str, Any] | None = None


class TaskCreate(Input):
    title: str = Field(description="1 to 255 characters after trimming")
    description: str = Field(default="", description="at most 5000 characters")
    priority: str = Field(default="medium", description="low, medium or high")
    tags: list[str] = Field(default_factory=list, description="at most 20, each 1 to 50 chars")
    due_at: str | None = Field(
        default=None,
        description="a date (2026-12-25: all day) or an RFC 3339 date-time; "
        "without an offset it is read in the user's time zone",
    )
    # Strict: 0, 0.0 or "false" is not a yes/no answer (schemathesis found 0.0 accepted).
    all_day: StrictBool | None = Field(
        default=None, description="due on the date of due_at, no time"
    )
    rrule: str | None = Field(
        default=None,
        description="RFC 5545 RRULE (FREQ=WEEKLY;BYDAY=MO) or daily, weekdays, weekly, "
        "monthly, yearly",
    )
    repeat_from: str = Field(default="due", description="due or completion")
    reminders: list[str] = Field(default_factory=list, description="RFC 3339 instants")
    remind_before_minutes: list[int] = Field(
        default_factory=list, description="minutes before the due time"
    )
    project_id: uuid.UUID | None = Field(default=None, description="default: the Inbox")
    section_id: uuid.UUID | None = Field(default=None, description="a section of the project")
    parent_id: uuid.UUID | None = Field(
        default=None, description="a subtask of this task, in its project and section"
    )
    assignee_id: uuid.UUID | None = Field(
        default=None, description="a member of the task's project (its owner included)"
    )


class TaskUpdate(Input):
    """A partial update: only the fields sent change; null clears a nullable field."""

    title: str | None = None
    description: str | None = None
    priority: str | None = None
    tags: list[str] | None = None
    due_at: str | None = None
    all_day: StrictBool | None = None
    rrule: str | None = None
    repeat_from: str | None = None
    reminders: list[str] | None = None
    remind_before_minutes: list[int] | None = None
    project_id: uuid.UUID | None = None
    section_id: uuid.UUID | None = None
    parent_id: uuid.UUID | None = None
    assignee_id: uuid.UUID | None = Field(
        default=None, description="a member of the task's project, or null: nobody"
    )
    version: int | None = Field(
        default=None, description="the version last read; a stale one is refused with 409"
    )


class TaskMove(Input):
    """Where a task goes; a field left out keeps its value (a new project clears the section
    and the parent unless they are given)."""

    project_id: uuid.UUID | None = Field(default=None, description="the project to move into")
    section_id: uuid.UUID | None = Field(default=None, description="a section, or null: none")
    parent_id: uuid.UUID | None = Field(default=None, description="a parent task, or null: top")
    position: int | None = Field(
        default=None, ge=0, description="0-based index among the new siblings; default last"
    )


class SubtaskCounts(BaseModel):
    open: int
    total: int


class TaskPublic(BaseModel):
    id: uuid.UUID
    project_id: uuid.UUID
    section_id: uuid.UUID | None
    parent_id: uuid.UUID | None
    assignee_id: uuid.UUID | None
    title: str
    description: str
    priority: str
    tags: list[str]
    due_at: datetime | None
    all_day: bool
    rrule: str | None
    repeat_from: str
    series_id: uuid.UUID
    occurrence_at: datetime | None
    completed: bool
    completed_at: datetime | None
    deleted_at: datetime | None
    position: int
    created_at: datetime
    updated_at: datetime
    version: int
    reminders: list[datetime]
    remind_before_minutes: list[int]
    subtasks: SubtaskCounts


class TaskListParams(Input):
    """The list query; values are strings so every rule is checked, and named, in one place."""

    q: str | None = Field(default=None, description="words to find in title or description")
    status: str | None = Field(default=None, description="all, active (default) or completed")
    priority: str | None = Field(default=None, description="comma list of low, medium, high")
    tags: str | None = Field(default=None, description="comma list of tags")
    tag_mode: str | None = Field(default=None, description="all (default) or any")
    due_after: str | None = Field(default=None, description="date or RFC 3339 date-time")
    due_before: str | None = Field(default=None, description="date or RFC 3339 date-time")
    overdue: str | None = Field(default=None, description="true or false")
    is_recurring: str | None = Field(default=None, description="true or false")
    project_id: str | None = Field(default=None, description="only this project's tasks")
    section_id: str | None = Field(default=None, description="only this section's tasks")
    parent_id: str | None = Field(
        default=None,
        description="none: top-level tasks only; a task id: its direct subtasks; default all",
    )
    archived: str | None = Field(
        default=None,
        description="true: only tasks of archived projects; default: those are hidden",
    )
    assignee: str | None = Field(
        default=None, description="me, none (unassigned) or a user id; default anyone"
    )
    sort_by: str | None = Field(
        default=None, description="due_at, priority, created_at, title or position (default)"
    )
    sort_order: str | None = Field(default=None, description="asc (default) or desc")
    page: str | None = Field(default=None, description="1-based page number")
    limit: str | None = Field(default=None, description="1 to 200, default 50")


class TaskPage(BaseModel):
    items: list[TaskPublic]
    total: int
    page: int
    limit: int


class ProjectCreate(Input):
    name: str = Field(description="1 to 120 characters")
    color: str | None = Field(default=None, description="a palette name; default charcoal")
    parent_id: uuid.UUID | None = Field(
        default=None, description="the parent project (3 levels at most)"
    )


class ProjectUpdate(Input):
    """A partial update: only the fields sent change; parent_id null moves it to the top."""

    name: str | None = None
    color: str | None = None
    parent_id: uuid.UUID | None = None
    position: int | None = Field(default=None, description="its place among its siblings")
    view: str | None = Field(default=None, description="list or board")


class ProjectOwner(BaseModel):
    id: uuid.UUID
    email: str
    display_name: str


class ProjectPublic(BaseModel):
    id: uuid.UUID
    name: str
    color: str
    parent_id: uuid.UUID | None
    position: int
    is_inbox: bool
    archived: bool
    view: str
    open_count: int = Field(description="open tasks in the project")
    role: str = Field(description="the caller's role: owner, admin, editor, commenter, viewer")
    shared: bool = Field(description="whether anyone besides its owner is a member")
    owner: ProjectOwner


class ProjectList(BaseModel):
    items: list[ProjectPublic]


class MemberAdd(Input):
    email: str = Field(description="an account's email; any other address is invited by mail")
    role: str = Field(description="admin, editor, commenter or viewer")


class MemberUpdate(Input):
    role: str = Field(description="admin, editor, commenter or viewer")


class TransferRequest(Input):
    user_id: uuid.UUID = Field(description="a member, who becomes the owner")


class MemberPublic(BaseModel):
    user_id: uuid.UUID
    email: str
    display_name: str
    role: str


class InvitationPublic(BaseModel):
    id: uuid.UUID
    project_id: uuid.UUID
    email: str
    role: str
    invited_by: uuid.UUID | None
    created_at: datetime
    expires_at: datetime
    status: str = Field(description="pending, expired, accepted, declined or revoked")


class MemberList(BaseModel):
    items: list[MemberPublic]
    invitations: list[InvitationPublic] = Field(
        description="pending invitations, listed to who may manage members"
    )


class InvitationReceived(BaseModel):
    token: str = Field(description="accept or decline with it")
    project_id: uuid.UUID
    project_name: str
    email: str
    role: str
    invited_by: str = Field(description="the name of who invited")
    expires_at: datetime


class InvitationList(BaseModel):
    items: list[InvitationReceived]


class SectionCreate(Input):
    name: str = Field(description="1 to 120 characters")


class SectionUpdate(Input):
    name: str | None = None
    position: int | None = Field(default=None, description="its place in the project")


class SectionPublic(BaseModel):
    id: uuid.UUID
    name: str
    project_id: uuid.UUID
    position: int


class SectionList(BaseModel):
    items: list[SectionPublic]


class CommentCreate(Input):
    text: str = Field(description="1 to 10,000 characters of Markdown")


class CommentUpdate(Input):
    text: str = Field(description="1 to 10,000 characters of Markdown")


class CommentAuthor(BaseModel):
    id: uuid.UUID
    display_name: str
    email: str


class CommentPublic(BaseModel):
    id: uuid.UUID
    task_id: uuid.UUID
    author: CommentAuthor
    text: str
    created_at: datetime
    edited_at: datetime | None


class CommentList(BaseModel):
    items: list[CommentPublic]
    can_comment: bool = Field(description="whether the caller may add comments here")


class ReorderRequest(Input):
    ids: list[uuid.UUID] = Field(min_length=1, max_length=200)


class SnoozeRequest(Input):
    minutes: int = Field(ge=1, le=10080, description="remind again this many minutes from now")


class Occurrences(BaseModel):
    task_id: uuid.UUID
    rrule: str | None
    description: str | None
    occurrences: list[datetime]


class TagCount(BaseModel):
    name: str
    count: int = Field(description="open tasks with this tag")
    total: int = Field(description="tasks with this tag, completed included")


class DayCount(BaseModel):
    day: date = Field(description="a day in the user's time zone")
    completed: int


class ProjectStats(BaseModel):
    project_id: uuid.UUID
    name: str
    color: str
    open: int = Field(description="open tasks in the project")
    completed: int = Field(description="tasks completed in the project over the period")


class Stats(BaseModel):
    project_id: uuid.UUID | None = Field(description="the project counted; null: every one")
    completed_per_day: list[DayCount] = Field(description="the last 30 days, oldest first")
    open_by_priority: dict[str, int]
    open_by_tag: list[TagCount] = Field(description="the 10 tags with most open tasks")
    by_project: list[ProjectStats] = Field(
        description="the project counted, or every project not archived, Inbox first"
    )


class SavedFilterCreate(Input):
    name: str = Field(description="1 to 100 characters, unique per user")
    query: dict[str, str] = Field(description="list parameters, as in GET /api/v1/tasks")


class SavedFilterPublic(BaseModel):
    id: uuid.UUID
    name: str
    query: dict[str, str]
    created_at: datetime


class RegisterRequest(Input):
    email: str
    password: str
    display_name: str = ""
    timezone: str = "UTC"


class LoginRequest(Input):
    email: str
    password: str


class RefreshRequest(Input):
    refresh_token: str


class UserPublic(BaseModel):
    id: uuid.UUID
    email: str
    display_name: str
    timezone: str
    email_notifications: bool
    created_at: datetime


class UserUpdate(Input):
    display_name: str | None = None
    timezone: str | None = None
    email_notifications: StrictBool | None = None


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int
    user: UserPublic


class NotificationPublic(BaseModel):
    id: uuid.UUID
    task_id: uuid.UUID | None
    kind: str
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None
    channels: list[str]


class NotificationPage(BaseModel):
    items: list[NotificationPublic]
    total: int
    unread: int
    page: int
    limit: int


class AuditEntry(BaseModel):
    id: uuid.UUID
    action: str
    resource_type: str
    resource_id: str | None
    project_id: uuid.UUID | None = Field(description="the project it happened in, if any")
    project_name: str | None = Field(description="that project's current name")
    actor_id: uuid.UUID | None = Field(description="who did it; none for the app's own work")
    actor_email: str | None = Field(description="their email when they did it")
    metadata: dict[str, Any]
    at: datetime


class AuditPage(BaseModel):
    items: list[AuditEntry]
    total: int
    page: int
    limit: int


class ApiTokenCreate(Input):
    name: str = Field(description="1 to 100 characters: what the token is for")


class ApiTokenPublic(BaseModel):
    id: uuid.UUID
    name: str
    created_at: datetime
    last_used_at: datetime | None


class ApiTokenCreated(BaseModel):
    """A new token: `token` is shown this once and never again."""

    id: uuid.UUID
    name: str
    token: str
    created_at: datetime


class CalendarFeed(BaseModel):
    url: str = Field(description="the feed's address; the secret in it is the credential")


class QuickAddRequest(Input):
    text: str = Field(
        max_length=1000,
        description='one line like "call mom tomorrow 6pm #family every sunday ^Home"',
    )
    project_id: uuid.UUID | None = Field(
        default=None, description="where it goes unless the text names a project (^Name)"
    )
    section_id: uuid.UUID | None = Field(
        default=None, description="a section of that project, unless the text names a project"
    )
    parent_id: uuid.UUID | None = Field(
        default=None, description="a subtask of this task, in its project and section"
    )


class ChatRequest(Input):
    message: str = Field(description="what the user says, 1 to 2000 characters")
    conversation_id: uuid.UUID | None = Field(
        default=None, description="continue this conversation; none starts a new one"
    )


class ChatAction(BaseModel):
    """One tool call the assistant made for the message, and how it went."""

    tool: str
    ok: bool
    summary: str
    task_ids: list[str]


class ChatResponse(BaseModel):
    reply: str
    actions: list[ChatAction]
    conversation_id: uuid.UUID
    assistant: str = Field(description="openai, or offline (no model configured or reachable)")


class ChatMessagePublic(BaseModel):
    role: str
    content: str
    actions: list[ChatAction]
    created_at: datetime


class ConversationPublic(BaseModel):
    id: uuid.UUID
    title: str
    messages: list[ChatMessagePublic]
