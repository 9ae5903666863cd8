"""The offline assistant: plain-language requests and what they change (on both databases).

Each case starts from the same seeded account (Europe/Paris, "now" a Wednesday morning) and
checks the reply and the database afterwards: what a user of the chat panel would notice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select

from todo_app.assistant.chat import respond
from todo_app.config import Settings, get_settings
from todo_app.db import session_scope
from todo_app.models import ChatMessage, OutboxEvent, Project, Task, User
from todo_app.schemas import ProjectCreate, RegisterRequest, SectionCreate, TaskCreate
from todo_app.services import auth, projects, tasks

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)  # Wednesday 10:00 in Paris


def offline() -> Settings:
    """This run's settings without a model key: the offline assistant answers."""
    return get_settings().model_copy(update={"openai_api_key": None})


def local(day: int, hour: int = 0, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=PARIS).astimezone(UTC)


def seed(session: Session) -> User:
    user = auth.register(
        session,
        RegisterRequest(
            email="chat@example.com", password="correct horse", timezone="Europe/Paris"
        ),
        "test",
    )
    for data in (
        TaskCreate(title="Call the dentist", due_at=local(19, 10).isoformat()),
        TaskCreate(title="Buy milk", tags=["errands"], due_at="2026-11-18"),
        TaskCreate(
            title="Write report", priority="high", tags=["work"], due_at=local(20, 17).isoformat()
        ),
        TaskCreate(title="Water the plants", due_at=local(19, 8).isoformat(), rrule="daily"),
        TaskCreate(title="Pay rent", due_at="2026-12-01", rrule="monthly"),
        TaskCreate(title="Call mom", due_at=local(22, 18).isoformat()),
        TaskCreate(title="Renew passport", priority="low", tags=["admin"]),
        TaskCreate(title="Fix the bike", due_at=local(10, 9).isoformat()),
    ):
        tasks.create_task(session, user, data)
    done = tasks.create_task(session, user, TaskCreate(title="Old chore"))
    tasks.complete_task(session, user, done.id)
    return user


def titled(session: Session, title: str) -> list[Task]:
    return list(
        session.exec(select(Task).where(Task.title == title, col(Task.deleted_at).is_(None))).all()
    )


def one(session: Session, title: str) -> Task:
    [task] = titled(session, title)
    return task


def open_titles(session: Session) -> set[str]:
    rows = session.exec(
        select(Task.title).where(col(Task.deleted_at).is_(None), col(Task.completed).is_(False))
    ).all()
    return set(rows)


Check = Callable[[Session, str], Any]


def added(title: str, **expected: Any) -> Check:
    def check(session: Session, reply: str) -> None:
        task = one(session, title)
        assert reply.startswith("Added"), reply
        for name, value in expected.items():
            assert getattr(task, name) == value, (name, getattr(task, name), value)

    return check


def listed(*present: str, absent: tuple[str, ...] = ()) -> Check:
    def check(session: Session, reply: str) -> None:
        for title in present:
            assert title in reply, (title, reply)
        for title in absent:
            assert title not in reply, (title, reply)

    return check


def completed(title: str) -> Check:
    def check(session: Session, reply: str) -> None:
        assert reply.startswith("Completed"), reply
        assert any(t.completed for t in titled(session, title))

    return check


def reopened(title: str) -> Check:
    def check(session: Session, reply: str) -> None:
        assert reply.startswith("Reopened"), reply
        assert not one(session, title).completed

    return check


def skipped(title: str, next_due: datetime) -> Check:
    def check(session: Session, reply: str) -> None:
        assert reply.startswith("Skipped"), reply
        [successor] = titled(session, title)
        assert successor.due_at == next_due and not successor.completed

    return check


def changed(title: str, **expected: Any) -> Check:
    def check(session: Session, reply: str) -> None:
        task = one(session, title)
        assert reply.startswith("Updated"), reply
        for name, value in expected.items():
            assert getattr(task, name) == value, (name, getattr(task, name), value)

    return check


def unchanged(*phrases: str) -> Check:
    def check(session: Session, reply: str) -> None:
        assert len(open_titles(session)) == 8
        for phrase in phrases:
            assert phrase.lower() in reply.lower(), (phrase, reply)

    return check


