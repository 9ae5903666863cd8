"""A conversation reads back in the order its messages were written, whatever their clocks."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from todo_app.assistant.chat import messages
from todo_app.db import session_scope
from todo_app.models import ChatMessage, Conversation
from todo_app.schemas import RegisterRequest
from todo_app.services import auth


def test_messages_written_in_the_same_microsecond_keep_their_order(db):
    at = datetime.now(UTC)
    with session_scope() as session:
        user = auth.register(
            session, RegisterRequest(email="order@example.com", password="correct horse"), "t"
        )
        conversation = Conversation(user_id=user.id, title="order")
        session.add(conversation)
        session.flush()
        ids = (user.id, conversation.id)
    # Ids that sort against the writing order, each message from a session of its own.
    written = [uuid.UUID(int=n) for n in (1, 2**128 - 1, 2**64)]
    for n, message_id in enumerate(written):
        with session_scope() as session:
            session.add(
                ChatMessage(
                    id=message_id,
                    conversation_id=ids[1],
                    user_id=ids[0],
                    role="user" if n % 2 == 0 else "assistant",
                    content=f"message {n}",
                    created_at=at,
                )
            )
    with session_scope() as session:
        conversation = session.get(Conversation, ids[1])
        assert conversation is not None
        assert [m.id for m in messages(session, conversation)] == written
        assert [m.id for m in messages(session, conversation, limit=2)] == written[1:]
