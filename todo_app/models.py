"""SQLModel tables shared by the web app and the workers (plain SQLModel, table=True)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Column, Identity, Index, Integer, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from todo_app.db import JSONList, UTCDateTime


def utcnow() -> datetime:
    return datetime.now(UTC)


class Priority(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


class RepeatFrom(StrEnum):
    due = "due"
    completion = "completion"


def _ts(**kwargs: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kwargs)


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    # Stored lower-cased, so the unique index is case-insensitive on every database.
    email: str = Field(max_length=320, unique=True, index=True)
    password_hash: str = Field(max_length=100)
    display_name: str = Field(default="", max_length=100)
    timezone: str = Field(default="UTC", max_length=64)
    email_notifications: bool = Field(default=False)
    # SHA-256 of the secret in the user's calendar feed URL; None until one is made.
    calendar_token_hash: str | None = Field(default=None, max_length=64, unique=True, index=True)
    created_at: datetime = _ts(default_factory=utcnow)
    updated_at: datetime = _ts(default_factory=utcnow)


class Project(SQLModel, table=True):
    """A named, coloured list of tasks; every account has exactly one Inbox."""

    __tablename__ = "projects"
    __table_args__ = (
        Index("ix_projects_owner_parent", "owner_id", "parent_id", "position"),
        Index("ix_projects_parent", "parent_id"),
        # One Inbox per account, held by the database on both dialects.
        Index(
            "uq_projects_owner_inbox",
            "owner_id",
            unique=True,
            postgresql_where=text("is_inbox"),
            sqlite_where=text("is_inbox"),
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    owner_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    name: str = Field(max_length=120)
    color: str = Field(default="charcoal", max_length=20)
    parent_id: uuid.UUID | None = Field(default=None, foreign_key="projects.id", ondelete="CASCADE")
    position: int = Field(default=0)
    archived_at: datetime | None = _ts(default=None)
    deleted_at: datetime | None = _ts(default=None)
    is_inbox: bool = Field(default=False)
    view: str = Field(default="list", max_length=10)
    created_at: datetime = _ts(default_factory=utcnow)
    updated_at: datetime = _ts(default_factory=utcnow)
    version: int = Field(default=1)


class ProjectMember(SQLModel, table=True):
    """Someone other than its owner who may see a project, and what their role lets them do."""

    __tablename__ = "project_members"
    __table_args__ = (
        UniqueConstraint("project_id", "user_id", name="uq_project_members_project_user"),
        # The projects shared with a user: every list asks.
        Index("ix_project_members_user", "user_id"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    project_id: uuid.UUID = Field(foreign_key="projects.id", ondelete="CASCADE")
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    role: str = Field(max_length=20)
    created_at: datetime = _ts(default_factory=utcnow)


class Invitation(SQLModel, table=True):
    """A project shared with an email that has no account yet: mailed as a link, used once."""

    __tablename__ = "invitations"
    __table_args__ = (
        Index("ix_invitations_project", "project_id"),
        # The invitations waiting for an address: every sign-in of that address asks.
        Index("ix_invitations_email", "email"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    project_id: uuid.UUID = Field(foreign_key="projects.id", ondelete="CASCADE")
    email: str = Field(max_length=320)
    role: str = Field(max_length=20)
    invited_by: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    # pending, accepted, declined or revoked; a pending one past expires_at is expired.
    status: str = Field(default="pending", max_length=20)
    created_at: datetime = _ts(default_factory=utcnow)
    expires_at: datetime = _ts()
    responded_at: datetime | None = _ts(default=None)


class Section(SQLModel, table=True):
    """A named, ordered group of tasks inside a project."""

    __tablename__ = "sections"
    __table_args__ = (Index("ix_sections_project_position", "project_id", "position"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    project_id: uuid.UUID = Field(foreign_key="projects.id", ondelete="CASCADE")
    name: str = Field(max_length=120)
    position: int = Field(default=0)
    created_at: datetime = _ts(default_factory=utcnow)
    updated_at: datetime = _ts(default_factory=utcnow)


# Priority as a number for sorting; listing sorts by this very text so the index below serves it.
PRIORITY_RANK_SQL = (
    "(CASE priority WHEN 'low' THEN 1 WHEN 'medium' THEN 2 WHEN 'high' THEN 3 ELSE 2 END)"
)


def _sequence_column() -> Column[int]:
    """A column the database numbers in insert order: an identity on PostgreSQL; on SQLite,
    which has no sequences, a trigger copies the rowid in (see the migration that adds it)."""
    return Column("seq", BigInteger().with_variant(Integer, "sqlite"), Identity(), nullable=False)


# Declared apart so the mapper can use it as the optimistic-concurrency counter.
_task_version = Column("version", Integer, nullable=False)


class Task(SQLModel, table=True):
    __tablename__ = "tasks"
    __table_args__ = (
        UniqueConstraint("series_id", "occurrence_at", name="uq_tasks_series_occurrence"),
        Index("ix_tasks_user_due", "user_id", "due_at"),
        Index("ix_tasks_user_priority", "user_id", "priority"),
        Index("ix_tasks_user_position", "user_id", "position"),
        Index("ix_tasks_user_created", "user_id", "created_at"),
        # A project's open count and its tasks in order; deleted tasks are never read by it.
        Index(
            "ix_tasks_project_open",
            "project_id",
            "completed",
            "position",
            postgresql_where=text("deleted_at IS NULL"),
            sqlite_where=text("deleted_at IS NULL"),
        ),
        Index("ix_tasks_project_deleted", "project_id", "deleted_at"),
        Index("ix_tasks_section", "section_id"),
        Index("ix_tasks_parent", "parent_id"),
        Index("ix_tasks_tag_keys_gin", "tag_keys", postgresql_using="gin"),
        Index(
            "ix_tasks_search_gin",
            text("to_tsvector('simple', search_text)"),
            postgresql_using="gin",
        ).ddl_if(dialect="postgresql"),
        # Counts of the list answer from this index alone (index-only scan) for the status,
        # priority, overdue and recurring filters; the due_at sort of open tasks reads it too.
        Index(
            "ix_tasks_user_open",
            "user_id",
            "completed",
            "due_at",
            postgresql_include=["priority", "all_day", "rrule"],
            postgresql_where=text("deleted_at IS NULL"),
            sqlite_where=text("deleted_at IS NULL"),
        ),
        Index(
            "ix_tasks_user_priority_rank",
            "user_id",
            text(f"{PRIORITY_RANK_SQL} DESC"),
            "position",
            postgresql_where=text("deleted_at IS NULL"),
        ).ddl_if(dialect="postgresql"),
        Index(
            "ix_tasks_user_title",
            "user_id",
            text("lower(title)"),
            postgresql_where=text("deleted_at IS NULL"),
        ).ddl_if(dialect="postgresql"),
    )
    __mapper_args__ = {"version_id_col": _task_version}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    # The owner of the task's project, kept with it (moves and transfers update it): the
    # account the task belongs to, so a list of one's own tasks stays one indexed condition.
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    project_id: uuid.UUID = Field(foreign_key="projects.id", ondelete="CASCADE")
    # Who made it (the owner's until someone else adds to a shared project): told of comments.
    created_by: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    # A member of the task's project, or None.
    assignee_id: uuid.UUID | None = Field(
        default=None, foreign_key="users.id", ondelete="SET NULL", index=True
    )
    section_id: uuid.UUID | None = Field(
        default=None, foreign_key="sections.id", ondelete="SET NULL"
    )
    parent_id: uuid.UUID | None = Field(default=None, foreign_key="tasks.id", ondelete="CASCADE")
    title: str = Field(max_length=255)
    description: str = Field(default="", max_length=5000)
    priority: str = Field(default=Priority.medium.value, max_length=10)
    tags: list[str] = Field(default_factory=list, sa_type=JSONList)
    # Lower-cased tags: what filters match against, so matching is case-insensitive.
    tag_keys: list[str] = Field(default_factory=list, sa_type=JSONList)
    # Case-folded title and description: what full-text search reads on both databases.
    search_text: str = Field(default="")
    due_at: datetime | None = _ts(default=None)
    all_day: bool = Field(default=False)
    rrule: str | None = Field(default=None, max_length=500)
    repeat_from: str = Field(default=RepeatFrom.due.value, max_length=10)
    series_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    occurrence_at: datetime | None = _ts(default=None)
    completed: bool = Field(default=False)
    completed_at: datetime | None = _ts(default=None)
    deleted_at: datetime | None = _ts(default=None)
    # Set with deleted_at when the occurrence was skipped (the series moves on), not deleted.
    skipped_at: datetime | None = _ts(default=None)
    position: int = Field(default=0)
    created_at: datetime = _ts(default_factory=utcnow)
    updated_at: datetime = _ts(default_factory=utcnow)
    version: int = Field(default=1, sa_column=_task_version)


class Comment(SQLModel, table=True):
    """A note on a task by one of its project's members (Markdown, shown safely)."""

    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_task_created", "task_id", "created_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    task_id: uuid.UUID = Field(foreign_key="tasks.id", ondelete="CASCADE")
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    text: str = Field(max_length=10_000)
    created_at: datetime = _ts(default_factory=utcnow)
    edited_at: datetime | None = _ts(default=None)


