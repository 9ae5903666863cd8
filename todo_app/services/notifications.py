"""In-app notifications: listing and marking read (the workers create them)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func
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
