"""In-app notifications: listing and marking read (the workers create them)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, func, or_, update
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


def _email_queued() -> Any:
    # JSON containment differs per database; the list's JSON text reads the same on both.
    return cast(Notification.channels, String).like(f'%"{EMAIL_PENDING}"%')


def _unclaimed(now: datetime) -> Any:
    claimed_until = col(Notification.email_claimed_until)
    return or_(claimed_until.is_(None), claimed_until < now)


def pending_emails(
    session: Session, since: datetime, limit: int = 50, now: datetime | None = None
) -> list[Notification]:
    """Notifications created since `since` whose email is queued, not yet sent or failed, and
    not claimed by a mailer right now."""
    return list(
        session.exec(
            select(Notification)
            .where(
                col(Notification.created_at) >= since,
                _email_queued(),
                _unclaimed(now or utcnow()),
            )
            .order_by(col(Notification.created_at))
            .limit(limit)
        ).all()
    )


def claim_email(
    session: Session, notification_id: uuid.UUID, until: datetime, now: datetime | None = None
) -> bool:
    """Take the queued email of a notification for sending until `until`; False if another
    mailer holds it or it is no longer queued.

    One conditional UPDATE: of two concurrent claims the database lets exactly one match (the
    second re-checks the row after the first committed, on PostgreSQL as on SQLite).
    """
    result = session.exec(
        update(Notification)
        .where(
            col(Notification.id) == notification_id,
            _email_queued(),
            _unclaimed(now or utcnow()),
        )
        .values(email_claimed_until=until)
    )
    return bool(result.rowcount)


def extend_claim(
    session: Session, notification_id: uuid.UUID, held: datetime, until: datetime
) -> bool:
    """Move a claim that still ends at `held` (so is still ours) to `until`."""
    result = session.exec(
        update(Notification)
        .where(
            col(Notification.id) == notification_id,
            col(Notification.email_claimed_until) == held,
            _email_queued(),
        )
        .values(email_claimed_until=until)
    )
    return bool(result.rowcount)


def release_email(session: Session, notification_id: uuid.UUID, held: datetime) -> None:
    """Give a claimed email back unsent, for the next mailer pass."""
    session.exec(
        update(Notification)
        .where(
            col(Notification.id) == notification_id,
            col(Notification.email_claimed_until) == held,
        )
        .values(email_claimed_until=None)
    )


def settle_email(session: Session, notification_id: uuid.UUID, outcome: str) -> None:
    """Replace the queued-email marker by `outcome` (EMAIL_SENT or EMAIL_FAILED), once."""
    row = session.get(Notification, notification_id)
    if row is None or EMAIL_PENDING not in row.channels:
        return
    row.channels = [c for c in row.channels if c != EMAIL_PENDING] + [outcome]
    row.email_claimed_until = None
    session.add(row)
    session.flush()