class Reminder(SQLModel, table=True):
    __tablename__ = "reminders"
    __table_args__ = (
        Index(
            "ix_reminders_unsent",
            "remind_at",
            postgresql_where=text("sent_at IS NULL"),
            sqlite_where=text("sent_at IS NULL"),
        ),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    task_id: uuid.UUID = Field(foreign_key="tasks.id", index=True, ondelete="CASCADE")
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    remind_at: datetime = _ts()
    # Set for "N minutes before due" reminders, which move when the due date moves.
    offset_minutes: int | None = Field(default=None)
    sent_at: datetime | None = _ts(default=None)
    attempts: int = Field(default=0)


class Notification(SQLModel, table=True):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_created", "user_id", "created_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    # None for an invitation to an address with no account: then only `email` is mailed.
    user_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="CASCADE")
    email: str | None = Field(default=None, max_length=320)
    task_id: uuid.UUID | None = Field(default=None, foreign_key="tasks.id", ondelete="SET NULL")
    kind: str = Field(max_length=50)
    title: str = Field(max_length=255)
    body: str = Field(default="", max_length=5000)
    created_at: datetime = _ts(default_factory=utcnow)
    read_at: datetime | None = _ts(default=None)
    channels: list[str] = Field(default_factory=list, sa_type=JSONList)
    # A mailer holds the queued email until then; another may take it over only after that.
    email_claimed_until: datetime | None = _ts(default=None)


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_user_at", "user_id", "at"),
        Index("ix_audit_log_actor_at", "actor_id", "at"),
        Index("ix_audit_log_project_at", "project_id", "at"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    # Whose data it happened to; who did it (none for a worker's doing); in which project.
    user_id: uuid.UUID | None = Field(default=None)
    actor_id: uuid.UUID | None = Field(default=None)
    project_id: uuid.UUID | None = Field(default=None)
    action: str = Field(max_length=100)
    resource_type: str = Field(max_length=50)
    resource_id: str | None = Field(default=None, max_length=100)
    event_id: str = Field(max_length=100, unique=True)
    # "metadata" is reserved on declarative classes, so the attribute has another name.
    details: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column("metadata", JSONList, nullable=False)
    )
    at: datetime = _ts(default_factory=utcnow, index=True)