CASES: list[tuple[str, Check]] = [
    # adding
    (
        "add buy bread tomorrow at 5pm #shopping",
        added("buy bread", due_at=local(19, 17), tags=["shopping"]),
    ),
    (
        "Add a task to call the plumber on friday",
        added("call the plumber", due_at=local(20), all_day=True),
    ),
    ("create send invoice p1 #work", added("send invoice", priority="high", tags=["work"])),
    ("new task: book flights !low", added("book flights", priority="low")),
    ("remind me to take the bins out tonight", added("take the bins out", due_at=local(18, 20))),
    ("todo stretch every day at 7am", added("stretch", rrule="FREQ=DAILY", due_at=local(19, 7))),
    ("add water the garden every! 3 days", added("water the garden", repeat_from="completion")),
    (
        "I need to renew the car insurance dec 15",
        added("renew the car insurance", due_at=local(15, month=12)),
    ),
    (
        "add team meeting every monday at 9",
        added("team meeting", rrule="FREQ=WEEKLY;BYDAY=MO", due_at=local(23, 9)),
    ),
    ("please add read a book", added("read a book", due_at=None, priority="medium")),
    # listing and searching
    (
        "what's due today?",
        listed("Buy milk", "Fix the bike", absent=("Call mom", "Renew passport")),
    ),
    (
        "what is due this week",
        listed("Call the dentist", "Write report", "Call mom", absent=("Pay rent",)),
    ),
    (
        "show me tomorrow's tasks",
        listed("Call the dentist", "Water the plants", absent=("Buy milk",)),
    ),
    ("high priority tasks tagged work", listed("Write report", absent=("Buy milk", "Call mom"))),
    ("list my tasks tagged errands", listed("Buy milk", absent=("Write report",))),
    # "overdue" is judged by the real clock; only an undated task can never be in it.
    ("anything overdue?", listed("Fix the bike", absent=("Renew passport",))),
    ("find passport", listed("Renew passport", absent=("Buy milk",))),
    ("search for rent", listed("Pay rent", absent=("Call mom",))),
    ("show completed tasks", listed("Old chore", absent=("Buy milk",))),
    ("what are my low priority tasks", listed("Renew passport", absent=("Write report",))),
    ("tasks with #admin", listed("Renew passport", absent=("Buy milk",))),
    ("anything upcoming", listed("Call mom", "Write report", absent=("Pay rent", "Fix the bike"))),
    # completing, reopening, skipping
    ("complete buy milk", completed("Buy milk")),
    ("I finished the report", completed("Write report")),
    ("mark fix the bike as done", completed("Fix the bike")),
    ("done with renew passport", completed("Renew passport")),
    ("Call the dentist is done", completed("Call the dentist")),
    ("check off “Buy milk”", completed("Buy milk")),
    ("reopen old chore", reopened("Old chore")),
    ("skip water the plants", skipped("Water the plants", next_due=local(20, 8))),
    # changing
    ("rename buy milk to buy oat milk", changed("buy oat milk")),
    ("move call mom to saturday 11am", changed("Call mom", due_at=local(21, 11))),
    (
        "postpone write report to next monday",
        changed("Write report", due_at=local(30), all_day=True),
    ),
    ("set the priority of renew passport to high", changed("Renew passport", priority="high")),
    ("make call mom urgent", changed("Call mom", priority="high")),
    ("tag fix the bike with #weekend", changed("Fix the bike", tags=["weekend"])),
    ("untag errands from buy milk", changed("Buy milk", tags=[])),
    ("move renew passport to no date", changed("Renew passport", due_at=None)),
    # recurrence questions
    ("when is the next water the plants?", listed("every day", "Fri 20 Nov")),
    ("when does pay rent repeat", listed("every month", "Fri 01 Jan 2027", "Mon 01 Feb 2027")),
    ("when is the next fix the bike", listed("does not repeat")),
    # not understood, ambiguous, unknown: nothing changes and the reply says so
    ("call", unchanged("did not understand")),
    ("complete call", unchanged("2 tasks match", "Which one", "1. Call")),
    ("complete walk the dog", unchanged("no task matches")),
    ("delete buy milk", unchanged("Delete “Buy milk”?", "yes / no")),
    ("move call mom to someday soonish", unchanged("did not understand the date")),
    ("hello", unchanged("I can add tasks")),
]


@pytest.mark.parametrize(("phrase", "check"), CASES, ids=[c[0] for c in CASES])
def test_offline_assistant_phrasings(db: str, phrase: str, check: Check) -> None:
    with session_scope() as session:
        user = seed(session)
    with session_scope() as session:
        user = session.get_one(User, user.id)
        answer = respond(session, user, phrase, settings=offline(), now=NOW)
        assert answer.assistant == "offline"
    with session_scope() as session:
        check(session, answer.reply)


def test_there_are_at_least_forty_phrasings() -> None:
    assert len(CASES) >= 40


def test_delete_asks_first_and_a_choice_carries_over(db: str) -> None:
    with session_scope() as session:
        user_id = seed(session).id

    def say(text: str, conversation: Any = None) -> Any:
        with session_scope() as session:
            user = session.get_one(User, user_id)
            return respond(session, user, text, conversation, settings=offline(), now=NOW)

    asked = say("delete call")
    assert "Which one" in asked.reply
    [number] = [line.split(".")[0] for line in asked.reply.splitlines() if "Call mom" in line]
    picked = say(number, asked.conversation_id)
    assert "Delete “Call mom”?" in picked.reply, picked.reply
    with session_scope() as session:
        assert len(titled(session, "Call mom")) == 1
    kept = say("no", asked.conversation_id)
    assert "left it" in kept.reply
    again = say("delete call mom", asked.conversation_id)
    done = say("yes", again.conversation_id)
    assert done.reply.startswith("Deleted “Call mom”"), done.reply
    assert done.actions[0]["tool"] == "delete_task" and done.actions[0]["ok"]
    with session_scope() as session:
        assert titled(session, "Call mom") == []
        stored = session.exec(
            select(ChatMessage).where(ChatMessage.conversation_id == asked.conversation_id)
        ).all()
        assert len(stored) == 10  # five messages, five replies, all kept
        audited = session.exec(
            select(OutboxEvent)
            .where(col(OutboxEvent.topic) == "chat-events")
            .order_by(col(OutboxEvent.seq))
        ).all()
        tools = [row.payload["data"]["tool"] for row in audited]
        assert tools == ["delete_task"] * 4 and [r.payload["data"]["ok"] for r in audited] == [
            False,
            False,
            False,
            True,
        ]


