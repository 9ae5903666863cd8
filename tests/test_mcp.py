"""The MCP server, driven by the official `mcp` client: over stdio (`python -m todo_app.mcp`,
a real subprocess) and over streamable HTTP (/mcp on the API app), on both databases."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from sqlmodel import col, select

from todo_app.api.main import create_api
from todo_app.assistant.tools import call_tool
from todo_app.db import session_scope
from todo_app.models import OutboxEvent, Project, Task, User
from todo_app.schemas import MemberAdd, ProjectCreate, RegisterRequest
from todo_app.services import api_tokens, auth, invitations, projects

ROOT = Path(__file__).resolve().parents[1]
REQUIRED = {
    "list_projects",
    "create_project",
    "move_task",
    "add_subtask",
    "add_task",
    "list_tasks",
    "update_task",
    "complete_task",
    "delete_task",
    "skip_occurrence",
    "list_comments",
    "add_comment",
    "list_members",
    "share_project",
}


def make_token(email: str = "mcp@example.com") -> str:
    with session_scope() as session:
        user = auth.register(
            session, RegisterRequest(email=email, password="correct horse"), "test"
        )
        return api_tokens.create_token(session, user, "mcp client").token


async def journey(client: Any) -> dict[str, Any]:
    """List the tools, add a task, find it, complete it; what each step answered."""
    tools = await client.list_tools()
    by_name = {tool.name: tool for tool in tools.tools}
    added = await client.call_tool(
        "add_task", {"title": "Renew the lease", "tags": ["home"], "due": "2030-03-01"}
    )
    listed = await client.call_tool("list_tasks", {"q": "lease"})
    done = await client.call_tool("complete_task", {"task": "Renew the lease"})
    refused = await client.call_tool("delete_task", {"task": "no such task at all"})
    return {"tools": by_name, "added": added, "listed": listed, "done": done, "refused": refused}


def check(result: dict[str, Any]) -> None:
    assert set(result["tools"]) >= REQUIRED
    schema = result["tools"]["add_task"].input_schema
    assert schema["type"] == "object" and "title" in schema["required"]
    assert not result["added"].is_error
    assert result["added"].structured_content["task"]["tags"] == ["home"]
    assert "Renew the lease" in result["listed"].content[0].text
    assert result["listed"].structured_content["total"] == 1
    assert not result["done"].is_error and "Completed" in result["done"].content[0].text
    assert result["refused"].is_error and "no task matches" in result["refused"].content[0].text
    with session_scope() as session:
        task = session.exec(select(Task).where(Task.title == "Renew the lease")).one()
        assert task.completed and task.tags == ["home"]
        audited = session.exec(
            select(OutboxEvent)
            .where(col(OutboxEvent.topic) == "chat-events")
            .order_by(col(OutboxEvent.seq))
        ).all()
        calls = [(r.payload["data"]["tool"], r.payload["data"]["via"]) for r in audited]
        assert calls == [
            ("add_task", "mcp"),
            ("list_tasks", "mcp"),
            ("complete_task", "mcp"),
            ("delete_task", "mcp"),
        ]


def test_stdio_server_with_an_api_token(db: str) -> None:
    token = make_token()
    env = {
        key: value
        for key, value in os.environ.items()
        if key in ("PATH", "HOME", "DATABASE_URL", "TODO_DATA_DIR", "JWT_SECRET", "LANG")
    }
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "todo_app.mcp", "--token", token],
        env={**env, "DATABASE_URL": db, "PYTHONPATH": str(ROOT)},
        cwd=str(ROOT),
    )

    async def run() -> dict[str, Any]:
        async with Client(params) as client:
            return await journey(client)

    check(anyio.run(run))


def test_stdio_server_refuses_a_bad_token(db: str) -> None:
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "todo_app.mcp", "--token", "todo_pat_not-a-real-one"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": db},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "invalid" in done.stderr


def test_http_endpoint_with_a_bearer_token(db: str) -> None:
    token = make_token()
    api = create_api()

    def client(bearer: str | None) -> httpx2.AsyncClient:
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        return httpx2.AsyncClient(
            transport=httpx2.ASGITransport(app=api), base_url="http://testserver", headers=headers
        )

    async def run() -> tuple[dict[str, Any], list[int]]:
        async with api.state.mcp.lifespan():
            statuses = []
            for bearer in (None, "todo_pat_wrong", "not-a-jwt"):
                async with client(bearer) as anonymous:
                    response = await anonymous.post("/mcp", json={"jsonrpc": "2.0", "id": 1})
                    statuses.append(response.status_code)
            transport = streamable_http_client("http://testserver/mcp", http_client=client(token))
            async with Client(transport) as mcp_client:
                return await journey(mcp_client), statuses

    result, statuses = anyio.run(run)
    assert statuses == [401, 401, 401]
    check(result)


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_every_required_tool_has_a_schema(name: str) -> None:
    from todo_app.assistant.tools import TOOLS

    schema = TOOLS[name].schema()
    assert schema["type"] == "object" and schema["properties"]


def over_http(email: str, steps: Callable[[Any], Awaitable[dict[str, Any]]]) -> dict[str, Any]:
    """`steps(client)` against the MCP endpoint over HTTP, with a token of a new account."""
    token = make_token(email)
    api = create_api()
    http = httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=api),
        base_url="http://testserver",
        headers={"Authorization": f"Bearer {token}"},
    )

    async def run() -> dict[str, Any]:
        async with api.state.mcp.lifespan():
            transport = streamable_http_client("http://testserver/mcp", http_client=http)
            async with Client(transport) as client:
                return await steps(client)

    return anyio.run(run)


def test_projects_and_subtasks_over_http(db: str) -> None:
    async def calls(client: Any) -> dict[str, Any]:
        names = {tool.name for tool in (await client.list_tools()).tools}
        made = await client.call_tool("create_project", {"name": "Home renovation"})
        inner = await client.call_tool(
            "create_project", {"name": "Kitchen", "parent": "home renovation"}
        )
        door = await client.call_tool(
            "add_task", {"title": "Sand the door", "project": "Home renovation"}
        )
        step = await client.call_tool(
            "add_subtask", {"parent": "Sand the door", "title": "Buy sandpaper"}
        )
        moved = await client.call_tool("move_task", {"task": "Sand the door", "project": "Kitchen"})
        steps = await client.call_tool("list_tasks", {"parent": "Sand the door"})
        tree = await client.call_tool("list_projects", {})
        lost = await client.call_tool("list_tasks", {"project": "Nowhere"})
        kitchen_id = uuid.UUID(inner.structured_content["project"]["id"])
        with session_scope() as session:
            owner = session.exec(select(Project).where(Project.id == kitchen_id)).one()
            user = session.get_one(User, owner.owner_id)
            projects.archive_project(session, user, kitchen_id)
        archived = await client.call_tool("list_projects", {"archived": True})
        return locals()

    result = over_http("mcp-projects@example.com", calls)
    assert result["names"] >= {"list_projects", "create_project", "move_task", "add_subtask"}
    for name in ("made", "inner", "door", "step", "moved", "steps", "tree"):
        assert not result[name].is_error, (name, result[name].content)
    home = result["made"].structured_content["project"]
    kitchen = result["inner"].structured_content["project"]
    assert kitchen["parent_id"] == home["id"]
    door = result["door"].structured_content["task"]
    step = result["step"].structured_content["task"]
    assert door["project_id"] == home["id"] and step["parent_id"] == door["id"]
    assert result["moved"].content[0].text == "Moved “Sand the door” to Kitchen"
    moved = result["moved"].structured_content["task"]
    assert moved["project_id"] == kitchen["id"] and moved["subtasks"] == {"open": 1, "total": 1}
    assert [t["title"] for t in result["steps"].structured_content["tasks"]] == ["Buy sandpaper"]
    lines = result["tree"].content[0].text.splitlines()
    assert lines[1:] == [
        "- Inbox (0 open)",
        "- Home renovation (0 open)",
        "  - Kitchen (2 open)",
    ]
    assert result["lost"].is_error and "no project is named" in result["lost"].content[0].text
    # Archived alone, a sub-project heads the archived list.
    assert result["archived"].content[0].text == "1 project:\n- Kitchen (2 open)"
    with session_scope() as session:
        # The subtask went along with its parent.
        [sandpaper] = session.exec(select(Task).where(Task.title == "Buy sandpaper")).all()
        assert str(sandpaper.project_id) == kitchen["id"]


def test_comments_over_http(db: str) -> None:
    async def calls(client: Any) -> dict[str, Any]:
        await client.call_tool("add_task", {"title": "Paint the fence"})
        said = await client.call_tool(
            "add_comment", {"task": "paint the fence", "text": "White, two coats"}
        )
        thread = await client.call_tool("list_comments", {"task": "Paint the fence"})
        empty = await client.call_tool("add_comment", {"task": "Paint the fence", "text": "  "})
        return locals()

    result = over_http("mcp-comments@example.com", calls)
    assert result["said"].content[0].text == "Commented on “Paint the fence”"
    thread = result["thread"].structured_content["comments"]
    assert [(c["author"]["email"], c["text"]) for c in thread] == [
        ("mcp-comments@example.com", "White, two coats")
    ]
    assert "1 comment(s)" in result["thread"].content[0].text
    assert result["empty"].is_error and "text must not be empty" in result["empty"].content[0].text


def test_tools_assign_tasks_to_a_projects_people(db: str) -> None:
    with session_scope() as session:
        owner = auth.register(
            session,
            RegisterRequest(
                email="owner-tools@example.com", password="correct horse", display_name="Olive"
            ),
            "test",
        )
        auth.register(
            session,
            RegisterRequest(
                email="max-tools@example.com", password="correct horse", display_name="Max Power"
            ),
            "test",
        )
        home = projects.create_project(session, owner, ProjectCreate(name="Home"))
        add = MemberAdd(email="max-tools@example.com", role="editor")
        max_id = invitations.share(session, owner, home.id, add).user_id
        given = call_tool(
            session,
            owner,
            "add_task",
            {"title": "Mow the lawn", "project": "Home", "assignee": "max"},
            via="mcp",
        )
        mine = call_tool(
            session, owner, "update_task", {"task": "Mow the lawn", "assignee": "me"}, via="mcp"
        )
        nobody = call_tool(
            session, owner, "update_task", {"task": "Mow the lawn", "assignee": "none"}, via="mcp"
        )
        stranger = call_tool(
            session, owner, "update_task", {"task": "Mow the lawn", "assignee": "Zed"}, via="mcp"
        )
    assert given.ok and given.data["task"]["assignee_id"] == str(max_id)
    assert mine.ok and mine.data["task"]["assignee_id"] == str(owner.id)
    assert nobody.ok and nobody.data["task"]["assignee_id"] is None
    assert not stranger.ok and "not one person of this project" in stranger.summary


def test_tools_share_a_project_with_an_account_or_by_invitation(db: str) -> None:
    with session_scope() as session:
        owner = auth.register(
            session,
            RegisterRequest(email="share-tools@example.com", password="correct horse"),
            "test",
        )
        auth.register(
            session,
            RegisterRequest(
                email="pat-tools@example.com", password="correct horse", display_name="Pat"
            ),
            "test",
        )
        projects.create_project(session, owner, ProjectCreate(name="Choir"))
        added = call_tool(
            session,
            owner,
            "share_project",
            {"project": "choir", "email": "pat-tools@example.com", "role": "viewer"},
            via="mcp",
        )
        invited = call_tool(
            session,
            owner,
            "share_project",
            {"project": "Choir", "email": "new-tools@example.com"},
            via="mcp",
        )
        refused = call_tool(
            session,
            owner,
            "share_project",
            {"project": "Choir", "email": "new-tools@example.com", "role": "owner"},
            via="mcp",
        )
        listed = call_tool(session, owner, "list_members", {"project": "Choir"}, via="mcp")
    assert added.ok and added.summary == "Shared “Choir” with pat-tools@example.com as viewer"
    assert invited.ok and invited.data["invitation"]["role"] == "editor"
    assert invited.summary == "Invited new-tools@example.com to “Choir” as editor, by mail"
    assert not refused.ok and "role" in refused.summary
    assert listed.ok and "Pat (viewer)" in listed.summary
    assert "new-tools@example.com (editor, pending)" in listed.summary
