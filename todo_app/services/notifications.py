"""In-app notifications: listing and marking read (the workers create them)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, func
from sqlmodel import Session, col, select

from todo_app.core.errors import NotFound
from todo_app.models import Notification, User, utcnow
from todo_app.schemas import NotificationPage, NotificationPublic
from todo_app.services import outbox


def _public(row: Notification) -> NotificationPublic:
    return NotificationPublic(
        id=row.id,
        task_id=row.task_id,
        kind=row.kind,
        title=row.title,
        body=row.body,
        created_at=row.created_at,
        read_at=row.read_at,
        channels=list(row.channels),
    )


def list_notifications(
    session: Session, user: User, unread_only: bool, page: int, limit: int
) -> NotificationPage:
    mine = Notification.user_id == user.id
    where = [mine, col(Notification.read_at).is_(None)] if unread_only else [mine]
    total = session.exec(select(func.count()).select_from(Notification).where(*where)).one()
    unread = session.exec(
        select(func.count())
        .select_from(Notification)
        .where(mine, col(Notification.read_at).is_(None))
    ).one()
    rows = session.exec(
        select(Notification)
        .where(*where)
        .order_by(col(Notification.created_at).desc(), col(Notification.id))
        .offset((page - 1) * limit)
        .limit(limit)
    ).all()
    return NotificationPage(
        items=[_public(row) for row in rows], total=total, unread=unread, page=page, limit=limit
    )


def mark_read(session: Session, user: User, notification_id: uuid.UUID) -> NotificationPublic:
    row = session.get(Notification, notification_id)
    if row is None or row.user_id != user.id:
        raise NotFound("notification not found")
    if row.read_at is None:
        row.read_at = utcnow()
        session.add(row)
        session.flush()
    return _public(row)


def create_for_reminder(session: Session, data: dict[str, Any]) -> Notification:
    """The in-app notification of a fired reminder, announced as notification.created."""
    late = " (late)" if data.get("late") else ""
    due = data.get("due_at")
    row = Notification(
        user_id=uuid.UUID(str(data["user_id"])),
        task_id=uuid.UUID(str(data["task_id"])),
        kind="reminder",
        title=str(data.get("title") or "Reminder"),
        body=f"Due {due}{late}" if due else f"Reminder{late}",
        channels=["in_app"],
    )
    session.add(row)
    session.flush()
    outbox.emit(
        session,
        "notification.created",
        {
            "user_id": str(row.user_id),
            "task_id": str(row.task_id),
            "notification_id": str(row.id),
            "kind": row.kind,
            "title": row.title,
            "body": row.body,
        },
        source="notifications",
    )
    return row


# Channel markers of the email copy: queued in the notification's transaction, sent after it.
EMAIL_PENDING = "email_pending"
EMAIL_SENT = "email_sent"
EMAIL_FAILED = "email_failed"


def queue_email(session: Session, row: Notification) -> None:
    """Mark a notification to be emailed once its transaction has committed."""
    row.channels = [*row.channels, EMAIL_PENDING]
    session.add(row)
    session.flush()


def pending_emails(session: Session, since: datetime, limit: int = 50) -> list[Notification]:
    """Notifications created since `since` whose email is queued and not yet sent or failed."""
    # JSON containment differs per database; the list's JSON text reads the same on both.
    marker = cast(Notification.channels, String).like(f'%"{EMAIL_PENDING}"%')
    return list(
        session.exec(
            select(Notification)
            .where(col(Notification.created_at) >= since, marker)
            .order_by(col(Notification.created_at))
            .limit(limit)
        ).all()
    )


def settle_email(session: Session, notification_id: uuid.UUID, outcome: str) -> None:
    """Replace the queued-email marker by `outcome` (EMAIL_SENT or EMAIL_FAILED), once."""
    row = session.get(Notification, notification_id)
    if row is None or EMAIL_PENDING not in row.channels:
        return
    row.channels = [c for c in row.channels if c != EMAIL_PENDING] + [outcome]
    session.add(row)
    session.flush()