class OutboxEvent(SQLModel, table=True):
    __tablename__ = "outbox_events"
    __table_args__ = (
        Index(
            "ix_outbox_unpublished",
            "seq",
            postgresql_where=text("published_at IS NULL"),
            sqlite_where=text("published_at IS NULL"),
        ),
    )
    # The database fills seq in; nothing reads it back after an insert.
    __mapper_args__ = {"eager_defaults": False}

    id: uuid.UUID = Field(primary_key=True)
    # Publish order: correct across processes and replicas, unlike any clock.
    seq: int | None = Field(default=None, sa_column=_sequence_column())
    topic: str = Field(max_length=100)
    key: str = Field(max_length=100)
    payload: dict[str, Any] = Field(sa_type=JSONList)
    created_at: datetime = _ts(default_factory=utcnow)
    published_at: datetime | None = _ts(default=None)


class ProcessedEvent(SQLModel, table=True):
    __tablename__ = "processed_events"

    consumer: str = Field(primary_key=True, max_length=100)
    event_id: str = Field(primary_key=True, max_length=100)
    processed_at: datetime = _ts(default_factory=utcnow)


class SavedFilter(SQLModel, table=True):
    __tablename__ = "saved_filters"
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_saved_filters_user_name"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    query: dict[str, Any] = Field(default_factory=dict, sa_type=JSONList)
    created_at: datetime = _ts(default_factory=utcnow)


