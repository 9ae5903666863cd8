"""The chat agent: OpenAI chat completions with tool calling over the assistant's tools.

Bounded: at most `MAX_ROUNDS` model calls per user message, each with a timeout and the
client's own retries; the history sent is the last `HISTORY_MESSAGES` messages, each cut to
`CONTENT_MAX` characters. Tool errors (bad arguments, an ambiguous task, a refused change) go
back to the model as the tool's result, so it can fix its call or ask the user. The reply is
streamed: `on_delta(text)` gets each piece as it arrives.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import openai
from sqlmodel import Session

from todo_app.assistant.tools import TOOLS, ToolOutcome, call_tool
from todo_app.config import Settings, reveal
from todo_app.models import User

MAX_ROUNDS = 6
HISTORY_MESSAGES = 20
CONTENT_MAX = 4000
TIMEOUT_SECONDS = 30.0
RETRIES = 2

SYSTEM_PROMPT = """You are the assistant of a task manager. You act through the tools: add, \
list or search, update, complete, reopen, skip an occurrence of a recurring task, delete, \
tell when a recurring task comes next, list and create projects, add subtasks (steps of a \
task) and move a task to another project, section or parent task. Tasks live in projects (the \
Inbox by default), optionally in a section of their project; name a project or section by its \
name or id (list_projects shows them with their sections). Refer to tasks by their id when you \
know it, else by words of their title. When a tool says several tasks match, ask the user \
which one. Before deleting, ask the user; call delete_task with confirm=true only after they \
said yes. Dates and times the user gives are in their time zone ({tz}); now is {now} there. \
Repeat rules are RFC 5545 RRULEs (FREQ=WEEKLY;BYDAY=MO,WE) or daily, weekdays, weekly, \
monthly, yearly. Answer briefly and say what you did."""


class AgentUnavailable(RuntimeError):
    """The model could not be reached or answered nonsense; `acted` says if tools ran."""

    def __init__(self, message: str, acted: bool) -> None:
        super().__init__(message)
        self.acted = acted


@dataclass
class AgentReply:
    text: str
    outcomes: list[ToolOutcome] = field(default_factory=list)
    # The assistant and tool messages of this turn, in OpenAI's shape, to store.
    messages: list[dict[str, Any]] = field(default_factory=list)


def trim_history(history: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The last messages, cut short, starting at a user message (never at a tool result)."""
    recent = [dict(m) for m in history[-HISTORY_MESSAGES:]]
    while recent and recent[0].get("role") != "user":
        recent.pop(0)
    for message in recent:
        if isinstance(message.get("content"), str):
            message["content"] = message["content"][:CONTENT_MAX]
    return recent


class OpenAIAgent:
    def __init__(
        self,
        session: Session,
        user: User,
        settings: Settings,
        client: openai.OpenAI | None = None,
    ) -> None:
        self.session = session
        self.user = user
        self.model = settings.openai_model
        self.client = client or openai.OpenAI(
            api_key=reveal(settings.openai_api_key),
            base_url=settings.openai_base_url or None,
            timeout=TIMEOUT_SECONDS,
            max_retries=RETRIES,
        )

    def _system(self) -> dict[str, Any]:
        now = datetime.now(UTC).astimezone(ZoneInfo(self.user.timezone))
        text = SYSTEM_PROMPT.format(tz=self.user.timezone, now=now.strftime("%A %Y-%m-%d %H:%M"))
        return {"role": "system", "content": text}

    def respond(
        self,
        history: Sequence[dict[str, Any]],
        message: str,
        on_delta: Callable[[str], None] | None = None,
    ) -> AgentReply:
        messages = [self._system(), *trim_history(history), {"role": "user", "content": message}]
        reply = AgentReply("")
        for _ in range(MAX_ROUNDS):
            # Keep what is done so far and hold no transaction while the model thinks: an open
            # one would keep SQLite's write lock, or the touched rows' locks, for seconds.
            self.session.commit()
            content, calls = self._complete(messages, on_delta, acted=bool(reply.outcomes))
            turn: dict[str, Any] = {"role": "assistant", "content": content}
            if calls:
                turn["tool_calls"] = calls
            messages.append(turn)
            reply.messages.append(turn)
            if not calls:
                reply.text = content
                return reply
            for call in calls:
                result = self._run(call, reply)
                answer = {
                    "role": "tool",
                    "tool_call_id": call["id"],
                    "content": json.dumps(result, ensure_ascii=False, default=str),
                }
                messages.append(answer)
                reply.messages.append(answer)
        done = "; ".join(o.summary for o in reply.outcomes if o.ok) or "nothing"
        reply.text = f"I stopped after {MAX_ROUNDS} steps without finishing. Done so far: {done}."
        return reply

    def _run(self, call: dict[str, Any], reply: AgentReply) -> dict[str, Any]:
        function = call.get("function") or {}
        name = str(function.get("name", ""))
        try:
            arguments = json.loads(function.get("arguments") or "{}")
        except json.JSONDecodeError as error:
            return {"ok": False, "summary": f"the arguments are not valid JSON ({error.msg})"}
        outcome = call_tool(self.session, self.user, name, arguments)
        reply.outcomes.append(outcome)
        return outcome.as_json()

    def _complete(
        self,
        messages: list[dict[str, Any]],
        on_delta: Callable[[str], None] | None,
        acted: bool,
    ) -> tuple[str, list[dict[str, Any]]]:
        """One streamed completion: its text and its tool calls, assembled from the deltas."""
        try:
            stream: Any = self.client.chat.completions.create(
                model=self.model,
                messages=messages,  # type: ignore[arg-type]
                tools=[tool.openai_spec() for tool in TOOLS.values()],  # type: ignore[misc]
                stream=True,
            )
            text: list[str] = []
            calls: dict[int, dict[str, Any]] = {}
            for chunk in stream:
                if not chunk.choices:
                    continue
                delta = chunk.choices[0].delta
                if delta.content:
                    text.append(delta.content)
                    if on_delta is not None:
                        on_delta(delta.content)
                for piece in delta.tool_calls or []:
                    call = calls.setdefault(
                        piece.index,
                        {"id": "", "type": "function", "function": {"name": "", "arguments": ""}},
                    )
                    if piece.id:
                        call["id"] = piece.id
                    if piece.function and piece.function.name:
                        call["function"]["name"] += piece.function.name
                    if piece.function and piece.function.arguments:
                        call["function"]["arguments"] += piece.function.arguments
        except openai.OpenAIError as error:
            raise AgentUnavailable(f"{type(error).__name__}: {error}", acted) from error
        ordered = [calls[index] for index in sorted(calls)]
        for number, call in enumerate(ordered):
            call["id"] = call["id"] or f"call_{number}"
        return "".join(text), ordered
