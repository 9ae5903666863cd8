"""Quick add has three doors: POST /api/v1/tasks/quick, the web app's quick-add bar and the
chat's "add ...". The same line makes the same task through each (on both databases)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from todo_app.assistant.chat import respond
from todo_app.config import get_settings
from todo_app.core.errors import FieldError, NotFound
from todo_app.db import session_scope
from todo_app.models import OutboxEvent, User
from todo_app.schemas import ProjectCreate
from todo_app.services import projects, quickadd

API = "/api/v1"
ZONE = "Europe/Paris"
TEXTS = (
    "call mom tomorrow 6pm #family every sunday",
    "Pay rent every month on the 1st #home p1",
    "dentist dec 3 at 10:30 !high",
    "water the plants every! 3 days #garden",
    "file taxes next monday #admin #Admin p2",
    "buy milk",
)
# What differs between any two tasks: who and when, not what (each account has its own Inbox).
IDENTITY = ("id", "series_id", "project_id", "created_at", "updated_at")


def _user(session: Session, email: str) -> User:
    return session.exec(select(User).where(User.email == email)).one()


def _events(email: str) -> list[dict[str, Any]]:
    with session_scope() as session:
        user = _user(session, email)
        rows = session.exec(select(OutboxEvent).order_by(col(OutboxEvent.created_at))).all()
        return [row.payload for row in rows if row.payload["data"].get("user_id") == str(user.id)]


def _changes(email: str) -> list[str]:
    """The events after the user's registration."""
    return [e["type"] for e in _events(email) if not e["type"].startswith("auth.")]


def _created(email: str) -> dict[str, Any]:
    [event] = [e for e in _events(email) if e["type"] == "task.created"]
    task: dict[str, Any] = event["data"]["task"]
    with session_scope() as session:
        assert task["project_id"] == str(projects.inbox_of(session, _user(session, email)).id)
    return {key: value for key, value in task.items() if key not in IDENTITY}


@pytest.mark.parametrize("text", TEXTS)
def test_the_same_line_makes_the_same_task_through_every_door(
    text: str, client: TestClient, make_user: Callable[..., dict[str, str]]
) -> None:
    emails = {door: f"{door}-{abs(hash(text))}@example.com" for door in ("rest", "ui", "chat")}
    headers = {door: make_user(email=email, timezone=ZONE) for door, email in emails.items()}

    response = client.post(f"{API}/tasks/quick", json={"text": text}, headers=headers["rest"])
    assert response.status_code == 201, response.text
    with session_scope() as session:
        # What the bar sends with its pickers untouched (TasksState.quick_add).
        quickadd.quick_add(
            session,
            _user(session, emails["ui"]),
            text,
            priority="medium",
            tags=[""],  # the empty tags field, split at commas
            due_date="",
            due_time="",
        )
    with session_scope() as session:
        settings = get_settings().model_copy(update={"openai_api_key": None})
        reply = respond(session, _user(session, emails["chat"]), f"add {text}", settings=settings)
        assert reply.reply.startswith("Added"), reply.reply

    rest = _created(emails["rest"])
    assert rest["title"] and rest == _created(emails["ui"]) == _created(emails["chat"])
    assert _changes(emails["rest"]) == _changes(emails["ui"]) == ["task.created"]
    assert _changes(emails["chat"]) == ["task.created", "chat.tool_call"]


def test_the_chat_passes_on_only_what_the_line_says(
    client: TestClient, make_user: Callable[..., dict[str, str]]
) -> None:
    make_user(email="said@example.com", timezone=ZONE)
    settings = get_settings().model_copy(update={"openai_api_key": None})
    with session_scope() as session:
        user = _user(session, "said@example.com")
        respond(session, user, "add buy milk #errands", settings=settings)
        respond(session, user, "add call mom dec 24 6pm p2 every year", settings=settings)
        respond(session, user, "remind me to stretch dec 24 at 10:30", settings=settings)
    calls = [
        e["data"]["arguments"] for e in _events("said@example.com") if "arguments" in e["data"]
    ]
    assert calls[0] == {"title": "buy milk", "tags": ["errands"]}
    assert set(calls[1]) == {"title", "tags", "priority", "due", "rrule", "repeat_from"}
    assert calls[1]["priority"] == "medium" and calls[1]["repeat_from"] == "due"
    # Times in the user's zone, as the user said them.
    due = datetime.fromisoformat(calls[1]["due"])
    assert (due.month, due.day, due.hour, due.utcoffset()) == (12, 24, 18, timedelta(hours=1))
    assert calls[2]["remind_before_minutes"] == [0]
    assert datetime.fromisoformat(calls[2]["due"]).strftime("%H:%M%z") == "10:30+0100"


def _place(client: TestClient, headers: dict[str, str]) -> tuple[str, str]:
    """A project "Home renovation" with a section "Paint jobs": their ids."""
    project = client.post(f"{API}/projects", json={"name": "Home renovation"}, headers=headers)
    assert project.status_code == 201, project.text
    project_id = project.json()["id"]
    section = client.post(
        f"{API}/projects/{project_id}/sections", json={"name": "Paint jobs"}, headers=headers
    )
    assert section.status_code == 201, section.text
    return project_id, section.json()["id"]


def _created_task(email: str) -> dict[str, Any]:
    [event] = [e for e in _events(email) if e["type"] == "task.created"]
    task: dict[str, Any] = event["data"]["task"]
    return task


