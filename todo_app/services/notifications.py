"""In-app notifications: listing and marking read (the workers create them)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, func, or_, update
from sqlmodel import Session, col, select

from todo_app.core.errors import NotFound
from todo_app.core.events import audience, uuid_of
from todo_app.core.people import handles
from todo_app.models import Notification, Project, User, utcnow
from todo_app.schemas import NotificationPage, NotificationPublic
from todo_app.services import invitations, outbox


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


def _notify(
    session: Session,
    user_id: uuid.UUID | None,
    task_id: uuid.UUID | None,
    kind: str,
    title: str,
    body: str,
    email: str | None = None,
) -> Notification:
    """An in-app notification, announced as notification.created; with no user, only a mail
    to `email` (an invitation to an address with no account)."""
    row = Notification(
        user_id=user_id,
        email=email,
        task_id=task_id,
        kind=kind,
        title=title[:255],
        body=body[:5000],
        channels=["in_app"] if user_id is not None else [],
    )
    session.add(row)
    session.flush()
    if user_id is None:
        return row
    outbox.emit(
        session,
        "notification.created",
        {
            "user_id": str(row.user_id),
            "task_id": str(row.task_id) if row.task_id else None,
            "notification_id": str(row.id),
            "kind": row.kind,
            "title": row.title,
            "body": row.body,
        },
        source="notifications",
    )
    return row


def create_for_reminder(session: Session, data: dict[str, Any]) -> Notification:
    """The in-app notification of a fired reminder."""
    late = " (late)" if data.get("late") else ""
    due = data.get("due_at")
    return _notify(
        session,
        uuid.UUID(str(data["user_id"])),
        uuid.UUID(str(data["task_id"])),
        "reminder",
        str(data.get("title") or "Reminder"),
        f"Due {due}{late}" if due else f"Reminder{late}",
    )


# @ and a name: a member's first name, whole name without spaces, or the start of their email.
_MENTION = re.compile(r"(?<![\w@])@([\w][\w.\-]*)")


def mentioned(text: str, people: list[User]) -> set[uuid.UUID]:
    """The people a comment's text mentions."""
    said = {token.casefold().rstrip(".-") for token in _MENTION.findall(text)}
    return {
        person.id
        for person in people
        if said & {h.casefold() for h in handles(person.display_name or "", person.email)}
    }


def _name(session: Session, user_id: uuid.UUID | None, fallback: str) -> str:
    user = session.get(User, user_id) if user_id else None
    return (user.display_name or user.email) if user is not None else fallback


_ROLE_EVENTS = {
    "project.member_added": ("shared", "{actor} shared “{project}” with you ({role})"),
    "project.member_updated": ("role", "Your role in “{project}” is now {role}"),
    "project.member_removed": ("removed", "{actor} removed you from “{project}”"),
}


def create_for_event(session: Session, event_type: str, data: dict[str, Any]) -> list[Notification]:
    """What a change in a shared project tells the people it concerns, never its actor: a task
    assigned to them, a mention, a comment on a task they made or are assigned, being added
    to a project, a new role, being removed."""
    actor_id = uuid_of(data.get("actor_id"))
    actor = _name(session, actor_id, str(data.get("actor_email") or "Someone"))
    made: list[Notification] = []
    if event_type in ("task.created", "task.updated"):
        snapshot = data.get("task") or {}
        assignee = uuid_of(snapshot.get("assignee_id"))
        # A recurring task's next occurrence keeps its assignee: nobody assigned anything.
        made_new = event_type == "task.created" and data.get("reason") != "recurrence"
        newly = made_new or "assignee_id" in (data.get("changed") or [])
        if assignee is not None and assignee != actor_id and newly:
            title = f"{actor} assigned you “{snapshot.get('title', '')}”"
            made.append(
                _notify(session, assignee, uuid_of(data.get("task_id")), "assigned", title, "")
            )
    elif event_type == "comment.created":
        task_id = uuid_of(data.get("task_id"))
        then = data.get("task") or {}
        title = str(then.get("title", ""))
        text = str((data.get("comment") or {}).get("text", ""))
        # Who saw the project when the comment was made, even if the event comes later.
        people = _people(session, [uuid_of(u) for u in audience(data)])
        members = {p.id for p in people}
        named = mentioned(text, people) - {actor_id}
        for mention in sorted(named):
            heading = f"{actor} mentioned you on “{title}”"
            made.append(_notify(session, mention, task_id, "mentioned", heading, text))
        concerned = {uuid_of(then.get("created_by")), uuid_of(then.get("assignee_id"))}
        for person in sorted(members & concerned - named - {actor_id}):
            heading = f"{actor} commented on “{title}”"
            made.append(_notify(session, person, task_id, "comment", heading, text))
    elif event_type == "project.invited":
        made.append(_invited(session, data, actor))
    elif event_type == "project.member_added" and data.get("invitation_id"):
        inviter = uuid_of(data.get("invited_by"))
        project = session.get(Project, uuid_of(data.get("project_id")))
        if inviter is not None and inviter != actor_id and project is not None:
            title = f"{actor} accepted your invitation to “{project.name}”"
            made.append(_notify(session, inviter, None, "joined", title, ""))
    elif event_type in _ROLE_EVENTS:
        member = uuid_of(data.get("member_id"))
        project = session.get(Project, uuid_of(data.get("project_id")))
        if member is None or member == actor_id or project is None:
            return made
        kind, template = _ROLE_EVENTS[event_type]
        title = template.format(actor=actor, project=project.name, role=data.get("role"))
        made.append(_notify(session, member, None, kind, title, ""))
    return made


def _invited(session: Session, data: dict[str, Any], actor: str) -> Notification:
    """The mail that carries an invitation's link; in-app too if the address has an account
    by now."""
    email = str(data.get("email"))
    project = session.get(Project, uuid_of(data.get("project_id")))
    name = project.name if project is not None else "a project"
    invitation_id = uuid_of(data.get("invitation_id"))
    assert invitation_id is not None
    title = f"{actor} invited you to “{name}”"
    body = (
        f"{actor} invited you to the project “{name}” as {data.get('role')}.\n\n"
        f"Open this link within {invitations.INVITATION_DAYS} days to join "
        f"(you can create your account there):\n{invitations.link_of(invitation_id)}"
    )
    account = session.exec(select(User).where(User.email == email)).one_or_none()
    user_id = account.id if account is not None else None
    return _notify(session, user_id, None, "invited", title, body, email=email)


def _people(session: Session, user_ids: list[uuid.UUID | None]) -> list[User]:
    wanted = [u for u in user_ids if u is not None]
    return list(session.exec(select(User).where(col(User.id).in_(wanted))).all()) if wanted else []


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
