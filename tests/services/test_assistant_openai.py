"""The model-backed assistant against a local server that speaks OpenAI's chat-completions
protocol (streamed, as the agent asks for it): scripted tool calls, a malformed one, a model
that never answers. What is asserted is what changed in the database and what the user reads.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from pydantic import SecretStr
from sqlmodel import col, select

from todo_app.assistant import agent
from todo_app.assistant.chat import respond
from todo_app.config import Settings, get_settings
from todo_app.db import session_scope
from todo_app.models import ChatMessage, OutboxEvent, Project, Task, User
from todo_app.schemas import ProjectCreate, RegisterRequest, SectionCreate, TaskCreate
from todo_app.services import auth, projects, tasks


class FakeModel:
    """Answers each request with the next scripted turn; records what it was sent."""

    def __init__(self) -> None:
        self.script: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.delay = 0.0

    def turn(self, content: str = "", calls: list[tuple[str, Any]] | None = None) -> None:
        self.script.append({"content": content, "calls": calls or []})


def _chunks(turn: dict[str, Any]) -> Iterator[dict[str, Any]]:
    base = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 0, "model": "fake"}
    if turn["content"]:
        for piece in (
            turn["content"][: len(turn["content"]) // 2],
            turn["content"][len(turn["content"]) // 2 :],
        ):
            yield {
                **base,
                "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
            }
    for index, (name, arguments) in enumerate(turn["calls"]):
        text = arguments if isinstance(arguments, str) else json.dumps(arguments)
        head = {
            "index": index,
            "id": f"call_{index}",
            "type": "function",
            "function": {"name": name, "arguments": ""},
        }
        yield {
            **base,
            "choices": [{"index": 0, "delta": {"tool_calls": [head]}, "finish_reason": None}],
        }
        for piece in (text[:5], text[5:]):
            body = {"index": index, "function": {"arguments": piece}}
            yield {
                **base,
                "choices": [{"index": 0, "delta": {"tool_calls": [body]}, "finish_reason": None}],
            }
    reason = "tool_calls" if turn["calls"] else "stop"
    yield {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": reason}]}


@pytest.fixture
def model() -> Iterator[tuple[FakeModel, str]]:
    fake = FakeModel()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            fake.requests.append(json.loads(self.rfile.read(length)))
            if fake.delay:
                time.sleep(fake.delay)
            if not fake.script:
                self.send_response(500)
                self.end_headers()
                return
            turn = fake.script.pop(0)
            try:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for chunk in _chunks(turn):
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.write(b"data: [DONE]\n\n")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting: what the timeout test wants

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake, f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def settings_for(base_url: str) -> Settings:
    return get_settings().model_copy(
        update={
            "openai_api_key": SecretStr("test-key"),
            "openai_base_url": base_url,
            "openai_model": "fake",
        }
    )


def make_user() -> uuid.UUID:
    with session_scope() as session:
        user = auth.register(
            session, RegisterRequest(email="model@example.com", password="correct horse"), "t"
        )
        tasks.create_task(session, user, TaskCreate(title="Buy milk", tags=["errands"]))
        tasks.create_task(session, user, TaskCreate(title="Call mom"))
        tasks.create_task(session, user, TaskCreate(title="Call the dentist"))
        return user.id


def say(user_id: Any, text: str, settings: Settings, conversation: Any = None, **kw: Any) -> Any:
    with session_scope() as session:
        user = session.get_one(User, user_id)
        return respond(session, user, text, conversation, settings=settings, **kw)


def titles() -> dict[str, bool]:
    with session_scope() as session:
        rows = session.exec(select(Task).where(col(Task.deleted_at).is_(None))).all()
        return {row.title: row.completed for row in rows}


def test_tool_calls_act_and_the_reply_streams(db: str, model: tuple[FakeModel, str]) -> None:
    fake, url = model
    user_id = make_user()
    fake.turn(calls=[("add_task", {"title": "Pay rent", "due": "2026-12-01", "rrule": "monthly"})])
    fake.turn(calls=[("complete_task", {"task": "Buy milk"})])
    fake.turn("Added Pay rent and completed Buy milk.")
    pieces: list[str] = []
    answer = say(
        user_id,
        "add pay rent monthly from dec 1 and tick off milk",
        settings_for(url),
        on_delta=pieces.append,
    )

    assert answer.assistant == "openai"
    assert answer.reply == "Added Pay rent and completed Buy milk."
    assert len(pieces) == 2 and "".join(pieces) == answer.reply
    assert [(a["tool"], a["ok"]) for a in answer.actions] == [
        ("add_task", True),
        ("complete_task", True),
    ]
    assert titles()["Buy milk"] is True
    with session_scope() as session:
        rent = session.exec(select(Task).where(Task.title == "Pay rent")).one()
        assert rent.rrule == "FREQ=MONTHLY" and rent.all_day
    # The model saw the tool schemas and, in the next turn, each tool's result.
    first, second = fake.requests[0], fake.requests[1]
    assert {t["function"]["name"] for t in first["tools"]} >= {
        "add_task",
        "list_tasks",
        "delete_task",
    }
    assert first["stream"] is True
    result = json.loads(second["messages"][-1]["content"])
    assert second["messages"][-1]["role"] == "tool" and result["ok"] is True
    assert result["task"]["title"] == "Pay rent"


def test_a_malformed_tool_call_is_fed_back_and_changes_nothing(
    db: str, model: tuple[FakeModel, str]
) -> None:
    fake, url = model
    user_id = make_user()
    fake.turn(calls=[("complete_task", '{"task": "Buy milk"')])  # cut-off JSON
    fake.turn(calls=[("complete_task", {"task": "Call"})])  # ambiguous
    fake.turn(calls=[("no_such_tool", {})])
    fake.turn("Which call do you mean: mom or the dentist?")
    answer = say(user_id, "complete the milk and the call", settings_for(url))

    assert answer.reply == "Which call do you mean: mom or the dentist?"
    assert titles() == {"Buy milk": False, "Call mom": False, "Call the dentist": False}
    fed_back = [json.loads(r["messages"][-1]["content"]) for r in fake.requests[1:]]
    assert "not valid JSON" in fed_back[0]["summary"]
    assert "2 tasks match" in fed_back[1]["summary"] and len(fed_back[1]["candidates"]) == 2
    assert "no tool called" in fed_back[2]["summary"]
    with session_scope() as session:
        audited = session.exec(
            select(OutboxEvent)
            .where(OutboxEvent.topic == "chat-events")
            .order_by(col(OutboxEvent.seq))
        ).all()
        assert [(r.payload["data"]["tool"], r.payload["data"]["ok"]) for r in audited] == [
            ("complete_task", False),
            ("no_such_tool", False),
        ]


def test_history_survives_and_goes_back_to_the_model(db: str, model: tuple[FakeModel, str]) -> None:
    fake, url = model
    user_id = make_user()
    fake.turn(calls=[("list_tasks", {"q": "call"})])
    fake.turn("You have two calls.")
    first = say(user_id, "what calls do I have?", settings_for(url))
    fake.turn("The dentist one.")
    say(user_id, "which is more urgent?", settings_for(url), first.conversation_id)
    sent = fake.requests[-1]["messages"]
    assert [m["role"] for m in sent] == ["system", "user", "assistant", "tool", "assistant", "user"]
    assert sent[2]["tool_calls"][0]["function"]["name"] == "list_tasks"
    assert "Call mom" in sent[3]["content"]
    with session_scope() as session:
        stored = session.exec(
            select(ChatMessage).where(ChatMessage.conversation_id == first.conversation_id)
        ).all()
        assert len(stored) == 6


def test_an_unreachable_model_falls_back_to_the_offline_assistant(
    db: str, model: tuple[FakeModel, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, url = model
    user_id = make_user()
    # The model would answer, but only after the agent's timeout.
    fake.turn("Too late.")
    fake.delay = 2.0
    monkeypatch.setattr(agent, "TIMEOUT_SECONDS", 0.3)
    monkeypatch.setattr(agent, "RETRIES", 0)
    answer = say(user_id, "complete buy milk", settings_for(url))
    assert answer.assistant == "offline"
    assert "could not be reached" in answer.reply and "Completed “Buy milk”" in answer.reply
    assert titles()["Buy milk"] is True


def test_a_slow_model_does_not_hold_up_the_task_api(
    db: str, client: Any, model: tuple[FakeModel, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, base_url = model
    fake.delay = 2.0
    for _ in range(12):
        fake.turn("Noted.")
    for name, value in (
        ("OPENAI_API_KEY", "test-key"),
        ("OPENAI_BASE_URL", base_url),
        ("OPENAI_MODEL", "fake"),
    ):
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    registered = client.post(
        "/api/v1/auth/register", json={"email": "busy@example.com", "password": "correct horse"}
    )
    headers = {"Authorization": f"Bearer {registered.json()['access_token']}"}
    try:
        with ThreadPoolExecutor(12) as pool:
            chats = [
                pool.submit(
                    client.post, "/api/v1/chat", json={"message": f"hi {n}"}, headers=headers
                )
                for n in range(12)
            ]
            time.sleep(0.5)  # more chats than the API has database threads now wait on the model
            started = time.monotonic()
            listed = client.get("/api/v1/tasks", headers=headers)
            took = time.monotonic() - started
            answers = [chat.result() for chat in chats]
    finally:
        get_settings.cache_clear()
    assert listed.status_code == 200 and took < 1.0, f"the task list took {took:.2f} s"
    assert [answer.json()["reply"] for answer in answers] == ["Noted."] * 12
    assert len(fake.requests) == 12


def test_the_model_files_tasks_in_projects_sections_and_subtasks(
    db: str, model: tuple[FakeModel, str]
) -> None:
    fake, url = model
    user_id = make_user()
    with session_scope() as session:
        user = session.get_one(User, user_id)
        home = projects.create_project(session, user, ProjectCreate(name="Home renovation"))
        paint = projects.create_section(session, user, home.id, SectionCreate(name="Paint jobs"))
    fake.turn(calls=[("list_projects", {})])
    fake.turn(
        calls=[
            ("create_project", {"name": "Garden", "color": "green", "parent": "home renovation"}),
            ("add_task", {"title": "Sand the door", "project": str(home.id),
                          "section": "paint jobs"}),
            ("add_subtask", {"parent": "Sand the door", "title": "Buy sandpaper"}),
            ("move_task", {"task": "Buy milk", "project": "Garden", "position": 0}),
            ("add_task", {"title": "Tile the floor", "project": "Nowhere"}),
        ]
    )  # fmt: skip
    fake.turn(calls=[("list_tasks", {"project": "home renovation", "parent": "Sand the door"})])
    fake.turn("Filed them.")
    answer = say(user_id, "set up the renovation", settings_for(url))

    assert answer.reply == "Filed them."
    assert [(a["tool"], a["ok"]) for a in answer.actions] == [
        ("list_projects", True),
        ("create_project", True),
        ("add_task", True),
        ("add_subtask", True),
        ("move_task", True),
        ("add_task", False),
        ("list_tasks", True),
    ]
    # What each call answered went back to the model, ids included.
    [tree] = [json.loads(m["content"]) for m in fake.requests[1]["messages"] if m["role"] == "tool"]
    [found] = [p for p in tree["projects"] if p["name"] == "Home renovation"]
    assert found["sections"] == [{"id": str(paint.id), "name": "Paint jobs"}]
    results = [
        json.loads(m["content"]) for m in fake.requests[2]["messages"] if m["role"] == "tool"
    ]
    assert "no project is named “Nowhere”" in results[-1]["summary"]
    steps = json.loads(fake.requests[3]["messages"][-1]["content"])
    assert [t["title"] for t in steps["tasks"]] == ["Buy sandpaper"]
    with session_scope() as session:
        garden = session.exec(select(Project).where(Project.name == "Garden")).one()
        assert (garden.parent_id, garden.color) == (home.id, "green")
        door = session.exec(select(Task).where(Task.title == "Sand the door")).one()
        step = session.exec(select(Task).where(Task.title == "Buy sandpaper")).one()
        milk = session.exec(select(Task).where(Task.title == "Buy milk")).one()
        assert (door.project_id, door.section_id) == (home.id, paint.id)
        assert (step.parent_id, step.project_id, step.section_id) == (door.id, home.id, paint.id)
        assert milk.project_id == garden.id
        assert session.exec(select(Task).where(Task.title == "Tile the floor")).all() == []