class RefreshToken(SQLModel, table=True):
    __tablename__ = "refresh_tokens"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    # SHA-256 of the token: the token itself is never stored.
    token_hash: str = Field(max_length=64, unique=True)
    # Every token rotated from one login shares a family; reuse of a rotated one revokes it.
    family_id: uuid.UUID = Field(index=True)
    created_at: datetime = _ts(default_factory=utcnow)
    expires_at: datetime = _ts()
    revoked_at: datetime | None = _ts(default=None)
    replaced_by: uuid.UUID | None = Field(default=None)


class LoginFailure(SQLModel, table=True):
    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_email_at", "email", "at"),
        Index("ix_login_failures_client_at", "client", "at"),
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    email: str = Field(max_length=320)
    client: str = Field(max_length=100)
    at: datetime = _ts(default_factory=utcnow)


class ApiToken(SQLModel, table=True):
    """A long-lived personal token for the CLI, the MCP server and scripts."""

    __tablename__ = "api_tokens"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    name: str = Field(max_length=100)
    # SHA-256 of the token: the token itself is shown once and never stored.
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = _ts(default_factory=utcnow)
    last_used_at: datetime | None = _ts(default=None)
    revoked_at: datetime | None = _ts(default=None)


class Conversation(SQLModel, table=True):
    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_user_updated", "user_id", "updated_at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE")
    title: str = Field(default="", max_length=255)
    created_at: datetime = _ts(default_factory=utcnow)
    updated_at: datetime = _ts(default_factory=utcnow)


class ChatMessage(SQLModel, table=True):
    __tablename__ = "chat_messages"
    __table_args__ = (Index("ix_chat_messages_conversation_seq", "conversation_id", "seq"),)
    __mapper_args__ = {"eager_defaults": False}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    # The order of the conversation, as the messages were written.
    seq: int | None = Field(default=None, sa_column=_sequence_column())
    conversation_id: uuid.UUID = Field(foreign_key="conversations.id", ondelete="CASCADE")
    user_id: uuid.UUID = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    # user, assistant or tool (a tool's result, fed back to the model)
    role: str = Field(max_length=20)
    content: str = Field(default="", sa_type=Text)
    # The assistant's tool calls (OpenAI's shape) or, for role "tool", the call it answers.
    tool_calls: list[Any] = Field(default_factory=list, sa_type=JSONList)
    tool_call_id: str | None = Field(default=None, max_length=100)
    # What the tools did, for the panel: [{"tool": ..., "summary": ..., "task_id": ...}]
    actions: list[Any] = Field(default_factory=list, sa_type=JSONList)
    created_at: datetime = _ts(default_factory=utcnow)
