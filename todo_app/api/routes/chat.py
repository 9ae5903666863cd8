"""The chat assistant over HTTP: a message in, the reply and what was done out."""

from __future__ import annotations

import uuid

from fastapi import Response, status

from todo_app.api import API_PREFIX
from todo_app.api.router import ApiRouter, RouterSession, RouterUser
from todo_app.assistant import chat
from todo_app.schemas import (
    ChatAction,
    ChatMessagePublic,
    ChatRequest,
    ChatResponse,
    ConversationPublic,
)

router = ApiRouter(prefix=f"{API_PREFIX}/chat", tags=["chat"], waits=True)


@router.post("")
def post_message(body: ChatRequest, user: RouterUser, session: RouterSession) -> ChatResponse:
    """Say something to the assistant; it answers and acts (add, list, complete, ...)."""
    answer = chat.respond(session, user, body.message, body.conversation_id)
    return ChatResponse(
        reply=answer.reply,
        actions=[ChatAction(**action) for action in answer.actions],
        conversation_id=answer.conversation_id,
        assistant=answer.assistant,
    )


@router.get("/{conversation_id}")
def get_conversation(
    conversation_id: uuid.UUID, user: RouterUser, session: RouterSession
) -> ConversationPublic:
    """The conversation as the user saw it (their messages and the replies)."""
    conversation = chat.get_conversation(session, user, conversation_id)
    shown = [
        ChatMessagePublic(
            role=m.role,
            content=m.content,
            actions=[ChatAction(**a) for a in m.actions if isinstance(a, dict) and "tool" in a],
            created_at=m.created_at,
        )
        for m in chat.shown_messages(session, conversation)
    ]
    return ConversationPublic(id=conversation.id, title=conversation.title, messages=shown)


@router.delete("/{conversation_id}", status_code=status.HTTP_204_NO_CONTENT)
def clear_conversation(
    conversation_id: uuid.UUID, user: RouterUser, session: RouterSession
) -> Response:
    """Forget the conversation and all its messages."""
    chat.clear(session, user, conversation_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