def test_an_empty_or_oversized_message_is_refused_by_field(db: str) -> None:
    from todo_app.core.errors import FieldError

    with session_scope() as session:
        user = seed(session)
        for text in ("   ", "x" * 2001):
            with pytest.raises(FieldError) as error:
                respond(session, user, text, settings=offline(), now=NOW)
            assert error.value.field == "message"


def test_a_tool_call_changes_the_list_at_once(db: str) -> None:
    """The chat's changes go through the outbox like the UI's, so every tab shows them."""
    with session_scope() as session:
        user = seed(session)
        respond(session, user, "add phone the bank tomorrow", settings=offline(), now=NOW)
    with session_scope() as session:
        types = [
            row.payload["type"]
            for row in session.exec(select(OutboxEvent).order_by(col(OutboxEvent.seq)))
        ]
        assert types[-2:] == ["task.created", "chat.tool_call"]
        assert one(session, "phone the bank").due_at == local(19)


def test_projects_sections_and_subtasks_in_plain_words(db: str) -> None:
    with session_scope() as session:
        user_id = seed(session).id
        user = session.get_one(User, user_id)
        home = projects.create_project(session, user, ProjectCreate(name="Home renovation"))
        paint = projects.create_section(session, user, home.id, SectionCreate(name="Paint jobs"))

    def say(text: str) -> str:
        with session_scope() as session:
            user = session.get_one(User, user_id)
            return respond(session, user, text, settings=offline(), now=NOW).reply

    # "add project ..." is a task; projects are created, made or started.
    assert say("add project review friday").startswith("Added “project review”")
    made = say("create project Garden in home renovation")
    assert made == "Created the project “Garden” inside Home renovation"
    tree = say("list projects")
    assert "- Home renovation (0 open); sections: Paint jobs" in tree
    assert "\n  - Garden (0 open)" in tree and tree.index("Inbox") < tree.index("Garden")
    shared = say("share Garden with sam@example.com as viewer")
    assert shared == "Invited sam@example.com to “Garden” as viewer, by mail"
    assert say("invite kim@example.com to home renovation").startswith(
        "Invited kim@example.com to “Home renovation” as editor"
    )
    members = say("who is in Garden?")
    assert "sam@example.com (viewer, pending)" in members
    assert "kim@example.com" not in members
    assert "could not" in say("share Garden with sam@example.com as boss").lower()

    assert say("add sand the door tomorrow ^home renovation/paint jobs").endswith(
        "to Home renovation"
    )
    step = say("add subtask buy primer friday to sand the door")
    assert step.startswith("Added “buy primer”") and step.endswith("under “sand the door”")
    assert say("move fix the bike to ^Garden") == "Moved “Fix the bike” to Garden"
    assert say("add rake the leaves saturday to project garden").endswith("to Garden")
    # A name that is no date but a project's moves the task there.
    assert say("move renew passport to garden") == "Moved “Renew passport” to Garden"
    assert say("move call mom under fix the bike") == "Moved “Call mom” under “Fix the bike”"
    with session_scope() as session:
        door, primer = one(session, "sand the door"), one(session, "buy primer")
        assert (door.project_id, door.section_id) == (home.id, paint.id)
        assert (primer.parent_id, primer.section_id) == (door.id, paint.id)
        assert primer.due_at == local(20) and primer.all_day
        bike, mom = one(session, "Fix the bike"), one(session, "Call mom")
        garden = session.get_one(Project, bike.project_id)
        assert garden.name == "Garden" and garden.parent_id == home.id
        assert (mom.parent_id, mom.project_id) == (bike.id, garden.id)

    listed = say("tasks in ^Home renovation")
    assert "“sand the door”, due Thu 19 Nov, 0/1 subtasks done" in listed
    assert "buy primer" in listed and "Buy milk" not in listed
    in_garden = say("what's in project garden")
    assert "Fix the bike" in in_garden and "Call mom" in in_garden and "sand" not in in_garden
    assert "rake the leaves" in in_garden

    assert say("add tile the floor ^Nowhere") == (
        "I could not do that: no project is named “Nowhere”; create it first. I changed nothing."
    )
    refused = say("move buy milk to project Nowhere")
    assert refused.startswith("I could not do that: no project is named “Nowhere”")
    with session_scope() as session:
        assert titled(session, "tile the floor") == []
        assert one(session, "Buy milk").project_id == projects.inbox_of(session, user).id
