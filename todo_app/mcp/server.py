"""The MCP server over the assistant's tools (todo_app.assistant.tools), for one user per call.

Over stdio the user is the owner of the API token the server was started with; over HTTP
(/mcp on the backend) each request carries its own bearer token, checked like the REST API's.
Tool calls run through `call_tool`, so they are validated, scoped and audited (chat.tool_call,
via "mcp") exactly as the chat's are.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
import mcp_types as types
from mcp.server.lowlevel import Server
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from sqlmodel import Session
from starlette.types import Receive, Scope, Send

from todo_app.assistant.tools import TOOLS, call_tool
from todo_app.core.errors import Unauthorized
from todo_app.db import session_scope
from todo_app.models import User
from todo_app.services import api_tokens

# The tools an MCP client sees (the chat's "next_occurrences" and "uncomplete_task" too).
INSTRUCTIONS = (
    "Tools over the user's tasks and projects. Refer to a task by id, by the start of its id, "
    "or by words of its title; when several match, the result lists them: ask the user which "
    "one. Refer to a project by name or id, a section by name or id within its project "
    "(list_projects shows both). delete_task needs confirm=true, given only after the user "
    "agreed."
)

UserOf = Callable[[Session, Any], User]


def _tools() -> list[types.Tool]:
    return [
        types.Tool(name=tool.name, description=tool.description, input_schema=tool.schema())
        for tool in TOOLS.values()
    ]


def _run(user_of: UserOf, ctx: Any, name: str, arguments: dict[str, Any]) -> types.CallToolResult:
    with session_scope() as session:
        try:
            user = user_of(session, ctx)
        except Unauthorized as error:
            return types.CallToolResult(
                content=[types.TextContent(type="text", text=error.message)], is_error=True
            )
        outcome = call_tool(session, user, name, arguments, via="mcp")
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=outcome.summary)],
        structured_content=outcome.as_json(),
        is_error=not outcome.ok,
    )


def build_server(user_of: UserOf) -> Server[Any]:
    """An MCP server whose tool calls act for `user_of(session, request context)`."""

    async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
        return types.ListToolsResult(tools=_tools())

    async def call(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        arguments = dict(params.arguments or {})
        return await anyio.to_thread.run_sync(_run, user_of, ctx, params.name, arguments)

    return Server(
        "todo",
        version="1.0.0",
        instructions=INSTRUCTIONS,
        on_list_tools=list_tools,
        on_call_tool=call,
    )


def user_from_token(token: str) -> UserOf:
    """Every call acts for the owner of `token` (stdio: the token the server started with)."""

    def user_of(session: Session, ctx: Any) -> User:
        return api_tokens.user_from_bearer(session, token)

    return user_of


def _user_from_request(session: Session, ctx: Any) -> User:
    user_id = getattr(getattr(ctx.request, "state", None), "todo_user_id", None)
    user = session.get(User, user_id) if isinstance(user_id, uuid.UUID) else None
    if user is None:
        raise Unauthorized("access token is missing, expired or invalid")
    return user


class McpHttp:
    """/mcp: streamable HTTP behind the REST API's bearer check (401 without a valid token)."""

    def __init__(self) -> None:
        self.server = build_server(_user_from_request)
        self.manager: StreamableHTTPSessionManager | None = None

    @contextlib.asynccontextmanager
    async def lifespan(self, *_: Any) -> AsyncIterator[None]:
        # A manager runs once; an app started again (tests, reloads) gets a fresh one.
        self.manager = StreamableHTTPSessionManager(
            app=self.server, stateless=True, json_response=True
        )
        async with self.manager.run():
            yield

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI endpoint (an object, so a Starlette Route passes the raw request)."""
        headers = dict(scope.get("headers") or [])
        scheme, _, token = headers.get(b"authorization", b"").decode().partition(" ")
        user_id: uuid.UUID | None = None
        if scheme.lower() == "bearer" and token:
            # A database read: in a thread, as tool calls are, not on the shared event loop.
            user_id = await anyio.to_thread.run_sync(_bearer_user_id, token.strip())
        if user_id is None:
            await _unauthorized(send)
            return
        if self.manager is None:
            raise RuntimeError("the MCP endpoint is served only while the app's lifespan runs")
        scope.setdefault("state", {})["todo_user_id"] = user_id
        await self.manager.handle_request(scope, receive, send)


def _bearer_user_id(token: str) -> uuid.UUID | None:
    with session_scope() as session:
        try:
            return api_tokens.user_from_bearer(session, token).id
        except Unauthorized:
            return None


async def _unauthorized(send: Send) -> None:
    body = b'{"detail":"access token is missing, expired or invalid","field":null}'
    await send(
        {
            "type": "http.response.start",
            "status": 401,
            "headers": [
                (b"content-type", b"application/json"),
                (b"www-authenticate", b"Bearer"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
