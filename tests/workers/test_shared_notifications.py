"""Notifications of a shared project through the whole pipeline (outbox, relay, broker, the
notifications worker, a real SMTP server): each person told once, never of their own doing."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from todo_app.bus import BusConfig, validate_envelope
from todo_app.db import get_engine, session_scope
from todo_app.models import Notification, OutboxEvent, Task, User
from todo_app.schemas import (
    CommentCreate,
    MemberAdd,
    MemberUpdate,
    ProjectCreate,
    RegisterRequest,
    TaskCreate,
    TaskUpdate,
)
from todo_app.services import auth, comments, invitations, outbox, projects, tasks
from workers.notifications import NotificationsWorker, SmtpConfig
from workers.relay import RelayWorker

WaitUntil = Callable[..., Any]


def _register(db: str, email_address: str, name: str, mail: bool) -> User:
    with session_scope(db) as session:
        user = auth.register(
            session,
            RegisterRequest(email=email_address, password="correct horse", display_name=name),
            "test",
        )
        user.email_notifications = mail
        session.add(user)
    return user


def _as(db: str, user: User, action: Callable[[Session, User], Any]) -> Any:
    """`action` in one transaction, acting as `user` (as every door does)."""
    with session_scope(db) as session:
        me = session.get_one(User, user.id)
        with outbox.acting_as(me):
            return action(session, me)


def test_shared_work_tells_each_person_once(
    db: str,
    bus: BusConfig,
    smtp_server: tuple[SmtpConfig, Any],
    inbox: Any,
    wait_until: WaitUntil,
) -> None:
    owner = _register(db, "olive@example.com", "Olive Owner", mail=False)
    member = _register(db, "max@example.com", "Max Member", mail=True)
    project = _as(db, owner, lambda s, u: projects.create_project(s, u, ProjectCreate(name="Home")))
    add = MemberAdd(email="max@example.com", role="editor")
    _as(db, owner, lambda s, u: invitations.share(s, u, project.id, add))
    fence = _as(
        db,
        owner,
        lambda s, u: tasks.create_task(
            s, u, TaskCreate(title="Paint the fence", project_id=project.id)
        ),
    )
    # Assigned by the owner; then the member comments, mentioning the owner.
    give = TaskUpdate(assignee_id=member.id)
    _as(db, owner, lambda s, u: tasks.update_task(s, u, fence.id, give))
    said = CommentCreate(text="Done by Friday, @olive. Which colour?")
    _as(db, member, lambda s, u: comments.add_comment(s, u, fence.id, said))
    # The owner answers: the member, its assignee, is told; the owner is not (their own).
    answer = CommentCreate(text="White")
    _as(db, owner, lambda s, u: comments.add_comment(s, u, fence.id, answer))
    # The member's own task: assigning it to themself tells nobody.
    mine = TaskCreate(title="Buy paint", project_id=project.id, assignee_id=member.id)
    _as(db, member, lambda s, u: tasks.create_task(s, u, mine))
    viewer = MemberUpdate(role="viewer")
    _as(db, owner, lambda s, u: projects.update_member(s, u, project.id, member.id, viewer))
    _as(db, owner, lambda s, u: projects.remove_member(s, u, project.id, member.id))

    relay = RelayWorker(bus=bus, database_url=db)
    assert relay.drain() > 0
    worker = NotificationsWorker(
        bus=bus, database_url=db, smtp=smtp_server[0], mail_poll_interval=0.2
    )
    worker.start()
    try:
        expected = {
            (owner.id, "mentioned", "Max Member mentioned you on “Paint the fence”"),
            (member.id, "shared", "Olive Owner shared “Home” with you (editor)"),
            (member.id, "assigned", "Olive Owner assigned you “Paint the fence”"),
            (member.id, "comment", "Olive Owner commented on “Paint the fence”"),
            (member.id, "role", "Your role in “Home” is now viewer"),
            (member.id, "removed", "Olive Owner removed you from “Home”"),
        }

        def told() -> list[tuple[Any, str, str]]:
            with Session(get_engine(db)) as session:
                rows = session.exec(select(Notification)).all()
            return sorted((r.user_id, r.kind, r.title) for r in rows)

        wait_until(lambda: len(told()) >= len(expected), timeout=30, what="the notifications")
        # Each once: the same events delivered again (the relay's republish) change nothing.
        assert set(told()) == expected and len(told()) == len(expected)
        wait_until(lambda: len(inbox.messages) >= 5, timeout=30, what="the member's emails")
        subjects = sorted(
            email.message_from_bytes(m.original_content, policy=email.policy.default)["Subject"]
            for m in inbox.messages
        )
        assert subjects == sorted(title for who, _, title in expected if who == member.id)
        with Session(get_engine(db)) as session:
            comment = session.exec(select(Notification).where(Notification.kind == "comment")).one()
        assert comment.body == "White" and comment.task_id == fence.id
    finally:
        worker.stop()


def test_an_invitation_is_mailed_with_a_link_that_lets_its_reader_in(
    db: str,
    bus: BusConfig,
    smtp_server: tuple[SmtpConfig, Any],
    inbox: Any,
    wait_until: WaitUntil,
) -> None:
    owner = _register(db, "iris@example.com", "Iris Owner", mail=False)
    project = _as(db, owner, lambda s, u: projects.create_project(s, u, ProjectCreate(name="Band")))
    invite = MemberAdd(email="New.Person@Example.com", role="commenter")
    _as(db, owner, lambda s, u: invitations.share(s, u, project.id, invite))

    assert RelayWorker(bus=bus, database_url=db).drain() > 0
    worker = NotificationsWorker(
        bus=bus, database_url=db, smtp=smtp_server[0], mail_poll_interval=0.2
    )
    worker.start()
    try:
        wait_until(lambda: len(inbox.messages) >= 1, timeout=30, what="the invitation's mail")
    finally:
        worker.stop()
    (sent,) = inbox.messages
    message = email.message_from_bytes(sent.original_content, policy=email.policy.default)
    assert message["To"] == "new.person@example.com"
    assert message["Subject"] == "Iris Owner invited you to “Band”"
    text = message.get_content()
    assert "as commenter" in text
    link = next(word for word in text.split() if "/invite/" in word)
    token = link.rsplit("/", 1)[1]

    # Its reader registers with the invited address and joins with the link's token.
    newcomer = _register(db, "new.person@example.com", "New Person", mail=False)
    joined = _as(db, newcomer, lambda s, u: invitations.accept(s, u, token))
    assert (joined.id, joined.role, joined.owner.id) == (project.id, "commenter", owner.id)
    with Session(get_engine(db)) as session:
        (row,) = session.exec(select(Notification).where(Notification.kind == "invited")).all()
    assert (row.user_id, row.email) == (None, "new.person@example.com")


def test_the_next_occurrence_of_an_assigned_task_tells_nobody(db: str, bus: BusConfig) -> None:
    """The owner completes, then skips, a weekly task assigned to a member: each next
    occurrence keeps its assignee, but nobody assigned anything, so nobody is told again."""
    owner = _register(db, "olive@example.com", "Olive Owner", mail=False)
    member = _register(db, "max@example.com", "Max Member", mail=False)
    project = _as(db, owner, lambda s, u: projects.create_project(s, u, ProjectCreate(name="Home")))
    add = MemberAdd(email="max@example.com", role="editor")
    _as(db, owner, lambda s, u: invitations.share(s, u, project.id, add))
    due = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0).isoformat()
    bins = TaskCreate(
        title="Take out the bins",
        project_id=project.id,
        assignee_id=member.id,
        due_at=due,
        rrule="FREQ=WEEKLY",
    )
    first = _as(db, owner, lambda s, u: tasks.create_task(s, u, bins))
    _as(db, owner, lambda s, u: tasks.complete_task(s, u, first.id))
    with Session(get_engine(db)) as session:
        second = session.exec(
            select(Task).where(Task.series_id == first.id, col(Task.completed).is_(False))
        ).one()
    assert second.assignee_id == member.id
    _as(db, owner, lambda s, u: tasks.skip_task(s, u, second.id))

    # Every event, in order, through the worker's handler as its consumer would.
    with Session(get_engine(db)) as session:
        queued = session.exec(select(OutboxEvent).order_by(col(OutboxEvent.seq))).all()
        envelopes = [row.payload for row in queued]
    assert sum(e["type"] == "task.created" for e in envelopes) == 3
    worker = NotificationsWorker(bus=bus, database_url=db, mail=False)
    for envelope in envelopes:
        with session_scope(db) as session:
            worker.handle(session, validate_envelope(envelope))

    with Session(get_engine(db)) as session:
        told = sorted((r.user_id, r.kind, r.title) for r in session.exec(select(Notification)))
    assert told == [
        (member.id, "assigned", "Olive Owner assigned you “Take out the bins”"),
        (member.id, "shared", "Olive Owner shared “Home” with you (editor)"),
    ]