def test_a_line_naming_a_project_and_a_section_lands_there_through_every_door(
    client: TestClient, make_user: Callable[..., dict[str, str]]
) -> None:
    text = "sand the door ^home renovation/paint jobs tomorrow 9am #diy"
    emails = {door: f"{door}-place@example.com" for door in ("rest", "ui", "chat")}
    headers = {door: make_user(email=email, timezone=ZONE) for door, email in emails.items()}
    places = {door: _place(client, headers[door]) for door in emails}

    response = client.post(f"{API}/tasks/quick", json={"text": text}, headers=headers["rest"])
    assert response.status_code == 201, response.text
    with session_scope() as session:
        quickadd.quick_add(session, _user(session, emails["ui"]), text, priority="medium")
    with session_scope() as session:
        settings = get_settings().model_copy(update={"openai_api_key": None})
        reply = respond(session, _user(session, emails["chat"]), f"add {text}", settings=settings)
        assert reply.reply.startswith("Added") and "Home renovation" in reply.reply

    made = {door: _created_task(email) for door, email in emails.items()}
    for door, task in made.items():
        assert (task["project_id"], task["section_id"]) == places[door], door
        assert task["title"] == "sand the door" and task["tags"] == ["diy"]
    ignored = (*IDENTITY, "section_id")
    shapes = [{k: v for k, v in t.items() if k not in ignored} for t in made.values()]
    assert shapes[0] == shapes[1] == shapes[2]
    # The chat's call names the project and section it resolved, by id.
    [call] = [e["data"]["arguments"] for e in _events(emails["chat"]) if "arguments" in e["data"]]
    assert (call["project"], call["section"]) == places["chat"]


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("paint ^Nowhere tomorrow", "project", "no project is named “Nowhere”"),
        ('paint ^"Home renovation"/Tiling', "section", "no section named “Tiling”"),
    ],
)
def test_an_unknown_project_or_section_is_refused_by_every_door(
    text: str,
    field: str,
    words: str,
    client: TestClient,
    make_user: Callable[..., dict[str, str]],
) -> None:
    emails = {door: f"{door}-{field}@example.com" for door in ("rest", "ui", "chat")}
    headers = {door: make_user(email=email, timezone=ZONE) for door, email in emails.items()}
    for door in emails:
        _place(client, headers[door])

    response = client.post(f"{API}/tasks/quick", json={"text": text}, headers=headers["rest"])
    assert response.status_code == 422
    # The request's one input is the text; the message names what in it is unknown.
    assert response.json()["field"] == "text" and words in response.json()["detail"]
    with session_scope() as session, pytest.raises(FieldError) as refused:
        quickadd.quick_add(session, _user(session, emails["ui"]), text)
    assert refused.value.field == field and words in refused.value.message
    with session_scope() as session:
        settings = get_settings().model_copy(update={"openai_api_key": None})
        reply = respond(session, _user(session, emails["chat"]), f"add {text}", settings=settings)
    assert reply.reply.startswith("I could not do that") and words in reply.reply
    for email in emails.values():
        assert "task.created" not in _changes(email)


def test_the_rest_door_takes_a_place_the_text_can_override(
    client: TestClient, make_user: Callable[..., dict[str, str]]
) -> None:
    headers = make_user(email="place-defaults@example.com", timezone=ZONE)
    project_id, section_id = _place(client, headers)
    other = client.post(f"{API}/projects", json={"name": "Work"}, headers=headers).json()

    def quick(**body: Any) -> Any:
        return client.post(f"{API}/tasks/quick", json=body, headers=headers)

    placed = quick(text="prime the wall", project_id=project_id, section_id=section_id).json()
    assert (placed["project_id"], placed["section_id"]) == (project_id, section_id)
    # The text's ^Project wins, and takes the task out of the section given beside it.
    named = quick(text="file the invoice ^work", project_id=project_id, section_id=section_id)
    assert named.status_code == 201, named.text
    assert (named.json()["project_id"], named.json()["section_id"]) == (other["id"], None)
    step = quick(text="buy primer tomorrow #shop", parent_id=placed["id"])
    assert step.status_code == 201, step.text
    assert (step.json()["parent_id"], step.json()["section_id"]) == (placed["id"], section_id)
    assert step.json()["tags"] == ["shop"]
    parent = client.get(f"{API}/tasks/{placed['id']}", headers=headers).json()
    assert parent["subtasks"] == {"open": 1, "total": 1}
    # A section of another project is refused naming the body's field, creating nothing.
    mismatched = quick(text="sweep", project_id=other["id"], section_id=section_id)
    assert mismatched.status_code == 422 and mismatched.json()["field"] == "section_id"
    assert _changes("place-defaults@example.com").count("task.created") == 3


def test_the_bar_on_a_project_page_adds_into_that_project_and_no_other_users(
    make_user: Callable[..., dict[str, str]],
) -> None:
    make_user(email="bar-owner@example.com", timezone=ZONE)
    make_user(email="bar-other@example.com", timezone=ZONE)
    with session_scope() as session:
        owner = _user(session, "bar-owner@example.com")
        garden = projects.create_project(session, owner, ProjectCreate(name="Garden"))
        task = quickadd.quick_add(session, owner, "mow the lawn p1", project_id=garden.id)
        assert (task.title, task.priority, task.project_id) == ("mow the lawn", "high", garden.id)
    with session_scope() as session, pytest.raises(NotFound):
        quickadd.quick_add(
            session, _user(session, "bar-other@example.com"), "sneak in", project_id=garden.id
        )
    assert _changes("bar-other@example.com") == []
