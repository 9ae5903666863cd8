"""The chat panel: the conversation with the assistant, streamed in as it is written."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import uuid
from typing import Any

import reflex as rx

from todo_app.assistant import chat
from todo_app.core.errors import DomainError
from todo_app.db import session_scope
from todo_app.models import ChatMessage, User
from todo_app.state.auth import AuthState, signed_in_event

log = logging.getLogger(__name__)

# How often a streamed reply is pushed to the panel while it is being written.
STREAM_INTERVAL = 0.1


@dataclasses.dataclass
class ChatLine:
    id: str
    role: str
    text: str
    # What the assistant did for this message, one line each ("Added “Pay rent” ...").
    done: list[str]


# Tools that only read: nothing to list under "done".
READ_ONLY = {"list_tasks", "next_occurrences"}


def done_lines(actions: list[Any], reply: str) -> list[str]:
    """What the tools changed, as lines under the reply, unless the reply says it already."""
    return [
        str(action["summary"])
        for action in actions
        if isinstance(action, dict)
        and action.get("ok")
        and action.get("tool") not in READ_ONLY
        and str(action.get("summary")) not in reply
    ]


def _line(message: ChatMessage) -> ChatLine:
    done = done_lines(message.actions, message.content)
    return ChatLine(id=str(message.id), role=message.role, text=message.content, done=done)


class ChatState(AuthState):
    open: bool = False
    lines: list[ChatLine] = []
    draft: str = ""
    busy: bool = False
    conversation_id: str = ""

    @signed_in_event
    def toggle(self) -> None:
        self.open = not self.open
        if not self.open:
            return
        with self._signed_in() as (session, user):
            conversation = chat.latest_conversation(session, user)
            if conversation is None:
                self.lines, self.conversation_id = [], ""
                return
            self.conversation_id = str(conversation.id)
            self.lines = [_line(m) for m in chat.shown_messages(session, conversation)]

    @rx.event
    def set_draft(self, value: str) -> None:
        self.draft = value

    @signed_in_event
    def clear(self) -> None:
        """Forget the conversation; the next message starts a new one."""
        if self.conversation_id:
            # Already gone when another tab cleared it first.
            with self._signed_in() as (session, user), contextlib.suppress(DomainError):
                chat.clear(session, user, uuid.UUID(self.conversation_id))
        self.lines, self.conversation_id = [], ""

    @signed_in_event(background=True)
    async def send(self, form: dict[str, Any]) -> None:
        text = str(form.get("message", "")).strip()
        async with self:
            # While a reply is being written the text stays in the box, to send after.
            if not text or self.busy:
                return
            with self._signed_in() as (_, user):
                user_id = user.id
            conversation = uuid.UUID(self.conversation_id) if self.conversation_id else None
            self.busy = True
            self.draft = ""
            self.lines = [
                *self.lines,
                ChatLine(id=f"pending-user-{uuid.uuid4().hex}", role="user", text=text, done=[]),
                ChatLine(id="pending-reply", role="assistant", text="…", done=[]),
            ]
        pieces: list[str] = []

        def answer() -> chat.ChatReply:
            with session_scope() as session:
                account = session.get_one(User, user_id)
                return chat.respond(session, account, text, conversation, on_delta=pieces.append)

        work = asyncio.create_task(asyncio.to_thread(answer))
        shown = 0
        while not work.done():
            await asyncio.sleep(STREAM_INTERVAL)
            if len(pieces) != shown:
                shown = len(pieces)
                async with self:
                    self._set_reply("".join(pieces[:shown]) or "…", [])
        try:
            reply = work.result()
        except Exception as error:  # the panel answers, whatever went wrong
            message = error.message if isinstance(error, DomainError) else "something went wrong"
            if not isinstance(error, DomainError):
                log.exception("chat reply failed")
            async with self:
                self._set_reply(f"Sorry: {message}. Nothing was changed.", [])
                self.busy = False
            return
        async with self:
            self.conversation_id = str(reply.conversation_id)
            self._set_reply(reply.reply, done_lines(reply.actions, reply.reply))
            self.busy = False

    def _set_reply(self, text: str, done: list[str]) -> None:
        last = self.lines[-1]
        self.lines = [
            *self.lines[:-1],
            ChatLine(id=last.id, role="assistant", text=text, done=done),
        ]
