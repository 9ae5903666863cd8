"""Conversations: one user message in, the assistant's reply and what it did out, all stored.

With OPENAI_API_KEY the model answers (todo_app.assistant.agent); without one, or when the
model cannot be reached before it did anything, the offline assistant does, so the chat never
just fails. History is kept per user and conversation and can be cleared.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from todo_app.assistant.agent import AgentUnavailable, OpenAIAgent
from todo_app.assistant.offline import OfflineAssistant
from todo_app.assistant.tools import ToolOutcome
from todo_app.config import Settings, get_settings
from todo_app.core.errors import FieldError, NotFound
from todo_app.models import ChatMessage, Conversation, User

MESSAGE_MAX = 2000
# Stored messages read back as the model's context (the agent trims further).
HISTORY_LOADED = 40


@dataclass
class ChatReply:
    reply: str
    actions: list[dict[str, Any]] = field(default_factory=list)
    conversation_id: uuid.UUID = field(default_factory=uuid.uuid4)
    assistant: str = "offline"


def _action(outcome: ToolOutcome) -> dict[str, Any]:
    return {
        "tool": outcome.tool,
        "ok": outcome.ok,
        "summary": outcome.summary,
        "task_ids": outcome.task_ids,
    }


def get_conversation(session: Session, user: User, conversation_id: uuid.UUID) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or conversation.user_id != user.id:
        raise NotFound("conversation not found")
    return conversation


def latest_conversation(session: Session, user: User) -> Conversation | None:
    statement = (
        select(Conversation)
        .where(Conversation.user_id == user.id)
        .order_by(col(Conversation.updated_at).desc())
        .limit(1)
    )
    return session.exec(statement).first()


def messages(
    session: Session, conversation: Conversation, limit: int | None = None
) -> list[ChatMessage]:
    statement = (
        select(ChatMessage)
        .where(ChatMessage.conversation_id == conversation.id)
        .order_by(col(ChatMessage.seq).desc())
    )
    if limit is not None:
        statement = statement.limit(limit)
    return list(reversed(session.exec(statement).all()))


def shown_messages(session: Session, conversation: Conversation) -> list[ChatMessage]:
    """The conversation as the user saw it: their messages and the replies, no tool turns."""
    return [
        m
        for m in messages(session, conversation)
        if m.role == "user" or (m.role == "assistant" and not m.tool_calls)
    ]


def clear(session: Session, user: User, conversation_id: uuid.UUID) -> None:
    conversation = get_conversation(session, user, conversation_id)
    session.exec(delete(ChatMessage).where(col(ChatMessage.conversation_id) == conversation.id))
    session.delete(conversation)


def _as_openai(message: ChatMessage) -> dict[str, Any]:
    result: dict[str, Any] = {"role": message.role, "content": message.content}
    if message.role == "assistant" and message.tool_calls:
        result["tool_calls"] = message.tool_calls
    if message.role == "tool":
        result["tool_call_id"] = message.tool_call_id
    return result


def _pending(history: list[ChatMessage]) -> dict[str, Any] | None:
    """The question the last assistant message left open, if the user is answering it."""
    for message in reversed(history):
        if message.role == "assistant":
            for action in message.actions:
                if isinstance(action, dict) and isinstance(action.get("pending"), dict):
                    return dict(action["pending"])
            return None
    return None


def respond(
    session: Session,
    user: User,
    message: str,
    conversation_id: uuid.UUID | None = None,
    on_delta: Callable[[str], None] | None = None,
    settings: Settings | None = None,
    now: datetime | None = None,
) -> ChatReply:
    """Answer `message` in a conversation (a new one without an id) and store both sides."""
    text = message.strip()
    if not text:
        raise FieldError("message", "message must not be empty")
    if len(text) > MESSAGE_MAX:
        raise FieldError("message", f"message must be at most {MESSAGE_MAX} characters")
    settings = settings or get_settings()
    if conversation_id is None:
        conversation = Conversation(user_id=user.id, title=text[:80])
        session.add(conversation)
        session.flush()
    else:
        conversation = get_conversation(session, user, conversation_id)
    history = messages(session, conversation, HISTORY_LOADED)
    clock = now or datetime.now(UTC)
    session.add(
        ChatMessage(
            conversation_id=conversation.id,
            user_id=user.id,
            role="user",
            content=text,
        )
    )
    stored: list[ChatMessage] = []
    outcomes: list[ToolOutcome] = []
    pending: dict[str, Any] | None = None
    assistant = "offline"
    note = ""
    reply_text: str | None = None
    if settings.openai_api_key:
        agent = OpenAIAgent(session, user, settings)
        try:
            answer = agent.respond([_as_openai(m) for m in history], text, on_delta)
        except AgentUnavailable as error:
            if error.acted:
                reply_text = f"The assistant stopped midway ({error}). Check the list."
            else:
                note = "(The model could not be reached, so the offline assistant answered.) "
        else:
            assistant = "openai"
            reply_text = answer.text
            outcomes = answer.outcomes
            for turn in answer.messages[:-1]:
                stored.append(
                    ChatMessage(
                        conversation_id=conversation.id,
                        user_id=user.id,
                        role=str(turn["role"]),
                        content=str(turn.get("content") or ""),
                        tool_calls=list(turn.get("tool_calls") or []),
                        tool_call_id=turn.get("tool_call_id"),
                    )
                )
    if reply_text is None:
        offline = OfflineAssistant(session, user, clock).respond(text, _pending(history))
        reply_text = note + offline.text
        outcomes = offline.outcomes
        pending = offline.pending
    actions = [_action(outcome) for outcome in outcomes]
    stored_actions: list[dict[str, Any]] = [*actions, {"pending": pending}] if pending else actions
    for turn_message in stored:
        session.add(turn_message)
    session.add(
        ChatMessage(
            conversation_id=conversation.id,
            user_id=user.id,
            role="assistant",
            content=reply_text,
            actions=stored_actions,
        )
    )
    conversation.updated_at = datetime.now(UTC)
    session.add(conversation)
    session.flush()
    return ChatReply(reply_text, actions, conversation.id, assistant)
